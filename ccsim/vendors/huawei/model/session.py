"""One signed-in Huawei agent: its GUIDs, its event queue (drained by the long poll), its
CC-Gateway state and its current call."""
from __future__ import annotations

import asyncio
import enum
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from ....core.clock import Clock, TimerHandle


class AgentState(enum.IntEnum):
    """`agentState` values of GET .../agentstatus (CC-Gateway state table, cec_07_0581)."""

    SIGNED_OUT = 2
    BUSY = 3
    IDLE = 4
    WORK = 5
    TALKING = 7  # any call phase: ringing, talking, held (INFERRED for ringing)
    REST = 8
    PRE_REST = 9  # rest requested during a call


PRESENCE = {
    AgentState.SIGNED_OUT: "offline", AgentState.BUSY: "busy", AgentState.IDLE: "idle",
    AgentState.WORK: "wrapup", AgentState.REST: "rest",
}

# Sign-in status -> events after AgentOther_InService, AgentState_Ready (the seed's table).
LOGIN_STATUS = {3: AgentState.BUSY, 4: AgentState.IDLE, 5: AgentState.WORK}


@dataclass
class Call:
    callid: str
    contact_id: str
    phase: str  # "ringing" | "dialing" | "talking" | "held"
    caller: str
    called: str
    feature: str  # "0" normal inbound, "7" normal outbound
    transfer_from: str = ""
    muted: bool = False
    timer: TimerHandle | None = None  # ring timeout, or far-end answer for a callout

    def cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


@dataclass
class LoginParams:
    password: str
    phonenum: str
    autoanswer: bool
    autoenteridle: bool
    releasephone: bool
    agenttype: int
    status: int
    ip: str
    webm: bool = True  # checkInWebm: signed in to the WebM media server too


@dataclass
class Session:
    workno: str
    agent_id: str  # the core agent
    params: LoginParams
    login_time_ms: int
    guid: str
    clock: Clock
    state: AgentState = AgentState.IDLE
    signed_in: bool = True
    call: Call | None = None
    # After the current call: ("busy", reason) or ("rest", seconds, cause).
    pending: tuple[Any, ...] | None = None
    active_skills: set[str] | None = None  # resetskill with explicit skill ids; None = all
    events: deque[dict[str, Any]] = field(default_factory=deque)
    old_guids: dict[str, float] = field(default_factory=dict)  # dynamic mode: guid -> expiry
    guid_rotated_at: float = 0.0
    cookie: str = ""  # the JSESSIONID cookie set at sign-in: the servlet session, whatever the GUID becomes
    idle_timer: TimerHandle | None = None
    last_seen: float = 0.0  # the clock time of the agent's last poll or heartbeat
    rest_timer: TimerHandle | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    def push(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        self.wake.set()

    def take_back(self, event: dict[str, Any]) -> None:
        """An event whose answer its client never read (serving/http_serving.py): next again."""
        self.events.appendleft(event)
        self.wake.set()

    def guid_valid(self, guid: str | None) -> bool:
        if not guid:
            return False
        if guid == self.guid:
            return True
        expiry = self.old_guids.get(guid)
        return expiry is not None and self.clock.now() < expiry

    def close(self) -> None:
        """Signed out: no more commands; queued events can still be polled."""
        self.signed_in = False
        self.state = AgentState.SIGNED_OUT
        for timer in (self.idle_timer, self.rest_timer):
            if timer is not None:
                timer.cancel()
        if self.call is not None:
            self.call.cancel_timer()
        self.wake.set()
