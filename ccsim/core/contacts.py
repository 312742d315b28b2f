"""The world's contacts, bounded in bytes (`memory.contacts_bytes`) and in ended ones kept
(`ended_contacts_kept`).

A live contact (queued, offered, connected, held) is never forgotten: routing, the faces and
the admin API rely on it. So a new inbound contact that would not fit beside the live ones is
refused (StoreFull; the admin API answers 507). An ended contact stays queryable until the
store is over its budget or holds more than `ended_kept` ended ones: the oldest ended go first.
Each contact's attached data is capped (`memory.contact_data_bytes`, ContactDataTooLarge), and so
is its history (HISTORY_KEPT transitions), so that a live contact's cost stays bounded; it is
counted as it grows.
"""
from __future__ import annotations

import json
from typing import Any

from .errors import ContactDataTooLarge, StoreFull
from .memory import Ledger, LedgerStore
from .model import Contact
from .sizes import deep_size, record_size

HISTORY_KEPT = 64  # transitions kept per contact: its first (arrival) and the newest
# What one more transition costs a contact: a list slot, a (state, time) tuple and its float; and a
# list slot in the queues it visited (a queue entered is a transition too).
TRANSITION_BYTES = 8 + 56 + 24 + 8


def data_bytes(data: dict[str, Any] | None) -> int:
    """The attached data's size as the admin API takes it: compact JSON, UTF-8."""
    if not data:
        return 0
    try:
        return len(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8", "surrogatepass"))
    except (TypeError, ValueError):  # not JSON (a test's own objects): its size in memory then
        return deep_size(data)


class ContactStore(LedgerStore):
    def __init__(self, budget: int, ended_kept: int, data_limit: int):
        self.by_id: dict[str, Contact] = {}
        self.data_limit = data_limit
        self.ledger: Ledger[str] = Ledger(budget, self._forget, max_retired=ended_kept)


    def check_data(self, data: dict[str, Any] | None) -> None:
        size = data_bytes(data)
        if size > self.data_limit:
            raise ContactDataTooLarge(f"the contact's data is {size:,} bytes of JSON, over the {self.data_limit:,} "
                                      "this simulator keeps per contact (memory.contact_data_bytes)")

    def admit(self, contact: Contact, *, refusable: bool) -> None:
        """Keep a new live contact. A refusable one (a customer arriving) that does not fit beside
        the live ones raises StoreFull; an agent's own call is always taken (one per agent)."""
        size = record_size(contact)
        if refusable and not self.ledger.fits(size):
            raise StoreFull(f"{self.ledger.live_entries:,} live contacts fill the {self.ledger.budget:,} bytes of "
                            "memory.contacts_bytes: end some, or raise the budget")
        self.by_id[contact.id] = contact
        self.ledger.keep(contact.id, size, live=True)

    def transitioned(self, contact: Contact) -> None:
        """One more transition in the contact's history (not counted once its history is full)."""
        if len(contact.history) < HISTORY_KEPT:
            self.ledger.grow(contact.id, TRANSITION_BYTES)

    def ended(self, contact: Contact) -> None:
        """The contact ended: it is kept for queries while there is room, the oldest ended first to go."""
        self.ledger.retire(contact.id, record_size(contact))

    def clear(self) -> None:
        self.by_id.clear()
        self.ledger.clear()

    def _forget(self, contact_id: str) -> None:
        self.by_id.pop(contact_id, None)


def note_transition(history: list[Any], item: Any) -> None:
    """Append to a contact's history, keeping its first item and the newest (HISTORY_KEPT in all)."""
    if len(history) >= HISTORY_KEPT:
        del history[1]
    history.append(item)
