"""What a served exchange tells the journal, and the request body as faces read it.

Handlers set request[OP], request[AGENT] and request[TYPES] to label the journal entry; the HTTP
faces' journal middleware (http_face.py) and a face's extra listeners record it with these helpers.
"""
from __future__ import annotations

from typing import Any

from aiohttp import web

from ..core import json_text
from ..core.clock import IN_PROCESS_HEADER

# What a handler tells the journal about the exchange it served.
OP = web.RequestKey("ccsim_op", str)
AGENT = web.RequestKey("ccsim_agent", str)
TYPES = web.RequestKey("ccsim_types", tuple)

# Response headers that carry no information about the exchange (or change run to run).
_UNJOURNALED_HEADERS = {"date", "server", "content-length", "host", "connection", "keep-alive", "transfer-encoding"}
JOURNAL_BODY_LIMIT = 64 * 1024


def body_for_journal(raw: bytes, content_type: str | None = None) -> Any:
    if not raw:
        return None
    text = raw[:JOURNAL_BODY_LIMIT].decode("utf-8", errors="replace")
    try:
        return json_text.loads(text)
    except ValueError:
        return text


def journal_headers(headers: Any) -> dict[str, str]:
    return {k: v for k, v in headers.items()
            if k.lower() not in _UNJOURNALED_HEADERS and not k.lower().startswith("x-ccsim-")}


# Set on a request whose body was found over the limit: asked again, read_body raises at once.
_TOO_LARGE = web.RequestKey("ccsim_body_too_large", bool)


class BodyTooLarge(Exception):
    """A request body over limits.max_body_bytes: the face answers it in its vendor's terms."""


async def read_body(request: web.Request) -> bytes:
    """The request body. One over limits.max_body_bytes raises BodyTooLarge, whether it came with a
    Content-Length or chunked (which aiohttp knows only once it has read past the limit), and
    raises it again when asked again, without reading on: never an empty body in its place."""
    if request.get(_TOO_LARGE):
        raise BodyTooLarge()
    try:
        return await request.read()
    except web.HTTPRequestEntityTooLarge:
        request[_TOO_LARGE] = True
        raise BodyTooLarge() from None


async def journaled_body(request: web.Request) -> bytes:
    """The request body as the journal keeps it: b"" for one over the size limit."""
    try:
        return await read_body(request)
    except BodyTooLarge:
        return b""


def served_activity(clock: Any, request: web.Request):
    """The clock activity a server handler runs in (carrying an in-process client's token)."""
    return clock.activity(carries=1 if IN_PROCESS_HEADER in request.headers else 0)
