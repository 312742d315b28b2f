"""The per-queue counters a Unified CCX QueueList reports beside the live counts (seed 002, UCCX
payload: HandledCalls, AbandonedCalls, TotalCalls, LongestHandleTime), counted from the core's
contact events since the simulator started or was reset (UCCX counts since midnight: INFERRED).

* TotalCalls: calls presented to the queue (a call counts once per queue, however often it
  comes back to it);
* HandledCalls: calls of the queue that an agent answered (once per call);
* AbandonedCalls: calls of the queue the customer left before anyone answered;
* LongestHandleTime: the longest time from answer to end of a handled call, whole seconds.

Memory: one counter per queue, and the answer time of each call in progress.
"""
from __future__ import annotations

from dataclasses import dataclass

from ....core import World
from ....core.bus import CoreEvent


@dataclass
class QueueCounters:
    total: int = 0
    handled: int = 0
    abandoned: int = 0
    longest_handle: int = 0


class QueueStatistics:
    def __init__(self, world: World):
        self.world = world
        self.counters: dict[str, QueueCounters] = {}
        self._answered: dict[str, tuple[str, float]] = {}  # contact id -> (queue id, answered at)
        world.bus.subscribe("contact.queued", self._queued)
        world.bus.subscribe("contact.connected", self._connected)
        world.bus.subscribe("contact.ended", self._ended)

    def reset(self) -> None:
        self.counters.clear()
        self._answered.clear()

    def of(self, queue_id: str) -> QueueCounters:
        return self.counters.get(queue_id) or QueueCounters()

    def _counter(self, queue_id: str) -> QueueCounters:
        return self.counters.setdefault(queue_id, QueueCounters())

    def _queued(self, event: CoreEvent) -> None:
        contact = self.world.contacts.get(event.contact or "")
        queue_id = event.data.get("queue")
        if contact is not None and queue_id and contact.queues_visited.count(queue_id) == 1:
            self._counter(queue_id).total += 1

    def _connected(self, event: CoreEvent) -> None:
        contact = self.world.contacts.get(event.contact or "")
        if contact is None or not contact.queue or contact.id in self._answered:
            return  # an outbound call, or a call answered before (a transfer)
        self._answered[contact.id] = (contact.queue, event.at)
        self._counter(contact.queue).handled += 1

    def _ended(self, event: CoreEvent) -> None:
        contact = self.world.contacts.get(event.contact or "")
        answered = self._answered.pop(event.contact or "", None)
        if answered is not None:
            queue_id, at = answered
            counter = self._counter(queue_id)
            counter.longest_handle = max(counter.longest_handle, int(event.at - at))
        elif contact is not None and contact.queue and event.data.get("reason") == "abandoned":
            self._counter(contact.queue).abandoned += 1
