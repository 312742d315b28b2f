"""The Finesse face through a real ActiveMQ, as deployed: the agent application (stomp.py here)
talks to the broker; ccsim consumes the command queue and publishes events to the topic.
In CI these tests fail, not skip, when ActiveMQ is missing (.ci/run installs it)."""
from __future__ import annotations

import asyncio
import queue
from collections.abc import AsyncIterator, Iterator

import pytest
import stomp

from activemq import ActiveMQ, running_broker
from simulator.app import Simulator
from simulator.conformance.emitted import journal_violations
from simulator.core import RealClock
from test_finesse_face import finesse_config


@pytest.fixture(scope="module")
def broker() -> Iterator[ActiveMQ]:
    yield from running_broker()


@pytest.fixture
async def sim(broker: ActiveMQ) -> AsyncIterator[Simulator]:
    cfg = finesse_config(transport="activemq", activemq_host=broker.host, activemq_port=broker.stomp_port)
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


class App(stomp.ConnectionListener):
    """The agent application, thread-based as JMS-over-STOMP clients are."""

    def __init__(self, broker: ActiveMQ, destination: str):
        self.events: queue.Queue[str] = queue.Queue()
        self.destination = destination
        self.conn = stomp.Connection([(broker.host, broker.stomp_port)], auto_content_length=False)
        self.conn.set_listener("app", self)
        self.conn.connect(wait=True)
        self.conn.subscribe(f"/topic/{destination}", id="events", ack="auto")

    def on_message(self, frame) -> None:
        assert "content-length" not in frame.headers  # a TextMessage for JMS consumers
        self.events.put(frame.body)

    def send(self, jms_type: str, body: str = "") -> None:
        self.conn.send("/queue/Connector1", body, headers={"type": jms_type})

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
        await asyncio.to_thread(again.send, "GetState#1001")
        state = await again.event(timeout=30)
        assert state[1:3] == ["State", "NOT_READY"]
    finally:
        again.close()
