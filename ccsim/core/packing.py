"""How the journal packs an entry's request and response, and what keeping them costs.

Packed values are plain tuples of plain strings, which the garbage collector stops tracking:
each distinct header set and short string is one shared object, bodies (dicts, lists) are
compact JSON text. Each value packed comes with its cost in bytes (core/memory.py's budget),
and a value over its limit is cut (`<key>Truncated` then says how long it was).
"""
from __future__ import annotations

import copy
import json
import sys
from typing import Any

from .sizes import deep_size

# One value of an entry (a body as JSON text, a long string) is kept up to this many characters;
# the rest is cut and `<key>Truncated` gives the length it had (as the faces do for bodies).
VALUE_LIMIT = 64 * 1024


class JsonText(str):
    """A body as JSON text: how the journal keeps dicts and lists, and what a face may hand it
    directly when it holds the text already (its own answer), to spare a parse and a dump."""
    __slots__ = ()


# Packed values are plain tuples of plain strings, which the garbage collector stops tracking
# (an instance of a str or tuple subclass stays tracked, and so would every entry holding one):
# a body is (_JSON, text); a header set is (_HEADERS, ((name, value), ...)), shared by every
# entry with the same one. The marks are compared by identity, so no recorded value is taken
# for one.
_JSON = "\x00json"
_HEADERS = "\x00headers"


_EMPTY = {dict: (_JSON, "{}"), list: (_JSON, "[]")}
_shared: dict[Any, Any] = {}  # header sets, short strings, type tuples seen before: one copy each
_SHARED_MAX = 4096
_SHARED_BYTES_MAX = 4096  # a bigger value is not shared: what the accounting may miss stays small (share_cost)
_getsizeof = sys.getsizeof
_PAIR_BYTES = _getsizeof(("", ""))


def share_cost(value: Any) -> tuple[Any, int]:
    """The one copy of `value`, and what it costs the entry that asks: its whole size when this
    entry brings it, nothing when an entry before did. A shared copy outlives the entry that paid
    for it only while the cache holds it (a value found after a clear is a new copy, paid again),
    so what the journal's bytes miss is at most _SHARED_MAX copies of _SHARED_BYTES_MAX (16 MiB)."""
    key = (type(value), value)  # by type too: an empty header set is not an empty tuple of types
    found = _shared.get(key)
    if found is not None:
        return found, 0
    cost = deep_size(value)
    if cost <= _SHARED_BYTES_MAX:
        if len(_shared) >= _SHARED_MAX:
            _shared.clear()  # bounded: a run of ever-new values costs copies, never memory
        _shared[key] = value
    return value, cost


def pack_part(part: dict[str, Any], headers_limit: int) -> tuple[tuple[str, ...], list[Any], int]:
    """A request or response packed: its keys, its values packed, what they cost. A value over
    its limit is cut, and `<key>Truncated` (added to the keys) says how long it was."""
    values = []
    cost = 0
    cut: list[tuple[str, int]] | None = None
    shared = _shared
    for key, value in part.items():
        kind = type(value)
        # The hot path first (a journal entry per exchange): a string or a header set seen before.
        if kind is str:
            found = shared.get((str, value))
            if found is not None:
                values.append(found)
                continue
        elif kind is dict and key == "headers":
            found = shared.get((tuple, (_HEADERS, tuple(value.items()))))
            if found is not None:
                values.append(found)
                continue
        elif value is None:
            values.append(None)
            continue
        elif kind is int:
            values.append(value)
            cost += _getsizeof(value)
            continue
        packed, value_cost, was = _pack(key, value, headers_limit)
        values.append(packed)
        cost += value_cost
        if was is not None and key + "Truncated" not in part:
            cut = cut or []
            cut.append((key + "Truncated", was))
    keys = tuple(part)
    if cut:
        keys += tuple(k for k, _ in cut)
        values += [n for _, n in cut]
        cost += sum(_getsizeof(n) for _, n in cut)
    return keys, values, cost


def _pack(key: str, value: Any, headers_limit: int) -> tuple[Any, int, int | None]:
    """(the value packed, what it costs, the length it had when it was cut, else None)."""
    kind = type(value)
    if kind is str:
        if len(value) <= 128:
            return (*share_cost(value), None)
        return _text(value)
    if key == "headers" and kind is dict and all(type(v) is str for v in value.values()):
        return _headers(tuple(value.items()), headers_limit)
    if kind in (dict, list):
        if not value:
            return _EMPTY[kind], 0, None
        try:
            text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        except (TypeError, ValueError):
            return value, deep_size(value), None  # not JSON (a test's own object): kept as it is
        return _json(text)
    if kind is JsonText:
        return _json(str(value))
    if value is None or kind is bool:
        return value, 0, None
    return value, deep_size(value), None


def _text(text: str) -> tuple[str, int, int | None]:
    if len(text) > VALUE_LIMIT:
        kept = text[:VALUE_LIMIT]
        return kept, _getsizeof(kept), len(text)
    return text, _getsizeof(text), None


def _json(text: str) -> tuple[tuple[str, str], int, int | None]:
    kept, cost, was = _text(text)  # cut, it is kept as text: JSON no longer (see _unpack)
    return (_JSON, kept), cost + _PAIR_BYTES, was


def _headers(pairs: tuple[tuple[str, str], ...], limit: int) -> tuple[Any, int, int | None]:
    """A header set (shared: a client sends the same ones again and again); past `limit`
    characters of names and values, those that fit, in the order sent, are kept."""
    length = sum(len(k) + len(v) for k, v in pairs)
    was = None
    if length > limit:
        was, kept, used = length, [], 0
        for k, v in pairs:
            if used + len(k) + len(v) <= limit:
                kept.append((k, v))
                used += len(k) + len(v)
        pairs = tuple(kept)
    return (*share_cost((_HEADERS, pairs)), was)


def unpack(value: Any) -> Any:
    kind = type(value)
    if kind is tuple and len(value) == 2:
        if value[0] is _JSON:
            try:
                return json.loads(value[1])
            except (ValueError, RecursionError):
                return value[1]  # text that only claimed to be JSON: kept as text
        if value[0] is _HEADERS:
            return dict(value[1])
    if kind in (dict, list):
        return copy.deepcopy(value)
    return value


