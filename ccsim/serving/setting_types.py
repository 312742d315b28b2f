"""A settings field's type, from its dataclass annotation: does a configured value have it, and
how is it said to a person ("a number", "a list of strings")?

YAML gives `10` and `"10"` as different things, and a face that compares a string with a number
fails far from the configuration line that caused it; so every setting is checked against its
annotation when the configuration is read. Numbers may be whole for a float field; a bool is
not a number; NaN and infinities are not numbers of seconds.
"""
from __future__ import annotations

import math
import types
from typing import Any, Union, get_args, get_origin

# Each plain type: what a value of it is called, alone and in the plural.
_NAMES: dict[Any, tuple[str, str]] = {
    bool: ("true or false", "true or false values"),
    int: ("a whole number", "whole numbers"),
    float: ("a number", "numbers"),
    str: ("a string", "strings"),
    type(None): ("null", "nulls"),
}


def accepts(annotation: Any, value: Any) -> bool:
    """Whether `value` (as YAML gives it) has the type `annotation` says."""
    if annotation is Any:
        return True
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        return any(accepts(arg, value) for arg in args)
    if origin is list:
        return isinstance(value, list) and (not args or all(accepts(args[0], v) for v in value))
    if origin is dict:
        return isinstance(value, dict) and (not args or all(accepts(args[0], k) and accepts(args[1], v)
                                                            for k, v in value.items()))
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if annotation is type(None) or annotation is None:
        return value is None
    return isinstance(value, annotation) if isinstance(annotation, type) else True


def describe(annotation: Any, plural: bool = False) -> str:
    """What a value of `annotation` is, in words: "a number or null", "a list of strings"."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        return " or ".join(describe(arg, plural) for arg in args)
    if origin in (list, dict):
        noun = ("lists" if plural else "a list") if origin is list else ("mappings" if plural else "a mapping")
        items = args[-1] if args else Any
        return noun if items is Any else f"{noun} of {describe(items, plural=True)}"
    if annotation is Any:
        return "values" if plural else "a value"
    if annotation is None:
        annotation = type(None)
    names = _NAMES.get(annotation)
    if names is None:
        return getattr(annotation, "__name__", str(annotation))
    return names[1] if plural else names[0]
