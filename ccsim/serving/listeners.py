"""Every listener's limits (config `limits:`), and serving an aiohttp app under them.

The admin API, each HTTP face (with XCALLY's socket.io and phonebars) and the embedded STOMP
endpoint all apply the same `Limits`. Past `max_connections` a listener refuses new
connections as it accepts them, as ActiveMQ does past its connector's `maximumConnections`:
the ones it holds keep being served. `idle_timeout_seconds` closes a connection that has not
completed a request head (HTTP) or a CONNECT frame (STOMP) in that long, and
`body_timeout_seconds` one whose request body (HTTP) or frame (STOMP) is not complete that long
after it began, so clients that trickle a byte at a time cannot hold connections for ever; a
request being served (a long poll) is never timed out by either. The HTTP side of it all is in
http_serving.py.
"""
from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from typing import Any, Callable

from aiohttp import web

from ..core.clock import wall_seconds
from .http_serving import ServingHandler
from .public_urls import listener_url

log = logging.getLogger("ccsim.limits")


@dataclass(frozen=True)
class Limits:
    # One HTTP request body; over it the face answers 413 in its vendor's shape.
    max_body_bytes: int = 1024 * 1024
    # One HTTP request line or header field (aiohttp's own default); over it: 400.
    max_header_bytes: int = 8190
    # Open connections per listener (INFERRED: the vendors publish none; Tomcat's is 8192).
    max_connections: int = 10_000
    # HTTP: seconds a connection may sit without a complete request head (INFERRED). STOMP: seconds
    # to the CONNECT frame (ActiveMQ's transport.connectAttemptTimeout, 30 s: AMQ-5587).
    idle_timeout_seconds: float = 30.0
    # HTTP: seconds from the end of a request's head to the end of its body, else 408 and closed
    # (INFERRED; Node's http.Server does so past its requestTimeout). STOMP: seconds from a
    # frame's first byte to its end, else an ERROR frame (INFERRED; ActiveMQ documents no limit).
    body_timeout_seconds: float = 30.0

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise ValueError(f"limits.{f.name} must be a positive number, not {value!r}")


_REFUSED_HTTP = (b"HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n"
                 b"Content-Type: text/plain\r\nContent-Length: 35\r\n\r\ntoo many connections to this port\r\n")


class _Refused(asyncio.Protocol):
    """A connection past the limit: told so (HTTP) or just closed (STOMP), never read."""

    def __init__(self, goodbye: bytes):
        self.goodbye = goodbye

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        if self.goodbye:
            transport.write(self.goodbye)
        transport.close()


class ConnectionGate:
    """A protocol factory that hands out `factory()` while fewer than `limit` connections are
    open (`open_count()` says how many), and a refusing protocol past it."""

    def __init__(self, factory: Callable[[], asyncio.BaseProtocol], open_count: Callable[[], int], limit: int,
                 *, label: str, goodbye: bytes = b""):
        self._factory = factory
        self._open_count = open_count
        self.limit = limit
        self.label = label
        self.goodbye = goodbye
        self.refused = 0
        self._warned_at = float("-inf")

    def __call__(self) -> asyncio.BaseProtocol:
        if self._open_count() < self.limit:
            return self._factory()
        self.refused += 1
        now = wall_seconds()
        if now - self._warned_at > 10.0:  # one line per burst, not one per connection
            self._warned_at = now
            log.warning("%s: %d connections open (limits.max_connections); refusing new ones (%d so far)",
                        self.label, self.limit, self.refused)
        return _Refused(self.goodbye)


class _GatedSite(web.TCPSite):
    """aiohttp's TCPSite with ccsim's connection handler (http_serving.py) behind a ConnectionGate."""

    def __init__(self, runner: web.AppRunner, host: str, port: int, limits: Limits, label: str):
        super().__init__(runner, host, port, reuse_address=True)
        self._limits = limits
        self._label = label
        self.gate: ConnectionGate | None = None

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner
        server = self._runner.server
        assert server is not None
        # Server.connections copies its dict into a list: the dict's size, at every accept, is O(1).
        handlers = server._connections  # noqa: SLF001
        options = server._kwargs  # noqa: SLF001 (the runner's keep-alive, line and field limits)
        body_timeout = self._limits.body_timeout_seconds

        def handler() -> ServingHandler:  # what Server() makes, with the body limit
            return ServingHandler(server, loop=server._loop, body_timeout=body_timeout, **options)  # noqa: SLF001

        self.gate = ConnectionGate(handler, lambda: len(handlers), self._limits.max_connections,
                                   label=self._label, goodbye=_REFUSED_HTTP)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self.gate, self._host, self._port, backlog=self._backlog,
                                                reuse_address=True)


async def serve_app(app: web.Application, host: str, port: int, limits: Limits | None = None,
                    label: str = "http") -> tuple[web.AppRunner, str]:
    """Listen with `app` on host:port (0 = a free port) under `limits`; the runner (to clean
    up) and its URL for clients on this machine (loopback for a wildcard `host`). The body
    limit is the app's own (`client_max_size`)."""
    limits = limits or Limits()
    # Stopping waits at most a second for requests in flight: a client's long poll (NICE
    # get-next-event, Huawei agentevent) would otherwise hold it for its whole timeout.
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0,
                           keepalive_timeout=limits.idle_timeout_seconds,
                           max_line_size=limits.max_header_bytes, max_field_size=limits.max_header_bytes)
    await runner.setup()
    site = _GatedSite(runner, host, port, limits, label)
    await site.start()
    bound = site._server.sockets[0].getsockname()  # type: ignore[union-attr]
    return runner, listener_url(host, bound[1])
