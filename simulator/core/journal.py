"""The journal: every wire exchange on every face, bounded, queryable and awaitable."""
from __future__ import annotations

import asyncio
import fnmatch
import itertools
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from .clock import Clock

DEFAULT_CAPACITY = 50_000


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    at: float
    face: str
    kind: str  # "http", "frame", "webhook", ...
    op: str  # the face's name for the operation (e.g. "loginex", "agentevent", "SEND")
    agent: str | None = None
    request: dict[str, Any] = field(default_factory=dict)
    response: dict[str, Any] = field(default_factory=dict)
    # Extra names this entry answers to in queries, e.g. the event types it delivered.
    types: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["types"] = list(self.types)
        return d


@dataclass(frozen=True)
class Match:
    """A query over journal entries; None means "any". `path` is a glob."""

    face: str | None = None
    kind: str | None = None
    op: str | None = None
    agent: str | None = None
    path: str | None = None
    method: str | None = None
    type: str | None = None

    @classmethod
    def from_mapping(cls, m: dict[str, Any]) -> "Match":
        unknown = set(m) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown journal match field(s): {', '.join(sorted(unknown))}")
        return cls(**{k: (None if v is None else str(v)) for k, v in m.items()})

    def __call__(self, e: JournalEntry) -> bool:
        if self.face is not None and e.face != self.face:
            return False
        if self.kind is not None and e.kind != self.kind:
            return False
        if self.op is not None and e.op.lower() != self.op.lower():
            return False
        if self.agent is not None and e.agent != self.agent:
            return False
        if self.method is not None and str(e.request.get("method", "")).upper() != self.method.upper():
            return False
        if self.path is not None and not fnmatch.fnmatchcase(str(e.request.get("path", "")), self.path):
            return False
        if self.type is not None and self.type != e.op and self.type not in e.types:
            return False
        return True


class Journal:
    def __init__(self, clock: Clock, capacity: int = DEFAULT_CAPACITY):
        self.clock = clock
        self.capacity = capacity
        self._entries: deque[JournalEntry] = deque(maxlen=capacity)
        self._seq = itertools.count(1)
        self._last_seq = 0
        self.dropped = 0
        # Bumped by clear(): an exchange that began before a reset is not recorded after it.
        self.epoch = 0
        self._waiters: list[tuple[Match, int, asyncio.Future]] = []
        self._listeners: list[Callable[[JournalEntry], None]] = []

    def listen(self, listener: Callable[[JournalEntry], None]) -> Callable[[], None]:
        """Call `listener` with each entry as it is recorded (the dashboard's push); returns the
        function that stops it. A listener must be quick and must not raise."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def last_seq(self) -> int:
        """The seq of the newest entry ever recorded (kept across clears: seqs never repeat)."""
        return self._last_seq

    def record(self, face: str, kind: str, op: str, *, agent: str | None = None,
               request: dict[str, Any] | None = None, response: dict[str, Any] | None = None,
               types: Iterable[str] = ()) -> JournalEntry:
        entry = JournalEntry(next(self._seq), self.clock.now(), face, kind, op, agent,
                             request or {}, response or {}, tuple(types))
        self._last_seq = entry.seq
        if len(self._entries) == self.capacity:
            self.dropped += 1
        self._entries.append(entry)
        for waiter in list(self._waiters):
            match, since, fut = waiter
            if not fut.done() and entry.seq >= since and match(entry):
                fut.set_result(entry)
        for listener in self._listeners:
            listener(entry)
        return entry

    def query(self, match: Match = Match(), since: int = 0, limit: int | None = None) -> list[JournalEntry]:
        """Matching entries from seq `since` on; with `limit`, only the last `limit` of them."""
        found = [e for e in self._entries if e.seq >= since and match(e)]
        if limit is None:
            return found
        if limit < 0:
            raise ValueError("limit must be >= 0")
        return found[len(found) - limit:] if limit else []

    def around(self, seq: int, before: int = 5, after: int = 5) -> list[JournalEntry]:
        return [e for e in self._entries if seq - before <= e.seq <= seq + after]

    def clear(self) -> None:
        self._entries.clear()
        self.dropped = 0
        self.epoch += 1

    async def wait_for(self, match: Match, timeout: float | None, since: int = 0) -> JournalEntry:
        """The first entry at or after `since` that matches; TimeoutError on the clock's timeout."""
        for e in self._entries:
            if e.seq >= since and match(e):
                return e
        fut: asyncio.Future = asyncio.get_running_loop().create_future()
        waiter = (match, since, fut)
        self._waiters.append(waiter)
        try:
            return await self.clock.wait_for(fut, timeout)
        finally:
            self._waiters.remove(waiter)

    async def wait_for_sequence(self, matches: list[Match], timeout: float | None, since: int = 0) -> list[JournalEntry]:
        """Entries matching each of `matches` in that order (others may come between)."""
        deadline = None if timeout is None else self.clock.now() + timeout
        found: list[JournalEntry] = []
        for m in matches:
            left = None if deadline is None else max(0.0, deadline - self.clock.now())
            entry = await self.wait_for(m, left, since)
            found.append(entry)
            since = entry.seq + 1
        return found
