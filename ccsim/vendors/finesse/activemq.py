"""The Finesse face over an external ActiveMQ (or any STOMP 1.1 broker), through stomp.py.

ccsim plays the connector: it consumes the command queue and publishes events to the
clients' topics on a broker that someone else runs. stomp.py is thread-based; this module is
the bridge between its threads and the simulator's event loop.

Threads (all started by this transport, all gone after stop()):

* stomp.py's receiver thread, one per connection ("ccsim-<name>-stomp-rx"): reads frames and
  calls the listener (activemq_listener.py). Each MESSAGE is handed to the event loop with call_soon_threadsafe;
  handlers always run on the loop.
* stomp.py's heartbeat thread, one per connection (named by stomp.py "StompHeartbeat...").
* one sender thread ("ccsim-<name>-stomp-tx") that performs every write this transport makes
  after CONNECT: SUBSCRIBE frames (again after each reconnect) and published messages.
  publish() only appends to a bounded outbox and wakes it, so the event loop never waits
  on a socket.

The connection is managed by one task on the event loop: connect (the blocking TCP connect
and CONNECT frame in a worker thread), wait for CONNECTED on the injected clock, hand the
connection to the sender, wait until it is lost, wait the backoff on the clock, repeat.

Decisions:

* Broker absent at start(): start() does not fail. It returns the URL at once, logs a
  warning saying the broker is unreachable and that ccsim keeps trying, and connects in the
  background with exponential backoff (reconnect_initial doubling up to reconnect_max).
  The rest of the simulator (admin API, other faces) is usable meanwhile. `connected`
  tells whether the transport is connected now.
* Publish while the broker is down (or before the first connection): never raises, never
  blocks. The message is queued in an outbox of `outbox_limit` messages and sent, in order,
  once connected and subscribed again. When the outbox is full the OLDEST queued message is
  dropped and counted in `dropped` (a warning is logged once per outage). Delivery is at
  most once: a message written to a socket that dies a moment later is lost with it.
* Consumed commands are auto-acknowledged (ack: auto). Commands sent to the queue while ccsim
  is disconnected stay on the broker's queue and are delivered after the re-subscription.
* Journal (when given): one entry per message, at the moment it crosses this transport:
  journal.record(name, "jms", "consume", request={"destination", "type", "body"}) for each
  consumed command (on the loop, just before the handler runs), and
  journal.record(name, "jms", "publish", response={"destination", "type", "body"}) for each
  publish() call (when the face publishes, whether it is sent at once or queued).
  "type" is the JMSType (the STOMP `type` header) or None.
* Wire format for ActiveMQ: SEND frames carry no content-length (stomp.py
  auto_content_length=False), so JMS consumers get a TextMessage; the `type` header (JMSType)
  is sent only when jms_type is given. A body must therefore not contain a NUL character.
  Received bodies are decoded as UTF-8 (undecodable bytes replaced).
* Heart-beats: `heartbeat_ms` both ways; the broker is taken for dead after
  `heartbeat_grace` intervals without a frame from it. ActiveMQ's write checker skips a
  beat after any frame it sent, so its beats can be two intervals apart (AMQ-4710,
  https://issues.apache.org/jira/browse/AMQ-4710; stomp.py issue #203): with stomp.py's
  default 1.5 the connection dropped about 15 s after a client's last command. 2.5 by default.
* Time: backoffs and the CONNECTED timeout are measured on the injected clock. This
  transport needs a RealClock: the broker, its heartbeats and the agent application live in
  wall time, and a VirtualClock would jump its timers while a command is still on the wire
  (it cannot see frames in stomp.py's threads). Constructing it with a virtual clock is
  refused. With RealClock(speed=N) the backoffs shrink N times.

stomp.py is imported when the transport is created, so the simulator runs without it unless a
face is configured with transport "activemq".
"""
from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...core.clock import Clock
from ...core.journal import Journal
from .activemq_listener import LISTENER, ConnectFailed, Listener, close, connect_blocking, force_close, new_connection
from .amq_frames import sender_of, text_of
from .transport import CommandHandler, Message

log = logging.getLogger("ccsim.finesse.activemq")

STOMP_MISSING = "the ActiveMQ transport needs stomp.py: pip install 'stomp.py>=9'"


def _import_stomp() -> Any:
    try:
        import stomp
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError(STOMP_MISSING) from exc
    return stomp


@dataclass(frozen=True)
class _Outgoing:
    destination: str
    body: str
    jms_type: str | None


class ActiveMqTransport:
    """Transport (see transport.py) over an external STOMP broker, through stomp.py."""

    def __init__(self, clock: Clock, *, host: str, port: int, login: str | None = None,
                 passcode: str | None = None, heartbeat_ms: int = 10000, heartbeat_grace: float = 2.5,
                 reconnect_initial: float = 0.5,
                 reconnect_max: float = 10.0, journal: Journal | None = None, name: str = "finesse",
                 outbox_limit: int = 10000, connect_timeout: float = 10.0, stop_timeout: float = 5.0):
        if getattr(clock, "virtual", False):
            raise ValueError("the ActiveMQ transport needs the real clock: the broker and its clients run in "
                             "wall time (use the embedded transport with the virtual clock)")
        if reconnect_initial <= 0 or reconnect_max < reconnect_initial:
            raise ValueError("need 0 < reconnect_initial <= reconnect_max")
        if outbox_limit < 1:
            raise ValueError("outbox_limit must be >= 1")
        self._stomp = _import_stomp()
        self.clock = clock
        self.host, self.port = host, int(port)
        self.login, self.passcode = login, passcode
        self.heartbeat_ms = int(heartbeat_ms)
        self.heartbeat_grace = float(heartbeat_grace)
        self.reconnect_initial, self.reconnect_max = float(reconnect_initial), float(reconnect_max)
        self.journal = journal
        self.name = name
        self.outbox_limit = outbox_limit
        self.connect_timeout = connect_timeout
        self.stop_timeout = stop_timeout
        self.url = f"stomp://{host}:{self.port} (ActiveMQ)"

        # Counters, for the face's health and for tests.
        self.dropped = 0  # published messages dropped because the outbox was full
        self.sent = 0  # messages written to the broker
        self.received = 0  # messages handed to handlers
        self.connects = 0  # successful connections (1 + reconnections)
        self.failed_attempts = 0  # connection attempts that failed

        # Shared with stomp.py's and the sender's threads: guarded by _cv.
        self._cv = threading.Condition()
        self._outbox: deque[_Outgoing] = deque()
        self._subs: dict[str, tuple[str, CommandHandler]] = {}  # subscription id -> (destination, handler)
        self._sub_ids = itertools.count(1)
        self._conn: Any = None  # the connection the sender writes to (CONNECTED), or None
        self._subscribed: set[str] = set()  # subscription ids sent on _conn
        self._stopping = False
        self._drop_warned = False
        self._threads: list[threading.Thread] = []

        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._pending_connect: asyncio.Future | None = None
        self._attempt: Any = None  # the connection being set up or in use (for stop())
        self._sender: threading.Thread | None = None
        self._started = False

    # -- the Transport interface ---------------------------------------------------------
    async def start(self) -> str:
        if self._started:
            return self.url
        self._started = True
        self._loop = asyncio.get_running_loop()
        self._sender = threading.Thread(target=self._send_loop, name=f"ccsim-{self.name}-stomp-tx", daemon=True)
        self._track(self._sender)
        self._sender.start()
        self._task = self._loop.create_task(self._run(), name=f"ccsim-{self.name}-activemq")
        return self.url

    async def stop(self) -> None:
        if not self._started or self._stopping:
            return
        with self._cv:
            self._stopping = True
            self._cv.notify_all()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
        if self._pending_connect is not None and not self._pending_connect.done():
            # A connect in a worker thread is still running: let it end (bounded by the socket
            # timeout) so that its connection can be closed too.
            with contextlib.suppress(BaseException):
                await self.clock.wait_for(asyncio.shield(self._pending_connect), self.connect_timeout + 1)
        # The sender sends what is queued if the connection is up, then ends.
        await self._join([self._sender] if self._sender else [], self.stop_timeout)
        conn, self._attempt = self._attempt, None
        if conn is not None:
            # A sender still alive is stuck writing to a broker that does not read: no DISCONNECT
            # then (it would wait for the same socket); closing the socket frees the sender.
            await close(conn, self.clock, self.stop_timeout, graceful=not (self._sender and self._sender.is_alive()))
        with self._cv:
            self._conn = None
        await self._join(self._threads, self.stop_timeout)
        alive = [t.name for t in self._threads if t.is_alive()]
        if alive:
            log.warning("finesse/activemq: threads still running after stop: %s", ", ".join(alive))
        if self._outbox:
            log.warning("finesse/activemq: %d queued message(s) were not sent before stop", len(self._outbox))

    def consume(self, destination: str, handler: CommandHandler) -> None:
        with self._cv:
            sub_id = f"ccsim-{self.name}-{next(self._sub_ids)}"
            self._subs[sub_id] = (destination, handler)
            self._cv.notify_all()  # when connected, the sender subscribes it now

    def publish(self, destination: str, body: str, jms_type: str | None = None) -> None:
        if self.journal is not None:
            self.journal.record(self.name, "jms", "publish",
                                response={"destination": destination, "type": jms_type, "body": body})
        item = _Outgoing(destination, body if body is not None else "", jms_type)
        with self._cv:
            if len(self._outbox) >= self.outbox_limit:
                self._outbox.popleft()
                self.dropped += 1
                if not self._drop_warned:
                    self._drop_warned = True
                    log.warning("finesse/activemq: outbox full (%d messages) while %s is unreachable: dropping "
                                "the oldest queued messages", self.outbox_limit, self.url)
            self._outbox.append(item)
            self._cv.notify_all()

    # -- state ---------------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        conn = self._conn
        return conn is not None and bool(conn.is_connected())

    @property
    def queued(self) -> int:
        return len(self._outbox)

    # -- connection management (event loop) ----------------------------------------------
    async def _run(self) -> None:
        delay = self.reconnect_initial
        down_since_warned = False
        warned_reason = ""
        while not self._stopping:
            try:
                listener = await self._connect()
            except Exception as exc:  # ConnectFailed, or a bug: either way keep trying
                if not isinstance(exc, ConnectFailed):
                    log.exception("finesse/activemq: unexpected error while connecting")
                self.failed_attempts += 1
                if not down_since_warned or str(exc) != warned_reason:  # once, and again when the cause changes
                    down_since_warned, warned_reason = True, str(exc)
                    log.warning("finesse/activemq: cannot reach %s (%s); the Finesse face keeps trying in the "
                                "background (backoff %.1fs up to %.1fs); events are queued meanwhile",
                                self.url, exc, delay, self.reconnect_max)
                else:
                    log.debug("finesse/activemq: attempt failed (%s); next in %.1fs", exc, delay)
                await self.clock.sleep(delay)
                delay = min(delay * 2, self.reconnect_max)
                continue
            self.connects += 1
            if self.connects > 1:
                log.warning("finesse/activemq: connected to %s again", self.url)
            elif down_since_warned:
                log.warning("finesse/activemq: connected to %s at last (after %d failed attempts)",
                            self.url, self.failed_attempts)
            else:
                log.info("finesse/activemq: connected to %s", self.url)
            down_since_warned = False
            delay = self.reconnect_initial
            with self._cv:
                self._drop_warned = False
                self._conn = listener.conn
                self._subscribed = set()
                self._cv.notify_all()
            await asyncio.shield(listener.lost)  # shielded: stop() cancels this task, not the future
            with self._cv:
                if self._conn is listener.conn:
                    self._conn = None
            if self._attempt is listener.conn:
                self._attempt = None
            if self._stopping:
                return
            down_since_warned = True
            log.warning("finesse/activemq: lost the connection to %s; reconnecting (backoff %.1fs up to %.1fs)",
                        self.url, delay, self.reconnect_max)
            await self.clock.sleep(delay)
            delay = min(delay * 2, self.reconnect_max)

    async def _connect(self) -> Listener:
        assert self._loop is not None
        conn = new_connection(self._stomp, self.host, self.port, heartbeat_ms=self.heartbeat_ms,
                              heartbeat_grace=self.heartbeat_grace, timeout=self.connect_timeout,
                              make_thread=self._make_thread)
        listener = Listener(self, conn, self._loop)
        conn.set_listener(LISTENER, listener)
        self._attempt = conn
        self._pending_connect = asyncio.ensure_future(asyncio.to_thread(
            connect_blocking, self._stomp, conn, self.host, self.port, self.login, self.passcode))
        try:
            await asyncio.shield(self._pending_connect)
            await self.clock.wait_for(asyncio.shield(listener.connected), self.connect_timeout)
        except Exception as exc:  # refused, reset, ERROR frame, no CONNECTED in time, ...
            await close(conn, self.clock, self.stop_timeout, listener)
            if self._attempt is conn:
                self._attempt = None
            if isinstance(exc, TimeoutError):
                reason = f"no CONNECTED frame within {self.connect_timeout:g}s"
            else:
                reason = str(exc) or type(exc).__name__
            raise ConnectFailed(reason) from None
        return listener

    # -- threads -------------------------------------------------------------------------
    def _make_thread(self, target: Callable[[], None]) -> threading.Thread:
        thread = threading.Thread(target=target, name=f"ccsim-{self.name}-stomp-rx", daemon=True)
        self._track(thread)
        thread.start()
        return thread

    def _track(self, thread: threading.Thread) -> None:
        with self._cv:
            self._threads = [t for t in self._threads if t.is_alive() or not t.ident] + [thread]

    async def _join(self, threads: list[threading.Thread], timeout: float) -> None:
        deadline = self.clock.now() + timeout
        while any(t.is_alive() for t in list(threads)) and self.clock.now() < deadline:
            await self.clock.sleep(0.02)

    # -- stomp.py's receiver thread --------------------------------------------------------
    def _received(self, frame: Any) -> None:
        headers = dict(frame.headers)
        with self._cv:
            sub = self._subs.get(headers.get("subscription", ""))
        if sub is None:
            log.warning("finesse/activemq: MESSAGE for unknown subscription %r", headers.get("subscription"))
            return
        destination, handler = sub
        message = Message(destination=headers.get("destination", destination), body=text_of(frame.body),
                          jms_type=headers.get("type"), headers=headers, sender=sender_of(headers.get("message-id")))
        assert self._loop is not None
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._deliver, handler, message)

    def _connection_gone(self, conn: Any) -> None:
        with self._cv:
            if self._conn is conn:
                self._conn = None
                self._cv.notify_all()

    # -- the event loop ------------------------------------------------------------------
    def _deliver(self, handler: CommandHandler, message: Message) -> None:
        if self._stopping:
            return
        self.received += 1
        if self.journal is not None:
            self.journal.record(self.name, "jms", "consume",
                                request={"destination": message.destination, "type": message.jms_type,
                                         "body": message.body})
        try:
            handler(message)
        except Exception:
            log.exception("finesse/activemq: handler failed on %r", message.jms_type)

    # -- the sender thread -----------------------------------------------------------------
    def _send_loop(self) -> None:
        while True:
            with self._cv:
                while True:
                    conn = self._conn
                    live = conn is not None
                    todo_subs = [(i, d) for i, (d, _) in self._subs.items()
                                 if live and i not in self._subscribed]
                    if live and (todo_subs or self._outbox):
                        break
                    if self._stopping:
                        return
                    self._cv.wait()
                item = self._outbox[0] if not todo_subs else None
            try:
                if todo_subs:
                    for sub_id, destination in todo_subs:
                        conn.subscribe(destination, id=sub_id, ack="auto")
                        with self._cv:
                            if self._conn is conn:
                                self._subscribed.add(sub_id)
                    continue
                assert item is not None
                headers = {"type": item.jms_type} if item.jms_type is not None else {}
                conn.send(item.destination, item.body, headers=headers)
            except Exception as exc:
                log.warning("finesse/activemq: write to %s failed (%s); waiting for the reconnection", self.url, exc)
                with self._cv:
                    if self._conn is conn:
                        self._conn = None
                force_close(conn)  # make sure the receiver notices and reports it lost
                continue
            with self._cv:
                if self._outbox and self._outbox[0] is item:
                    self._outbox.popleft()
                self.sent += 1
