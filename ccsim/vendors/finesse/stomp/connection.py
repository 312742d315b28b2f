"""One client connection of the broker: an asyncio.Protocol in the manner of aiosmtpd's SMTP
class. It turns bytes into frames, keeps the heart-beats, writes and journals frames, and
hands each frame to a handler hook `handler.handle_<COMMAND>(connection, frame)` (see
commands.py). What it guarantees, whatever a client sends:

* each received chunk is handled inside `clock.activity()`, so a virtual clock never jumps
  while a frame is being processed;
* a broken frame, an unknown command, a missing header... gets an ERROR frame (`message`
  header, an explaining body, `receipt-id` when the bad frame asked for a receipt), then the
  connection is closed; an unexpected exception does the same and is journaled with its
  traceback under `internalError` (a bug, which the test suite looks for); an operation the
  broker's security refuses gets its ERROR and the connection goes on (ActiveMQ's way);
* nothing a connection does can raise out of it: other clients keep being served;
* a client that reads slowly holds what it has not read in the connection's outbox (outbox.py),
  counted in the broker's store, not in the socket's buffer; while it does, it is not `ready`
  for a queue's messages (they wait in the queue for it or go to another subscriber).

Closing is graceful: the broker stops reading frames, writes what is pending, half-closes
(FIN), and drops the socket when the client closes its side or after `close_grace` seconds.
Reading the client's remaining bytes meanwhile avoids a TCP reset that would destroy the
ERROR frame before the client reads it.
"""
from __future__ import annotations

import asyncio
import logging
import traceback
from collections.abc import Callable
from typing import Any

from ....core.clock import Clock, TimerHandle, wall_call_later
from . import inflight
from .frames import Frame, FrameError, FrameParser, HeartBeat, encode
from .heartbeat import HeartBeats
from .outbox import Outbox
from .router import Subscription
from .store import BrokerStore, Key

log = logging.getLogger("ccsim.stomp")

# A client that reads nothing while the broker writes to it is dropped past this backlog (what
# waits in its outbox and in its socket's buffer).
MAX_WRITE_BACKLOG = 64 * 1024 * 1024
# Frames are written to the socket while its buffer holds less than this (asyncio's default);
# past it they wait in the outbox, counted in the broker's store.
WRITE_HIGH_WATER = 64 * 1024


class StompError(Exception):
    """A client error the broker answers with an ERROR frame. `fatal` (the default): the
    connection then closes; otherwise (a refused operation, as ActiveMQ's authorization
    answers) it keeps serving and the frame gets no RECEIPT: the ERROR carries its receipt-id."""

    def __init__(self, message: str, detail: str = "", *, headers: list[tuple[str, str]] | None = None,
                 fatal: bool = True):
        super().__init__(f"{message}: {detail}" if detail else message)
        self.message = message
        self.detail = detail
        self.headers = headers or []
        self.fatal = fatal


FrameRecorder = Callable[[str, "StompConnection", Frame, "str | None"], None]


class StompConnection(asyncio.Protocol):
    def __init__(self, handler: Any, clock: Clock, *, conn_id: str, record: FrameRecorder | None = None,
                 on_lost: Callable[["StompConnection"], None] | None = None,
                 on_internal_error: Callable[["StompConnection", str], None] | None = None,
                 max_frame_bytes: int, max_headers: int, max_header_length: int, close_grace: float = 5.0,
                 connect_timeout: float | None = None, frame_timeout: float | None = None,
                 store: BrokerStore | None = None):
        self.handler = handler
        self.clock = clock
        self.id = conn_id
        self._record = record
        self._on_lost = on_lost
        self._on_internal_error = on_internal_error
        self.close_grace = close_grace
        self.connect_timeout = connect_timeout
        self._connect_timer: asyncio.TimerHandle | None = None
        # A frame has frame_timeout seconds from its first byte to its end (limits.body_timeout_seconds).
        self.frame_timeout = frame_timeout
        self._frame_timer: asyncio.TimerHandle | None = None
        self._timed_frame: int | None = None  # which frame (parser.frames_begun) the timer is for
        self.parser = FrameParser(version="1.2", max_frame_bytes=max_frame_bytes, max_headers=max_headers,
                                  max_header_length=max_header_length)
        self.transport: asyncio.Transport | None = None
        self.peer: Any = None
        self.local: Any = None
        # STOMP session state, kept here and managed by the handler.
        self.version = "1.2"  # what frames are escaped for; the negotiated one once connected
        self.connected = False
        self.login: str | None = None
        self.principal: Any = None  # who it authenticated as (security.Principal), None without authentication
        self.host: str | None = None
        self.session_id: str | None = None
        self.subscriptions: dict[str, Subscription] = {}
        # Open transactions: what each holds until COMMIT (its key in the store, the action).
        self.transactions: dict[str, list[tuple[Key, Callable[[], None]]]] = {}
        self.outbox = Outbox(store or handler.router.store, conn_id)
        self._write_paused = False
        self.heartbeats = HeartBeats(clock, self._write_eol, self._heartbeat_timeout)
        self.closing = False  # no more frames are read or dispatched
        self.close_requested = False  # set by a hook (DISCONNECT): close once the frame is answered
        self.lost = asyncio.get_running_loop().create_future()
        self._grace_timer: TimerHandle | None = None
        self._detached = False

    # -- asyncio.Protocol -------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.peer = transport.get_extra_info("peername")
        self.local = transport.get_extra_info("sockname")
        transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)
        log.debug("stomp %s: connection from %s", self.id, self.peer)
        if self.connect_timeout is not None:
            self._connect_timer = wall_call_later(self.connect_timeout, self._connect_timed_out)
        self._guard(lambda: self.handler.connection_made(self))

    def data_received(self, data: bytes) -> None:
        with self.clock.activity():
            inflight.received(self.local, self.peer, len(data))
            if self.closing:
                return  # draining what the client still sends after an ERROR or DISCONNECT
            self.heartbeats.received()
            self._handle_bytes(data)
            self._watch_frame()

    def eof_received(self) -> bool:
        return False  # the client closed its side: close ours (connection_lost follows)

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        """The client has read enough: what waits goes out, then it takes a queue's messages again."""
        self._write_paused = False
        with self.clock.activity():
            self._flush()
            if self.ready:
                self._guard(lambda: self.handler.writable(self))

    def connection_lost(self, exc: Exception | None) -> None:
        log.debug("stomp %s: connection lost (%s)", self.id, exc or "closed")
        self.closing = True
        self.heartbeats.stop()
        if self._grace_timer is not None:
            self._grace_timer.cancel()
        self._stop_connect_timer()
        self._stop_frame_timer()
        self._detach()
        self.outbox.clear()
        inflight.forget(self.local, self.peer)
        if not self.lost.done():
            self.lost.set_result(None)
        if self._on_lost is not None:
            self._guard(lambda: self._on_lost(self))

    # -- receiving ------------------------------------------------------------------------
    def _handle_bytes(self, data: bytes) -> None:
        frame: Frame | None = None
        try:
            for item in self.parser.feed(data):
                if isinstance(item, HeartBeat):
                    continue
                frame = item
                self._journal("in", frame)
                try:
                    self._dispatch(frame)
                except StompError as exc:
                    if exc.fatal:
                        raise
                    self.send_error(exc.message, exc.detail, receipt=frame.get("receipt"), headers=exc.headers)
                frame = None
                if self.closing:
                    return
        except FrameError as exc:
            self.fail(exc.message, exc.detail, receipt=exc.receipt)
        except StompError as exc:
            self.fail(exc.message, exc.detail, receipt=frame.get("receipt") if frame else None, headers=exc.headers)
        except Exception:  # a bug in the broker: answer, keep the evidence, keep serving others
            tb = traceback.format_exc()
            log.error("stomp %s: internal error on %s\n%s", self.id, frame.command if frame else "input", tb)
            self.fail("Internal broker error", "the simulator's STOMP broker failed on this frame (a ccsim bug)",
                      receipt=frame.get("receipt") if frame else None, internal_error=tb)

    def _dispatch(self, frame: Frame) -> None:
        command = frame.command
        hook = getattr(self.handler, f"handle_{command}", None) if command.isupper() else None
        if hook is None:
            raise StompError(f"Unknown STOMP action: {command}",
                             "STOMP commands are CONNECT, STOMP, SEND, SUBSCRIBE, UNSUBSCRIBE, ACK, NACK, BEGIN, COMMIT, ABORT, DISCONNECT")
        if not self.connected and command not in ("CONNECT", "STOMP"):
            raise StompError("Not connected", f"the first frame on a connection must be CONNECT or STOMP, not {command}")
        hook(self, frame)
        if self.connected:
            self._stop_connect_timer()
        receipt = frame.get("receipt")
        if receipt is not None and command not in ("CONNECT", "STOMP") and not self.closing:
            self.send_frame(Frame("RECEIPT", [("receipt-id", receipt)]))
        if self.close_requested and not self.closing:
            self.close()

    # -- sending --------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        """Does the client read what it is sent (nothing waits for it)? Then it takes a queue's messages."""
        return not self._write_paused and not self.outbox and not self.closing and self.transport is not None

    def send_frame(self, frame: Frame, *, content_length: bool = False, internal_error: str | None = None,
                   dropped: Callable[[], None] | None = None) -> None:
        """Write a frame, or keep it in the outbox while the client is behind. `dropped`: the frame
        may be dropped unread (a topic's MESSAGE), and what that means."""
        if self.transport is None or self.transport.is_closing():
            return
        if not self._write_paused and not self.outbox:
            self._write(frame, content_length, internal_error)
        elif not self.outbox.put(frame, content_length=content_length, internal_error=internal_error, dropped=dropped):
            log.warning("stomp %s: client reads too slowly and the broker's store is full: dropped", self.id)
            self.abort()
            return
        backlog = self.outbox.bytes + self.transport.get_write_buffer_size()
        if backlog > MAX_WRITE_BACKLOG:
            log.warning("stomp %s: client reads too slowly (%d bytes waiting): dropped", self.id, backlog)
            self.abort()

    def _write(self, frame: Frame, content_length: bool, internal_error: str | None) -> None:
        assert self.transport is not None
        data = encode(frame, self.version, content_length=content_length)
        self._journal("out", frame, internal_error)
        self.transport.write(data)
        inflight.sent(self.local, self.peer, len(data))
        self.heartbeats.sent()

    def _flush(self) -> None:
        """Write what waits, while the socket takes it."""
        while not self._write_paused and self.transport is not None and not self.transport.is_closing() \
                and (item := self.outbox.take()) is not None:
            self._write(item.frame, item.content_length, item.internal_error)

    def deliver(self, sub: Subscription, msg: Any, tag: str) -> None:
        """Router callback: write a MESSAGE (the handler formats it). Never raises."""
        self._guard(lambda: self.handler.deliver(self, sub, msg, tag))

    def _write_eol(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"\n")
            inflight.sent(self.local, self.peer, 1)

    def _journal(self, direction: str, frame: Frame, internal_error: str | None = None) -> None:
        if self._record is not None:
            self._guard(lambda: self._record(direction, self, frame, internal_error))

    # -- closing --------------------------------------------------------------------------
    def fail(self, message: str, detail: str = "", *, receipt: str | None = None,
             headers: list[tuple[str, str]] | None = None, internal_error: str | None = None) -> None:
        """Answer with an ERROR frame and close."""
        if self.closing:
            return
        self.send_error(message, detail, receipt=receipt, headers=headers, internal_error=internal_error)
        self.close()

    def send_error(self, message: str, detail: str = "", *, receipt: str | None = None,
                   headers: list[tuple[str, str]] | None = None, internal_error: str | None = None) -> None:
        """Write an ERROR frame (`message` header, `detail` as the text body)."""
        error_headers = [("message", message)]
        if receipt is not None:
            error_headers.append(("receipt-id", receipt))
        error_headers += headers or []
        error_headers.append(("content-type", "text/plain"))
        body = (detail or message) + "\n"
        self.send_frame(Frame("ERROR", error_headers, body.encode("utf-8")), content_length=True,
                        internal_error=internal_error)

    def close(self) -> None:
        """Stop serving: leave every destination, flush, half-close, drop after the grace."""
        if self.closing:
            return
        self.closing = True
        self.heartbeats.stop()
        self._detach()
        transport = self.transport
        if transport is None or transport.is_closing():
            self.outbox.clear()
            return
        for item in self.outbox.keep_only_undroppable():  # an ERROR, RECEIPTs: the client reads them before the close
            self._write(item.frame, item.content_length, item.internal_error)
        if transport.can_write_eof():
            try:
                transport.write_eof()
            except (OSError, RuntimeError):
                transport.close()
                return
            self._grace_timer = self.clock.call_later(self.close_grace, self.abort)
        else:
            transport.close()

    def shutdown(self) -> None:
        """The broker is stopping: leave every destination, flush what is written, close."""
        self.closing = True
        self.heartbeats.stop()
        self._detach()
        self.outbox.clear()
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def abort(self) -> None:
        self.closing = True
        self.heartbeats.stop()
        self._detach()
        self.outbox.clear()
        if self.transport is not None:
            self.transport.abort()

    def _detach(self) -> None:
        """Leave the router exactly once: subscriptions gone, unacked messages given back."""
        if self._detached:
            return
        self._detached = True
        self._guard(lambda: self.handler.connection_lost(self))  # it forgets the transactions too

    def _stop_connect_timer(self) -> None:
        if self._connect_timer is not None:
            self._connect_timer.cancel()
            self._connect_timer = None

    def _connect_timed_out(self) -> None:
        self._connect_timer = None
        with self.clock.activity():
            self.fail("Connect timeout", f"no CONNECT frame within {self.connect_timeout:g} s of opening the connection")

    def _watch_frame(self) -> None:
        """A frame begun and not ended gets a deadline; a frame that ends, or the next one, ends it.
        Heart-beats keep a connection alive, not a frame sent a byte at a time."""
        if self.frame_timeout is None or self.closing:
            return
        begun = self.parser.frames_begun if self.parser.in_frame else None
        if begun != self._timed_frame:
            self._stop_frame_timer()
            self._timed_frame = begun
            if begun is not None:
                self._frame_timer = wall_call_later(self.frame_timeout, self._frame_timed_out)

    def _stop_frame_timer(self) -> None:
        if self._frame_timer is not None:
            self._frame_timer.cancel()
            self._frame_timer = None

    def _frame_timed_out(self) -> None:
        self._frame_timer = None
        with self.clock.activity():
            self.fail("Frame timeout", f"a frame was not complete within {self.frame_timeout:g} s of its first byte")

    def _heartbeat_timeout(self, silent: float) -> None:
        with self.clock.activity():
            self.fail("Heart-beat timeout",
                      f"nothing received for {silent * 1000:.0f} ms; the negotiated client heart-beat interval is "
                      f"{self.heartbeats.expect_ms} ms (the broker waits {self.heartbeats.grace:g} times that)")

    def _guard(self, action: Callable[[], Any]) -> None:
        """Run a callback that must not raise; a failure is a bug, logged and reported."""
        try:
            action()
        except Exception:
            tb = traceback.format_exc()
            log.error("stomp %s: internal error\n%s", self.id, tb)
            if self._on_internal_error is not None:
                try:
                    self._on_internal_error(self, tb)
                except Exception:
                    log.exception("stomp %s: reporting an internal error failed", self.id)
