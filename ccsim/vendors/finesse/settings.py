"""Finesse face settings (config `faces.finesse`). INFERRED choices are marked and listed in
contracts/finesse/README.md."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .stomp.security import AuthorizationEntry, StompUser, entries_from, users_from

DEFAULT_REASON_CODES: dict[str, list[dict[str, Any]]] = {
    "NOT_READY": [{"code": 1, "label": "Break"}, {"code": 2, "label": "Lunch"}, {"code": 3, "label": "Meeting"}],
    "LOGOUT": [{"code": 11, "label": "End of shift"}, {"code": 12, "label": "Training"}],
    "WRAP_UP": [{"code": 21, "label": "Sale"}, {"code": 22, "label": "No sale"}, {"code": 23, "label": "Support"}],
}


@dataclass
class FinesseSettings:
    # Where commands and events travel: "embedded" (our STOMP endpoint) or "activemq".
    transport: str = "embedded"
    activemq_host: str = "127.0.0.1"
    activemq_port: int = 61613
    activemq_login: str | None = None
    activemq_passcode: str | None = None
    # STOMP heart-beats with the broker, both ways, and how many intervals of silence from it
    # count as a dead connection. ActiveMQ's write checker skips a beat after any frame it sent,
    # so its beats can be two intervals apart (AMQ-4710); stomp.py's default of 1.5 then drops a
    # healthy connection about 15 s after the last command. 2.5 tolerates that and still notices
    # a dead broker within 25 s.
    activemq_heartbeat_ms: int = 10000
    activemq_heartbeat_grace: float = 2.5
    # The connector's command queue (the public client's "Connector1") and the topic prefix;
    # deployment configuration in the real product, so settings here (INFERRED names).
    command_queue: str = "/queue/Connector1"
    topic_prefix: str = "/topic/"
    # Embedded STOMP endpoint limits.
    max_frame_bytes: int = 1024 * 1024
    stomp_login: str | None = None  # credentials required on CONNECT; None accepts any
    stomp_passcode: str | None = None
    # The embedded endpoint's security, as ActiveMQ's (stomp/security.py), off by default as in
    # ActiveMQ's stock configuration: simpleAuthenticationPlugin users
    # [{username, password, groups}], its anonymousAccessAllowed, and the authorizationPlugin's
    # entries [{queue|topic: <name, wildcards * and >>, read, write, admin: <groups>}].
    stomp_users: list[dict[str, Any]] = field(default_factory=list)
    stomp_anonymous_access: bool = False
    stomp_authorization: list[dict[str, Any]] = field(default_factory=list)
    # INFERRED: who may send an agent's commands. "bound_connection": only the client connection
    # that bound the agent with a right Connect (and, for the state commands a supervisor may
    # send, the connection of a supervisor of its team); "anyone": whoever names it after the '#'
    # (the connector's documents describe no check).
    commands_from: str = "bound_connection"
    # INFERRED: a supervisor's LOGOUT of an agent on a call. "after_call": pending (pendingState
    # LOGOUT) until its calls end; "now": its calls are dropped and it is signed out at once.
    supervisor_logout_in_call: str = "after_call"
    # Finesse flavour: "UCCE" (default) or "UCCX": transitions, HOLD state, mobile agents.
    deployment: str = "UCCE"
    # Default wrap-up mode for agents that do not set one (agents' `finesse.wrap_up_mode`).
    wrap_up_mode: str = "NOT_ALLOWED"
    # INFERRED: seconds of wrap-up before the timer ends it (WORK -> NOT_READY, WORK_READY -> READY).
    wrap_up_seconds: float = 60.0
    # INFERRED: seconds an offered call rings before the agent goes NOT_READY with 32767
    # ("Call Not Answered") and the call is offered again.
    ring_timeout_seconds: float = 20.0
    # INFERRED: seconds until the far end answers a MakeCall or an outside consult/transfer.
    far_end_answer_seconds: float = 3.0
    reason_codes: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: dict(DEFAULT_REASON_CODES))
    teams: dict[str, str] = field(default_factory=lambda: {"1": "Team One"})
    phonebooks: list[dict[str, Any]] = field(default_factory=list)
    # Numbers an outbound call or consult cannot reach (the dialog FAILs).
    unreachable_numbers: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.transport not in ("embedded", "activemq"):
            raise ValueError(f"transport must be 'embedded' or 'activemq', not {self.transport!r}")
        if self.deployment not in ("UCCE", "UCCX"):
            raise ValueError(f"deployment must be 'UCCE' or 'UCCX', not {self.deployment!r}")
        if self.wrap_up_mode not in WRAP_UP_MODES:
            raise ValueError(f"wrap_up_mode must be one of {', '.join(WRAP_UP_MODES)}")
        if self.activemq_heartbeat_grace < 2:
            raise ValueError("activemq_heartbeat_grace must be >= 2: ActiveMQ's heart-beats can be two intervals apart")
        if self.activemq_heartbeat_ms < 0:
            raise ValueError("activemq_heartbeat_ms must be >= 0 (0: no heart-beats)")
        if self.commands_from not in COMMANDS_FROM:
            raise ValueError(f"commands_from must be one of {', '.join(COMMANDS_FROM)}, not {self.commands_from!r}")
        if self.supervisor_logout_in_call not in ("after_call", "now"):
            raise ValueError("supervisor_logout_in_call must be 'after_call' or 'now'")
        if not isinstance(self.stomp_users, list) or not isinstance(self.stomp_authorization, list):
            raise ValueError("stomp_users and stomp_authorization are lists")
        self.users_from_config()
        self.authorization_entries()

    def users_from_config(self) -> list[StompUser]:
        return users_from(self.stomp_users)

    def authorization_entries(self) -> list[AuthorizationEntry]:
        return entries_from(self.stomp_authorization)

    def codes(self, category: str) -> list[tuple[str, str]]:
        return [(str(c["code"]), str(c["label"])) for c in self.reason_codes.get(category, [])]


WRAP_UP_MODES = ("NOT_ALLOWED", "OPTIONAL", "REQUIRED", "REQUIRED_WITH_WRAP_UP_DATA")
COMMANDS_FROM = ("bound_connection", "anyone")
