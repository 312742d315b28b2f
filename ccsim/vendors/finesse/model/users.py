"""Finesse users (agents and supervisors): configuration, the user state machine, State events.

States and transitions follow the Finesse developer guide (reference §6.1): users set only
READY, NOT_READY and LOGOUT; the system moves them through RESERVED, TALKING, HOLD, WORK and
WORK_READY. A NOT_READY asked for during a call is pending until the call ends.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from ....core.clock import TimerHandle
from ..protocol import ProtocolError

IN_CALL = ("RESERVED", "RESERVED_OUTBOUND_PREVIEW", "TALKING", "HOLD")
WRAP_UP = ("WORK", "WORK_READY")


@dataclass
class User:
    login_id: str
    agent_id: str  # the core agent
    password: str
    extension: str
    first_name: str
    last_name: str
    login_name: str
    supervisor: bool = False
    team: str = "1"
    teams: list[str] = field(default_factory=list)  # a supervisor's teams
    wrap_up_mode: str = "NOT_ALLOWED"
    mobile_allowed: bool = True
    # Runtime.
    state: str = "LOGOUT"
    reason_code: str = "-1"
    pending: str = ""
    changed_at: float = 0.0
    signed_extension: str = ""
    mobile: tuple[str, str] | None = None  # (mode, dial number)
    destination: str | None = None  # the client topic bound by Connect
    session: str | None = None  # the client connection that sent that Connect (transport.Message.sender)
    after_call: str = "READY"  # where the agent goes when its calls end: READY, NOT_READY or LOGOUT (a supervisor's)
    after_call_reason: str = "-1"
    wrap_timer: TimerHandle | None = None
    dialogs: list[str] = field(default_factory=list)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def logged_in(self) -> bool:
        return self.state != "LOGOUT"

    def cancel_wrap_timer(self) -> None:
        if self.wrap_timer is not None:
            self.wrap_timer.cancel()
            self.wrap_timer = None


def user_from_config(agent_id: str, name: str, cfg: dict[str, Any], default_wrap_up: str) -> User:
    first, _, last = name.partition(" ")
    login_id = str(cfg.get("login_id", agent_id))
    return User(
        login_id=login_id, agent_id=agent_id, password=str(cfg.get("password", "")),
        extension=str(cfg.get("extension", "")), first_name=str(cfg.get("first_name", first)),
        last_name=str(cfg.get("last_name", last)), login_name=str(cfg.get("login_name", login_id)),
        supervisor=bool(cfg.get("supervisor", False)), team=str(cfg.get("team", "1")),
        teams=[str(t) for t in cfg.get("teams", [cfg.get("team", "1")] if cfg.get("supervisor") else [])],
        wrap_up_mode=str(cfg.get("wrap_up_mode", default_wrap_up)),
        mobile_allowed=bool(cfg.get("mobile", True)),
    )


def finesse_time(epoch: float) -> str:
    """The connector's "agreed format": 2019-09-17 12:46:21."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def presence(state: str) -> str:
    """The neutral presence the core records for a Finesse state."""
    return {"LOGOUT": "offline", "NOT_READY": "busy", "READY": "idle", "RESERVED": "ringing",
            "RESERVED_OUTBOUND_PREVIEW": "ringing", "TALKING": "talking", "HOLD": "held",
            "WORK": "wrapup", "WORK_READY": "wrapup"}.get(state, "busy")


def check_user_transition(user: User, target: str, deployment: str) -> None:
    """May the agent ask for `target` now? (Calls and wrap-up move states by themselves.)"""
    current = user.state
    if current == "LOGOUT":
        raise ProtocolError("INVALID_STATE", f"{user.login_id} is not logged in", user.login_id)
    if target == "LOGOUT":
        allowed = ("NOT_READY",) if deployment == "UCCE" else ("NOT_READY", "READY")
        if current not in allowed:
            raise ProtocolError("INVALID_STATE", f"LOGOUT is not allowed from {current} on {deployment}", user.login_id)
    elif target == "READY" and current == "READY":
        raise ProtocolError("INVALID_STATE", "the agent is already READY", user.login_id)
