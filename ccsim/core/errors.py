"""The world's errors (in their own module: the world's parts raise them too)."""
from __future__ import annotations


class WorldError(Exception):
    """A command the world cannot carry out in its state. Faces map it to their own error."""


class UnknownId(WorldError):
    """No agent, queue or contact has that id."""


class StoreFull(WorldError):
    """A store cannot keep one more thing it may never drop (a live contact): see core/memory.py."""


class ContactDataTooLarge(WorldError):
    """A contact's attached data over `memory.contact_data_bytes`."""
