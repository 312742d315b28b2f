"""The world's errors (in their own module: the world's parts raise them too)."""
from __future__ import annotations


class WorldError(Exception):
    """A command the world cannot carry out in its state. Faces map it to their own error."""


class UnknownId(WorldError):
    """No agent, queue or contact has that id."""
