"""User data in messages: an error quotes what it refuses, but never all of it.

A value from a file can be megabytes long (or, through YAML aliases, stand for far more), and an
error is one line a person reads: quote a short form, and cap the whole message.
"""
from __future__ import annotations

import reprlib
from typing import Any

MAX_MESSAGE_CHARS = 500  # one error message, user data included

_short = reprlib.Repr()
_short.maxstring = 60
_short.maxother = 60
_short.maxlist = _short.maxtuple = _short.maxset = _short.maxdict = 6
_short.maxlevel = 3


def short_repr(value: Any) -> str:
    """repr(value), cut down to a few dozen characters (nested containers and long strings elided)."""
    return _short.repr(value)


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """`text`, cut to `limit` characters with a marker saying so."""
    if len(text) <= limit:
        return text
    return text[:limit - 20] + f"... ({len(text):,} chars)"
