"""One agent's credentials cannot act on another agent, on any face: each face refuses with its own
error and the other agent's state, session and events stay as they were. Finesse: each command needs
the agent's own password, and comes only from the desktop that bound it."""
from __future__ import annotations

import copy

import pytest

from ccsim.vendors.finesse.stomp.client import StompClient
from support.finesse import App, finesse_config
from support.world import started


async def test_finesse_each_command_needs_the_agents_own_password_and_events_reach_only_its_topic(app_factory_of):
    sim, make = app_factory_of
    ada, alan = await make("ws1"), await make("ws2")
    await ada.sign_in("1001", "2001")
    await alan.send("Connect#1002", "ws2,pw")  # Ada's password, Alan's account
    assert (await alan.event())[1:4] == ["Error", "Connect", "SUBSCRIPTION_FAILED"]
    await alan.send("Login#1002", "pw,2002")
    assert (await alan.quiet()) and sim.faces["finesse"].model.connector.users["1002"].state == "LOGOUT"
    await alan.send("Connect#1001", "ws2,alan-pw")  # Alan's password, Ada's account
    assert (await alan.event())[3] == "SUBSCRIPTION_FAILED"
    await alan.send("Connect#1002", "ws2,alan-pw")
    await alan.send("Login#1002", "alan-pw,2002")
    assert [e[1] for e in await alan.events(2)] == ["AgentInfo", "State"]
    assert await ada.quiet(), "Alan's events reached Ada's topic"


async def test_finesse_a_desktop_sends_commands_only_for_the_agent_it_bound(app_factory_of):
    """MakeReady#1001, AnswerCall#1001... from a desktop bound to another agent, or bound to none,
    are refused (AUTHORIZATION_FAILURE, heard only by the sender) and change nothing of 1001's."""
    sim, make = app_factory_of
    ada, alan, stranger = await make("ws1"), await make("ws2"), await make("ws3")
    await ada.sign_in("1001", "2001")
    await alan.send("Connect#1002", "ws2,alan-pw")
    sim.world.inject("sales", caller="+15550100")
    dialog = (await ada.events(2))[1][4].split(":")[1]  # State RESERVED, NewInboundCall
    for jms_type, body in [("AnswerCall#1001", dialog), ("ReleaseCall#1001", dialog), ("MakeNotReady#1001", ""),
                           ("MakeReady#1001", ""), ("Logout#1001", ""), ("force_logout#1001", ""),
                           ("Login#1001", "pw,2001"), ("getqueuelist#1001", "")]:
        await alan.send(jms_type, body)
        assert (await alan.event())[:4] == ["1001", "Error", jms_type.split("#")[0], "AUTHORIZATION_FAILURE"]
        await stranger.send(jms_type, body)  # it bound nobody: it hears nothing, and nothing happens
    assert await stranger.quiet() and await ada.quiet(), "the refusals reached another desktop"
    assert sim.faces["finesse"].model.connector.users["1001"].state == "RESERVED"
    await ada.send("AnswerCall#1001", dialog)  # Ada's own desktop still can
    assert [e[1:3] for e in await ada.events(2)] == [["InboundCall", "ACTIVE"], ["State", "TALKING"]]
    # A new connection must bind again: Connect from it takes the agent over, the old one loses it.
    again = await make("ws1")
    await again.send("Connect#1001", "ws1,pw")
    await ada.send("HoldCall#1001", dialog)  # refused; its connection bound nobody now, so nobody hears it
    assert await again.quiet() and sim.faces["finesse"].model.connector.users["1001"].state == "TALKING"
    await again.send("HoldCall#1001", dialog)
    assert (await again.event())[1:3] == ["InboundCall", "HELD"]


async def test_finesse_commands_from_anyone_is_the_documented_opt_out():
    """faces.finesse.commands_from: anyone: the JMSType alone names the agent, as the connector's
    documents describe it; a desktop that bound nobody then changes 1001's state."""
    sim = await started(finesse_config(commands_from="anyone"))
    try:
        host, port = sim.urls["finesse"].removeprefix("stomp://").split(":")
        ada = App(await StompClient.connect(host, int(port), clock=sim.clock), "ws1")
        await ada.client.subscribe("/topic/ws1", id="events")
        await ada.sign_in("1001", "2001")
        stranger = App(await StompClient.connect(host, int(port), clock=sim.clock), "ws3")
        await stranger.send("MakeNotReady#1001")
        assert (await ada.event())[1:4] == ["State", "NOT_READY", "-1"]
    finally:
        await sim.stop()


@pytest.fixture
async def app_factory_of():
    """A Finesse simulator where Alan's password differs from Ada's, and agent applications on it."""
    cfg = finesse_config()
    cfg.agents = copy.deepcopy(cfg.agents)  # the agents are support/finesse.py's own dicts: leave them alone
    next(a for a in cfg.agents if a["id"] == "1002")["finesse"]["password"] = "alan-pw"
    sim = await started(cfg)
    host, port = sim.urls["finesse"].removeprefix("stomp://").split(":")
    clients = []

    async def make(destination: str) -> App:
        client = await StompClient.connect(host, int(port), clock=sim.clock)
        await client.subscribe(f"/topic/{destination}", id="events")
        clients.append(client)
        return App(client, destination)

    try:
        yield sim, make
    finally:
        for client in clients:
            client.close()
        await sim.stop()
