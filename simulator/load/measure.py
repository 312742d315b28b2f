"""What a load run measures, learnt from the world's bus as it happens: for each call that
arrived in the measured window, how long it waited and whether it was answered or abandoned;
and how much of the agents' staffed time went to handling calls (occupancy)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..core import CoreEvent, World

_NOT_HANDLING = ("idle", "offline")


@dataclass
class Measures:
    window: tuple[float, float]
    service_level_seconds: float
    arrived: int = 0
    answered: int = 0
    answered_in_time: int = 0
    abandoned: int = 0
    total_wait: float = 0.0
    handling_time: float = 0.0  # agent-seconds spent not idle, within the window
    staffed_time: float = 0.0  # agent-seconds signed in, within the window
    # over the whole run, for the progress line
    all_arrived: int = 0
    all_answered: int = 0
    all_abandoned: int = 0
    answered_by_face: Counter = field(default_factory=Counter)
    _arrivals: dict[str, float] = field(default_factory=dict)  # contact -> arrival, until answered or gone
    _handling: int = 0
    _staffed: int = 0
    _since: float = 0.0

    @property
    def service_level(self) -> float:
        return _ratio(self.answered_in_time, self.arrived)

    @property
    def average_speed_of_answer(self) -> float:
        return _ratio(self.total_wait, self.answered)

    @property
    def abandon_rate(self) -> float:
        return _ratio(self.abandoned, self.arrived)

    @property
    def occupancy(self) -> float:
        return _ratio(self.handling_time, self.staffed_time)

    def _in_window(self, t: float) -> bool:
        return self.window[0] <= t < self.window[1]


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else float("nan")  # nothing measured: no figure, not zero


class Meter:
    """Subscribes to the bus; `measures` fills as the run goes."""

    def __init__(self, world: World, window: tuple[float, float], service_level_seconds: float, started: float):
        self.world, self.started = world, started
        self.measures = Measures(window, service_level_seconds)
        for agent in world.agents.values():
            self._count(agent.presence, +1)
        bus = world.bus
        bus.subscribe("contact.connected", self._connected)
        bus.subscribe("contact.ended", self._ended)
        bus.subscribe("agent.presence", self._presence)

    def _t(self, event: CoreEvent) -> float:
        return event.at - self.started

    def arrival(self, contact: str, t: float) -> None:
        """A customer's call arrived `t` seconds into the run (told by the load generator, so
        that a call back in the queue after an unanswered offer is not a new arrival)."""
        m = self.measures
        m._arrivals[contact] = t
        m.all_arrived += 1
        if m._in_window(t):
            m.arrived += 1

    def _connected(self, event: CoreEvent) -> None:
        m = self.measures
        arrived = m._arrivals.pop(event.contact or "", None)
        if arrived is None:
            return
        m.all_answered += 1
        agent = self.world.agents.get(event.agent or "")
        m.answered_by_face[agent.face if agent is not None else "?"] += 1
        if m._in_window(arrived):
            wait = self._t(event) - arrived
            m.answered += 1
            m.total_wait += wait
            m.answered_in_time += wait <= m.service_level_seconds

    def _ended(self, event: CoreEvent) -> None:
        m = self.measures
        arrived = m._arrivals.pop(event.contact or "", None)
        if arrived is None:
            return  # answered before: counted then
        m.all_abandoned += 1
        if m._in_window(arrived):
            m.abandoned += 1

    def _presence(self, event: CoreEvent) -> None:
        self._advance(self._t(event))
        self._count(event.data.get("before", "offline"), -1)
        self._count(event.data["presence"], +1)

    def _count(self, presence: str, sign: int) -> None:
        m = self.measures
        if presence != "offline":
            m._staffed += sign
        if presence not in _NOT_HANDLING:
            m._handling += sign

    def _advance(self, t: float) -> None:
        """Add the time since the last change, as far as it overlaps the window."""
        m = self.measures
        low, high = max(m._since, m.window[0]), min(t, m.window[1])
        if high > low:
            m.handling_time += m._handling * (high - low)
            m.staffed_time += m._staffed * (high - low)
        m._since = max(m._since, t)

    def finish(self, now: float) -> Measures:
        self._advance(now - self.started)
        return self.measures

    @property
    def handling_now(self) -> int:
        return self.measures._handling
