"""What a load run measures, learnt from the world's bus as it happens: for each call that
arrived in the measured window, how long it waited and whether it was answered or abandoned;
and how much of the agents' staffed time went to handling calls (occupancy). The window is cut
into batches (a call counts in the batch it arrived in; agent time in the batch it was spent in),
so that each figure comes with a confidence interval from the batches' spread."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..core import CoreEvent, World
from .interval import Interval, ratio_interval

_NOT_HANDLING = ("idle", "offline")
# Each figure is a ratio of two sums: (numerator, denominator).
PARTS = {"service_level": ("answered_in_time", "arrived"), "average_speed_of_answer": ("total_wait", "answered"),
         "abandon_rate": ("abandoned", "arrived"), "occupancy": ("handling_time", "staffed_time")}


@dataclass
class Batch:
    arrived: int = 0
    answered: int = 0
    answered_in_time: int = 0
    abandoned: int = 0
    total_wait: float = 0.0
    handling_time: float = 0.0  # agent-seconds spent not idle
    staffed_time: float = 0.0  # agent-seconds signed in


@dataclass
class Measures:
    window: tuple[float, float]
    service_level_seconds: float
    batches: list[Batch] = field(default_factory=lambda: [Batch()])
    # over the whole run, for the progress line
    all_arrived: int = 0
    all_answered: int = 0
    all_abandoned: int = 0
    answered_by_face: Counter = field(default_factory=Counter)
    _arrivals: dict[str, float] = field(default_factory=dict)  # contact -> arrival, until answered or gone
    _handling: int = 0
    _staffed: int = 0
    _since: float = 0.0

    @classmethod
    def pooled(cls, runs: Iterable["Measures"]) -> "Measures":
        """Several runs (seeds) as one, each run one batch: their spread gives the intervals."""
        runs = list(runs)
        pooled = cls(runs[0].window, runs[0].service_level_seconds, [run.total() for run in runs])
        for run in runs:
            pooled.all_arrived += run.all_arrived
            pooled.all_answered += run.all_answered
            pooled.all_abandoned += run.all_abandoned
            pooled.answered_by_face.update(run.answered_by_face)
        return pooled

    def total(self) -> Batch:
        return Batch(**{name: sum(getattr(b, name) for b in self.batches) for name in Batch.__dataclass_fields__})

    @property
    def arrived(self) -> int:
        return sum(b.arrived for b in self.batches)

    @property
    def answered(self) -> int:
        return sum(b.answered for b in self.batches)

    @property
    def abandoned(self) -> int:
        return sum(b.abandoned for b in self.batches)

    def interval(self, figure: str) -> Interval:
        top, bottom = PARTS[figure]
        return ratio_interval([(getattr(b, top), getattr(b, bottom)) for b in self.batches])

    @property
    def service_level(self) -> float:
        return self.interval("service_level").value

    @property
    def average_speed_of_answer(self) -> float:
        return self.interval("average_speed_of_answer").value

    @property
    def abandon_rate(self) -> float:
        return self.interval("abandon_rate").value

    @property
    def occupancy(self) -> float:
        return self.interval("occupancy").value

    def batch_at(self, t: float) -> Batch | None:
        """The batch of `t` seconds into the run, None outside the window."""
        low, high = self.window
        if not low <= t < high:
            return None
        return self.batches[min(len(self.batches) - 1, int((t - low) * len(self.batches) / (high - low)))]


class Meter:
    """Subscribes to the bus; `measures` fills as the run goes."""

    def __init__(self, world: World, window: tuple[float, float], service_level_seconds: float, started: float,
                 batches: int = 1):
        self.world, self.started = world, started
        self.measures = Measures(window, service_level_seconds, [Batch() for _ in range(batches)])
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
        batch = m.batch_at(t)
        if batch is not None:
            batch.arrived += 1

    def _connected(self, event: CoreEvent) -> None:
        m = self.measures
        arrived = m._arrivals.pop(event.contact or "", None)
        if arrived is None:
            return
        m.all_answered += 1
        agent = self.world.agents.get(event.agent or "")
        m.answered_by_face[agent.face if agent is not None else "?"] += 1
        batch = m.batch_at(arrived)
        if batch is not None:
            wait = self._t(event) - arrived
            batch.answered += 1
            batch.total_wait += wait
            batch.answered_in_time += wait <= m.service_level_seconds

    def _ended(self, event: CoreEvent) -> None:
        m = self.measures
        arrived = m._arrivals.pop(event.contact or "", None)
        if arrived is None:
            return  # answered before: counted then
        m.all_abandoned += 1
        batch = m.batch_at(arrived)
        if batch is not None:
            batch.abandoned += 1

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
        """Add the time since the last change to the batches it overlaps."""
        m = self.measures
        low, high = max(m._since, m.window[0]), min(t, m.window[1])
        size = (m.window[1] - m.window[0]) / len(m.batches)
        index = min(len(m.batches) - 1, int((low - m.window[0]) / size))
        while high > low:
            last = index == len(m.batches) - 1
            end = high if last else min(high, m.window[0] + (index + 1) * size)
            if end > low:  # (rounding can put `low` on the boundary of the batch before)
                batch = m.batches[index]
                batch.handling_time += m._handling * (end - low)
                batch.staffed_time += m._staffed * (end - low)
                low = end
            index = min(len(m.batches) - 1, index + 1)
        m._since = max(m._since, t)

    def finish(self, now: float) -> Measures:
        self._advance(now - self.started)
        return self.measures

    @property
    def handling_now(self) -> int:
        return self.measures._handling
