"""The vendor-neutral model: agents, queues and contacts.

Plain data. What a state *means* for a vendor (may this agent take a call?) is the face's
business; the model only records facts every face shares.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Channel(str, enum.Enum):
    VOICE = "voice"
    CHAT = "chat"
    MAIL = "mail"
    SMS = "sms"
    OPENCHANNEL = "openchannel"
    FAX = "fax"
    WHATSAPP = "whatsapp"


class ContactState(str, enum.Enum):
    QUEUED = "queued"
    OFFERED = "offered"
    CONNECTED = "connected"
    HELD = "held"
    ENDED = "ended"


class EndReason(str, enum.Enum):
    AGENT = "agent"  # the agent released it
    CUSTOMER = "customer"  # the customer hung up after being connected
    ABANDONED = "abandoned"  # the customer left before being connected
    TIMED_OUT = "timed_out"  # nobody took it within the queue's timeout
    REFUSED = "refused"  # dialled straight to an agent whose face refused it (do not disturb, busy)


class Direction(str, enum.Enum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"


# Neutral agent presence, for dashboards, state expectations and routing summaries.
# Faces map their own states onto these.
PRESENCES = ("offline", "idle", "busy", "ringing", "talking", "held", "wrapup", "rest")


@dataclass
class Agent:
    id: str
    name: str
    skills: set[str] = field(default_factory=set)
    # Per-channel concurrency; 0 = unlimited. Voice defaults to one call at a time.
    capacity: dict[Channel, int] = field(default_factory=dict)
    # Per-face settings and credentials, as configured (e.g. {"huawei": {"password": ""}}).
    faces: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Runtime state.
    face: str | None = None  # the face whose session owns this agent, if signed in
    presence: str = "offline"
    idle_since: float = 0.0
    contacts: list[str] = field(default_factory=list)  # ids of contacts offered or connected

    def capacity_for(self, channel: Channel) -> int:
        return self.capacity.get(channel, 1 if channel is Channel.VOICE else 0)

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "skills": sorted(self.skills),
            "capacity": {c.value: n for c, n in sorted(self.capacity.items(), key=lambda kv: kv[0].value)},
            "face": self.face,
            "presence": self.presence,
            "idleSince": self.idle_since,
            "contacts": list(self.contacts),
        }


@dataclass
class Queue:
    id: str
    name: str
    skills: set[str] = field(default_factory=set)  # an agent needs all of them
    channel: Channel = Channel.VOICE
    timeout: float | None = None  # seconds a contact may wait before it times out
    number: str = ""  # the number customers dial (the "called" of inbound contacts)
    overflow: str | None = None  # on timeout, move the contact to this queue instead of ending it
    strategy: str = "longest_idle"  # or "round_robin" (with memory); see World._pick_agent
    faces: dict[str, dict[str, Any]] = field(default_factory=dict)  # per-face ids and settings
    waiting: list[str] = field(default_factory=list)  # contact ids, FIFO

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "skills": sorted(self.skills),
            "channel": self.channel.value,
            "timeout": self.timeout,
            "overflow": self.overflow,
            "strategy": self.strategy,
            "waiting": list(self.waiting),
        }


@dataclass
class Contact:
    id: str
    channel: Channel
    direction: Direction
    caller: str
    called: str
    queue: str | None = None
    data: dict[str, Any] = field(default_factory=dict)  # attached (call-associated) data
    state: ContactState = ContactState.QUEUED
    agent: str | None = None
    end_reason: EndReason | None = None
    history: list[tuple[str, float]] = field(default_factory=list)
    queues_visited: list[str] = field(default_factory=list)
    created: float = 0.0
    order: int = 0  # position among waiting contacts; lower is served first

    @property
    def ended(self) -> bool:
        return self.state is ContactState.ENDED

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel": self.channel.value,
            "direction": self.direction.value,
            "caller": self.caller,
            "called": self.called,
            "queue": self.queue,
            "data": dict(self.data),
            "state": self.state.value,
            "agent": self.agent,
            "endReason": self.end_reason.value if self.end_reason else None,
            "history": [{"state": s, "at": t} for s, t in self.history],
        }
