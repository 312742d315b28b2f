"""The embedded STOMP broker: the Finesse face's default transport (transport.Transport), and a
STOMP 1.0/1.1/1.2 server that real clients (stomp.py, a GC client, ccsim's StompClient) use.

Layout, one idea per module: frames.py (parse, serialize), heartbeat.py (negotiation, timers),
router.py (queues, topics, acks, redelivery), connection.py (one socket: asyncio.Protocol),
outbox.py (what waits for a client that reads slowly), store.py (what the broker keeps, within
`memory.stomp_bytes`), commands.py (what each STOMP command does), inflight.py (bytes on the
wire to and from an in-process client hold a virtual clock), client.py (the asyncio client),
this module (the server and the in-process side).

Every frame received and sent is journaled (when a Journal is given) as
`journal.record(name, "frame", <COMMAND>, request|response={"direction", "connection",
"headers", "body"}, types=(<type header>, <destination>))`; heart-beats are not. A bug inside
the broker or in an in-process consumer is journaled with its traceback under
response["internalError"], like the HTTP faces do.

All timers (heart-beats, close grace) run on the injected clock; nothing here reads wall time.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from ....core.clock import Clock
from ....core.journal import Journal
from ....core.memory import MemoryBudget
from ....serving.listeners import ConnectionGate, Limits
from ....serving.public_urls import listener_url
from ..transport import CommandHandler, Message
from .commands import StompHandler
from .connection import StompConnection
from .frames import DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_HEADER_LENGTH, DEFAULT_MAX_HEADERS, Frame
from .router import Router, StoredMessage
from .security import AuthorizationEntry, BrokerSecurity, StompUser
from .store import BrokerStore, Key

log = logging.getLogger("ccsim.stomp")

JOURNAL_BODY_LIMIT = 64 * 1024


def journal_body(body: bytes) -> str:
    return body[:JOURNAL_BODY_LIMIT].decode("utf-8", errors="replace")


def to_message(msg: StoredMessage) -> Message:
    """What an in-process consumer gets: the text, JMSType from `type`, the message's headers
    (the SEND's properties plus message-id; `redelivered` when so), and the id of the
    connection that sent it (`sender`, e.g. stomp-3)."""
    headers = {"message-id": msg.message_id}
    for k, v in msg.headers:
        headers.setdefault(k, v)
    if msg.redelivered:
        headers["redelivered"] = "true"
    return Message(msg.destination, msg.body.decode("utf-8", errors="replace"), msg.jms_type, headers, msg.sender)


class StompBroker:
    def __init__(self, clock: Clock, journal: Journal | None = None, *, host: str = "127.0.0.1", port: int = 0,
                 max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES, heartbeat: tuple[int, int] = (10000, 10000),
                 name: str = "finesse", credentials: Mapping[str, str] | None = None,
                 login: str | None = None, passcode: str | None = None,
                 users: Iterable[StompUser] = (), anonymous_access: bool = False,
                 authorization: Iterable[AuthorizationEntry] = (),
                 max_headers: int = DEFAULT_MAX_HEADERS, max_header_length: int = DEFAULT_MAX_HEADER_LENGTH,
                 max_redeliveries: int | None = 6, close_grace: float = 5.0,
                 limits: Limits | None = None, handler_class: type[StompHandler] = StompHandler,
                 stomp_bytes: int = MemoryBudget().stomp_bytes):
        """`heartbeat` is (can send every, wants to receive every) in ms, as in CONNECTED.
        Credentials: `credentials` maps login -> passcode; `login`/`passcode` add one pair (a
        None login: any login with that passcode; a None passcode: any passcode for that
        login). With none of them anyone may connect. `users`, `anonymous_access` and
        `authorization` are ActiveMQ's simpleAuthenticationPlugin and authorizationPlugin
        (security.py): off when empty. `close_grace`: seconds a closing
        connection waits for the client to close its side. `limits`: max_connections,
        idle_timeout_seconds (the time to CONNECT) and body_timeout_seconds (the time from a
        frame's first byte to its end) of every listener. `stomp_bytes`: the budget of what the
        broker keeps (`store`, store.py)."""
        if heartbeat[0] < 0 or heartbeat[1] < 0:
            raise ValueError("heartbeat intervals must be >= 0 ms")
        self.clock = clock
        self.journal = journal
        self.host = host
        self.port = port
        self.name = name
        self.max_frame_bytes = max_frame_bytes
        self.max_headers = max_headers
        self.max_header_length = max_header_length
        self.close_grace = close_grace
        self.limits = limits or Limits()
        self.store = BrokerStore(stomp_bytes, self._drop_frame)
        self.router = Router(now_ms=clock.now_ms, id_prefix=f"ID:ccsim-{name}", max_redeliveries=max_redeliveries,
                             on_handler_error=self._consumer_failed, store=self.store)
        accounts: dict[str | None, str | None] | None = None if credentials is None else dict(credentials)
        if login is not None or passcode is not None:
            accounts = {**(accounts or {}), login: passcode}
        security = BrokerSecurity(users=users, accounts=accounts, anonymous_access=anonymous_access,
                                  entries=authorization)
        self.handler = handler_class(self.router, clock, heartbeat=heartbeat, security=security,
                                     session_prefix=f"ccsim-{name}")
        self.url: str | None = None
        self._server: asyncio.AbstractServer | None = None
        self._connections: dict[str, StompConnection] = {}
        self._conn_ids = itertools.count(1)

    # -- Transport ------------------------------------------------------------------------
    async def start(self) -> str:
        if self._server is not None:
            raise RuntimeError("the STOMP broker is already started")
        loop = asyncio.get_running_loop()
        gate = ConnectionGate(self._new_connection, lambda: len(self._connections), self.limits.max_connections,
                              label=f"{self.name} STOMP")
        self._server = await loop.create_server(gate, self.host, self.port, reuse_address=True)
        self.port = self._server.sockets[0].getsockname()[1]
        self.url = listener_url(self.host, self.port, "stomp")  # never a wildcard address
        log.info("%s STOMP broker listening on %s", self.name, self.url)
        return self.url

    async def stop(self) -> None:
        """Stop listening and close every connection (no frame is sent: as a broker going down)."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        conns = list(self._connections.values())
        for conn in conns:
            conn.shutdown()
        if conns:
            try:
                await self.clock.wait_for(asyncio.gather(*(c.lost for c in conns)), 2.0)
            except TimeoutError:
                for conn in conns:
                    conn.abort()
        if server is not None:
            await server.wait_closed()
        self._connections.clear()

    def consume(self, destination: str, handler: CommandHandler) -> None:
        """Every message sent to `destination` goes to `handler` (as a transport.Message) on
        the event loop. On a queue, in-process consumers take every message (STOMP subscribers
        of that queue then get none); on a topic they get a copy, like any subscriber."""
        self.router.consume(destination, lambda msg: handler(to_message(msg)))

    def publish(self, destination: str, body: str, jms_type: str | None = None,
                headers: Mapping[str, str] | None = None) -> None:
        """Send a TextMessage (no content-length on its MESSAGE frames) from inside the process.
        Call it on the event loop; it never blocks. ValueError for a destination that is not
        /queue/... or /topic/...; core.StoreFull for a queue's message that must wait and does
        not fit in the store (a topic's never is)."""
        props: list[tuple[str, str]] = [] if jms_type is None else [("type", jms_type)]
        props += [(k, v) for k, v in (headers or {}).items() if k != "type"]
        self.router.send(self.router.new_message(destination, props, body.encode("utf-8"), bytes_message=False))

    def purge(self) -> None:
        """Forget every queue's waiting messages and the topic frames waiting for slow clients
        (a reset: `POST /_ccsim/reset`); the store's counts start again. Connections, their
        subscriptions and transactions, and messages awaiting an ACK stay."""
        self.router.purge()
        for conn in self._connections.values():
            conn.outbox.drop_droppable()
        self.store.reset_counts()

    # -- introspection (tests, admin) -------------------------------------------------------
    @property
    def connection_count(self) -> int:
        return sum(1 for c in self._connections.values() if not c.closing)

    def subscriber_count(self, destination: str) -> int:
        return self.router.subscriber_count(destination)

    def pending_count(self, destination: str) -> int:
        return self.router.pending_count(destination)

    # -- connections ----------------------------------------------------------------------
    def _new_connection(self) -> StompConnection:
        conn = StompConnection(
            self.handler, self.clock, conn_id=f"stomp-{next(self._conn_ids)}",
            record=self._record if self.journal is not None else None, on_lost=self._forget,
            on_internal_error=self._internal_error, max_frame_bytes=self.max_frame_bytes,
            max_headers=self.max_headers, max_header_length=self.max_header_length, close_grace=self.close_grace,
            connect_timeout=self.limits.idle_timeout_seconds, frame_timeout=self.limits.body_timeout_seconds,
            store=self.store)
        self._connections[conn.id] = conn
        return conn

    def _forget(self, conn: StompConnection) -> None:
        self._connections.pop(conn.id, None)

    def _drop_frame(self, key: Key) -> None:
        """The store dropped a frame waiting for a slow client: ("frame", connection id, seq)."""
        conn = self._connections.get(key[1])
        if conn is not None:
            conn.outbox.drop(key[2])

    # -- journal --------------------------------------------------------------------------
    def _record(self, direction: str, conn: StompConnection, frame: Frame, internal_error: str | None) -> None:
        assert self.journal is not None
        payload: dict[str, Any] = {"direction": direction, "connection": conn.id, "headers": frame.header_map,
                                   "body": journal_body(frame.body)}
        if internal_error:
            payload["internalError"] = internal_error
        types = tuple(dict.fromkeys(v for v in (frame.get("type"), frame.get("destination")) if v))
        if direction == "in":
            self.journal.record(self.name, "frame", frame.command, request=payload, types=types)
        else:
            self.journal.record(self.name, "frame", frame.command, response=payload, types=types)

    def _internal_error(self, conn: StompConnection, tb: str) -> None:
        if self.journal is not None:
            self.journal.record(self.name, "frame", "internal-error",
                                response={"direction": "out", "connection": conn.id, "internalError": tb})

    def _consumer_failed(self, destination: str, tb: str) -> None:
        if self.journal is not None:
            self.journal.record(self.name, "frame", "consume", types=(destination,),
                                response={"direction": "in-process", "destination": destination, "internalError": tb})
