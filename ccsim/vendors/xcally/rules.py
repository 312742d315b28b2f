"""What every field check of the face shares: the 400 error and the shapes of numbers."""
from __future__ import annotations


class Invalid(ValueError):
    """A field that breaks a rule: answered 400 with `message`."""


def as_id(value: str) -> int | None:
    """A database id from a path or query segment ("12"), or None (Unicode digits included)."""
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


def whole(value: object) -> bool:
    """A JSON integer (true and false are not numbers here)."""
    return isinstance(value, int) and not isinstance(value, bool)
