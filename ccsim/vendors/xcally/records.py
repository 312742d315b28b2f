"""What the XCALLY face keeps of past work, bounded together by `memory.records_bytes` (health:
`xcally.records`): interactions with their messages, report_{channel}_queue rows and
report_member rows.

A live interaction (queued, offered, open) and an open row are kept whatever; once closed,
abandoned or timed out, an interaction (and a row once closed) may go, oldest first, when the
face is over its budget, and is counted. Lists then give what is kept: `count` says how many
(INFERRED: real Motion keeps everything in MySQL; a simulator forgets the oldest rather than
grow without end). An interaction keeps its newest messages within MESSAGES_KEPT_BYTES.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core.memory import Ledger
from ...core.sizes import deep_size, record_size
from .model import Interaction

if TYPE_CHECKING:
    from .face import XcallyFace

LIVE = ("queued", "offered", "open")  # an interaction in these is never dropped
MESSAGES_KEPT_BYTES = 64 * 1024  # INFERRED: an interaction's newest messages kept, the older ones forgotten
_DICT_SLOT = 100  # what one more key costs a dict, with its share of the table (bytes)

# Keys: ("interaction", channel, id), ("queue-row", channel, id), ("member-row", id).
Key = tuple[Any, ...]


class XcallyRecords:
    def __init__(self, face: "XcallyFace", budget: int):
        self.face = face
        self.ledger: Ledger[Key] = Ledger(budget, self._drop)

    def interaction(self, interaction: Interaction) -> None:
        """An interaction made or changed (its status, its messages): what it costs now."""
        messages = interaction.messages
        sizes = [deep_size(m) for m in messages]
        while len(messages) > 1 and sum(sizes) > MESSAGES_KEPT_BYTES:
            del messages[0], sizes[0]
        key = ("interaction", interaction.channel, interaction.id)
        if self.face.interactions.get(key[1:]) is interaction:
            self.ledger.keep(key, record_size(interaction) + 2 * _DICT_SLOT, live=interaction.status in LIVE)

    def queue_row(self, channel: str, row: dict[str, Any], *, open_: bool) -> None:
        """A report_{channel}_queue row written (open) or closed."""
        self.ledger.keep(("queue-row", channel, row["id"]), deep_size(row) + _DICT_SLOT, live=open_)

    def member_row(self, row: dict[str, Any], *, open_: bool) -> None:
        """A report_member row written (open) or closed."""
        self.ledger.keep(("member-row", row["id"]), deep_size(row) + _DICT_SLOT, live=open_)

    def _drop(self, key: Key) -> None:
        face = self.face
        if key[0] == "interaction":
            interaction = face.interactions.pop(key[1:], None)
            if interaction is not None and face.by_contact.get(interaction.core_id) is interaction:
                del face.by_contact[interaction.core_id]
        elif key[0] == "queue-row":
            face.reports[key[1]].pop(key[2], None)
        else:
            face.member_report.pop(key[1], None)
