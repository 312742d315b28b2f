"""stomp.py's side of one connection of the ActiveMQ transport (activemq.py): the connection as
the transport opens it, the listener stomp.py calls on its receiver thread (what the event loop
must hear is handed to it with call_soon_threadsafe), and the calls that connect and close it, the
blocking ones run in a worker thread.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...core.clock import Clock
from . import broker_address
from .amq_frames import text_of

if TYPE_CHECKING:
    from .activemq import ActiveMqTransport

log = logging.getLogger("ccsim.finesse.activemq")

LISTENER = "zz-ccsim"  # the listener's name: sorted after stomp.py's "protocol-listener"


class ConnectFailed(Exception):
    pass


def new_connection(stomp: Any, host: str, port: int, *, heartbeat_ms: int, heartbeat_grace: float,
                   timeout: float, make_thread: Callable[[Callable[[], None]], Any]) -> Any:
    """A stomp.py connection, not connected yet: content-length off (TextMessages), bodies as bytes."""
    hb = max(0, heartbeat_ms)
    conn = stomp.Connection(
        [(host, port)], heartbeats=(hb, hb), heart_beat_receive_scale=heartbeat_grace,
        auto_content_length=False, auto_decode=False,
        # One TCP attempt per call, no sleeping inside stomp.py: the backoff is ours, on the clock.
        reconnect_attempts_max=1, reconnect_sleep_initial=0.0, reconnect_sleep_jitter=0.0,
        timeout=timeout)
    conn.transport.override_threading(make_thread)
    return conn


class Listener:
    """stomp.py listener for one connection. Runs on stomp.py's receiver thread; must never
    raise (an exception there makes stomp.py's receive loop spin)."""

    def __init__(self, owner: ActiveMqTransport, conn: Any, loop: asyncio.AbstractEventLoop):
        self.owner, self.conn, self.loop = owner, conn, loop
        self.connected: asyncio.Future = loop.create_future()
        self.lost: asyncio.Future = loop.create_future()

    def _call(self, fn: Callable[..., Any], *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is listening
            self.loop.call_soon_threadsafe(fn, *args)

    def on_connected(self, frame: Any) -> None:
        try:
            # Registered under a name sorted after stomp.py's own listener, so its heartbeat
            # thread (if any) exists now: remember it, to join it on stop().
            hb = getattr(self.conn, "heartbeat_thread", None)
            if hb is not None:
                self.owner._track(hb)
            self._call(settle, self.connected, None)
        except Exception:  # pragma: no cover
            log.exception("finesse/activemq: on_connected")

    def on_error(self, frame: Any) -> None:
        try:
            headers = dict(getattr(frame, "headers", {}) or {})
            text = headers.get("message") or text_of(getattr(frame, "body", b""))
            log.warning("finesse/activemq: ERROR frame from the broker: %s", text)
            self._call(settle, self.connected, ConnectFailed(f"broker refused the connection: {text}"))
        except Exception:  # pragma: no cover
            log.exception("finesse/activemq: on_error")

    def on_disconnected(self) -> None:
        try:
            self._call(settle, self.connected, ConnectFailed("connection closed before CONNECTED"))
            self._call(settle, self.lost, None)
            self.owner._connection_gone(self.conn)
        except Exception:  # pragma: no cover
            log.exception("finesse/activemq: on_disconnected")

    def on_message(self, frame: Any) -> None:
        try:
            self.owner._received(frame)
        except Exception:  # pragma: no cover
            log.exception("finesse/activemq: on_message")

    def on_heartbeat_timeout(self) -> None:
        # Called directly (not through getattr) by stomp.py's heartbeat thread, after it has
        # closed the socket; on_disconnected follows from the receiver thread.
        log.warning("finesse/activemq: no heartbeat from %s: connection dropped", self.owner.url)


def settle(fut: asyncio.Future, value: Any) -> None:
    if fut.done():
        return
    if isinstance(value, BaseException):
        fut.set_exception(value)
        fut.exception()  # mark retrieved: a failure nobody awaits any more is not an error
    else:
        fut.set_result(value)


def connect_blocking(stomp: Any, conn: Any, host: str, port: int, login: str | None, passcode: str | None) -> None:
    """Worker thread: TCP connect and CONNECT frame (stomp.py starts its receiver thread)."""
    reason = broker_address.unresolved(host, port)
    if reason is not None:
        raise ConnectFailed(reason)
    with broker_address.capture_cause() as cause:
        try:
            conn.connect(login, passcode, wait=False)
        except stomp.exception.ConnectFailedException:
            raise ConnectFailed(f"cannot connect: {cause()}") from None


async def close(conn: Any, clock: Clock, timeout: float, listener: Listener | None = None,
                graceful: bool = True) -> None:
    """Close one connection cleanly (DISCONNECT, wait for the broker's receipt), or by force."""
    listener = listener or conn.get_listener(LISTENER)
    if graceful and conn.is_connected():
        await asyncio.to_thread(disconnect_blocking, conn)
        if listener is not None and not listener.lost.done():
            with contextlib.suppress(Exception):
                await clock.wait_for(asyncio.shield(listener.lost), timeout)
    if conn.transport.socket is not None or conn.transport.running:
        await asyncio.to_thread(force_close, conn)


def disconnect_blocking(conn: Any) -> None:
    try:
        if conn.is_connected():
            conn.disconnect()  # DISCONNECT with a receipt; stomp.py closes the socket on the receipt
    except Exception as exc:
        log.debug("finesse/activemq: DISCONNECT failed: %s", exc)


def force_close(conn: Any) -> None:
    with contextlib.suppress(Exception):
        conn.transport.disconnect_socket()
