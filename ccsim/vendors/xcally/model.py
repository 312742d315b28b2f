"""XCALLY Motion as data: agents (users with role agent), queues, interactions, report rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...core.clock import TimerHandle
from . import agent_settings
from . import fields as f
from .settings import DIGITAL


@dataclass
class XAgent:
    id: int
    core_id: str
    name: str
    password: str
    fullname: str = ""
    email: str = ""
    internal: str = ""
    typology: str = "phonebar"
    login_in_pause: bool = False
    disabled: bool = False
    locked: bool = False
    capacity: dict[str, int] = field(default_factory=lambda: {ch: 0 for ch in DIGITAL})
    autoanswer: dict[str, bool] = field(default_factory=lambda: {ch: False for ch in DIGITAL})
    autoanswer_delay: dict[str, int] = field(default_factory=lambda: {ch: 0 for ch in DIGITAL})
    voice_autoanswer: bool = False
    voice_autoanswer_delay: int = 0
    remote_control: bool = False
    # The phonebar's remote-control port as configured or set over the API; None: not given, so
    # it follows the port base (phonebar.py) and the form's default 9888 is shown until it listens.
    remote_control_port: int | None = None
    ring_in_use: bool = False  # a call rings while the agent is on another (CLONE default)
    dnd_during_pause: bool = True  # paused on voice: direct and internal calls refused (seed 001 default)
    # The rest of the agent form, by JSON key (agent_settings.SETTINGS); transport None = the typology's.
    settings: dict[str, Any] = field(default_factory=agent_settings.defaults)
    created: float = 0.0
    updated: float = 0.0
    # Runtime.
    failed_logins: int = 0
    online: bool = False
    paused: dict[str, str] = field(default_factory=dict)  # channel -> pause type
    login_row: dict[str, Any] | None = None  # the open report_member LOGIN row
    pause_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    telephone: str = ""  # the device in use while online: a hot-desk telephone's internal, else its own

    @property
    def transport(self) -> str:
        return self.settings["transport"] or agent_settings.default_transport(self.typology)

    def to_json(self, iso) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.id, "name": self.name, "fullname": self.fullname, "email": self.email, "role": "agent",
            "internal": self.internal, "typology": self.typology, "online": self.online,
            "loginInPause": self.login_in_pause, "disabled": self.disabled, "locked": self.locked,
            f.VOICE_AUTOANSWER: self.voice_autoanswer, f.VOICE_AUTOANSWER_DELAY: self.voice_autoanswer_delay,
            f.REMOTE_CONTROL: self.remote_control,
            f.REMOTE_CONTROL_PORT: f.DEFAULT_REMOTE_CONTROL_PORT if self.remote_control_port is None
            else self.remote_control_port,
            f.RING_IN_USE: self.ring_in_use, f.DND_DURING_PAUSE: self.dnd_during_pause,
            "createdAt": iso(self.created), "updatedAt": iso(self.updated),
            **self.settings, "transport": self.transport,
        }
        for ch in DIGITAL:
            body[f.CAPACITY[ch]] = self.capacity[ch]
            body[f.AUTOANSWER[ch]] = self.autoanswer[ch]
            body[f.AUTOANSWER_DELAY[ch]] = self.autoanswer_delay[ch]
        return body

    def apply(self, body: dict[str, Any]) -> None:
        """Set the fields present in a (validated) create or update body."""
        for key, attr in (("name", "name"), ("password", "password"), ("fullname", "fullname"), ("email", "email"),
                          ("typology", "typology"), ("loginInPause", "login_in_pause"), ("disabled", "disabled"),
                          ("locked", "locked"), (f.VOICE_AUTOANSWER, "voice_autoanswer"),
                          (f.VOICE_AUTOANSWER_DELAY, "voice_autoanswer_delay"), (f.REMOTE_CONTROL, "remote_control"),
                          (f.REMOTE_CONTROL_PORT, "remote_control_port"), (f.RING_IN_USE, "ring_in_use"),
                          (f.DND_DURING_PAUSE, "dnd_during_pause")):
            if key in body:
                setattr(self, attr, body[key])
        if "internal" in body:
            self.internal = str(body["internal"])
        self.settings.update((k, v) for k, v in body.items() if k in agent_settings.BY_KEY)
        for ch in DIGITAL:
            for table, target in ((f.CAPACITY, self.capacity), (f.AUTOANSWER, self.autoanswer),
                                  (f.AUTOANSWER_DELAY, self.autoanswer_delay)):
                if table[ch] in body:
                    target[ch] = body[table[ch]]
        if body.get("locked") is False:
            self.failed_logins = 0


# Queue strategies (INFERRED tokens, Asterisk-like) and the core's pick of the agent offered
# first; with beepall every other free member is offered the interaction too.
STRATEGIES = ("beepall", "rrmemory", "leastrecent")
CORE_STRATEGY = {"beepall": "longest_idle", "rrmemory": "round_robin", "leastrecent": "longest_idle"}


@dataclass
class XQueue:
    id: int
    core_id: str
    channel: str
    name: str
    strategy: str = "beepall"  # beepall | rrmemory | leastrecent (INFERRED tokens)
    timeout: int = 0  # seconds in this queue before the routing moves on (0 = no timeout)
    failover: int | None = None  # INFERRED: the next queue id of the routing
    members: list[int] = field(default_factory=list)  # agent ids

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "channel": self.channel, "strategy": self.strategy,
                "timeout": self.timeout, "failoverQueueId": self.failover, "members": list(self.members)}


@dataclass
class Interaction:
    id: int
    channel: str
    core_id: str
    contact: str  # the customer (caller address)
    queue: int | None
    created: float
    status: str = "queued"  # queued, offered, open, closed, abandoned, timeout
    user_id: int | None = None  # the agent it is (or was) with
    offered_to: list[int] = field(default_factory=list)
    declined_by: set[int] = field(default_factory=set)
    disposition: str = ""
    messages: list[dict[str, Any]] = field(default_factory=list)
    timer: TimerHandle | None = None  # auto answer

    @property
    def closed(self) -> bool:
        return self.status == "closed"

    def to_json(self, iso) -> dict[str, Any]:
        return {"id": self.id, "channel": self.channel, "status": self.status, "closed": self.closed,
                "disposition": self.disposition, "UserId": self.user_id, "queueId": self.queue,
                "contact": self.contact, "createdAt": iso(self.created), "messages": list(self.messages)}
