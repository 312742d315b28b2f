"""The memory budget (config `memory:`): every store that grows with traffic is bounded in bytes.

`MemoryBudget` is the settings: a byte budget per store and the ceiling they stay under. A
`Ledger` is one store's accounting: the size of each item it keeps, by key; past its budget it
drops the oldest items that may go (an ended contact, a closed interaction, a call log row) and
counts them. `MemoryStores` lists every store, for `/_ccsim/health`: the journal (which keeps
its own accounting, in line, on its hot path), the world's contacts, the dashboard's history and
what each face keeps. A store of a face registers itself there (`world.memory.register`): the
embedded STOMP broker's queues, slow clients' topic frames and transactions are counted under
`stomp_bytes` (`finesse.stomp`: vendors/finesse/stomp/store.py).
"""
from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from .packing import VALUE_LIMIT

KiB = 1024
MiB = 1024 * KiB

# What the process needs besides its stores: the interpreter, the faces and their listeners, the
# requests in flight (`ccsim serve` of the demo is 68 MiB resident when idle; bench/memory_budget.py).
PROCESS_RESERVE_BYTES = 128 * MiB
CONTACT_DATA_MAX = VALUE_LIMIT - 4 * KiB  # room for the rest of an injection and of the contact


@dataclass(frozen=True)
class MemoryBudget:
    # The whole process stays under this (the stores' budgets and PROCESS_RESERVE_BYTES).
    ceiling_bytes: int = 512 * MiB
    # The journal's entries (and, as before, at most `journal_capacity` of them).
    journal_bytes: int = 192 * MiB
    # The world's contacts: live ones are never dropped (past the budget a new one is refused),
    # ended ones are forgotten oldest first (and past `ended_contacts_kept`).
    contacts_bytes: int = 64 * MiB
    # Each face's own records (XCALLY interactions and report rows, Halo's call log), per face.
    records_bytes: int = 16 * MiB
    # The embedded STOMP broker's queues, the topic frames waiting for slow clients and what
    # transactions hold (the Finesse face): a SEND past it is refused, the oldest such frame dropped.
    stomp_bytes: int = 32 * MiB
    # The dashboard's chart history.
    dashboard_bytes: int = 1 * MiB
    # Per journal entry: the header bytes (names and values) kept of one request or response;
    # the rest is cut, and `headersTruncated` says how many there were.
    journal_headers_bytes: int = 16 * KiB
    # The attached data of one contact, as JSON: over it, an injection is refused (admin API: 400).
    # At most CONTACT_DATA_MAX: an injection's journal entry keeps it whole (`ccsim record` replays it).
    contact_data_bytes: int = 32 * KiB

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"memory.{f.name} must be a whole number of bytes > 0, not {value!r}")
        if self.contact_data_bytes > CONTACT_DATA_MAX:
            raise ValueError(f"memory.contact_data_bytes must be at most {CONTACT_DATA_MAX:,}: the journal keeps "
                             f"{VALUE_LIMIT:,} characters of an injection, which must hold its data whole")

    def stores_total(self, faces: int) -> int:
        """What the stores may keep together, with `faces` faces keeping records."""
        return (self.journal_bytes + self.contacts_bytes + self.records_bytes * faces + self.stomp_bytes
                + self.dashboard_bytes)

    def check(self, faces: int) -> None:
        """The stores' budgets and the process's own memory must fit under the ceiling."""
        needed = self.stores_total(faces) + PROCESS_RESERVE_BYTES
        if needed > self.ceiling_bytes:
            raise ValueError(
                f"memory: the stores' budgets (journal_bytes + contacts_bytes + records_bytes x {faces} faces + "
                f"stomp_bytes + dashboard_bytes = {self.stores_total(faces):,}) and the process's own "
                f"{PROCESS_RESERVE_BYTES:,} come to {needed:,} bytes, over ceiling_bytes ({self.ceiling_bytes:,}): "
                "lower a budget or raise the ceiling")


class Store(Protocol):
    """What /_ccsim/health shows of a store; and `refused`, the items it would not take (being
    full of what it may not drop), for a store that counts them."""

    budget: int
    bytes: int
    dropped: int

    @property
    def entries(self) -> int: ...


K = TypeVar("K", bound=Hashable)


class Ledger(Generic[K]):
    """One store's accounting under a byte budget: each item's size, by key. A live item is kept
    whatever (the owner refuses new ones when `fits` says no); a retired one may be dropped,
    oldest retired first, when the store is over its budget or holds more than `max_retired`
    retired items. The owner forgets a dropped item in `on_drop(key)`."""

    def __init__(self, budget: int, on_drop: Callable[[K], Any], max_retired: int | None = None):
        self.budget = budget
        self.max_retired = max_retired
        self._on_drop = on_drop
        self._live: dict[K, int] = {}
        self._retired: OrderedDict[K, int] = OrderedDict()  # popitem(last=False) is O(1)
        self.live_bytes = 0
        self.bytes = 0
        self.dropped = 0

    @property
    def entries(self) -> int:
        return len(self._live) + len(self._retired)

    @property
    def live_entries(self) -> int:
        return len(self._live)

    def fits(self, size: int) -> bool:
        """Would a new live item of `size` bytes fit, once every retired item is dropped?"""
        return self.live_bytes + size <= self.budget

    def keep(self, key: K, size: int, *, live: bool = False) -> None:
        """A new item, or a new size for one kept as it is (it keeps its place)."""
        table = self._live if live else self._retired
        if key in table:
            self.bytes -= table[key]
            if live:
                self.live_bytes -= table[key]
        else:
            self._forget(key)
        table[key] = size
        self.bytes += size
        if live:
            self.live_bytes += size
        self._trim()

    def grow(self, key: K, delta: int) -> None:
        """A kept item grew (or shrank) by `delta` bytes, in its place."""
        table = self._live if key in self._live else self._retired
        if key in table:
            table[key] += delta
            self.bytes += delta
            if table is self._live:
                self.live_bytes += delta
            self._trim()

    def retire(self, key: K, size: int) -> None:
        """A live item may go now (ended, closed), with its size now: it is the newest to go."""
        self._forget(key)
        self._retired[key] = size
        self.bytes += size
        self._trim()

    def forget(self, key: K) -> None:
        """The owner removed the item itself."""
        self._forget(key)

    def clear(self) -> None:
        self._live.clear()
        self._retired.clear()
        self.live_bytes = self.bytes = self.dropped = 0

    def _forget(self, key: K) -> None:
        size = self._live.pop(key, None)
        if size is not None:
            self.live_bytes -= size
        else:
            size = self._retired.pop(key, 0)
        self.bytes -= size

    def _trim(self) -> None:
        retired = self._retired
        while retired and (self.bytes > self.budget or (self.max_retired is not None and len(retired) > self.max_retired)):
            key, size = retired.popitem(last=False)
            self.bytes -= size
            self.dropped += 1
            self._on_drop(key)


class MemoryStores:
    """Every store that grows with traffic, by name, with the budget they share."""

    def __init__(self, budget: MemoryBudget | None = None):
        self.budget = budget or MemoryBudget()
        self._stores: dict[str, Store] = {}

    def register(self, name: str, store: Store) -> None:
        """`name` is the store's (a face's: "<face>.<what>"); registering again replaces it (a reset)."""
        self._stores[name] = store

    def health(self) -> dict[str, Any]:
        stores: dict[str, dict[str, int]] = {}
        for name, s in self._stores.items():
            stores[name] = {"bytes": s.bytes, "budget": s.budget, "entries": s.entries, "dropped": s.dropped}
            refused = getattr(s, "refused", None)
            if refused is not None:
                stores[name]["refused"] = refused
        return {"ceiling": self.budget.ceiling_bytes, "rss": process_rss_bytes(),
                "kept": sum(s["bytes"] for s in stores.values()), "stores": stores}


def process_rss_bytes() -> int | None:
    """This process's resident memory (Linux's /proc; None elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


class LedgerStore:
    """A store whose `ledger` does its accounting: the health view (Store) read from it."""

    ledger: Ledger[Any]

    @property
    def budget(self) -> int:
        return self.ledger.budget

    @property
    def bytes(self) -> int:
        return self.ledger.bytes

    @property
    def dropped(self) -> int:
        return self.ledger.dropped

    @property
    def entries(self) -> int:
        return self.ledger.entries
