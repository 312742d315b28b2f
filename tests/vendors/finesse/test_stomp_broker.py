"""The embedded STOMP broker of the Finesse face, driven by the real stomp.py client (in
threads), by raw sockets, and by ccsim's asyncio StompClient (on a VirtualClock)."""
from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import stomp
from hypothesis import given, settings
from hypothesis import strategies as st

from ccsim.core import Journal, Match, RealClock, VirtualClock
from ccsim.core.clock import wall_seconds
from ccsim.vendors.finesse.stomp import StompBroker, StompClient, StompClientError, inflight
from ccsim.vendors.finesse.stomp.frames import Frame, FrameParser, encode
from ccsim.vendors.finesse.transport import Message
from support.stomp import CONNECT, WAIT, check_emitted, internal_errors, until


# -- helpers ----------------------------------------------------------------------------------
class Peer(stomp.ConnectionListener):
    """A stomp.py connection and what it received; its blocking calls run in a thread."""

    def __init__(self, port: int, version: str = "1.2", **options: Any):
        cls = {"1.0": stomp.Connection10, "1.1": stomp.Connection11, "1.2": stomp.Connection12}[version]
        options.setdefault("auto_content_length", False)
        self.conn = cls([("127.0.0.1", port)], **options)
        self.conn.set_listener("test", self)
        self.inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.receipts: dict[str, threading.Event] = {}
        self.connected_frame: Any = None
        self.connected = threading.Event()
        self.disconnected = threading.Event()

    def on_connected(self, frame: Any) -> None:
        self.connected_frame = frame
        self.connected.set()

    async def connect(self) -> None:
        await self.call("connect", wait=True)
        # stomp.py may return from connect(wait=True) before it has called every listener.
        assert await asyncio.to_thread(self.connected.wait, WAIT)

    def on_message(self, frame: Any) -> None:
        self.inbox.put(("MESSAGE", frame))

    def on_error(self, frame: Any) -> None:
        self.inbox.put(("ERROR", frame))

    def on_receipt(self, frame: Any) -> None:
        self.receipts.setdefault(frame.headers["receipt-id"], threading.Event()).set()

    def on_disconnected(self) -> None:
        self.disconnected.set()

    async def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        return await asyncio.to_thread(getattr(self.conn, method), *args, **kwargs)

    async def synced(self, method: str, *args: Any, receipt: str, **kwargs: Any) -> None:
        """Call with a receipt header and wait for the RECEIPT: the broker has handled it."""
        event = self.receipts.setdefault(receipt, threading.Event())
        if method in ("ack", "nack"):  # stomp.py takes the receipt as an argument there
            await self.call(method, *args, receipt=receipt, **kwargs)
        else:
            await self.call(method, *args, headers={**kwargs.pop("headers", {}), "receipt": receipt}, **kwargs)
        assert await asyncio.to_thread(event.wait, WAIT), f"no RECEIPT {receipt}"

    async def next(self, kind: str = "MESSAGE", timeout: float = WAIT) -> Any:
        got_kind, frame = await asyncio.to_thread(self.inbox.get, True, timeout)
        assert got_kind == kind, (got_kind, frame.headers, frame.body)
        return frame

    async def nothing(self, wait: float = 0.2) -> None:
        try:
            kind, frame = await asyncio.to_thread(self.inbox.get, True, wait)
        except queue.Empty:
            return
        raise AssertionError(f"unexpected {kind}: {frame.headers} {frame.body!r}")


async def raw_exchange(port: int, data: bytes, *, timeout: float = WAIT) -> tuple[list[Frame], bool]:
    """Write `data` on a fresh socket; the frames read back until the broker closes, and whether it did."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    parser, frames, closed = FrameParser(version="1.2"), [], False
    try:
        while True:
            chunk = await asyncio.wait_for(reader.read(65536), timeout)
            if not chunk:
                closed = True
                break
            frames += [f for f in parser.feed(chunk) if isinstance(f, Frame)]
    except TimeoutError:
        pass
    writer.close()
    return frames, closed


@pytest.fixture
async def broker() -> AsyncIterator[StompBroker]:
    clock = RealClock()
    b = StompBroker(clock, Journal(clock), heartbeat=(0, 0), close_grace=0.5)
    await b.start()
    try:
        yield b
    finally:
        await b.stop()
    check_emitted(b)


@pytest.fixture
async def peers(broker: StompBroker) -> AsyncIterator[Callable[..., Any]]:
    made: list[Peer] = []

    async def make(version: str = "1.2", connect: bool = True, **options: Any) -> Peer:
        peer = Peer(broker.port, version, **options)
        made.append(peer)
        if connect:
            await peer.connect()
        return peer

    yield make
    for peer in made:
        if peer.conn.is_connected():
            await peer.call("disconnect")


def journal_ops(broker: StompBroker, direction: str | None = None) -> list[str]:
    entries = broker.journal.query(Match(face="finesse", kind="frame"))
    return [e.op for e in entries if direction is None or (e.request or e.response).get("direction") == direction]


# -- connecting -------------------------------------------------------------------------------
@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
async def test_stomp_py_connects_with_each_version(broker, peers, version):
    peer = await peers(version)
    headers = peer.connected_frame.headers
    assert headers["session"].startswith("ccsim-finesse-session-") and "server" in headers
    if version == "1.0":
        assert "version" not in headers and "heart-beat" not in headers
    else:
        assert headers["version"] == version and headers["heart-beat"] == "0,0"
    first = broker.journal.query(Match(face="finesse", kind="frame"))[0]
    assert first.op == ("CONNECT" if version == "1.0" else "STOMP")  # stomp.py 1.1+ sends STOMP
    assert first.request["direction"] == "in" and first.request["connection"].startswith("stomp-")


async def test_version_negotiation_picks_the_highest_common_and_refuses_unknown(broker):
    frames, _ = await raw_exchange(broker.port, encode(Frame("CONNECT", [("accept-version", "1.0,1.1")])) +
                                   encode(Frame("DISCONNECT")))
    assert frames[0].command == "CONNECTED" and frames[0]["version"] == "1.1"
    frames, _ = await raw_exchange(broker.port, encode(Frame("CONNECT")) + encode(Frame("DISCONNECT")))
    assert frames[0].command == "CONNECTED" and "version" not in frames[0]  # no accept-version: 1.0
    frames, closed = await raw_exchange(broker.port, encode(Frame("CONNECT", [("accept-version", "2.0")])))
    assert [f.command for f in frames] == ["ERROR"] and closed
    assert frames[0]["version"] == "1.0,1.1,1.2" and frames[0]["message"].startswith("Supported protocol versions")


async def test_credentials_when_configured():
    clock = RealClock()
    broker = StompBroker(clock, heartbeat=(0, 0), credentials={"admin": "secret"})
    await broker.start()
    try:
        with pytest.raises(StompClientError, match="or password is invalid"):
            await StompClient.connect("127.0.0.1", broker.port, clock, login="admin", passcode="wrong")
        with pytest.raises(StompClientError, match="or password is invalid"):
            await StompClient.connect("127.0.0.1", broker.port, clock)
        client = await StompClient.connect("127.0.0.1", broker.port, clock, login="admin", passcode="secret")
        assert client.version == "1.2"
        await client.disconnect()
    finally:
        await broker.stop()
    # The face's settings give one login/passcode pair; a None passcode accepts any passcode.
    broker = StompBroker(clock, heartbeat=(0, 0), login="gc", passcode=None)
    await broker.start()
    try:
        with pytest.raises(StompClientError, match="or password is invalid"):
            await StompClient.connect("127.0.0.1", broker.port, clock, login="other")
        client = await StompClient.connect("127.0.0.1", broker.port, clock, login="gc", passcode="anything")
        await client.disconnect()
    finally:
        await broker.stop()


# -- queues and topics ------------------------------------------------------------------------
async def test_queue_round_robin_between_subscribers(broker, peers):
    a, b, sender = await peers(), await peers(), await peers()
    await a.synced("subscribe", "/queue/work", id="a", receipt="ra")
    await b.synced("subscribe", "/queue/work", id="b", receipt="rb")
    for n in range(4):
        await sender.synced("send", "/queue/work", f"m{n}", receipt=f"s{n}")
    got_a = [(await a.next()).body for _ in range(2)]
    got_b = [(await b.next()).body for _ in range(2)]
    assert sorted(got_a + got_b) == ["m0", "m1", "m2", "m3"]
    assert got_a in (["m0", "m2"], ["m1", "m3"])  # alternating, each message to one subscriber
    await a.nothing()
    await b.nothing()


async def test_a_queue_keeps_messages_until_someone_subscribes(broker, peers):
    sender, late = await peers(), await peers()
    await sender.synced("send", "/queue/later", "kept", receipt="s")
    assert broker.pending_count("/queue/later") == 1
    await late.synced("subscribe", "/queue/later", id="1", receipt="r")
    assert (await late.next()).body == "kept"
    assert broker.pending_count("/queue/later") == 0


async def test_topic_fans_out_to_current_subscribers_and_stores_nothing(broker, peers):
    a, b, sender = await peers(), await peers("1.1"), await peers("1.0")
    await sender.synced("send", "/topic/agents", "before anyone listens", receipt="s0")
    await a.synced("subscribe", "/topic/agents", id="a", receipt="ra")
    await b.synced("subscribe", "/topic/agents", id="b", receipt="rb")
    await sender.synced("send", "/topic/agents", "1001#State#READY", receipt="s1")
    assert (await a.next()).body == "1001#State#READY"
    assert (await b.next()).body == "1001#State#READY"
    await a.nothing()


async def test_type_header_is_carried_and_text_messages_have_no_content_length(broker, peers):
    sub, text_sender = await peers(), await peers()
    bytes_sender = await peers(auto_content_length=True)
    await sub.synced("subscribe", "/queue/Connector1", id="gc", receipt="r")
    await text_sender.call("send", "/queue/Connector1", "secret,2204", headers={"type": "Login#1001", "custom": "a:b"})
    message = await sub.next()
    assert message.headers["type"] == "Login#1001" and message.headers["custom"] == "a:b"
    assert message.headers["destination"] == "/queue/Connector1" and message.headers["subscription"] == "gc"
    assert message.headers["message-id"] and "content-length" not in message.headers
    assert "redelivered" not in message.headers
    # stomp.py's default adds content-length: a BytesMessage on ActiveMQ, which keeps it.
    await bytes_sender.call("send", "/queue/Connector1", "x,y")
    assert (await sub.next()).headers["content-length"] == "3"
    # amq-msg-type:text forces a TextMessage.
    await bytes_sender.call("send", "/queue/Connector1", "x,y", headers={"amq-msg-type": "text"})
    forced = await sub.next()
    assert "content-length" not in forced.headers and "amq-msg-type" not in forced.headers


# -- acknowledgement and redelivery -----------------------------------------------------------
async def test_client_ack_is_cumulative_and_unacked_messages_go_to_the_other_subscriber(broker, peers):
    first = await peers()
    await first.synced("subscribe", "/queue/acks", id="1", ack="client", receipt="r1")
    for n in range(3):
        broker.publish("/queue/acks", f"m{n}")
    messages = [await first.next() for _ in range(3)]
    assert all(m.headers["ack"] for m in messages)
    await first.synced("ack", messages[1].headers["ack"], receipt="a1")  # acks m0 and m1
    second = await peers()
    await second.synced("subscribe", "/queue/acks", id="2", receipt="r2")
    await first.call("disconnect")
    again = await second.next()
    assert again.body == "m2" and again.headers["redelivered"] == "true"
    assert again.headers["message-id"] == messages[2].headers["message-id"]
    await second.nothing()


async def test_client_individual_ack_and_nack_redelivery(broker, peers):
    a = await peers("1.1")
    await a.synced("subscribe", "/queue/ind", id="a", ack="client-individual", receipt="ra")
    for n in range(3):
        broker.publish("/queue/ind", f"m{n}")
    m0, m1, m2 = [await a.next() for _ in range(3)]
    assert "ack" not in m0.headers  # the ack header is 1.2's
    b = await peers()
    await b.synced("subscribe", "/queue/ind", id="b", receipt="rb")
    await a.synced("ack", m1.headers["message-id"], "a", receipt="k1")  # only m1
    await a.synced("nack", m0.headers["message-id"], "a", receipt="n0")
    again = await b.next()
    assert again.body == "m0" and again.headers["redelivered"] == "true"
    await a.call("disconnect")
    last = await b.next()
    assert last.body == "m2" and last.headers["redelivered"] == "true"
    await b.nothing()


async def test_nack_with_a_single_subscriber_redelivers_to_it_then_dead_letters():
    clock = RealClock()
    broker = StompBroker(clock, heartbeat=(0, 0), max_redeliveries=2)
    await broker.start()
    try:
        client = await StompClient.connect("127.0.0.1", broker.port, clock)
        await client.subscribe("/queue/poison", "p", ack="client-individual")
        broker.publish("/queue/poison", "bad")
        seen = []
        for _ in range(3):
            message = await client.next_message(WAIT)
            seen.append(message.get("redelivered"))
            await client.nack(message, receipt=True)
        assert seen == [None, "true", "true"]
        assert broker.pending_count("/queue/ActiveMQ.DLQ") == 1
        await client.subscribe("/queue/ActiveMQ.DLQ", "dlq")
        dead = await client.next_message(WAIT)
        assert dead.text == "bad" and dead["original-destination"] == "/queue/poison"
        await client.disconnect()
    finally:
        await broker.stop()


# -- transactions and receipts ----------------------------------------------------------------
async def test_transactions_commit_and_abort(broker, peers):
    sub, tx = await peers(), await peers()
    await sub.synced("subscribe", "/queue/tx", id="s", receipt="r")
    await tx.synced("begin", "t1", receipt="b1")
    await tx.synced("send", "/queue/tx", "dropped", transaction="t1", receipt="s1")
    await tx.synced("abort", "t1", receipt="a1")
    await sub.nothing()
    await tx.synced("begin", "t2", receipt="b2")
    await tx.synced("send", "/queue/tx", "one", transaction="t2", receipt="s2")
    await tx.synced("send", "/queue/tx", "two", transaction="t2", receipt="s3")
    await sub.nothing()  # nothing before COMMIT
    await tx.synced("commit", "t2", receipt="c2")
    assert [(await sub.next()).body for _ in range(2)] == ["one", "two"]


async def test_acks_in_a_transaction_take_effect_at_commit():
    clock = RealClock()
    broker = StompBroker(clock, heartbeat=(0, 0))
    await broker.start()
    try:
        a = await StompClient.connect("127.0.0.1", broker.port, clock)
        await a.subscribe("/queue/q", "a", ack="client-individual")
        broker.publish("/queue/q", "m")
        message = await a.next_message(WAIT)
        await a.begin("t")
        await a.ack(message, transaction="t")
        await a.abort("t", receipt=True)  # the ACK is discarded: m is still unacked
        b = await StompClient.connect("127.0.0.1", broker.port, clock)
        await b.subscribe("/queue/q", "b")
        a.close()  # abruptly
        again = await b.next_message(WAIT)
        assert again.text == "m" and again["redelivered"] == "true"
        await b.begin("t")
        await b.disconnect()
    finally:
        await broker.stop()


async def test_unknown_transaction_is_an_error(broker, peers):
    peer = await peers()
    await peer.call("send", "/queue/x", "body", transaction="nope", headers={"receipt": "r-1"})
    error = await peer.next("ERROR")
    assert error.headers["message"] == "Invalid transaction id" and error.headers["receipt-id"] == "r-1"
    assert "nope" in error.body
    assert await asyncio.to_thread(peer.disconnected.wait, WAIT)


async def test_every_frame_with_a_receipt_gets_one_and_disconnect_receipt_comes_before_close(broker):
    frames, closed = await raw_exchange(broker.port, CONNECT + b"".join(encode(f) for f in [
        Frame("SUBSCRIBE", [("destination", "/topic/t"), ("id", "1"), ("receipt", "r1")]),
        Frame("SEND", [("destination", "/topic/t"), ("receipt", "r2")], b"hi"),
        Frame("BEGIN", [("transaction", "t"), ("receipt", "r3")]),
        Frame("COMMIT", [("transaction", "t"), ("receipt", "r4")]),
        Frame("UNSUBSCRIBE", [("id", "1"), ("receipt", "r5")]),
        Frame("DISCONNECT", [("receipt", "r6")]),
    ]))
    assert [(f.command, f.get("receipt-id")) for f in frames] == [
        ("CONNECTED", None), ("RECEIPT", "r1"), ("MESSAGE", None), ("RECEIPT", "r2"), ("RECEIPT", "r3"),
        ("RECEIPT", "r4"), ("RECEIPT", "r5"), ("RECEIPT", "r6")]
    assert closed


# -- broken input -----------------------------------------------------------------------------
@pytest.mark.parametrize("data, message", [
    (b"\x00\xff\x01 garbage \x02\n\n\x00", "Malformed frame"),
    (CONNECT + b"SEND\ndestination /queue/a\n\nx\x00", "Malformed frame"),
    (CONNECT + b"SEND\ndestination:/queue/a\nreceipt:r-7\ncontent-length:99999999\n\nx\x00", "Frame too large"),
    (CONNECT + b"SEND\ndestination:/queue/a\\t\n\nx\x00", "Malformed frame"),
    (CONNECT + b"FROB\nreceipt:r-7\n\n\x00", "Unknown STOMP action: FROB"),
    (CONNECT + b"SEND\nreceipt:r-7\n\nno destination\x00", "Missing header: destination"),
    (CONNECT + b"SUBSCRIBE\ndestination:/queue/a\n\n\x00", "Missing header: id"),
    (CONNECT + b"SEND\ndestination:/elsewhere/a\n\nx\x00", "Illegal destination"),
    (CONNECT + b"ACK\nid:nothing-to-ack\n\n\x00", "Unexpected ACK"),
    (CONNECT + CONNECT, "Already connected"),
    (b"SEND\ndestination:/queue/a\nreceipt:r-7\n\nbefore connect\x00", "Not connected"),
])
async def test_a_broken_frame_gets_an_error_and_a_close_while_others_keep_working(broker, peers, data, message):
    witness = await peers()
    await witness.synced("subscribe", "/queue/witness", id="w", receipt="r")
    frames, closed = await raw_exchange(broker.port, data)
    error = frames[-1]
    assert error.command == "ERROR" and closed
    assert error["message"] == message and error.body.strip()
    if b"receipt:r-7" in data:
        assert error["receipt-id"] == "r-7"
    assert all(f.command == "CONNECTED" for f in frames[:-1])
    broker.publish("/queue/witness", "still here")
    assert (await witness.next()).body == "still here"
    await until(lambda: broker.connection_count == 1)


async def test_an_oversize_frame_is_refused_without_reading_it_all():
    clock = RealClock()
    broker = StompBroker(clock, heartbeat=(0, 0), max_frame_bytes=1024, close_grace=0.2)
    await broker.start()
    try:
        frames, closed = await raw_exchange(broker.port, CONNECT + b"SEND\ndestination:/queue/a\n\n" + b"x" * 5000)
        assert [f.command for f in frames] == ["CONNECTED", "ERROR"] and closed
        assert frames[1]["message"] == "Frame too large" and "1024" in frames[1].text
    finally:
        await broker.stop()


async def test_an_error_from_stomp_py_usage_closes_only_that_connection(broker, peers):
    bad, good = await peers(), await peers()
    await good.synced("subscribe", "/topic/t", id="g", receipt="r")
    await bad.call("subscribe", "/queue/a", id="x")
    await bad.call("subscribe", "/queue/a", id="x")  # the same id twice
    assert (await bad.next("ERROR")).headers["message"] == "Duplicate subscription"
    assert await asyncio.to_thread(bad.disconnected.wait, WAIT)
    await until(lambda: broker.subscriber_count("/queue/a") == 0)
    broker.publish("/topic/t", "fine")
    assert (await good.next()).body == "fine"


_FRAGMENTS = [CONNECT, b"SEND\ndestination:/queue/q\n\nbody\x00", b"SUBSCRIBE\ndestination:/queue/q\nid:1\nack:client\n\n\x00",
              b"ACK\nid:x\n\n\x00", b"BEGIN\ntransaction:t\n\n\x00", b"COMMIT\ntransaction:t\n\n\x00",
              b"content-length:3\n", b"receipt:r\n", b"\n", b"\r\n", b"\x00", b":", b"\\", b"DISCONNECT\n\n\x00"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.binary(max_size=12), max_size=12))
def test_whatever_a_client_sends_the_broker_answers_and_keeps_serving(chunks):
    async def scenario() -> None:
        clock = RealClock()
        broker = StompBroker(clock, Journal(clock), heartbeat=(0, 0), close_grace=0.05)
        await broker.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", broker.port)
            writer.write(b"".join(chunks))
            writer.write_eof()  # then the client closes its side: the broker must wind down
            while await asyncio.wait_for(reader.read(65536), WAIT):
                pass
            writer.close()
            client = await StompClient.connect("127.0.0.1", broker.port, clock)
            await client.subscribe("/topic/ok", "ok")
            broker.publish("/topic/ok", "served")
            assert (await client.next_message(WAIT)).text == "served"
            await client.disconnect()
        finally:
            await broker.stop()
        check_emitted(broker)

    asyncio.run(scenario())


# -- abrupt disconnects -----------------------------------------------------------------------
async def test_an_abrupt_disconnect_leaves_no_subscription_behind(broker, peers):
    survivor = await peers()
    await survivor.synced("subscribe", "/queue/shared", id="s", receipt="r")
    reader, writer = await asyncio.open_connection("127.0.0.1", broker.port)
    writer.write(CONNECT + b"".join(encode(f) for f in [
        Frame("SUBSCRIBE", [("destination", "/topic/gone"), ("id", "t")]),
        Frame("SUBSCRIBE", [("destination", "/queue/shared"), ("id", "q"), ("receipt", "r")]),
    ]))
    await writer.drain()
    while b"receipt-id:r" not in await reader.read(65536):
        pass
    assert broker.subscriber_count("/topic/gone") == 1 and broker.subscriber_count("/queue/shared") == 2
    writer.transport.abort()  # no DISCONNECT: the socket just goes away
    await until(lambda: broker.subscriber_count("/topic/gone") == 0)
    assert broker.subscriber_count("/queue/shared") == 1 and broker.connection_count == 1
    broker.publish("/topic/gone", "to nobody")
    for n in range(3):
        broker.publish("/queue/shared", f"m{n}")
    assert [(await survivor.next()).body for _ in range(3)] == ["m0", "m1", "m2"]
    assert not [e for e in broker.journal.query(Match(op="MESSAGE")) if e.response["headers"]["destination"] == "/topic/gone"]


# -- in-process side --------------------------------------------------------------------------
async def test_consume_and_publish_with_stomp_py(broker, peers):
    commands: list[Message] = []
    broker.consume("/queue/Connector1", commands.append)
    client = await peers()
    await client.synced("subscribe", "/topic/192.168.1.148", id="events", receipt="r")
    await client.synced("send", "/queue/Connector1", "secret,2204", headers={"type": "Login#1001"}, receipt="s")
    assert [(m.destination, m.body, m.jms_type) for m in commands] == [("/queue/Connector1", "secret,2204", "Login#1001")]
    assert commands[0].headers["message-id"]
    await client.synced("send", "/queue/Connector1", "", headers={"type": "Hello#192.168.1.148"}, receipt="s2")
    assert commands[1].body == "" and commands[1].jms_type == "Hello#192.168.1.148"
    broker.publish("/topic/192.168.1.148", "1001#State#NOT_READY#-1")
    event = await client.next()
    assert event.body == "1001#State#NOT_READY#-1"
    assert "type" not in event.headers and "content-length" not in event.headers  # JMSType null, TextMessage
    sent = broker.journal.query(Match(op="MESSAGE"))[-1]
    assert sent.response["direction"] == "out" and sent.response["body"] == "1001#State#NOT_READY#-1"
    assert "Login#1001" in broker.journal.query(Match(op="SEND"))[0].types
    broker.publish("/topic/192.168.1.148", "x" * 70_000)  # the journal keeps the first 64 KiB
    assert len((await client.next()).body) == 70_000
    assert len(broker.journal.query(Match(op="MESSAGE"))[-1].response["body"]) == 64 * 1024


async def test_a_failing_in_process_consumer_is_journaled_and_the_broker_goes_on():
    clock = RealClock()
    broker = StompBroker(clock, Journal(clock), heartbeat=(0, 0))
    broker.consume("/queue/Connector1", lambda m: 1 / 0)
    await broker.start()
    try:
        client = await StompClient.connect("127.0.0.1", broker.port, clock)
        await client.send("/queue/Connector1", "x", receipt=True)
        [failure] = internal_errors(broker.journal)
        assert "ZeroDivisionError" in failure.response["internalError"]
        await client.subscribe("/topic/t", "t")
        broker.publish("/topic/t", "alive")
        assert (await client.next_message(WAIT)).text == "alive"
        await client.disconnect()
    finally:
        await broker.stop()


async def test_stop_closes_every_connection(broker, peers):
    peer = await peers()
    client = await StompClient.connect("127.0.0.1", broker.port)
    await broker.stop()
    assert await client.wait_closed(WAIT) is None
    assert await asyncio.to_thread(peer.disconnected.wait, WAIT)
    assert broker.connection_count == 0


# -- heart-beats ------------------------------------------------------------------------------
async def test_heartbeats_keep_a_stomp_py_client_alive():
    clock = RealClock()
    broker = StompBroker(clock, Journal(clock), heartbeat=(100, 100))
    await broker.start()
    peer = Peer(broker.port, heartbeats=(100, 100))
    try:
        await peer.connect()
        assert peer.connected_frame.headers["heart-beat"] == "100,100"
        await clock.sleep(0.6)  # several intervals both ways
        assert peer.conn.is_connected() and broker.connection_count == 1
        await peer.synced("subscribe", "/topic/t", id="t", receipt="r")
        broker.publish("/topic/t", "alive")
        assert (await peer.next()).body == "alive"
    finally:
        await peer.call("disconnect")
        await broker.stop()
    # Heart-beats went both ways for 0.6 s; the journal has only the frames.
    assert journal_ops(broker) == ["STOMP", "CONNECTED", "SUBSCRIBE", "RECEIPT", "MESSAGE", "DISCONNECT", "RECEIPT"]


async def test_a_silent_client_is_dropped_after_twice_the_interval():
    clock = RealClock()
    broker = StompBroker(clock, Journal(clock), heartbeat=(0, 50), close_grace=0.2)
    await broker.start()
    try:
        start = clock.now()
        frames, closed = await raw_exchange(
            broker.port, encode(Frame("CONNECT", [("accept-version", "1.2"), ("heart-beat", "50,0")])))
        assert [f.command for f in frames] == ["CONNECTED", "ERROR"] and closed
        assert frames[1]["message"] == "Heart-beat timeout"
        assert 0.09 <= clock.now() - start < 2
    finally:
        await broker.stop()
    check_emitted(broker)


# -- the asyncio client on a virtual clock ----------------------------------------------------
@pytest.fixture
async def virtual_broker() -> AsyncIterator[StompBroker]:
    clock = VirtualClock()
    b = StompBroker(clock, Journal(clock), heartbeat=(15000, 15000))
    await b.start()
    try:
        yield b
    finally:
        await b.stop()
        clock.close()
    check_emitted(b)


async def test_a_heartbeat_timeout_of_30_s_happens_in_virtual_time(virtual_broker):
    clock = virtual_broker.clock
    wall = wall_seconds()
    healthy = await StompClient.connect("127.0.0.1", virtual_broker.port, clock, heartbeat=(15000, 15000))
    hung = await StompClient.connect("127.0.0.1", virtual_broker.port, clock, heartbeat=(15000, 0))
    start = clock.now()
    hung.pause_heartbeats()
    error = await hung.wait_closed(timeout=120)
    assert clock.now() - start == pytest.approx(30, abs=0.01)
    assert error is not None and error["message"] == "Heart-beat timeout"
    # The well-behaved client (EOLs both ways every 15 s) outlives the other by far.
    await clock.sleep(600)
    assert not healthy.closed and virtual_broker.connection_count == 1
    await healthy.subscribe("/topic/t", "t")
    virtual_broker.publish("/topic/t", "still here")
    assert (await healthy.next_message(5)).text == "still here"
    await healthy.disconnect()
    assert wall_seconds() - wall < 5  # 11 simulated minutes, not real ones


async def test_async_client_round_trip_and_timeouts_on_a_virtual_clock(virtual_broker):
    clock = virtual_broker.clock
    commands: list[Message] = []
    virtual_broker.consume("/queue/Connector1", commands.append)
    client = await StompClient.connect("127.0.0.1", virtual_broker.port, clock)
    await client.subscribe("/topic/agent1", "events", ack="client")
    await client.send("/queue/Connector1", "secret,2204", {"type": "Login#1001"}, receipt=True)
    assert commands[0].jms_type == "Login#1001" and commands[0].body == "secret,2204"
    virtual_broker.publish("/topic/agent1", "1001#AgentInfo#x")
    event = await client.next_message(5)
    assert event.text == "1001#AgentInfo#x" and event["ack"] and "content-length" not in event
    await client.ack(event, receipt=True)
    start = clock.now()
    with pytest.raises(TimeoutError):
        await client.next_message(30)
    assert clock.now() - start == pytest.approx(30, abs=0.01)
    await client.disconnect()
    assert client.closed


async def test_the_virtual_clock_does_not_jump_while_frames_are_on_the_wire(virtual_broker):
    """A command without a receipt, answered by an event: the round trip takes no virtual time,
    however slowly the network stack makes written bytes readable."""
    clock = virtual_broker.clock
    virtual_broker.consume("/queue/Connector1", lambda m: virtual_broker.publish("/topic/me", f"re:{m.body}"))
    client = await StompClient.connect("127.0.0.1", virtual_broker.port, clock)
    await client.subscribe("/topic/me", "me")
    for n in range(20):
        start = clock.now()
        await client.send("/queue/Connector1", f"c{n}", {"type": "Beat#me"})
        assert (await client.next_message(30)).text == f"re:c{n}"
        assert clock.now() == start
    await client.disconnect()


async def test_bytes_in_flight_hold_the_virtual_clock():
    clock = VirtualClock()
    fired: list[float] = []
    clock.call_later(10, lambda: fired.append(clock.now()))
    a, b = ("127.0.0.1", 1), ("127.0.0.1", 2)
    inflight.register(a, b, clock)
    inflight.sent(a, b, 5)  # a wrote 5 bytes that b has not read
    await RealClock().sleep(0.05)  # the autojump has had many chances
    assert not fired
    inflight.received(b, a, 3)
    await RealClock().sleep(0.02)
    assert not fired
    inflight.received(b, a, 2)
    await until(lambda: bool(fired))
    inflight.sent(b, a, 1)  # closing one end releases whatever is pending
    clock.call_later(10, lambda: fired.append(clock.now()))
    inflight.forget(b, a)
    await until(lambda: len(fired) == 2)
    clock.close()


@pytest.mark.parametrize("version", ["1.0", "1.1"])
async def test_async_client_acks_on_older_versions(virtual_broker, version):
    client = await StompClient.connect("127.0.0.1", virtual_broker.port, virtual_broker.clock, version=version)
    assert client.version == version
    await client.subscribe("/queue/old", "o", ack="client")
    virtual_broker.publish("/queue/old", "m", jms_type="Beat#1001")
    message = await client.next_message(5)
    assert message["type"] == "Beat#1001" and "ack" not in message
    await client.ack(message, receipt=True)
    other = await StompClient.connect("127.0.0.1", virtual_broker.port, virtual_broker.clock)
    await other.subscribe("/queue/old", "x")
    client.close()
    with pytest.raises(TimeoutError):  # acked: nothing comes back
        await other.next_message(5)
    await other.disconnect()


async def test_async_client_sees_errors(virtual_broker):
    client = await StompClient.connect("127.0.0.1", virtual_broker.port, virtual_broker.clock)
    with pytest.raises(StompClientError, match="Invalid transaction id"):
        await client.commit("never-begun", receipt=True)
    assert (await client.wait_closed(5))["message"] == "Invalid transaction id"
    with pytest.raises(StompClientError):
        await client.next_message(5)
    with pytest.raises(StompClientError):
        await client.send("/queue/a", "closed")
