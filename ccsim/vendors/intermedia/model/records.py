"""What the Intermedia face keeps of past calls, bounded together by `memory.records_bytes`
(health: `intermedia.records`): Halo's call log (each row with its recording link and its
action) and the CallIDs the Intermedia side gave (their recordings are served).

A live call's CallID is kept whatever; once the call has ended, it and Halo's rows may go,
oldest first, when the face is over its budget (INFERRED: real Halo and Intermedia keep every
call; a simulator forgets the oldest rather than grow without end). What is dropped is counted.
"""
from __future__ import annotations

from collections.abc import Callable

from ....core.memory import Ledger
from ....core.sizes import deep_size

RowKey = int  # a call log row, by its id
CallKey = str  # a CallID, by the ccsim contact it was given to (a string, so never a row's key)
_DICT_SLOT = 100  # what one more key costs a dict, with its share of the table (bytes)


def _call_size(contact_id: str, call_id: str) -> int:
    """A CallID in both directions: two dict slots, the contact id and the CallID twice."""
    return 2 * _DICT_SLOT + deep_size(contact_id) + 2 * deep_size(call_id)


class CallRecords:
    def __init__(self, budget: int):
        self.ledger: Ledger[RowKey | CallKey] = Ledger(budget, self._dropped)
        self.call_ids: dict[str, str] = {}  # contact id -> CallID
        self._given: dict[str, str] = {}  # CallID -> contact id
        self.on_row_dropped: Callable[[int], None] = lambda row_id: None  # Halo's, set when it is built

    # -- CallIDs ---------------------------------------------------------------------------------------------
    def call_id(self, contact_id: str, make: Callable[[], str]) -> str:
        """The contact's CallID, made once (kept while the call is live)."""
        call_id = self.call_ids.get(contact_id)
        if call_id is None:
            call_id = self.call_ids[contact_id] = make()
            self._given[call_id] = contact_id
            self.ledger.keep(contact_id, _call_size(contact_id, call_id), live=True)
        return call_id

    def call_ended(self, contact_id: str) -> None:
        if contact_id in self.call_ids:
            self.ledger.retire(contact_id, _call_size(contact_id, self.call_ids[contact_id]))

    def gave(self, call_id: str) -> bool:
        return call_id in self._given

    # -- Halo's rows -----------------------------------------------------------------------------------------
    def row_changed(self, row_id: int, size: int) -> None:
        """A row written or changed, and what it costs now (it keeps its place: by age)."""
        self.ledger.keep(row_id, size + _DICT_SLOT)

    def _dropped(self, key: RowKey | CallKey) -> None:
        if isinstance(key, str):
            self._given.pop(self.call_ids.pop(key, ""), None)
        else:
            self.on_row_dropped(key)
