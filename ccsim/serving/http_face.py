"""HttpFace: a face served over HTTP by aiohttp, every exchange journaled (see its docstring)."""
from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from aiohttp import web

from ..core import Journal, World
from ..core.journal import JsonText
from .face import Face
from .http_serving import client_gone
from .journaling import (AGENT, JOURNAL_BODY_LIMIT, OP, TYPES, body_for_journal, journal_headers, journaled_body,
                         served_activity)
from .listeners import serve_app

log = logging.getLogger("ccsim.face")


def _answer_for_journal(response: web.StreamResponse, body: bytes) -> Any:
    """The face's own JSON answer goes to the journal as the text it is (parsed when read)."""
    if body and response.content_type == "application/json" and len(body) <= JOURNAL_BODY_LIMIT:
        try:
            return JsonText(body.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    return body_for_journal(body)


class HttpFace(Face):
    """A face served over HTTP by aiohttp, with every exchange journaled.

    Handlers set request[OP], request[AGENT] and request[TYPES] to label the journal entry,
    and answer an over-size body (read_body raises BodyTooLarge) in their vendor's terms. Any
    exception a handler lets escape is a bug (BodyTooLarge too): the face answers with
    `internal_error_response` (its vendor's own error, never a 500 page) and the journal entry
    carries the traceback under response["internalError"], which the test suite asserts absent.
    """

    # Paths served outside the journal and the clock's activity: long-lived transports (a
    # socket.io connection) that journal their own messages and would otherwise hold time still.
    passthrough_prefixes: ClassVar[tuple[str, ...]] = ()

    def __init__(self, world: World, journal: Journal, settings: Any):
        super().__init__(world, journal, settings)
        self._runner: web.AppRunner | None = None
        self.url: str | None = None

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    def internal_error_response(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"message": "internal simulator error"}, status=500)

    def build_app(self) -> web.Application:
        app = web.Application(client_max_size=self.limits.max_body_bytes, middlewares=[self._journal_middleware])
        self.routes(app)
        return app

    @web.middleware
    async def _journal_middleware(self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]):
        if request.path.startswith(self.passthrough_prefixes):
            return await handler(request)
        with served_activity(self.clock, request):
            epoch = self.journal.epoch
            internal_error = None
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                response = exc
            except Exception as exc:  # a bug: answer in the vendor's terms, keep the evidence
                if isinstance(exc, ConnectionError) and client_gone(request):
                    # Hung up mid-body, or cut off at the body limit: nobody to answer. aiohttp
                    # drops the connection (at debug: http_serving.py) and nothing is journaled.
                    raise
                internal_error = traceback.format_exc()
                log.error("%s face: unhandled error on %s %s\n%s", self.name, request.method, request.path_qs, internal_error)
                response = self.internal_error_response(request)
            if epoch == self.journal.epoch:  # else it belongs to the simulator before a reset
                try:
                    raw = await journaled_body(request)
                except ConnectionError:  # gone mid-body after a handler that did not read it:
                    raw = b""  # what the handler did stands, journaled without the body
                self._record(request, raw, response, internal_error)
            return response

    def _record(self, request: web.Request, raw: bytes, response: web.StreamResponse, internal_error: str | None) -> None:
        resp_body = getattr(response, "body", None)
        resp: dict[str, Any] = {
            "status": response.status,
            "headers": journal_headers(response.headers),
            "body": _answer_for_journal(response, resp_body if isinstance(resp_body, bytes) else b""),
        }
        if isinstance(resp_body, bytes) and len(resp_body) > JOURNAL_BODY_LIMIT:
            resp["bodyTruncated"] = len(resp_body)  # the journal keeps the head: no contract can judge it
        if internal_error:
            resp["internalError"] = internal_error
        self.journal.record(
            self.name, "http", request.get(OP, "unrouted"), agent=request.get(AGENT),
            request={
                "method": request.method,
                "path": request.path,
                "query": {k: v for k, v in request.query.items()},
                "headers": journal_headers(request.headers),
                "body": body_for_journal(raw),
            },
            response=resp, types=request.get(TYPES, ()),
        )

    async def start(self, host: str, port: int) -> str:
        self._runner, self.url = await serve_app(self.build_app(), host, port, self.limits, self.name)
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
