"""The embedded STOMP broker within its memory budget (`memory.stomp_bytes`, issue 22 item 2), over
real sockets: a queue nobody consumes, clients that never read, transactions never committed and
topic messages never acknowledged keep at most the budget; a SEND past it gets ActiveMQ's ERROR
and is not kept; a slow topic subscriber loses its oldest pending messages (counted); destinations
nobody uses are forgotten; a reset frees every destination's messages; and the Finesse connector's
own traffic goes on under a small budget."""
from __future__ import annotations

import asyncio
import contextlib
import copy
import gc
import re
import socket
import tracemalloc
from collections.abc import AsyncIterator

import pytest

from support.world import TEST_CONFIG
from support.admin import Admin
from ccsim import config
from ccsim.core import Journal, RealClock, StoreFull
from ccsim.vendors.finesse.stomp import StompBroker, StompClient, StompClientError, connection
from ccsim.vendors.finesse.stomp.connection import WRITE_HIGH_WATER
from ccsim.vendors.finesse.stomp.frames import Frame, FrameParser, encode
from ccsim.vendors.finesse.stomp.router import Router
from ccsim.vendors.finesse.stomp.store import SUBSCRIPTION_BYTES, TOPIC_ACK_BYTES, BrokerStore
from support.finesse import FINESSE_AGENTS
from support.stomp import CONNECT, check_emitted, until

KiB, MiB = 1024, 1024 * 1024
WAIT = 5.0
USAGE_LIMIT = re.compile(r"^Usage Manager Memory Limit reached\. Stopping producer \(ID:ccsim-finesse-stomp-\d+:-1:1\) "
                         r"to prevent flooding (queue|topic)://[^ ]+\. See http://activemq\.apache\.org/"
                         r"producer-flow-control\.html for more info$")


@pytest.fixture
async def small() -> AsyncIterator[StompBroker]:
    """A broker whose store has 256 KiB."""
    clock = RealClock()
    broker = StompBroker(clock, Journal(clock), heartbeat=(0, 0), close_grace=0.2, stomp_bytes=256 * KiB)
    await broker.start()
    try:
        yield broker
    finally:
        await broker.stop()
    check_emitted(broker)


async def connect(broker: StompBroker) -> StompClient:
    return await StompClient.connect("127.0.0.1", broker.port, broker.clock)


class Reader:
    """A raw client that stops reading once subscribed (until `read_all`). Its socket's buffers,
    and the broker's side of them, are small, as over a slow link: the kernel does not take
    megabytes off the broker's hands."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer = reader, writer
        self.parser = FrameParser(version="1.2")

    @classmethod
    async def subscribed(cls, broker: StompBroker, destination: str, ack: str = "auto") -> "Reader":
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.setblocking(False)
        await asyncio.get_running_loop().sock_connect(sock, ("127.0.0.1", broker.port))
        reader, writer = await asyncio.open_connection(sock=sock, limit=4096)
        client = cls(reader, writer)
        writer.write(CONNECT + encode(Frame("SUBSCRIBE", [("destination", destination), ("id", "s"), ("ack", ack),
                                                          ("receipt", "subscribed")])))
        frames = await client.frames_until(lambda f: f.command == "RECEIPT")
        assert [f.command for f in frames] == ["CONNECTED", "RECEIPT"]
        [conn] = [c for c in broker._connections.values() if c.peer[:2] == sock.getsockname()[:2]]
        conn.transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
        return client

    async def frames_until(self, done, timeout: float = WAIT) -> list[Frame]:
        frames: list[Frame] = []
        while not frames or not done(frames[-1]):
            chunk = await asyncio.wait_for(self.reader.read(65536), timeout)
            assert chunk, "closed"
            frames += [f for f in self.parser.feed(chunk) if isinstance(f, Frame)]
        return frames

    async def read_all(self, quiet: float = 0.5) -> list[Frame]:
        """Everything sent so far: read until nothing comes for `quiet` seconds."""
        frames: list[Frame] = []
        while True:
            try:
                chunk = await asyncio.wait_for(self.reader.read(1 << 20), quiet)
            except TimeoutError:
                return frames
            if not chunk:
                return frames
            frames += [f for f in self.parser.feed(chunk) if isinstance(f, Frame)]

    def close(self) -> None:
        self.writer.close()


def backlogs(broker: StompBroker) -> list[int]:
    """What each connection has written and its client not read yet, in the broker's process."""
    return [conn.transport.get_write_buffer_size() for conn in broker._connections.values() if conn.transport]


# -- a queue nobody consumes ------------------------------------------------------------------------------
async def test_a_queue_nobody_consumes_keeps_its_budget_and_a_send_past_it_gets_activemqs_error(small):
    sender = await connect(small)
    accepted, refused = [], []
    for n in range(64):  # 1 MiB to a queue with no consumer, in a 256 KiB store
        try:
            await sender.send("/queue/nobody", f"{n:03d}" + "m" * (16 * KiB), receipt=f"s{n}")
            accepted.append(n)
        except StompClientError as exc:
            refused.append((n, exc.frame))
    assert refused, "every SEND was taken: the queue kept 1 MiB for a 256 KiB budget"
    assert accepted == list(range(len(accepted))) and [n for n, _ in refused] == list(range(len(accepted), 64))
    for n, error in refused:  # ActiveMQ's sendFailIfNoSpace: the SEND's receipt-id, the connection goes on
        assert USAGE_LIMIT.match(error["message"]) and "queue://nobody" in error["message"], error["message"]
        assert error["receipt-id"] == f"s{n}" and error["content-type"] == "text/plain"
        assert error.text.startswith("javax.jms.ResourceAllocationException: Usage Manager Memory Limit reached")
    assert await sender.send("/topic/elsewhere", "still connected", receipt=True)
    assert small.pending_count("/queue/nobody") == len(accepted)  # nothing accepted was lost
    assert small.store.bytes <= 256 * KiB and small.store.refused == len(refused) == 64 - len(accepted)
    await sender.disconnect()
    late = await connect(small)  # the sender has gone; what it sent waits, and comes in order
    await late.subscribe("/queue/nobody", "late")
    got = [(await late.next_message(WAIT)).body[:3] for _ in accepted]
    assert got == [f"{n:03d}".encode() for n in accepted]
    await late.unsubscribe("late")
    assert small.store.bytes == 0 and small.router.destinations() == []
    await late.disconnect()


async def test_a_sent_message_bigger_than_the_whole_budget_is_refused_and_a_small_one_then_taken(small):
    client = await connect(small)
    with pytest.raises(StompClientError) as caught:
        await client.send("/queue/big", "b" * (300 * KiB), receipt=True)
    assert USAGE_LIMIT.match(caught.value.frame["message"])
    assert small.pending_count("/queue/big") == 0 and "/queue/big" not in small.router.destinations()
    await client.send("/queue/big", "small", receipt=True)
    assert small.pending_count("/queue/big") == 1
    await client.disconnect()


# -- clients that never read --------------------------------------------------------------------------------
async def test_topic_subscribers_that_never_read_hold_the_budget_together_and_lose_their_oldest_messages(small):
    slow = [await Reader.subscribed(small, "/topic/prices") for _ in range(10)]
    body = 8 * KiB
    for n in range(COUNT := 400):  # 3.2 MB to each subscriber
        small.publish("/topic/prices", f"{n:03d}" + "p" * body)
        await asyncio.sleep(0)
    await asyncio.sleep(0.2)  # the sockets take what they take
    held = sum(backlogs(small))
    # Each socket's buffer holds at most its high-water mark and one frame; the rest waits in the store.
    assert held <= 10 * (WRITE_HIGH_WATER + body + 1 * KiB), f"{held:,} bytes held for 10 clients that do not read"
    assert small.store.bytes <= 256 * KiB and small.store.dropped > 0
    frames = await slow[0].read_all()
    numbers = [int(f.body[:3]) for f in frames]
    assert numbers == sorted(set(numbers)) and numbers[-1] == COUNT - 1  # in order, the newest kept
    assert len(numbers) < COUNT  # the oldest of those waiting were dropped
    for client in slow:
        client.close()
    await until(lambda: small.connection_count == 0)
    assert small.store.bytes == 0 and small.router.destinations() == []


async def test_a_queue_subscriber_that_does_not_read_leaves_the_messages_to_one_that_does(small):
    stuck = await Reader.subscribed(small, "/queue/work")
    reader = await connect(small)
    await reader.subscribe("/queue/work", "r")
    got: list[int] = []
    for n in range(300):  # 4.8 MB through a 256 KiB store: it goes to whoever reads
        while True:
            try:
                small.publish("/queue/work", f"{n:03d}" + "w" * (16 * KiB))
                break
            except StoreFull:  # the queue is full until the reader reads
                await asyncio.sleep(0.01)
        got += [int(f.body[:3]) for f in reader.drain()]
        await asyncio.sleep(0)
    await until(lambda: small.pending_count("/queue/work") == 0)
    with contextlib.suppress(TimeoutError):
        while True:
            got.append(int((await reader.next_message(0.5)).body[:3]))
    stuck_got = [int(f.body[:3]) for f in await stuck.read_all()]
    assert sorted(got + stuck_got) == list(range(300))  # each message once, none lost
    assert len(got) > 2 * len(stuck_got), (len(got), len(stuck_got))  # not round-robin into a full socket
    assert small.store.bytes == 2 * SUBSCRIPTION_BYTES  # nothing but the two subscriptions
    stuck.close()
    await reader.disconnect()
    await until(lambda: small.store.bytes == 0)


async def test_one_client_is_still_dropped_past_its_own_backlog_cap(monkeypatch):
    monkeypatch.setattr(connection, "MAX_WRITE_BACKLOG", 512 * KiB)  # 64 MiB as shipped
    clock = RealClock()
    broker = StompBroker(clock, Journal(clock), heartbeat=(0, 0), close_grace=0.2, stomp_bytes=4 * MiB)
    await broker.start()
    try:
        slow = await Reader.subscribed(broker, "/topic/t")
        for _ in range(200):  # 1.6 MB, under the store's budget: the client's own cap drops it first
            broker.publish("/topic/t", "t" * (8 * KiB))
        assert broker.connection_count == 0
        await until(lambda: not broker._connections)
        assert broker.store.bytes == 0 and broker.store.dropped > 0
        slow.close()
    finally:
        await broker.stop()


# -- transactions and acknowledgements -----------------------------------------------------------------------
async def test_a_transaction_holds_no_more_than_the_budget(small):
    consumer, producer = await connect(small), await connect(small)
    await consumer.subscribe("/queue/tx", "c")
    subscribed = small.store.bytes
    await producer.begin("t", receipt=True)
    accepted, refused = [], []
    for n in range(32):  # 512 KiB held until COMMIT
        try:
            await producer.send("/queue/tx", f"{n:03d}" + "t" * (16 * KiB), transaction="t", receipt=True)
            accepted.append(n)
        except StompClientError as exc:
            refused.append(exc.frame)
    assert refused and USAGE_LIMIT.match(refused[0]["message"])
    assert small.store.bytes <= 256 * KiB and consumer.drain() == []
    await producer.commit("t", receipt=True)  # what was accepted is delivered
    assert [int((await consumer.next_message(WAIT)).body[:3]) for _ in accepted] == accepted
    await producer.begin("u", receipt=True)
    await producer.send("/queue/tx", "aborted", transaction="u", receipt=True)
    assert small.store.bytes > subscribed
    await producer.abort("u", receipt=True)
    assert small.store.bytes == subscribed
    await producer.begin("v", receipt=True)
    await producer.send("/queue/tx", "lost with its connection", transaction="v", receipt=True)
    producer.close()
    await until(lambda: small.store.bytes == subscribed)
    await consumer.disconnect()


async def test_topic_messages_a_client_never_acknowledges_are_bounded_and_it_gets_new_ones_once_it_does(small):
    client = await connect(small)
    await client.subscribe("/topic/acks", "a", ack="client")
    for n in range(2000):
        small.publish("/topic/acks", f"{n:04d}")
    [sub] = [s for conn in small._connections.values() for s in conn.subscriptions.values()]
    assert len(sub.unacked) <= 256 * KiB // TOPIC_ACK_BYTES  # all 2000 before the budget
    assert small.store.bytes <= 256 * KiB and small.store.dropped > 0
    frames = [await client.next_message(WAIT)]
    await asyncio.sleep(0.3)
    frames += client.drain()
    assert len(frames) == len(sub.unacked) and 2000 - len(frames) == small.store.dropped
    await client.ack(frames[-1], receipt=True)  # client mode: every one up to it
    assert small.store.bytes == SUBSCRIPTION_BYTES
    small.publish("/topic/acks", "after")
    assert (await client.next_message(WAIT)).body == b"after"
    await client.disconnect()


async def test_a_store_full_of_queued_messages_still_lets_a_consumer_come_and_take_them(small):
    producer = await connect(small)
    refusals = 0
    for n in range(32):
        try:
            await producer.send("/queue/full", "f" * (16 * KiB), receipt=True)
        except StompClientError:
            refusals += 1
    assert refusals > 0
    queued = small.pending_count("/queue/full")
    consumer = await connect(small)  # subscribes and acknowledges in a transaction: the messages' reserve
    await consumer.subscribe("/queue/full", "c", ack="client-individual")
    await consumer.begin("t", receipt=True)
    for _ in range(queued):
        await consumer.ack(await consumer.next_message(WAIT), transaction="t", receipt=True)
    await consumer.commit("t", receipt=True)
    assert small.pending_count("/queue/full") == 0 and small.store.bytes == SUBSCRIPTION_BYTES
    await producer.send("/queue/full", "room again", receipt=True)
    assert (await consumer.next_message(WAIT)).body == b"room again"
    await producer.disconnect()
    await consumer.disconnect()


async def test_a_client_cannot_hold_more_subscriptions_than_the_budget(small):
    client = await connect(small)
    refused = []
    for n in range(400):  # 256 KiB holds about 256 of them
        try:
            await client.subscribe(f"/topic/many.{n}", f"s{n}")
        except StompClientError as exc:
            refused.append(exc.frame)
    assert refused and refused[0]["message"] == "Usage Manager Memory Limit reached"
    assert "SUBSCRIBE refused" in refused[0].text
    assert small.store.bytes <= 256 * KiB and small.store.refused == len(refused)
    assert len(small.router.destinations()) == 400 - len(refused)
    for n in range(400 - len(refused)):
        await client.unsubscribe(f"s{n}")
    assert small.store.bytes == 0 and small.router.destinations() == []
    await client.disconnect()


# -- destinations nobody uses -----------------------------------------------------------------------------------
async def test_destinations_are_forgotten_when_nobody_uses_them(small):
    clients = [await connect(small) for _ in range(3)]
    for n, client in enumerate(clients):
        for k in range(20):
            await client.subscribe(f"/topic/desk{n}.{k}", f"t{k}")
            await client.subscribe(f"/queue/work{n}.{k}", f"q{k}")
    assert len(small.router.destinations()) == 120
    for k in range(20):
        await clients[0].unsubscribe(f"t{k}")
        await clients[0].unsubscribe(f"q{k}")
    assert len(small.router.destinations()) == 80
    clients[1].close()  # abruptly
    await clients[2].disconnect()
    await until(lambda: small.connection_count == 1)
    assert small.router.destinations() == []  # no empty entry left behind
    await clients[0].disconnect()


# -- the estimate --------------------------------------------------------------------------------------------------
def test_the_stores_estimate_of_queued_messages_is_what_tracemalloc_sees_them_hold():
    store = BrokerStore(1 << 40)
    router = Router(now_ms=lambda: 0, store=store)
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for n in range(2000):
            router.send(router.new_message(f"/queue/q{n % 7}", [("type", f"Login#{n}"), ("k", "v" * (n % 50))],
                                           b"x" * (n % 3000), sender=f"stomp-{n % 5}"))
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held <= store.bytes <= 1.6 * held, (store.bytes, held)  # errs high, never low


# -- the simulator: health, reset, the Finesse connector's own traffic ------------------------------------------------
@pytest.fixture
def sim_config() -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += FINESSE_AGENTS
    data["memory"] = {"stomp_bytes": 128 * KiB}
    return config.from_mapping(data, "tests")


async def test_reset_frees_every_destinations_messages(sim, admin: Admin):
    host, port = sim.urls["finesse"].removeprefix("stomp://").split(":")
    client = await StompClient.connect(host, int(port), sim.clock)
    for n in range(4):
        await client.send(f"/queue/parked{n}", "p" * (8 * KiB), receipt=True)
    broker = sim.faces["finesse"].transport
    assert broker.pending_count("/queue/parked0") == 1
    assert (await admin.post("/reset")).status == 200
    assert broker.pending_count("/queue/parked0") == 0 and broker.router.destinations() == ["/queue/Connector1"]
    store = (await admin.get("/health")).body["memory"]["stores"]["finesse.stomp"]
    assert store == {"bytes": 0, "budget": 128 * KiB, "entries": 0, "dropped": 0, "refused": 0}
    for n in range(4):  # counted again
        await client.send(f"/queue/parked{n}", "p" * (8 * KiB), receipt=True)
    store = (await admin.get("/health")).body["memory"]["stores"]["finesse.stomp"]
    assert 32 * KiB < store["bytes"] <= 128 * KiB and store["entries"] == 4
    await client.disconnect()


async def test_the_connectors_own_traffic_goes_on_under_a_full_budget(sim, admin: Admin):
    host, port = sim.urls["finesse"].removeprefix("stomp://").split(":")
    filler = await StompClient.connect(host, int(port), sim.clock)
    refusals = 0
    for n in range(40):  # a queue nobody consumes fills the store
        try:
            await filler.send("/queue/nobody", "f" * (8 * KiB), receipt=True)
        except StompClientError:
            refusals += 1
    assert refusals > 0
    store = (await admin.get("/health")).body["memory"]["stores"]["finesse.stomp"]
    assert store["refused"] == refusals and store["bytes"] <= 128 * KiB
    # A desktop: its commands go to the connector (consumed in process, never kept), its events come.
    desk = await StompClient.connect(host, int(port), sim.clock)
    await desk.subscribe("/topic/ws1", "events")
    await desk.send("/queue/Connector1", "ws1,pw", {"type": "Connect#1001"}, receipt=True)
    await desk.send("/queue/Connector1", "pw,2001", {"type": "Login#1001"}, receipt=True)
    events = [(await desk.next_message(30)).body.decode().split("#")[1] for _ in range(2)]
    assert events == ["AgentInfo", "State"]
    await desk.send("/queue/Connector1", "", {"type": "MakeReady#1001"}, receipt=True)
    assert (await desk.next_message(30)).body.decode().split("#")[2] == "READY"
    await filler.disconnect()
    await desk.disconnect()
