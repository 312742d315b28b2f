"""The one parser of a request's JSON body: its value, or an object, else a BodyProblem whose kind
the face words in its vendor's terms ("the body is not valid JSON", retcode 100-001, ...).

Reading the body, and its size limit, stay each face's own (journaling.read_body), and so does
how its bytes become text (`decode`), because faces differ there and clients can tell:
- "bytes": json.loads takes the bytes: UTF-8, -16 or -32 as detected, a UTF-8 BOM skipped (admin API,
  XCALLY);
- "utf-8": strict UTF-8; a BOM is no JSON (Huawei, Intermedia);
- "utf-8-replace": a byte that is no UTF-8 becomes U+FFFD (NICE, which then tries a form body).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from ..core import json_text

Decode = Literal["bytes", "utf-8", "utf-8-replace"]
ProblemKind = Literal["not-json", "not-an-object"]

_WORDS = {"not-json": "the body is not valid JSON", "not-an-object": "the body must be a JSON object"}
_ERRORS = {"utf-8": "strict", "utf-8-replace": "replace"}


class BodyProblem(Exception):
    """The body is no JSON, or (json_object) JSON that is not an object."""

    def __init__(self, kind: ProblemKind):
        super().__init__(_WORDS[kind])
        self.kind: ProblemKind = kind


def json_value(raw: bytes, *, decode: Decode = "bytes") -> Any:
    """The JSON value of `raw`; BodyProblem("not-json") for anything else, a nesting too deep included."""
    if decode != "bytes" and decode not in _ERRORS:
        raise ValueError(f"decode must be bytes, utf-8 or utf-8-replace, not {decode!r}")
    try:
        return json_text.loads(raw if decode == "bytes" else raw.decode("utf-8", errors=_ERRORS[decode]))
    except ValueError:  # UnicodeDecodeError is one
        raise BodyProblem("not-json") from None


def json_object(raw: bytes, *, decode: Decode = "bytes", empty: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON object of `raw`. A body of nothing but ASCII whitespace is a copy of `empty`, unless
    `empty` is None: then it is not JSON, as for json_value."""
    if empty is not None and not raw.strip():
        return dict(empty)
    value = json_value(raw, decode=decode)
    if not isinstance(value, dict):
        raise BodyProblem("not-an-object")
    return value
