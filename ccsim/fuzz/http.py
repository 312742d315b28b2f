"""Hypothesis-made bad HTTP requests: each one a real request of the face (journaled by a
conformance run, so with live ids, GUIDs and tokens) with one to three things broken: its
body (garbage bytes, truncated JSON, a field of the wrong type, oversize, unknown keys), its
headers (credentials missing, forged or huge, a wrong Content-Type), its path (an unknown
or monstrous id, encoded junk, a segment more or less), its method or its query."""
from __future__ import annotations

import base64
import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

OVERSIZE = 2 * 1024 * 1024 + 1  # beyond every face's body limit (1 MiB)
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
# Header values aiohttp can send: printable ASCII and Latin-1, no CR/LF.
_HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=60)
_ID_LIKE = st.one_of(st.integers(-2**63, 2**64).map(str), st.text(max_size=40), st.just("x" * 5000),
                     st.sampled_from(["0", "-1", "99999999", "..", "%00", "null", "undefined", "1e9", " ", "%2F"]))
_JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False)
                     | st.text(max_size=30), lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=8)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    broken: list[str] = field(default_factory=list)  # what was done to it

    @classmethod
    def from_journal(cls, request: dict[str, Any]) -> "Request":
        body = request.get("body")
        raw = b"" if body is None else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
        headers = {k: v for k, v in (request.get("headers") or {}).items() if k.lower() not in ("content-length",
                                                                                              "host")}
        return cls(request["method"], request["path"], dict(request.get("query") or {}), headers, raw)

    def url(self, base: str) -> str:
        query = urllib.parse.urlencode(self.query)
        return base + self.path + (f"?{query}" if query else "")

    def describe(self) -> str:
        body = self.body[:80] + (b"..." if len(self.body) > 80 else b"")
        return f"{self.method} {self.path[:100]} query={str(self.query)[:80]} ({', '.join(self.broken)}) body={body!r}"


def _json_body(req: Request) -> Any:
    try:
        return json.loads(req.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None


@st.composite
def _break_body(draw, req: Request) -> None:
    how = draw(st.sampled_from(["garbage", "json value", "truncated", "field", "oversize", "empty", "deep"]))
    parsed = _json_body(req)
    if how == "field" and isinstance(parsed, dict) and parsed:
        key = draw(st.sampled_from(sorted(parsed)))
        change = draw(st.sampled_from(["wrong type", "drop", "huge", "unknown key"]))
        if change == "drop":
            parsed.pop(key)
        elif change == "huge":
            parsed[key] = "9" * draw(st.sampled_from([300, 70_000]))
        elif change == "unknown key":
            parsed[draw(st.text(max_size=12))] = draw(_JSON)
        else:
            parsed[key] = draw(_JSON)
        req.body, how = json.dumps(parsed).encode(), f"field {key}: {change}"
    elif how == "garbage":
        req.body = draw(st.binary(max_size=600))
    elif how == "truncated" and req.body:
        req.body = req.body[:draw(st.integers(0, len(req.body) - 1))]
    elif how == "oversize":
        req.body = b'{"x": "' + b"a" * OVERSIZE + b'"}'
    elif how == "deep":
        depth = draw(st.sampled_from([50, 5000]))
        req.body = b"[" * depth + b"]" * depth
    elif how == "empty":
        req.body = b""
    else:
        req.body = json.dumps(draw(_JSON)).encode()
    req.broken.append(f"body {how}")


@st.composite
def _break_headers(draw, req: Request) -> None:
    name = draw(st.sampled_from(["Authorization", "Guid", "Content-Type", "CorrelationId", "X-Junk"]))
    how = draw(st.sampled_from(["drop", "forged", "huge"]))
    if how == "drop":
        for key in [k for k in req.headers if k.lower() == name.lower()]:
            del req.headers[key]
    elif how == "huge":
        req.headers[name] = "A" * draw(st.sampled_from([4000, 9000]))
    elif name == "Authorization":
        scheme = draw(st.sampled_from(["Basic", "Bearer", "basic", "Digest", ""]))
        secret = draw(st.one_of(_HEADER_TEXT, _HEADER_TEXT.map(lambda t: base64.b64encode(t.encode()).decode())))
        req.headers[name] = f"{scheme} {secret}".strip()
    else:
        req.headers[name] = draw(_HEADER_TEXT)
    req.broken.append(f"header {name} {how}")


@st.composite
def _break_path(draw, req: Request) -> None:
    segments = req.path.split("/")
    how = draw(st.sampled_from(["segment", "extra", "fewer", "encoded"]))
    if how == "segment" and len(segments) > 1:
        i = draw(st.integers(1, len(segments) - 1))
        segments[i] = urllib.parse.quote(draw(_ID_LIKE), safe="")
    elif how == "extra":
        segments.insert(draw(st.integers(1, len(segments))), urllib.parse.quote(draw(_ID_LIKE), safe=""))
    elif how == "fewer" and len(segments) > 2:
        segments.pop(draw(st.integers(1, len(segments) - 1)))
    else:
        segments.append(draw(st.sampled_from(["%ff%fe", "%00", "..%2f..%2f", "%E2%82", "~", ";jsessionid=x"])))
    req.path = "/".join(segments) or "/"
    req.broken.append(f"path {how}")


@st.composite
def _break_query(draw, req: Request) -> None:
    if req.query and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(req.query)))
        req.query[key] = draw(_ID_LIKE)
    else:
        req.query[draw(st.text(min_size=1, max_size=10))] = draw(_ID_LIKE)
    req.broken.append("query")


@st.composite
def _break_method(draw, req: Request) -> None:
    req.method = draw(st.sampled_from([m for m in METHODS if m != req.method]))
    req.broken.append("method")


BREAKERS = (_break_body, _break_body, _break_headers, _break_path, _break_query, _break_method)


@st.composite
def bad_requests(draw, corpus: list[dict[str, Any]]) -> Request:
    """One of the corpus' requests, broken in one to three ways."""
    req = Request.from_journal(draw(st.sampled_from(corpus)))
    for breaker in draw(st.lists(st.sampled_from(BREAKERS), min_size=1, max_size=3)):
        draw(breaker(req))
    return req
