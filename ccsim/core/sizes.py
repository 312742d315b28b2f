"""What a kept value costs in memory, in bytes: CPython's own sizes (`sys.getsizeof`) of the value
and of everything it holds, for the JSON-like values and plain records the stores keep.

An estimate, and an honest one: every object is counted where it is held, so an object held
twice (an interned key, a small int) is counted twice: the estimate errs high, never low
(tests/app/test_memory_budget.py checks it against tracemalloc)."""
from __future__ import annotations

import enum
import sys
from typing import Any

_getsizeof = sys.getsizeof
_CONTAINERS = (list, tuple, set, frozenset)
_SINGLETONS = (type(None), bool)  # one object each, held by everyone


def deep_size(value: Any) -> int:
    """`value` and everything inside its dicts, lists, tuples and sets (iteratively: a value
    nested 10,000 deep costs no recursion)."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind in _SINGLETONS or isinstance(item, enum.Enum):
            continue
        total += _getsizeof(item)
        if kind is dict:
            stack.extend(item.keys())
            stack.extend(item.values())
        elif kind in _CONTAINERS:
            stack.extend(item)
    return total


def record_size(obj: Any) -> int:
    """A plain object (a dataclass instance) with what its attributes hold. Its attribute names
    are its class's, shared by every instance (CPython's key-sharing dicts): not counted."""
    attributes = vars(obj)
    return _getsizeof(obj) + _getsizeof(attributes) + sum(deep_size(v) for v in attributes.values())
