"""A small asyncio STOMP client (1.0, 1.1, 1.2) for ccsim's own tests and scenario steps: it
talks to a broker from inside the simulator's event loop (stomp.py is thread-based).

Time is the given clock's (a RealClock when none is given): timeouts use `clock.wait_for`,
heart-beats `clock.call_later`, and each frame written is wrapped in `clock.activity()`. Bytes
between this client and the broker of the same process count as in flight until the other
end has read them (inflight.py), so a VirtualClock never jumps while a frame is on the wire,
in either direction. Pass the simulator's clock for that.

    client = await StompClient.connect("127.0.0.1", port, clock=clock)
    await client.subscribe("/topic/agent1", id="events")
    await client.send("/queue/Connector1", "secret,2204", headers={"type": "Login#1001"})
    message = await client.next_message(timeout=5)   # a Frame: message["type"], message.text
    await client.disconnect()
"""
from __future__ import annotations

import asyncio
import itertools
from collections import deque
from collections.abc import Mapping

from ....core.clock import Clock, RealClock
from . import inflight
from .frames import DEFAULT_MAX_FRAME_BYTES, Frame, FrameError, FrameParser, encode
from .heartbeat import HeartBeats, negotiate, parse_heartbeat

Headers = Mapping[str, str] | None


class StompClientError(Exception):
    """The broker answered ERROR (`frame` is it), or the connection is gone."""

    def __init__(self, message: str, frame: Frame | None = None):
        if frame is not None:
            message = f"{message}: {frame.get('message', '')} {frame.text.strip()}".rstrip()
        super().__init__(message)
        self.frame = frame


def _fail(fut: asyncio.Future, exc: BaseException) -> None:
    if not fut.done():
        fut.set_exception(exc)
        fut.exception()  # retrieved: nobody waiting is not an error


class _Protocol(asyncio.Protocol):
    def __init__(self, client: "StompClient"):
        self.client = client

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.client._transport = transport
        self.local, self.peer = transport.get_extra_info("sockname"), transport.get_extra_info("peername")
        inflight.register(self.local, self.peer, self.client.clock)
        self.client._protocol = self

    def data_received(self, data: bytes) -> None:
        inflight.received(self.local, self.peer, len(data))
        self.client._on_data(data)

    def connection_lost(self, exc: Exception | None) -> None:
        inflight.forget(self.local, self.peer)
        self.client._on_lost(exc)


class StompClient:
    def __init__(self, clock: Clock, *, version: str = "1.2", heartbeat: tuple[int, int] = (0, 0),
                 max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES):
        loop = asyncio.get_running_loop()
        self.clock = clock
        self.version = version
        self.heartbeat = heartbeat
        self.connected_frame: Frame | None = None
        self.error: Frame | None = None  # the ERROR frame the broker sent, if any
        self.close_reason: str | None = None
        self.closed = False
        self._parser = FrameParser(version=version, max_frame_bytes=max_frame_bytes)
        self._transport: asyncio.Transport | None = None
        self._protocol: _Protocol | None = None
        self._messages: deque[Frame] = deque()
        self._changed = asyncio.Event()
        self._connected: asyncio.Future[Frame] = loop.create_future()
        self._lost: asyncio.Future[None] = loop.create_future()
        self._receipts: dict[str, asyncio.Future[Frame]] = {}
        self._receipt_ids = itertools.count(1)
        self.heartbeats = HeartBeats(clock, self._write_eol, self._broker_silent)

    # -- connecting -----------------------------------------------------------------------
    @classmethod
    async def connect(cls, host: str, port: int, clock: Clock | None = None, version: str = "1.2",
                      heartbeat: tuple[int, int] = (0, 0), login: str | None = None, passcode: str | None = None,
                      *, vhost: str | None = None, headers: Headers = None, timeout: float = 10.0,
                      command: str = "CONNECT") -> "StompClient":
        """Connect and wait for CONNECTED. `version` is the one version offered ("1.0" sends no
        accept-version, as a 1.0 client). StompClientError when the broker answers ERROR."""
        clock = clock if clock is not None else RealClock()
        client = cls(clock, version=version, heartbeat=heartbeat)
        loop = asyncio.get_running_loop()
        with clock.activity():
            await loop.create_connection(lambda: _Protocol(client), host, port)
        pairs: list[tuple[str, str]] = []
        if version != "1.0":
            pairs += [("accept-version", version), ("host", vhost or host), ("heart-beat", f"{heartbeat[0]},{heartbeat[1]}")]
        if login is not None:
            pairs.append(("login", login))
        if passcode is not None:
            pairs.append(("passcode", passcode))
        pairs += list((headers or {}).items())
        client._write(Frame(command, pairs))
        try:
            connected = await clock.wait_for(client._connected, timeout)
        except BaseException:
            client.close()
            raise
        client.connected_frame = connected
        client.version = connected.get("version", "1.0")
        client._parser.version = client.version
        if client.version != "1.0":
            send_ms, expect_ms = negotiate(heartbeat, parse_heartbeat(connected.get("heart-beat")))
            if send_ms or expect_ms:
                client.heartbeats.start(send_ms, expect_ms)
        return client

    @property
    def session(self) -> str | None:
        return self.connected_frame.get("session") if self.connected_frame else None

    # -- commands -------------------------------------------------------------------------
    async def send(self, destination: str, body: str | bytes = "", headers: Headers = None, *,
                   transaction: str | None = None, content_length: bool = False,
                   receipt: bool | str = False, timeout: float = 10.0) -> Frame | None:
        """SEND; with no content-length by default (a TextMessage on ActiveMQ)."""
        pairs = [("destination", destination)] + list((headers or {}).items())
        if transaction is not None:
            pairs.append(("transaction", transaction))
        data = body.encode("utf-8") if isinstance(body, str) else body
        return await self._request(Frame("SEND", pairs, data), receipt, timeout, content_length=content_length)

    async def subscribe(self, destination: str, id: str | None, ack: str = "auto", headers: Headers = None, *,
                        receipt: bool | str = True, timeout: float = 10.0) -> Frame | None:
        """SUBSCRIBE; waits for the broker's RECEIPT by default, so that the subscription is in
        place when this returns."""
        pairs = [("destination", destination)] + ([("id", id)] if id is not None else []) + [("ack", ack)]
        pairs += list((headers or {}).items())
        return await self._request(Frame("SUBSCRIBE", pairs), receipt, timeout)

    async def unsubscribe(self, id: str, *, receipt: bool | str = True, timeout: float = 10.0) -> Frame | None:
        return await self._request(Frame("UNSUBSCRIBE", [("id", id)]), receipt, timeout)

    def _ack_headers(self, message: Frame, transaction: str | None) -> list[tuple[str, str]]:
        if self.version == "1.2":
            pairs = [("id", message["ack"])]
        elif self.version == "1.1":
            pairs = [("message-id", message["message-id"]), ("subscription", message["subscription"])]
        else:
            pairs = [("message-id", message["message-id"])]
        return pairs + ([("transaction", transaction)] if transaction is not None else [])

    async def ack(self, message: Frame, *, transaction: str | None = None, receipt: bool | str = False,
                  timeout: float = 10.0) -> Frame | None:
        return await self._request(Frame("ACK", self._ack_headers(message, transaction)), receipt, timeout)

    async def nack(self, message: Frame, *, transaction: str | None = None, receipt: bool | str = False,
                   timeout: float = 10.0) -> Frame | None:
        return await self._request(Frame("NACK", self._ack_headers(message, transaction)), receipt, timeout)

    async def begin(self, transaction: str, *, receipt: bool | str = False, timeout: float = 10.0) -> Frame | None:
        return await self._request(Frame("BEGIN", [("transaction", transaction)]), receipt, timeout)

    async def commit(self, transaction: str, *, receipt: bool | str = False, timeout: float = 10.0) -> Frame | None:
        return await self._request(Frame("COMMIT", [("transaction", transaction)]), receipt, timeout)

    async def abort(self, transaction: str, *, receipt: bool | str = False, timeout: float = 10.0) -> Frame | None:
        return await self._request(Frame("ABORT", [("transaction", transaction)]), receipt, timeout)

    async def disconnect(self, receipt: bool = True, timeout: float = 10.0) -> None:
        """DISCONNECT (waiting for its RECEIPT when `receipt`), then close the socket."""
        if self.closed:
            return
        try:
            await self._request(Frame("DISCONNECT"), receipt, timeout)
        finally:
            self.close()
        await self.wait_closed(timeout)

    # -- receiving ------------------------------------------------------------------------
    async def next_message(self, timeout: float | None = 10.0) -> Frame:
        """The next MESSAGE frame. TimeoutError after `timeout` seconds of the clock;
        StompClientError when the connection is closed (with the ERROR frame, if any)."""
        async def take() -> Frame:
            while True:
                if self._messages:
                    return self._messages.popleft()
                if self.closed:
                    raise StompClientError(self.close_reason or "connection closed", self.error)
                self._changed.clear()
                await self._changed.wait()

        return await self.clock.wait_for(take(), timeout)

    def drain(self) -> list[Frame]:
        """The MESSAGE frames received and not yet taken, without waiting."""
        out = list(self._messages)
        self._messages.clear()
        return out

    async def wait_closed(self, timeout: float | None = 10.0) -> Frame | None:
        """Wait until the broker has closed the connection; the ERROR frame it sent, if any."""
        await self.clock.wait_for(asyncio.shield(self._lost), timeout)
        return self.error

    def close(self) -> None:
        """Close the socket without DISCONNECT (an abrupt client)."""
        self.heartbeats.stop()
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()

    def pause_heartbeats(self) -> None:
        """Stop writing heart-beats while staying connected: a hung client, for tests."""
        self.heartbeats.paused = True

    # -- internals ------------------------------------------------------------------------
    async def _request(self, frame: Frame, receipt: bool | str, timeout: float, *,
                       content_length: bool = False) -> Frame | None:
        if not receipt:
            self._write(frame, content_length=content_length)
            return None
        receipt_id = receipt if isinstance(receipt, str) else f"receipt-{next(self._receipt_ids)}"
        frame.headers.append(("receipt", receipt_id))
        fut: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._receipts[receipt_id] = fut
        try:
            self._write(frame, content_length=content_length)
            return await self.clock.wait_for(fut, timeout)
        finally:
            self._receipts.pop(receipt_id, None)

    def _write(self, frame: Frame, *, content_length: bool = False) -> None:
        if self.closed or self._transport is None or self._transport.is_closing():
            raise StompClientError(self.close_reason or "connection closed", self.error)
        self._send_bytes(encode(frame, self.version, content_length=content_length))
        self.heartbeats.sent()

    def _send_bytes(self, data: bytes) -> None:
        """Write; the bytes are in flight for the clock until the broker has read them."""
        assert self._transport is not None and self._protocol is not None
        with self.clock.activity():
            self._transport.write(data)
            inflight.sent(self._protocol.local, self._protocol.peer, len(data))

    def _write_eol(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._send_bytes(b"\n")

    def _on_data(self, data: bytes) -> None:
        self.heartbeats.received()
        try:
            for item in self._parser.feed(data):
                if isinstance(item, Frame):
                    self._on_frame(item)
        except FrameError as exc:
            self.close_reason = f"unreadable frame from the broker: {exc}"
            self.close()

    def _on_frame(self, frame: Frame) -> None:
        if frame.command == "MESSAGE":
            self._messages.append(frame)
            self._changed.set()
        elif frame.command == "RECEIPT":
            fut = self._receipts.get(frame.get("receipt-id", ""))
            if fut is not None and not fut.done():
                fut.set_result(frame)
        elif frame.command == "CONNECTED":
            if not self._connected.done():
                self._connected.set_result(frame)
        elif frame.command == "ERROR":
            self.error = frame
            self.close_reason = "the broker answered ERROR"
            failure = StompClientError(self.close_reason, frame)
            _fail(self._connected, failure)
            rid = frame.get("receipt-id")
            for key, fut in list(self._receipts.items()):
                if rid is None or key == rid:
                    _fail(fut, failure)
            self._changed.set()

    def _broker_silent(self, silent: float) -> None:
        self.close_reason = f"broker heart-beat timeout: nothing received for {silent:.1f} s"
        self.close()

    def _on_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.heartbeats.stop()
        self.close_reason = self.close_reason or f"connection closed{f': {exc}' if exc else ''}"
        failure = StompClientError(self.close_reason, self.error)
        _fail(self._connected, failure)
        for fut in self._receipts.values():
            _fail(fut, failure)
        if not self._lost.done():
            self._lost.set_result(None)
        self._changed.set()


__all__ = ["StompClient", "StompClientError"]
