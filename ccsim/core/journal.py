"""The journal: every wire exchange on every face, bounded, queryable and awaitable."""
from __future__ import annotations

import asyncio
import fnmatch
import itertools
import sys
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .clock import Clock
from .memory import MemoryBudget
from .packing import VALUE_LIMIT, JsonText, pack_part, share_cost, unpack
from .sizes import deep_size

__all__ = ["DEFAULT_CAPACITY", "VALUE_LIMIT", "Journal", "JournalEntry", "JsonText", "Match"]

DEFAULT_CAPACITY = 50_000
_ROW_BYTES = sys.getsizeof((0,) * 9) + sys.getsizeof(2 ** 40) + sys.getsizeof(0.5) + 8  # the row, seq, at, a deque slot
_GRAIN = 16  # an entry's size is kept in grains: up to 4 KiB, a small int (-5..256) costs nothing


class JournalEntry:
    """One exchange. Kept packed, so that a full journal stays small (bench/journal_size.py:
    about 440 bytes for a Huawei exchange, 2,235 as plain dicts): `request` and `response` are
    rebuilt on each access from one flat tuple, in which each distinct header set and short
    string is one shared object and bodies (dicts, lists) are compact JSON text (packing.py)."""

    __slots__ = ("seq", "at", "face", "kind", "op", "agent", "types", "_packed", "size")

    def __init__(self, seq: int, at: float, face: str, kind: str, op: str, agent: str | None = None,
                 request: dict[str, Any] | None = None, response: dict[str, Any] | None = None,
                 types: tuple[str, ...] = (), headers_limit: int = MemoryBudget.journal_headers_bytes):
        self.seq, self.at, self.face, self.kind, self.op = seq, at, face, kind, op
        self.agent, agent_cost = share_cost(agent) if type(agent) is str and len(agent) <= 128 else (agent, deep_size(agent))
        self.types, types_cost = share_cost(tuple(types))
        request_keys, request_values, request_cost = pack_part(request or {}, headers_limit)
        response_keys, response_values, response_cost = pack_part(response or {}, headers_limit)
        # (the keys of both, shared by every entry of the same shape; then the packed values)
        keys, keys_cost = share_cost((request_keys, response_keys))
        self._packed = (keys, *request_values, *response_values)
        # What keeping it costs (bytes): the row and what only it holds; a shared header set or
        # string is counted once, by the entry that brought it (see packing.share_cost). Rounded
        # up to _GRAIN bytes: the row keeps it in grains, a small int Python shares (no object).
        cost = (_ROW_BYTES + sys.getsizeof(self._packed) + agent_cost + types_cost + keys_cost
                + request_cost + response_cost)
        self.size = -(-cost // _GRAIN) * _GRAIN

    @property
    def request(self) -> dict[str, Any]:
        keys = self._packed[0][0]
        return {k: unpack(v) for k, v in zip(keys, self._packed[1:1 + len(keys)])}

    @property
    def response(self) -> dict[str, Any]:
        skip = 1 + len(self._packed[0][0])
        return {k: unpack(v) for k, v in zip(self._packed[0][1], self._packed[skip:])}

    def row(self) -> tuple[Any, ...]:
        """The entry as the journal keeps it: a plain tuple of plain values, which the garbage
        collector stops tracking (50,000 tracked entries made its full passes cost 40 ms)."""
        return (self.seq, self.at, self.face, self.kind, self.op, self.agent, self.types, self._packed,
                self.size // _GRAIN)

    @classmethod
    def of_row(cls, row: tuple[Any, ...]) -> "JournalEntry":
        entry = cls.__new__(cls)
        (entry.seq, entry.at, entry.face, entry.kind, entry.op, entry.agent, entry.types, entry._packed,
         grains) = row
        entry.size = grains * _GRAIN
        return entry

    def request_field(self, key: str) -> Any:
        """One field of the request, without rebuilding the rest (queries by method and path)."""
        keys = self._packed[0][0]
        return unpack(self._packed[1 + keys.index(key)]) if key in keys else None

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "at": self.at, "face": self.face, "kind": self.kind, "op": self.op,
                "agent": self.agent, "request": self.request, "response": self.response, "types": list(self.types)}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, JournalEntry) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"JournalEntry({self.to_dict()!r})"


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
        if self.method is not None and str(e.request_field("method") or "").upper() != self.method.upper():
            return False
        if self.path is not None and not fnmatch.fnmatchcase(str(e.request_field("path") or ""), self.path):
            return False
        if self.type is not None and self.type != e.op and self.type not in e.types:
            return False
        return True


class Journal:
    """A ring buffer of at most `capacity` entries and `budget` bytes (each entry's `size`): past
    either, the oldest go and `dropped` counts them. The newest entry is always kept."""

    def __init__(self, clock: Clock, capacity: int = DEFAULT_CAPACITY, budget: int = MemoryBudget.journal_bytes,
                 headers_limit: int = MemoryBudget.journal_headers_bytes):
        self.clock = clock
        self.capacity = capacity
        self.budget = budget
        self.headers_limit = headers_limit
        self._entries: deque[tuple[Any, ...]] = deque()  # JournalEntry.row()s
        self.bytes = 0
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
    def entries(self) -> int:
        return len(self._entries)

    @property
    def last_seq(self) -> int:
        """The seq of the newest entry ever recorded (kept across clears: seqs never repeat)."""
        return self._last_seq

    def record(self, face: str, kind: str, op: str, *, agent: str | None = None,
               request: dict[str, Any] | None = None, response: dict[str, Any] | None = None,
               types: Iterable[str] = ()) -> JournalEntry:
        entry = JournalEntry(next(self._seq), self.clock.now(), face, kind, op, agent,
                             request or {}, response or {}, tuple(types), self.headers_limit)
        self._last_seq = entry.seq
        entries = self._entries
        entries.append(entry.row())
        self.bytes += entry.size
        while (self.bytes > self.budget or len(entries) > self.capacity) and len(entries) > 1:
            self.bytes -= entries.popleft()[8] * _GRAIN
            self.dropped += 1
        for waiter in list(self._waiters):
            match, since, fut = waiter
            if not fut.done() and entry.seq >= since and match(entry):
                fut.set_result(entry)
        for listener in self._listeners:
            listener(entry)
        return entry

    def query(self, match: Match = Match(), since: int = 0, limit: int | None = None) -> list[JournalEntry]:
        """Matching entries from seq `since` on; with `limit`, only the last `limit` of them."""
        found = [e for e in self._scan(since) if match(e)]
        if limit is None:
            return found
        if limit < 0:
            raise ValueError("limit must be >= 0")
        return found[len(found) - limit:] if limit else []

    def tail(self, since: int, limit: int) -> list[JournalEntry]:
        """The newest `limit` entries from seq `since` on, oldest first (reading only those)."""
        found = []
        for row in reversed(self._entries):
            if row[0] < since or len(found) == limit:
                break
            found.append(JournalEntry.of_row(row))
        found.reverse()
        return found

    def around(self, seq: int, before: int = 5, after: int = 5) -> list[JournalEntry]:
        return [e for e in self._scan(seq - before) if e.seq <= seq + after]

    def _scan(self, since: int) -> Iterable[JournalEntry]:
        of_row = JournalEntry.of_row
        return (of_row(row) for row in self._entries if row[0] >= since)

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0
        self.dropped = 0
        self.epoch += 1

    async def wait_for(self, match: Match, timeout: float | None, since: int = 0) -> JournalEntry:
        """The first entry at or after `since` that matches; TimeoutError on the clock's timeout."""
        for e in self._scan(since):
            if match(e):
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
