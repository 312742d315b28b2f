"""CXone agent sessions as data: one agent session per agent, any number of API sessions
(MAX, a Media Bar that joined) each with its own event queue, the agent leg, and contacts."""
from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from ....core.clock import TimerHandle


def ids_without_60(start: int):
    """Numbers as strings, skipping any with "60" in them: the SDK's retry rewrites the first
    "60" in a URL (reference §5.4), so none may appear in an id."""
    return (str(n) for n in itertools.count(start) if "60" not in str(n))


@dataclass
class ApiSession:
    """What one client polls: GET .../agent-sessions/{id}/get-next-event."""

    id: str
    agent_id: str
    role: str  # "max", or "bar" for a trusted client (the Media Bar)
    events: list[dict[str, Any]] = field(default_factory=list)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    ended: bool = False  # AgentSessionEnd queued: 409 once it has been polled
    detached: bool = False  # the agent session it belonged to is over (the bar after MAX logged out)

    def push(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        self.wake.set()

    def take_back(self, events: list[dict[str, Any]]) -> None:
        """Events whose answer its client never read (serving/http_serving.py): next again."""
        self.events[:0] = events
        self.wake.set()


@dataclass
class NiceContact:
    id: str  # ContactID on the wire
    core_id: str
    voice: bool
    channel: str
    status: str  # Incoming, Active, Holding, Dialing, Disconnected
    inbound: bool
    ani: str
    dnis: str
    skill: str
    started: float
    changed: float
    manual_accept: bool = False
    final: bool = False  # the second Disconnected (FinalState True) has been sent
    timer: TimerHandle | None = None

    def cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


@dataclass
class AgentSession:
    agent_id: str  # the core agent
    platform_id: str  # AgentSessionStart.SessionId: "NOT the same as the session ID used by the API"
    station_id: str
    station_phone: str
    started: float
    auto_accept: bool
    state: str = "Unavailable"
    out_reason: str = ""
    acw: bool = False
    state_since: float = 0.0
    after_contact: tuple[str, str] = ("Available", "")  # where the agent goes when its contacts end
    leg_status: str = ""  # "", Dialing, Active, Disconnected
    leg_id: str = ""
    leg_timer: TimerHandle | None = None
    leg_for: str | None = None  # the contact id the leg is being dialled for
    muted: bool = False
    closing: bool = False  # being logged out: its contacts end with no AgentState before AgentSessionEnd
    contacts: dict[str, NiceContact] = field(default_factory=dict)
    api_sessions: list[ApiSession] = field(default_factory=list)

    def live_contacts(self) -> list[NiceContact]:
        return [c for c in self.contacts.values() if not c.final]

    def in_progress(self) -> list[NiceContact]:
        """Contacts the agent is still handling (not yet Disconnected)."""
        return [c for c in self.contacts.values() if c.status != "Disconnected"]
