"""The Finesse face's external-broker transport (ccsim/vendors/finesse/activemq.py) against a
real ActiveMQ: Debian's package, one JVM for the whole module (tests/support/activemq.py), stopped and
restarted by the reconnection tests. stomp.py clients play the agent application.

ActiveMQ runs in real time, so these tests use the RealClock; the waits here are the tests'
own (the no-wall-time rule is for ccsim/)."""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest

from support.activemq import ActiveMQ, free_port, in_ci, running_broker
from ccsim.core import Journal, Match, RealClock

try:
    import stomp
except ImportError:  # stomp.py is not installed in this environment
    stomp = None

WAIT = 15.0  # generous bound for anything that should take milliseconds to a few seconds


# -- fixtures ------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def broker() -> Iterator[ActiveMQ]:
    """One ActiveMQ for the module; its process group is killed at the end, also on failure."""
    if stomp is None:
        why = "stomp.py is not installed: the ActiveMQ transport and these tests need it (pip install 'stomp.py>=9')"
        pytest.fail(why, pytrace=False) if in_ci() else pytest.skip(why)
    yield from running_broker()


@pytest.fixture
def clock() -> RealClock:
    return RealClock()


@pytest.fixture
def journal(clock: RealClock) -> Journal:
    return Journal(clock)


@pytest.fixture
async def make_transport(broker: ActiveMQ, clock: RealClock, journal: Journal) -> AsyncIterator[Callable[..., Any]]:
    """Builds ActiveMqTransport instances on the broker's STOMP port; all stopped at the end."""
    from ccsim.vendors.finesse.activemq import ActiveMqTransport

    made: list[ActiveMqTransport] = []

    def make(**kw: Any) -> ActiveMqTransport:
        kw.setdefault("host", broker.host)
        kw.setdefault("port", broker.stomp_port)
        kw.setdefault("reconnect_initial", 0.1)
        kw.setdefault("reconnect_max", 0.5)
        kw.setdefault("journal", journal)
        t = ActiveMqTransport(clock, **kw)
        made.append(t)
        return t

    try:
        yield make
    finally:
        for t in made:
            await t.stop()


@pytest.fixture
def clients(broker: ActiveMQ) -> Iterator[Callable[[], Client]]:
    made: list[Client] = []

    def make() -> Client:
        c = Client(broker.host, broker.stomp_port)
        made.append(c)
        return c

    try:
        yield make
    finally:
        for c in made:
            c.close()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class Client(stomp.ConnectionListener if stomp else object):  # type: ignore[misc]
    """The agent application: a plain stomp.py client (blocking; call it through to_thread)."""

    def __init__(self, host: str, port: int):
        self.messages: queue.Queue = queue.Queue()
        self.receipts: queue.Queue = queue.Queue()
        # No heartbeats: no extra thread of the client's to tell apart from the transport's.
        self.conn = stomp.Connection([(host, port)], heartbeats=(0, 0), auto_content_length=False)
        self.conn.set_listener("test", self)
        self.conn.connect(wait=True)
        self._subs = 0

    def on_message(self, frame: Any) -> None:
        self.messages.put(frame)

    def on_receipt(self, frame: Any) -> None:
        self.receipts.put(frame.headers.get("receipt-id"))

    def subscribe(self, destination: str) -> None:
        """Subscribe and wait for the broker's receipt, so that the subscription is active."""
        self._subs += 1
        receipt = f"sub-{self._subs}"
        self.conn.subscribe(destination, id=str(self._subs), ack="auto", headers={"receipt": receipt})
        assert self.receipts.get(timeout=WAIT) == receipt

    def send(self, destination: str, body: str, jms_type: str | None = None) -> None:
        headers = {"type": jms_type} if jms_type else {}
        self.conn.send(destination, body, headers=headers)

    def next_message(self, timeout: float = WAIT) -> Any:
        return self.messages.get(timeout=timeout)

    def close(self) -> None:
        if self.conn.is_connected():
            self.conn.disconnect()  # waits for the receipt and the receiver thread


async def in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.to_thread(fn, *args)


async def eventually(predicate: Callable[[], bool], timeout: float = WAIT, what: str = "condition") -> float:
    """Wait until predicate() is true; returns the seconds it took."""
    began = time.monotonic()
    while not predicate():
        if time.monotonic() - began > timeout:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.01)
    return time.monotonic() - began


def handler_queue() -> tuple[asyncio.Queue, Callable[[Any], None]]:
    q: asyncio.Queue = asyncio.Queue()
    return q, q.put_nowait


# -- (a) a command from the agent application reaches the handler --------------------------
async def test_command_from_client_reaches_the_handler(make_transport, clients, journal: Journal, broker: ActiveMQ):
    from ccsim.vendors.finesse.transport import Message

    transport = make_transport()
    received, handler = handler_queue()
    transport.consume("/queue/Connector1", handler)
    url = await transport.start()
    assert url == f"stomp://127.0.0.1:{broker.stomp_port} (ActiveMQ)"
    await eventually(lambda: transport.connected, what="the transport to connect")

    client = await in_thread(clients)
    await in_thread(client.send, "/queue/Connector1", "pw,1001,5551234,true", "MOBILEAGENTLOGIN#1001")
    msg = await asyncio.wait_for(received.get(), WAIT)
    assert isinstance(msg, Message)
    assert (msg.destination, msg.jms_type, msg.body) == ("/queue/Connector1", "MOBILEAGENTLOGIN#1001",
                                                           "pw,1001,5551234,true")
    assert msg.headers["type"] == "MOBILEAGENTLOGIN#1001"
    assert "content-length" not in msg.headers  # a TextMessage on the broker

    # A command without a JMSType, and an empty body.
    await in_thread(client.send, "/queue/Connector1", "", None)
    msg = await asyncio.wait_for(received.get(), WAIT)
    assert (msg.jms_type, msg.body) == (None, "")

    [first, second] = journal.query(Match(face="finesse", kind="jms", op="consume"))
    assert first.request == {"destination": "/queue/Connector1", "type": "MOBILEAGENTLOGIN#1001",
                             "body": "pw,1001,5551234,true"}
    assert second.request == {"destination": "/queue/Connector1", "type": None, "body": ""}
    assert transport.received == 2


# -- (b) a publish reaches a topic subscriber as a TextMessage -----------------------------
async def test_publish_reaches_a_topic_subscriber_as_a_text_message(make_transport, clients, journal: Journal):
    topic = "/topic/" + unique("192.168.1.148")
    transport = make_transport()
    await transport.start()
    await eventually(lambda: transport.connected, what="the transport to connect")
    client = await in_thread(clients)
    await in_thread(client.subscribe, topic)

    event = "1001#State#NOT_READY#-1##Café 1,2"  # non-ASCII, commas and empty fields pass unchanged
    transport.publish(topic, event)
    frame = await in_thread(client.next_message)
    assert frame.body == event
    assert frame.headers["destination"] == topic
    assert "content-length" not in frame.headers, frame.headers  # JMS consumers see a TextMessage
    assert "type" not in frame.headers, frame.headers  # JMSType null

    transport.publish(topic, "with a type", jms_type="Event#1001")
    frame = await in_thread(client.next_message)
    assert (frame.body, frame.headers.get("type")) == ("with a type", "Event#1001")
    assert "content-length" not in frame.headers

    entries = journal.query(Match(face="finesse", kind="jms", op="publish"))
    assert [e.response for e in entries] == [
        {"destination": topic, "type": None, "body": event},
        {"destination": topic, "type": "Event#1001", "body": "with a type"},
    ]
    await eventually(lambda: transport.sent == 2, what="both messages counted as sent")
    assert transport.dropped == 0


# -- (c) the broker goes away and comes back -----------------------------------------------
@pytest.mark.parametrize("how", ["stop", "kill"])
async def test_reconnects_after_a_broker_restart(how: str, make_transport, clients, broker: ActiveMQ,
                                                  caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.WARNING, logger="ccsim.finesse.activemq")
    commands, events_topic, parked = unique("/queue/Connector"), "/topic/" + unique("ev"), unique("/queue/parked")
    transport = make_transport(heartbeat_ms=2000)
    received, handler = handler_queue()
    transport.consume(commands, handler)
    await transport.start()
    await eventually(lambda: transport.connected, what="the transport to connect")
    client = await in_thread(clients)
    await in_thread(client.send, commands, "before", "GetState#1001")
    assert (await asyncio.wait_for(received.get(), WAIT)).body == "before"

    # The broker goes away: gracefully (SIGTERM) or crashing (SIGKILL of its process group).
    await in_thread(broker.stop if how == "stop" else broker.kill)
    lost_after = await eventually(lambda: not transport.connected, what="the transport to see the loss")
    transport.publish(parked, "published while the broker was down", jms_type="Parked")  # must not raise
    transport.publish(events_topic, "also while down")
    assert transport.queued == 2
    await eventually(lambda: transport.failed_attempts >= 2, what="refused attempts while the broker is down")
    assert not transport.connected

    # It comes back (same ports, same data folder); nobody tells the transport.
    jvm = await in_thread(broker.start)
    reconnect = await eventually(lambda: transport.connected, what="the transport to reconnect")
    print(f"\n[{how}] loss seen after {lost_after:.2f}s; JVM restart {jvm:.2f}s; "
          f"reconnected {reconnect:.2f}s after the broker answered")
    await eventually(lambda: transport.queued == 0, what="the outbox to drain")

    # The next command sent after the restart is delivered.
    client = await in_thread(clients)
    await in_thread(client.send, commands, "pw,1001,5551234,true", "MOBILEAGENTLOGIN#1001")
    msg = await asyncio.wait_for(received.get(), WAIT)
    assert (msg.jms_type, msg.body) == ("MOBILEAGENTLOGIN#1001", "pw,1001,5551234,true")

    # A publish after the restart reaches a (re)subscribed client.
    await in_thread(client.subscribe, events_topic)
    transport.publish(events_topic, "1001#State#READY")
    frame = await in_thread(client.next_message)
    if frame.body == "also while down":  # an empty outbox is sent, not yet dispatched by the broker:
        frame = await in_thread(client.next_message)  # under load it may still beat this SUBSCRIBE
    assert frame.body == "1001#State#READY" and frame.headers["destination"] == events_topic

    # What was published while the broker was down was sent once it was back (a queue keeps it
    # for a late subscriber; the topic copy went to nobody, as topics do).
    parked_client = await in_thread(clients)
    await in_thread(parked_client.subscribe, parked)
    frame = await in_thread(parked_client.next_message)
    assert (frame.body, frame.headers.get("type")) == ("published while the broker was down", "Parked")

    assert transport.connects == 2 and transport.dropped == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("lost the connection" in w for w in warnings), warnings
    assert any("connected to" in w and "again" in w for w in warnings), warnings


async def test_a_hung_broker_is_detected_by_heartbeats(make_transport, clients, broker: ActiveMQ):
    """The broker's process freezes (SIGSTOP): the TCP connection stays up, only the missing
    heartbeats tell. The transport drops the connection, retries (connects time out while the
    JVM is frozen) and is back once the broker is."""
    commands = unique("/queue/Connector")
    transport = make_transport(heartbeat_ms=500, connect_timeout=1.0)
    received, handler = handler_queue()
    transport.consume(commands, handler)
    await transport.start()
    await eventually(lambda: transport.connected, what="the transport to connect")
    broker.pause()
    try:
        detected = await eventually(lambda: not transport.connected, timeout=10, what="the heartbeat timeout")
        # The JVM's kernel still accepts TCP connections: an attempt fails only by its timeout.
        await eventually(lambda: transport.failed_attempts >= 1, what="an attempt to time out")
        assert not transport.connected
    finally:
        broker.resume()
    back = await eventually(lambda: transport.connected, what="the reconnection")
    print(f"\n[hung] loss detected after {detected:.2f}s; reconnected {back:.2f}s after SIGCONT")
    client = await in_thread(clients)
    await in_thread(client.send, commands, "after the freeze", "GetState#1001")
    assert (await asyncio.wait_for(received.get(), WAIT)).body == "after the freeze"


async def test_starts_without_a_broker_and_connects_when_it_appears(make_transport, clients, broker: ActiveMQ,
                                                                    caplog: pytest.LogCaptureFixture):
    """Decision: start() does not fail when the broker is absent; it warns and keeps trying."""
    caplog.set_level(logging.WARNING, logger="ccsim.finesse.activemq")
    commands, parked = unique("/queue/Connector"), unique("/queue/parked")
    await in_thread(broker.stop)
    try:
        transport = make_transport()
        received, handler = handler_queue()
        transport.consume(commands, handler)
        url = await asyncio.wait_for(transport.start(), 2)  # returns at once
        assert url.startswith("stomp://")
        await eventually(lambda: any("keeps trying" in r.getMessage() for r in caplog.records),
                         what="the warning that the broker is unreachable")
        assert not transport.connected
        transport.publish(parked, "queued before the first connection")
    finally:
        await in_thread(broker.start)
    await eventually(lambda: transport.connected, what="the first connection")
    client = await in_thread(clients)
    await in_thread(client.send, commands, "x", "Hello#1001")
    assert (await asyncio.wait_for(received.get(), WAIT)).jms_type == "Hello#1001"
    await in_thread(client.subscribe, parked)
    assert (await in_thread(client.next_message)).body == "queued before the first connection"


async def test_outbox_is_bounded_and_counts_drops(make_transport):
    transport = make_transport(port=free_port(), outbox_limit=3)  # nothing listens there
    await transport.start()
    for i in range(5):
        transport.publish("/topic/x", f"m{i}")  # never raises, never blocks
    assert transport.queued == 3 and transport.dropped == 2
    assert [o.body for o in transport._outbox] == ["m2", "m3", "m4"]  # the oldest were dropped


# -- (d) stop() leaves no thread behind --------------------------------------------------------
def transport_threads(before: set[threading.Thread]) -> list[str]:
    """Threads started since `before`, except asyncio's executor (used for blocking connects)."""
    return sorted(t.name for t in threading.enumerate()
                  if t not in before and t.is_alive() and not t.name.startswith("asyncio_"))


async def test_stop_leaves_no_stomp_thread_running(make_transport):
    before = set(threading.enumerate())
    transport = make_transport(heartbeat_ms=1000)
    received, handler = handler_queue()
    transport.consume(unique("/queue/Connector"), handler)
    await transport.start()
    await eventually(lambda: transport.connected, what="the transport to connect")
    transport.publish("/topic/" + unique("t"), "x")
    await eventually(lambda: transport.sent == 1, what="the publish to be sent")
    running = transport_threads(before)
    assert "ccsim-finesse-stomp-rx" in running and "ccsim-finesse-stomp-tx" in running, running
    assert any(n.startswith("StompHeartbeat") for n in running), running  # heartbeats negotiated

    began = time.monotonic()
    await transport.stop()
    took = time.monotonic() - began
    assert transport_threads(before) == []
    assert not transport.connected
    assert took < 3, f"stop() took {took:.2f}s"
    transport.publish("/topic/x", "after stop")  # still never raises


async def test_stop_while_the_broker_is_unreachable_is_quick_and_clean(make_transport):
    before = set(threading.enumerate())
    transport = make_transport(port=free_port(), reconnect_initial=0.2, reconnect_max=0.2)
    await transport.start()
    await asyncio.sleep(0.5)  # a few refused attempts
    assert transport.failed_attempts >= 2 and not transport.connected
    await asyncio.wait_for(transport.stop(), 3)
    assert transport_threads(before) == []


async def test_stop_with_a_hung_broker_is_bounded_and_clean(make_transport, broker: ActiveMQ):
    """No DISCONNECT receipt comes from a frozen broker: stop() gives up after stop_timeout and
    closes the socket itself; no thread is left."""
    before = set(threading.enumerate())
    transport = make_transport(heartbeat_ms=0, stop_timeout=1.0)
    await transport.start()
    await eventually(lambda: transport.connected, what="the transport to connect")
    broker.pause()
    try:
        transport.publish("/topic/" + unique("t"), "into the void")
        began = time.monotonic()
        await asyncio.wait_for(transport.stop(), 5)
        took = time.monotonic() - began
    finally:
        broker.resume()
    assert transport_threads(before) == []
    assert took < 3, f"stop() took {took:.2f}s"


async def test_credentials_are_sent_and_a_refused_login_is_retried(broker: ActiveMQ, clock: RealClock,
                                                                   caplog: pytest.LogCaptureFixture):
    """A broker that requires a login (its own JVM): a wrong passcode is refused with an ERROR
    frame, logged and retried with backoff (nothing raised); the right one connects."""
    from ccsim.vendors.finesse.activemq import ActiveMqTransport

    caplog.set_level(logging.WARNING, logger="ccsim.finesse.activemq")
    secured = ActiveMQ(users={"ccsim": "s3cret"})
    transports: list[ActiveMqTransport] = []
    try:
        await in_thread(secured.start)
        for passcode in ("wrong", "s3cret"):
            transports.append(ActiveMqTransport(clock, host=secured.host, port=secured.stomp_port, login="ccsim",
                                                passcode=passcode, reconnect_initial=0.1, reconnect_max=0.2))
        wrong, right = transports
        commands = unique("/queue/Connector")
        received, handler = handler_queue()
        right.consume(commands, handler)
        await wrong.start()
        await right.start()
        await eventually(lambda: right.connected, what="the right passcode to connect")
        await eventually(lambda: wrong.failed_attempts >= 2, what="the wrong passcode to be refused twice")
        assert not wrong.connected and wrong.connects == 0
        assert any("ERROR frame" in r.getMessage() for r in caplog.records)
        agent = stomp.Connection([(secured.host, secured.stomp_port)], auto_content_length=False)
        await in_thread(lambda: agent.connect("ccsim", "s3cret", wait=True))
        await in_thread(lambda: agent.send(commands, "pw", headers={"type": "Login#1001"}))
        assert (await asyncio.wait_for(received.get(), WAIT)).jms_type == "Login#1001"
        await in_thread(agent.disconnect)
    finally:
        for t in transports:
            await t.stop()
        await in_thread(secured.close)


def test_refuses_the_virtual_clock():
    from ccsim.core import VirtualClock
    from ccsim.vendors.finesse.activemq import ActiveMqTransport

    with pytest.raises(ValueError, match="real clock"):
        ActiveMqTransport(VirtualClock(), host="127.0.0.1", port=61613)
