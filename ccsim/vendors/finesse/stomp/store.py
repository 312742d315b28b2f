"""What the embedded STOMP broker keeps, bounded in bytes by `memory.stomp_bytes` (health:
`finesse.stomp`), as ActiveMQ Classic bounds a broker's memory, with nothing that blocks the event
loop (ActiveMQ's default is to block the producer instead):

* Live, never dropped: a queue's messages, waiting for a consumer or delivered and not yet
  acknowledged (ActiveMQ's memoryUsage counts a message until it is acknowledged); what a
  transaction holds until COMMIT or ABORT; the tags of topic messages a client must acknowledge;
  subscriptions; the frames other than a topic's MESSAGE waiting for a client that reads too
  slowly (RECEIPT, ERROR). A SEND that would take them past the budget is refused (`refused`):
  ERROR `Usage Manager Memory Limit reached. ...`, the frame's receipt-id, and the connection goes
  on, as ActiveMQ with `sendFailIfNoSpace` answers. Messages may take the budget but its last
  eighth, kept for what lets consumers free them (SUBSCRIBE, BEGIN, ACK and NACK in a
  transaction): a store full of messages nobody consumes still lets a consumer come and take them.
* Droppable: a topic's MESSAGE frames waiting for a client that reads too slowly. Past the budget
  the oldest go first (`dropped`), as ActiveMQ's constantPendingMessageLimitStrategy drops a slow
  topic subscriber's oldest pending messages.

Sizes are CPython's own (core/sizes.py), per item: a topic message waiting for several clients
is counted for each (it errs high), and so is the item's place in the broker's tables.
"""
from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ....core.memory import Ledger, LedgerStore
from ....core.sizes import deep_size, record_size
from .frames import Frame

if TYPE_CHECKING:
    from .router import StoredMessage

Key = tuple[Any, ...]  # ("message", message id), ("frame", connection id, seq), ("held", n), ("topic-ack", tag)

# A kept item's place in the broker's tables and in the ledger: a deque or dict slot, its key
# (a tuple with an id string) and the ledger's own entry.
ENTRY_BYTES = 200
# A topic message a client must acknowledge: its ack tag and message id (TopicDelivery), kept
# until the ACK.
TOPIC_ACK_BYTES = 3 * ENTRY_BYTES
# A frame held in a transaction: its closure and the transaction's list slot.
HELD_BYTES = 250
# A subscription: its record, its unacked table, its slots in the connection's and the
# destination's tables.
SUBSCRIPTION_BYTES = 1024
# Messages leave this share of the budget (1/n) to what lets consumers free them.
CONSUMER_RESERVE = 8

USAGE_LIMIT = "Usage Manager Memory Limit reached"
FLOW_CONTROL_PAGE = "http://activemq.apache.org/producer-flow-control.html"


def message_size(msg: "StoredMessage") -> int:
    return record_size(msg) + ENTRY_BYTES


def frame_size(frame: Frame) -> int:
    return (sys.getsizeof(frame) + sys.getsizeof(vars(frame)) + deep_size(frame.headers) + sys.getsizeof(frame.body)
            + ENTRY_BYTES)


def usage_limit_text(producer: str, qualified_destination: str) -> str:
    """ActiveMQ's ResourceAllocationException message for a SEND refused under sendFailIfNoSpace
    (apache/activemq Queue.java, Topic.java)."""
    return (f"{USAGE_LIMIT}. Stopping producer ({producer}) to prevent flooding {qualified_destination}."
            f" See {FLOW_CONTROL_PAGE} for more info")


class BrokerStore(LedgerStore):
    """One broker's ledger. `on_drop(key)` removes a dropped frame from its connection's outbox."""

    def __init__(self, budget: int, on_drop: Callable[[Key], None] | None = None):
        self.ledger: Ledger[Key] = Ledger(budget, on_drop or (lambda key: None))
        self.refused = 0
        self._held = itertools.count(1)


    def admit_message(self, size: int) -> bool:
        """Would a new message (or what stands for one) of `size` bytes fit, leaving the
        consumers' reserve, once every droppable item is dropped? A refusal is counted."""
        return self._admit(size, self.ledger.budget - self.ledger.budget // CONSUMER_RESERVE)

    def admit(self, size: int) -> bool:
        """Would a new live item of `size` bytes fit in the whole budget (the consumers' reserve
        included)? A refusal is counted."""
        return self._admit(size, self.ledger.budget)

    def _admit(self, size: int, limit: int) -> bool:
        if self.ledger.live_bytes + size <= limit:
            return True
        self.refused += 1
        return False

    def keep(self, key: Key, size: int) -> None:
        """A live item (admitted, or moved: a queue message given back, dead-lettered)."""
        self.ledger.keep(key, size, live=True)

    def keep_droppable(self, key: Key, size: int) -> None:
        """An item that may be dropped, the oldest first, when the store is over its budget
        (`on_drop` is called for it then, maybe at once)."""
        self.ledger.keep(key, size)

    def hold(self, size: int) -> Key:
        """A live item of its own: a frame held in a transaction. Its key, to forget it."""
        key: Key = ("held", next(self._held))
        self.ledger.keep(key, size, live=True)
        return key

    def forget(self, key: Key) -> None:
        self.ledger.forget(key)

    def count_dropped(self, count: int = 1) -> None:
        """Items dropped by their owner (a topic message no slow client will get)."""
        self.ledger.dropped += count

    def reset_counts(self) -> None:
        self.ledger.dropped = self.refused = 0
