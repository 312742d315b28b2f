"""aiohttp's connection handler with what every ccsim HTTP listener adds (the admin API, each
face, XCALLY's socket.io and phonebars; see listeners.serve_app):

* A time limit on request bodies. From the end of a request's head, its body must be complete
  within `limits.body_timeout_seconds`; else the client is answered `408 Request Timeout` and the
  connection closed, as Node's http.Server does past its requestTimeout. aiohttp itself times
  out only the wait for a head (`idle_timeout_seconds`), so a body sent a byte at a time held a
  connection for ever.
* Half-close. A client that shuts down its sending side (FIN) after a complete request still
  gets its answers, then the connection closes. aiohttp closed at once (`eof_received` returned
  None), and the answer was written to a closed socket.
* A client's mistakes are logged at debug: a client that hangs up in the middle of a request
  (or is cut off at the body limit), or sends a request aiohttp cannot parse (answered 400),
  leaves no ERROR and no traceback.
* Answers the client may not have read. A long poll hands over events with no acknowledgement;
  a handler that did so says what to do if the answer turns out unread (`on_unread`): the
  connection is reset, or the client closes it before its kernel acknowledged the answer. The
  client's next request on the connection, or an orderly close, settles the answer as read.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler

from ..core.clock import wall_call_later
from .tcp_info import all_acknowledged, peer_finished

log = logging.getLogger("ccsim.http")

_TIMED_OUT_TEXT = b"request body not complete in time (limits.body_timeout_seconds)\r\n"
_TIMED_OUT_HTTP = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: text/plain\r\n"
                  b"Content-Length: %d\r\n\r\n%s" % (len(_TIMED_OUT_TEXT), _TIMED_OUT_TEXT))


class ServingHandler(RequestHandler):
    def __init__(self, manager: Any, *, body_timeout: float, **kwargs: Any):
        super().__init__(manager, **kwargs)
        self.body_timeout = body_timeout
        self.peer_closed = False  # the client has sent FIN: it will send nothing more
        self._body_deadline: asyncio.TimerHandle | None = None
        self._payload: Any = None  # the body of the request being served
        self._answered = 0  # requests answered; aiohttp's _request_count says how many were parsed
        self._unread: Callable[[], None] | None = None  # what to do if the last answer was not read

    # -- a request ---------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        parsed = self._request_count
        super().data_received(data)
        if self._request_count != parsed:
            self._unread = None  # a client asks again once it has read the answer (no one pipelines polls)

    async def _handle_request(self, request: Any, start_time: Any, request_handler: Any) -> Any:
        self._unread = None  # what an earlier request left is settled: this one is served now
        self._payload = request.content
        if not request.content.is_eof():
            self._arm_body_deadline(request)
        try:
            return await super()._handle_request(request, start_time, request_handler)
        finally:
            self._answered += 1
            if self.peer_closed and not self._outstanding():
                self.close()  # all asked is answered and the client sends nothing more

    def handle_error(self, request: Any, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        """aiohttp logs every error here with a traceback at ERROR. A client's mistake is not
        ccsim's: a request it cannot parse (a line over the limit, a broken request line; aiohttp
        answers 400), or a client gone mid-request (nobody to answer). Those go to debug."""
        gone = isinstance(exc, ConnectionError) and (self.transport is None or self.transport.is_closing())
        bad_http = isinstance(exc, HttpProcessingError) and exc.code < 500
        if not (gone or bad_http):
            return super().handle_error(request, status, exc, message)
        log.debug("client %s: %s %s: %r", request.remote, request.method, request.path, exc)
        if request.writer.output_size > 0:
            raise ConnectionError("an answer was already started")  # as aiohttp does
        response = web.Response(status=status, text=message, content_type="text/plain")  # aiohttp's own 4xx
        response.force_close()
        return response

    # -- the body deadline -------------------------------------------------------------------
    def _arm_body_deadline(self, request: Any) -> None:
        self._disarm_body_deadline()
        self._body_deadline = wall_call_later(self.body_timeout, lambda: self._body_timed_out(request))
        request.content.on_eof(self._disarm_body_deadline)

    def _disarm_body_deadline(self) -> None:
        if self._body_deadline is not None:
            self._body_deadline.cancel()
            self._body_deadline = None

    def _body_timed_out(self, request: Any) -> None:
        self._body_deadline = None
        if self.transport is None or request.content.is_eof():
            return
        log.debug("client %s: the body of %s %s not complete within %g s (limits.body_timeout_seconds): closed",
                  request.remote, request.method, request.path, self.body_timeout)
        if request.writer.output_size == 0:  # not answered yet (a handler waiting for the body)
            self.transport.write(_TIMED_OUT_HTTP)
        self.force_close()  # a handler reading the body gets ConnectionResetError

    # -- half-close and unread answers --------------------------------------------------------
    def eof_received(self) -> bool | None:
        self.peer_closed = True
        # The FIN acknowledges everything the client's kernel had received when it closed: an
        # answer not written yet, or not acknowledged, never reached it.
        self._settle(read=not self._outstanding() and all_acknowledged(self.transport))
        if self._upgraded or self._payload_parser is not None:
            return None  # a WebSocket: its reader sees the end when the transport closes
        if self._outstanding() and self._bodies_complete():
            return True  # keep the sending side open for the answers (closed in _handle_request)
        return None  # nothing to answer (or a body that can never be complete): close now

    def connection_lost(self, exc: BaseException | None) -> None:
        self._disarm_body_deadline()
        self._settle(read=exc is None)  # a reset: the client did not read what was last written
        super().connection_lost(exc)

    def expect_read(self, on_unread: Callable[[], None]) -> None:
        self._unread = on_unread

    def _settle(self, *, read: bool) -> None:
        on_unread, self._unread = self._unread, None
        if on_unread is not None and not read:
            log.debug("a connection ended before its client read the last answer: taken back")
            on_unread()

    def _outstanding(self) -> int:
        """Requests parsed and not yet answered (queued, or being served)."""
        return self._request_count - self._answered

    def _bodies_complete(self) -> bool:
        if self._payload is not None and not self._payload.is_eof():
            return False
        return all(payload.is_eof() for _, payload in self._messages)


def client_gone(request: web.Request) -> bool:
    """The client hung up, or has sent FIN (though the loop may not have read it yet): what
    would be sent to it must stay queued."""
    transport = request.transport
    if transport is None or transport.is_closing():
        return True
    return getattr(request.protocol, "peer_closed", False) or peer_finished(transport)


def on_unread(request: web.Request, take_back: Callable[[], None]) -> None:
    """The answer to `request` hands over something a client cannot acknowledge (a long poll's
    events): `take_back` runs if its connection shows the answer was not read."""
    protocol = request.protocol
    if isinstance(protocol, ServingHandler):
        protocol.expect_read(take_back)
