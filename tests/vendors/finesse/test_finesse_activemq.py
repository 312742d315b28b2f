"""The Finesse face through a real ActiveMQ, as deployed: the agent application (stomp.py here)
talks to the broker; ccsim consumes the command queue and publishes events to the topic.
In CI these tests fail, not skip, when ActiveMQ is missing (.ci/run installs it)."""
from __future__ import annotations

import asyncio
import contextlib
import random
import queue
from collections.abc import AsyncIterator, Iterator

import pytest
import stomp

from support.activemq import ActiveMQ, running_broker
from ccsim.app import Simulator
from ccsim.contracts.emitted import journal_violations
from ccsim.core import RealClock
from support.finesse import finesse_config


@pytest.fixture(scope="module")
def broker() -> Iterator[ActiveMQ]:
    yield from running_broker()


@contextlib.asynccontextmanager
async def simulator_on(broker: ActiveMQ, **settings) -> AsyncIterator[Simulator]:
    cfg = finesse_config(transport="activemq", activemq_host=broker.host, activemq_port=broker.stomp_port, **settings)
    cfg.faces_enabled = ["finesse"]
    simulator = Simulator(cfg, RealClock())
    await simulator.start()
    transport = simulator.faces["finesse"].transport
    for _ in range(200):  # connected and subscribed, as the transport reports it
        if transport.connected:
            break
        await asyncio.sleep(0.05)
    try:
        yield simulator
    finally:
        await simulator.stop()
    problems = journal_violations(simulator.journal)  # as conftest's `sim` does
    assert not problems, "\n".join(problems[:20])


@pytest.fixture
async def sim(broker: ActiveMQ) -> AsyncIterator[Simulator]:
    async with simulator_on(broker) as simulator:
        yield simulator


class App(stomp.ConnectionListener):
    """The agent application, thread-based as JMS-over-STOMP clients are."""

    def __init__(self, broker: ActiveMQ, destination: str, durable: bool = False):
        self.events: queue.Queue[str] = queue.Queue()
        self.destination = destination
        self.conn = stomp.Connection([(broker.host, broker.stomp_port)], auto_content_length=False)
        self.conn.set_listener("app", self)
        # A durable subscriber (JMS client id + subscription name) gets what was published to
        # its topic while it was away, as a JMS desktop that must lose nothing subscribes.
        self.conn.connect(wait=True, headers={"client-id": f"app-{destination}"} if durable else {})
        self.conn.subscribe(f"/topic/{destination}", id="events", ack="auto",
                            headers={"activemq.subscriptionName": destination} if durable else {})

    def on_message(self, frame) -> None:
        assert "content-length" not in frame.headers  # a TextMessage for JMS consumers
        self.events.put(frame.body)

    def send(self, jms_type: str, body: str = "") -> None:
        # persistent: a command waiting on the queue survives a broker restart
        self.conn.send("/queue/Connector1", body, headers={"type": jms_type, "persistent": "true"})

    async def event(self, timeout: float = 15) -> list[str]:
        return (await asyncio.to_thread(self.events.get, True, timeout)).split("#")

    def close(self) -> None:
        if self.conn.is_connected():
            self.conn.disconnect()


@pytest.fixture
def app(broker: ActiveMQ) -> Iterator[App]:
    client = App(broker, "ws1")
    yield client
    client.close()


async def test_mobile_agent_login_through_activemq(sim, app):
    await asyncio.to_thread(app.send, "Hello#ws1")
    assert await app.event() == ["ws1", "IN_SERVICE"]
    await asyncio.to_thread(app.send, "Connect#1001", "ws1,pw")
    await asyncio.to_thread(app.send, "MOBILEAGENTLOGIN#1001", "pw,2001,5551234,true")
    assert [(await app.event())[1] for _ in range(3)] == ["AgentInfo", "State", "DialogStatus"]
    await asyncio.to_thread(app.send, "MakeReady#1001")
    assert (await app.event())[2] == "READY"
    sim.world.inject("sales", caller="+15550100")
    assert [(await app.event())[1] for _ in range(2)] == ["State", "NewInboundCall"]


async def test_over_activemq_an_agents_commands_come_from_its_desktop_or_its_supervisor(sim, app, broker):
    """The sending connection is ActiveMQ's (the message-id's connection part): another desktop is
    refused, the team's supervisor acts with Finesse's reason code 999."""
    alan, grace = App(broker, "ws2"), App(broker, "ws9")
    try:
        for desk, agent, extension in [(app, "1001", "2001"), (grace, "9001", "2901")]:
            await asyncio.to_thread(desk.send, f"Connect#{agent}", f"{desk.destination},pw")
            await asyncio.to_thread(desk.send, f"Login#{agent}", f"pw,{extension}")
            assert [(await desk.event())[1] for _ in range(2)] == ["AgentInfo", "State"]
        await asyncio.to_thread(app.send, "MakeReady#1001")
        assert (await app.event())[2] == "READY"
        await asyncio.to_thread(alan.send, "Connect#1002", "ws2,pw")
        await asyncio.to_thread(alan.send, "MakeNotReady#1001")
        assert (await alan.event())[:4] == ["1001", "Error", "MakeNotReady", "AUTHORIZATION_FAILURE"]
        await asyncio.to_thread(grace.send, "MakeNotReady#1001")
        assert (await app.event())[1:4] == ["State", "NOT_READY", "999"]
        with pytest.raises(queue.Empty):  # Alan's attempt reached Ada's desktop in no form
            app.events.get(timeout=1)
    finally:
        alan.close()
        grace.close()


async def test_activemq_restart_then_the_next_command_is_answered(sim, app, broker):
    await asyncio.to_thread(app.send, "Connect#1001", "ws1,pw")
    await asyncio.to_thread(app.send, "Login#1001", "pw,2001")
    assert [(await app.event())[1] for _ in range(2)] == ["AgentInfo", "State"]
    app.close()
    await asyncio.to_thread(broker.restart)
    transport = sim.faces["finesse"].transport
    for _ in range(400):  # the transport notices, backs off and reconnects by itself
        if transport.connected and transport.connects >= 2:
            break
        await asyncio.sleep(0.05)
    assert transport.connects >= 2
    again = App(broker, "ws1")
    try:
        # A new STOMP connection binds the agent again: commands come only from the bound connection.
        await asyncio.to_thread(again.send, "Connect#1001", "ws1,pw")
        await asyncio.to_thread(again.send, "GetState#1001")
        state = await again.event(timeout=30)
        assert state[1:3] == ["State", "NOT_READY"]
    finally:
        again.close()


async def test_a_quiet_client_does_not_make_ccsim_drop_its_activemq_connection(broker):
    # ActiveMQ skips a heart-beat after a frame it sent (AMQ-4710): its beats can be two
    # intervals apart. With 1 s beats, each command lands at another point of ActiveMQ's cycle.
    async with simulator_on(broker, activemq_heartbeat_ms=1000) as sim:
        transport = sim.faces["finesse"].transport
        app = App(broker, "ws1")
        try:
            await asyncio.to_thread(app.send, "Connect#1001", "ws1,pw")
            await asyncio.to_thread(app.send, "Login#1001", "pw,2001")
            assert [(await app.event())[1] for _ in range(2)] == ["AgentInfo", "State"]
            gaps = random.Random(3)
            for _ in range(8):
                await asyncio.sleep(gaps.uniform(1.05, 1.95))
                await asyncio.to_thread(app.send, "GetState#1001")
                assert (await app.event())[1] == "State"
            await asyncio.sleep(3)  # quiet: ActiveMQ's beats alone now keep the connection
        finally:
            app.close()
        assert transport.connects == 1, "ccsim took a healthy ActiveMQ for gone"


async def test_an_activemq_restart_loses_no_command_and_no_event(sim, broker):
    transport = sim.faces["finesse"].transport
    app = App(broker, "ws1", durable=True)
    await asyncio.to_thread(app.send, "Connect#1001", "ws1,pw")
    await asyncio.to_thread(app.send, "Login#1001", "pw,2001")
    await asyncio.to_thread(app.send, "MakeReady#1001")
    assert [(await app.event())[1] for _ in range(3)] == ["AgentInfo", "State", "State"]
    app.close()
    await asyncio.to_thread(broker.stop)
    for _ in range(200):
        if not transport.connected:
            break
        await asyncio.sleep(0.05)
    assert not transport.connected
    mark = sim.journal.last_seq
    sim.world.inject("sales", caller="+15550100")  # its events wait in ccsim's outbox
    await asyncio.to_thread(broker.start)
    again = App(broker, "ws1", durable=True)
    try:
        await asyncio.to_thread(again.send, "Connect#1001", "ws1,pw")  # a new connection binds again
        await asyncio.to_thread(again.send, "GetState#1001")  # maybe before ccsim is back: it waits on the queue
        received = ["#".join(await again.event(timeout=30)) for _ in range(3)]
        with pytest.raises(queue.Empty):  # and nothing twice
            again.events.get(timeout=2)
    finally:
        again.close()
    sent = [e.response["body"] for e in sim.journal.query(since=mark + 1)
            if e.kind == "jms" and (e.response or {}).get("destination") == "/topic/ws1"]
    assert [b.split("#")[1:3] for b in sent] == [["State", "RESERVED"], ["NewInboundCall", sent[1].split("#")[2]],
                                                  ["State", "RESERVED"]]  # the GetState answer last
    assert sorted(received) == sorted(sent), (received, sent)
    assert received.index(sent[0]) < received.index(sent[1])  # the outbox keeps its order
    assert transport.connects >= 2 and transport.dropped == 0


async def test_a_reset_over_activemq_leaves_no_call_ringing_for_later(broker):
    # The defect seen by a new user: a call offered before a reset dropped a ring timeout later
    # (InboundCall DROPPED, NOT_READY 32767) for the agent signed in again, and no call routed.
    async with simulator_on(broker, ring_timeout_seconds=2) as sim:
        app = App(broker, "ws1")
        try:
            for command, body in [("Connect#1001", "ws1,pw"), ("Login#1001", "pw,2001"), ("MakeReady#1001", "")]:
                await asyncio.to_thread(app.send, command, body)
            assert [(await app.event())[1] for _ in range(3)] == ["AgentInfo", "State", "State"]
            sim.world.inject("sales", caller="+15550100")
            assert [(await app.event())[1] for _ in range(2)] == ["State", "NewInboundCall"]
            sim.reset()
            for command, body in [("Connect#1001", "ws1,pw"), ("Login#1001", "pw,2001"), ("MakeReady#1001", "")]:
                await asyncio.to_thread(app.send, command, body)
            assert [(await app.event())[1] for _ in range(3)] == ["AgentInfo", "State", "State"]
            with pytest.raises(queue.Empty):  # past the old call's ring timeout: nothing
                app.events.get(timeout=3)
            sim.world.inject("sales", caller="+15550101")
            assert [(await app.event())[1:3] for _ in range(2)][0] == ["State", "RESERVED"]
        finally:
            app.close()
