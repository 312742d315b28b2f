"""The frames a connection has to send while its client is not reading them fast enough.

A connection writes a frame to its socket while the socket's buffer is under its high-water mark
(asyncio's flow control: pause_writing / resume_writing); past it, frames wait here, in order,
counted in the broker's store (store.py), and go out as the client reads. So what one slow client
costs is what the store counts plus at most the high-water mark and one frame in the socket's
buffer. A topic's MESSAGE frame may be dropped while it waits (the store drops the oldest when it
is over its budget: ActiveMQ's pending message limit for slow topic subscribers); any other frame
is kept, and one that does not fit makes the connection drop (a slow consumer).
"""
from __future__ import annotations

import itertools
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from .frames import Frame
from .store import BrokerStore, Key, frame_size


@dataclass(eq=False)
class Waiting:
    frame: Frame
    content_length: bool
    internal_error: str | None
    size: int
    # For a frame that may be dropped: what its dropping means (the router forgets its ACK).
    dropped: Callable[[], None] | None


class Outbox:
    def __init__(self, store: BrokerStore, owner: str):
        self.store = store
        self.owner = owner  # the connection's id, in the store's keys
        self._waiting: OrderedDict[int, Waiting] = OrderedDict()
        self._seq = itertools.count(1)
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._waiting)

    def put(self, frame: Frame, *, content_length: bool = False, internal_error: str | None = None,
            dropped: Callable[[], None] | None = None) -> bool:
        """Keep a frame until the client reads. False (not kept) for one that may not be dropped
        and does not fit in the store."""
        size = frame_size(frame)
        if dropped is None and not self.store.ledger.fits(size):
            return False
        seq = next(self._seq)
        self._waiting[seq] = Waiting(frame, content_length, internal_error, size, dropped)
        self.bytes += size
        key = self._key(seq)
        if dropped is None:
            self.store.keep(key, size)
        else:
            self.store.keep_droppable(key, size)  # which may drop it (or older ones) at once
        return True

    def take(self) -> Waiting | None:
        """The oldest frame, to write now."""
        if not self._waiting:
            return None
        seq, item = self._waiting.popitem(last=False)
        self.bytes -= item.size
        self.store.forget(self._key(seq))
        return item

    def drop(self, seq: int) -> None:
        """The store dropped this frame (it has already stopped counting it)."""
        item = self._waiting.pop(seq, None)
        if item is not None:
            self.bytes -= item.size
            if item.dropped is not None:
                item.dropped()

    def drop_droppable(self) -> None:
        """Forget the droppable frames (a reset); the others still wait for the client."""
        for seq in [seq for seq, item in self._waiting.items() if item.dropped is not None]:
            self.store.forget(self._key(seq))
            self.drop(seq)

    def keep_only_undroppable(self) -> list[Waiting]:
        """The connection is closing: the droppable frames are dropped (counted), the others
        returned in order, to be written before the close."""
        kept = []
        while (item := self.take()) is not None:
            if item.dropped is None:
                kept.append(item)
            else:
                item.dropped()
                self.store.count_dropped()
        return kept

    def clear(self) -> None:
        """The connection is gone: nothing more will be written (dropped topic frames counted)."""
        self.keep_only_undroppable()

    def _key(self, seq: int) -> Key:
        return ("frame", self.owner, seq)
