"""Destinations: queues (point to point), topics (fan-out), subscriptions, acknowledgement and
redelivery. No sockets and no frames: a subscriber is anything with a `deliver` method.

* `/queue/X`: each message goes to one consumer. In-process consumers (`consume`) take every
  message; otherwise STOMP subscribers share them round-robin, each while it is `ready` (its
  client reads what it is sent: ActiveMQ dispatches to a consumer while its prefetch has room);
  with no consumer ready the message waits in the queue. What a queue keeps counts in the
  broker's store (store.py): a message that does not fit is refused (StoreFull).
* `/topic/X`: each message goes to every current subscriber and in-process consumer; nothing is
  stored (a slow client's connection may keep its frames for a while: outbox.py).
* A destination with no subscriber, no in-process consumer and no message is forgotten at once
  (ActiveMQ's gcInactiveDestinations, without the delay), so that the tables stay as small as
  what is in use.
* ack `client` / `client-individual`: a delivered message stays unacknowledged until ACKed.
  On NACK, UNSUBSCRIBE or loss of the connection, unacked queue messages go back to the head
  of the queue, marked redelivered, and are dispatched again, preferably to another
  subscriber. After `max_redeliveries` a message goes to the dead-letter queue (ActiveMQ's
  `ActiveMQ.DLQ`). Unacked topic messages are simply dropped.
"""
from __future__ import annotations

import itertools
import logging
import traceback
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from ....core.errors import StoreFull
from ....core.memory import MemoryBudget
from .store import TOPIC_ACK_BYTES, BrokerStore, Key, message_size

log = logging.getLogger("ccsim.stomp")

QUEUE_PREFIX = "/queue/"
TOPIC_PREFIX = "/topic/"
DEAD_LETTER_QUEUE = "/queue/ActiveMQ.DLQ"
ACK_MODES = ("auto", "client", "client-individual")


class DestinationError(ValueError):
    pass


def check_destination(destination: str) -> str:
    """`destination` when it names a queue or a topic; DestinationError otherwise."""
    for prefix in (QUEUE_PREFIX, TOPIC_PREFIX):
        if destination.startswith(prefix) and len(destination) > len(prefix):
            return destination
    raise DestinationError(f"Illegal destination name: [{destination}] -- ActiveMQ STOMP destinations must begin with /queue/ or /topic/")


def qualified_name(destination: str) -> str:
    """ActiveMQ's name for a destination in its messages: /queue/x -> queue://x."""
    kind, _, name = destination.strip("/").partition("/")
    return f"{kind}://{name}"


@dataclass(eq=False)
class StoredMessage:
    message_id: str
    destination: str
    headers: list[tuple[str, str]]  # what the MESSAGE frame carries from the SEND (type, properties...)
    body: bytes
    bytes_message: bool  # ActiveMQ: a SEND with content-length makes a BytesMessage
    timestamp_ms: int
    sender: str | None = None  # the connection that sent it (None: the broker itself)
    redelivered: bool = False
    redeliveries: int = 0
    avoid: "Subscription | None" = None  # the subscription that gave it back (NACK)

    @property
    def jms_type(self) -> str | None:
        return next((v for k, v in self.headers if k == "type"), None)


@dataclass(frozen=True)
class TopicDelivery:
    """A topic message a client must acknowledge: only its id is kept (a topic message is never
    delivered again)."""

    message_id: str


class Subscriber(Protocol):
    # Takes a queue's messages now: its client reads what it is sent.
    ready: bool

    def deliver(self, sub: "Subscription", msg: StoredMessage, tag: str) -> None: ...


@dataclass(eq=False)
class Subscription:
    owner: Any  # a Subscriber
    id: str | None
    destination: str
    ack: str = "auto"
    unacked: "OrderedDict[str, StoredMessage | TopicDelivery]" = field(default_factory=OrderedDict)  # ack tag -> message
    active: bool = True

    @property
    def is_queue(self) -> bool:
        return self.destination.startswith(QUEUE_PREFIX)

    def find_tag(self, message_id: str) -> str | None:
        return next((tag for tag, m in self.unacked.items() if m.message_id == message_id), None)


InProcessHandler = Callable[[StoredMessage], None]


class _Queue:
    def __init__(self) -> None:
        self.pending: deque[StoredMessage] = deque()
        self.subs: list[Subscription] = []
        self.turn = 0

    def next_sub(self, avoid: Subscription | None) -> Subscription | None:
        """The next ready subscriber in turn, other than `avoid` (unless it is the only one)."""
        n = len(self.subs)
        for i in range(n):
            sub = self.subs[(self.turn + i) % n]
            if sub.owner.ready and (sub is not avoid or n == 1):
                self.turn = (self.turn + i + 1) % n
                return sub
        return None


class Router:
    def __init__(self, *, now_ms: Callable[[], int], id_prefix: str = "ID:ccsim",
                 max_redeliveries: int | None = 6,
                 on_handler_error: Callable[[str, str], None] | None = None,
                 store: BrokerStore | None = None):
        self._now_ms = now_ms
        self._id_prefix = id_prefix
        self.max_redeliveries = max_redeliveries
        self._on_handler_error = on_handler_error
        self.store = store or BrokerStore(MemoryBudget().stomp_bytes)
        self._ids = itertools.count(1)
        self._tags = itertools.count(1)
        self._queues: dict[str, _Queue] = {}
        self._topics: dict[str, list[Subscription]] = {}
        self._in_process: dict[str, list[InProcessHandler]] = {}

    # -- introspection ----------------------------------------------------------------------
    def subscriber_count(self, destination: str) -> int:
        if destination.startswith(QUEUE_PREFIX):
            return len(self._queues[destination].subs) if destination in self._queues else 0
        return len(self._topics.get(destination, ()))

    def pending_count(self, destination: str) -> int:
        q = self._queues.get(destination)
        return len(q.pending) if q else 0

    def exists(self, destination: str) -> bool:
        """Is the destination there now (subscribed to, consumed in process, or a queue holding
        messages)? ActiveMQ's authorization wants `admin` to create one."""
        return destination in self._queues or destination in self._topics or destination in self._in_process

    def destinations(self) -> list[str]:
        return sorted(set(self._queues) | set(self._topics) | set(self._in_process))

    def _queue(self, destination: str) -> _Queue:
        return self._queues.setdefault(destination, _Queue())

    def _forget_if_unused(self, destination: str) -> None:
        """gcInactiveDestinations: a queue with no message and no subscriber goes."""
        q = self._queues.get(destination)
        if q is not None and not q.pending and not q.subs:
            del self._queues[destination]

    # -- in-process consumers ---------------------------------------------------------------
    def consume(self, destination: str, handler: InProcessHandler) -> None:
        check_destination(destination)
        self._in_process.setdefault(destination, []).append(handler)
        if destination.startswith(QUEUE_PREFIX):
            self._hand_pending(destination)

    def _hand_pending(self, destination: str) -> None:
        """An in-process consumer takes every message a queue holds."""
        q = self._queues.get(destination)
        while q is not None and q.pending:
            self._hand_in_process(destination, self._taken(q.pending.popleft()))
        self._forget_if_unused(destination)

    def _hand_in_process(self, destination: str, msg: StoredMessage) -> None:
        for handler in list(self._in_process.get(destination, ())):
            try:
                handler(msg)
            except Exception:  # a bug in the consumer: report it, keep the broker serving
                tb = traceback.format_exc()
                log.error("in-process consumer of %s failed on %s\n%s", destination, msg.message_id, tb)
                if self._on_handler_error is not None:
                    self._on_handler_error(destination, tb)

    # -- sending ----------------------------------------------------------------------------
    def new_message(self, destination: str, headers: list[tuple[str, str]], body: bytes,
                    bytes_message: bool = False, sender: str | None = None) -> StoredMessage:
        check_destination(destination)
        return StoredMessage(f"{self._id_prefix}-{next(self._ids)}", destination, headers, body,
                             bytes_message, self._now_ms(), sender=sender)

    def send(self, msg: StoredMessage, *, reserved: bool = False) -> None:
        """Route a message. One for a queue that must wait and does not fit in the store raises
        StoreFull (counted as refused) and is not kept, unless its room was `reserved` (a
        transaction's SEND, admitted when it was sent; a message given back or dead-lettered)."""
        if msg.destination.startswith(TOPIC_PREFIX):
            self._hand_in_process(msg.destination, msg)
            for sub in list(self._topics.get(msg.destination, ())):
                if sub.active:
                    self._deliver(sub, msg)
            return
        if self._in_process.get(msg.destination):
            self._hand_in_process(msg.destination, self._taken(msg))
            return
        size = message_size(msg)
        if not reserved and not self.store.admit_message(size):
            raise StoreFull(f"{msg.destination} cannot keep {len(msg.body):,} more bytes: the broker's messages fill "
                            f"memory.stomp_bytes ({self.store.budget:,} bytes)")
        self.store.keep(_message_key(msg), size)
        self._queue(msg.destination).pending.append(msg)
        self.dispatch(msg.destination)

    def dispatch(self, destination: str) -> None:
        """Hand a queue's waiting messages to its subscribers that are ready for them (called
        again when a subscriber's client has read what it was sent)."""
        q = self._queues.get(destination)
        if q is None or self._in_process.get(destination):
            return
        while q.pending:
            sub = q.next_sub(q.pending[0].avoid)
            if sub is None:
                break
            msg = q.pending.popleft()
            msg.avoid = None
            self._deliver(sub, msg)
        self._forget_if_unused(destination)

    def _deliver(self, sub: Subscription, msg: StoredMessage) -> None:
        tag = f"{self._id_prefix}-ack-{next(self._tags)}"
        if sub.ack == "auto":
            if sub.is_queue:
                self._taken(msg)
        elif sub.is_queue:
            sub.unacked[tag] = msg  # still the queue's: counted until acknowledged
        elif self.store.admit_message(TOPIC_ACK_BYTES):
            sub.unacked[tag] = TopicDelivery(msg.message_id)
            self.store.keep(("topic-ack", tag), TOPIC_ACK_BYTES)
        else:  # no room to await its ACK: this subscriber does not get it
            self.store.count_dropped()
            return
        sub.owner.deliver(sub, msg, tag)

    def undelivered(self, sub: Subscription, tag: str) -> None:
        """A topic message's frame was dropped before its client read it: no ACK will come."""
        if sub.unacked.pop(tag, None) is not None:
            self.store.forget(("topic-ack", tag))

    def _taken(self, msg: StoredMessage) -> StoredMessage:
        """A queue message handed over for good: the store no longer keeps it."""
        self.store.forget(_message_key(msg))
        return msg

    def purge(self) -> None:
        """Every queue's waiting messages forgotten (a reset); delivered ones awaiting their ACK stay."""
        for destination, q in list(self._queues.items()):
            for msg in q.pending:
                self.store.forget(_message_key(msg))
            q.pending.clear()
            self._forget_if_unused(destination)

    # -- subscriptions ----------------------------------------------------------------------
    def subscribe(self, owner: Any, sub_id: str | None, destination: str, ack: str = "auto") -> Subscription:
        check_destination(destination)
        if ack not in ACK_MODES:
            raise ValueError(f"ack must be one of {', '.join(ACK_MODES)}, not {ack!r}")
        sub = Subscription(owner, sub_id, destination, ack)
        if sub.is_queue:
            self._queue(destination).subs.append(sub)
            self.dispatch(destination)
        else:
            self._topics.setdefault(destination, []).append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        """Remove `sub`; its unacked queue messages are redelivered to the others."""
        if not sub.active:
            return
        sub.active = False
        if sub.is_queue:
            q = self._queues.get(sub.destination)
            if q is not None and sub in q.subs:
                q.subs.remove(sub)
        else:
            subs = self._topics.get(sub.destination, [])
            if sub in subs:
                subs.remove(sub)
            if not subs:
                self._topics.pop(sub.destination, None)
        self._give_back(sub, list(sub.unacked))
        self._forget_if_unused(sub.destination)

    # -- acknowledgement --------------------------------------------------------------------
    def _covered(self, sub: Subscription, tag: str) -> list[str]:
        """The tags one ACK/NACK of `tag` settles: every earlier one too in `client` mode."""
        if tag not in sub.unacked:
            raise KeyError(tag)
        if sub.ack != "client":
            return [tag]
        tags = list(sub.unacked)
        return tags[: tags.index(tag) + 1]

    def ack(self, sub: Subscription, tag: str) -> None:
        for t in self._covered(sub, tag):
            self.store.forget(_unacked_key(sub, t, sub.unacked.pop(t)))

    def nack(self, sub: Subscription, tag: str) -> None:
        self._give_back(sub, self._covered(sub, tag), avoid=sub)

    def _give_back(self, sub: Subscription, tags: list[str], avoid: Subscription | None = None) -> None:
        """Unacked queue messages go back to the head of the queue (counted as before); topic
        ones are dropped."""
        taken = [(t, sub.unacked.pop(t)) for t in tags if t in sub.unacked]
        if not sub.is_queue:
            for t, delivery in taken:
                self.store.forget(_unacked_key(sub, t, delivery))
            return
        msgs = [m for _, m in taken if isinstance(m, StoredMessage)]
        if not msgs:
            return
        q = self._queue(sub.destination)
        back: list[StoredMessage] = []
        for msg in msgs:
            again = StoredMessage(msg.message_id, msg.destination, msg.headers, msg.body, msg.bytes_message,
                                  msg.timestamp_ms, msg.sender, redelivered=True, redeliveries=msg.redeliveries + 1,
                                  avoid=avoid)
            if self.max_redeliveries is not None and again.redeliveries > self.max_redeliveries \
                    and msg.destination != DEAD_LETTER_QUEUE:
                log.info("message %s exceeded %d redeliveries: moved to %s", msg.message_id, self.max_redeliveries, DEAD_LETTER_QUEUE)
                dead = StoredMessage(msg.message_id, DEAD_LETTER_QUEUE, msg.headers + [("original-destination", msg.destination)],
                                     msg.body, msg.bytes_message, msg.timestamp_ms, redelivered=True)
                self.send(dead, reserved=True)
                continue
            self.store.keep(_message_key(again), message_size(again))
            back.append(again)
        q.pending.extendleft(reversed(back))
        if self._in_process.get(sub.destination):
            self._hand_pending(sub.destination)
        else:
            self.dispatch(sub.destination)


def _message_key(msg: StoredMessage) -> Key:
    return ("message", msg.message_id)


def _unacked_key(sub: Subscription, tag: str, delivery: StoredMessage | TopicDelivery) -> Key:
    return ("message", delivery.message_id) if sub.is_queue else ("topic-ack", tag)
