"""Issue 21 on the NICE CXone face, over HTTP: a call for an agent whose leg MAX is still dialling,
the Media Bar refused the accept that would connect the leg, logging out during after-call work
or with the leg up."""
from __future__ import annotations

import copy

import pytest

from support.world import TEST_CONFIG
from ccsim import config
from support.nice import NICE_AGENTS, Client, signed_in


@pytest.fixture
def sim_config(request):
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += NICE_AGENTS
    data["faces"]["nice"] = dict(getattr(request, "param", {}))
    return config.from_mapping(data, "tests")


@pytest.fixture
def client(sim, wire):
    return lambda: Client(wire, sim.urls["nice"])


async def bar_of(client, username: str = "ada@example.com") -> Client:
    bar = client()
    assert (await bar.sign_in(username, None, bar=True)).status == 200
    assert (await bar.join()).status == 202
    await bar.events()
    return bar


# -- a call while the leg dialled from MAX is not answered yet -----------------------------------------------
async def test_a_call_for_an_agent_whose_leg_is_dialling_waits_for_that_leg(client, sim, admin):
    """Was a 500 from POST /_ccsim/contacts (NiceError 'the agent leg is already Dialing' escaped
    routing), the call left offered to the agent."""
    c = await signed_in(client, available=False)  # auto-accept off
    assert (await c.do("agent-phone/dial")).status == 202
    await c.do("state", {"state": "Available"})
    assert await c.events() == ["AgentLeg:Dialing", "AgentState:Available"]
    call = await admin.inject("sales")  # answers 201
    assert call["state"] == "offered" and call["agent"] == "7001"
    assert await c.events() == ["CallContactEvent:Incoming", "AgentState:InboundContact"]  # no second Dialing
    leg = sim.faces["nice"].sessions["7001"].leg_id
    assert (await c.do(f"interactions/{leg}/accept")).status == 202  # answering the leg in MAX
    assert await c.events() == ["AgentLeg:Active", "CallContactEvent:Active"]
    assert sim.world.contacts[call["id"]].state.value == "connected"


async def test_the_softphone_answering_the_dialling_leg_connects_the_waiting_call(client, sim, admin):
    c = await signed_in(client, "grace@example.com", available=False)  # auto-accept on: answers after 1 s
    await c.do("agent-phone/dial")
    await c.do("state", {"state": "Available"})
    call = await admin.inject("sales")
    assert await c.events(timeout=5) == ["AgentLeg:Dialing", "AgentState:Available", "CallContactEvent:Incoming",
                                         "AgentState:InboundContact", "AgentLeg:Active", "CallContactEvent:Active"]
    assert sim.world.contacts[call["id"]].state.value == "connected"


async def test_a_call_waiting_for_a_dialling_leg_is_refused_with_it(client, sim, admin):
    c = await signed_in(client, available=False)
    other = await signed_in(client, "alan@example.com")
    await c.do("agent-phone/dial")
    await c.do("state", {"state": "Available"})
    await c.events()
    call = await admin.inject("sales")  # 7001 has been idle the longest
    assert sim.world.contacts[call["id"]].agent == "7001"
    await sim.clock.sleep(46)  # nobody answers the leg within the refusal timeout
    assert await c.events() == ["CallContactEvent:Incoming", "AgentState:InboundContact",
                                "CallContactEvent:Disconnected", "AgentLeg:Disconnected", "AgentState:Unavailable"]
    assert sim.world.contacts[call["id"]].agent == "7002"
    assert (await other.events())[0] == "CallContactEvent:Incoming"


@pytest.mark.parametrize("sim_config", [{"route_while_leg_dialing": False}], indirect=True)
async def test_without_routing_while_the_leg_dials_the_call_waits_in_the_queue(client, sim, admin):
    c = await signed_in(client, available=False)
    await c.do("agent-phone/dial")
    await c.do("state", {"state": "Available"})
    await c.events()
    call = await admin.inject("sales")
    assert call["state"] == "queued" and await c.events() == []
    leg = sim.faces["nice"].sessions["7001"].leg_id
    await c.do(f"interactions/{leg}/accept")
    assert await c.events() == ["AgentLeg:Active", "CallContactEvent:Incoming", "AgentState:InboundContact",
                                "CallContactEvent:Active"]
    assert sim.world.contacts[call["id"]].agent == "7001"


# -- the Media Bar cannot connect the leg by accepting either -------------------------------------------------
async def test_the_bar_cannot_accept_a_call_waiting_for_the_leg_nor_the_leg(client, sim, admin):
    max_client = await signed_in(client)
    bar = await bar_of(client)
    await admin.inject("sales")  # no leg, auto-accept off: "Connecting Agent Leg"
    assert await max_client.events() == ["CallContactEvent:Incoming", "AgentState:InboundContact", "AgentLeg:Dialing"]
    session = sim.faces["nice"].sessions["7001"]
    contact = max_client.contact(sim)
    for target in (contact, session.leg_id):
        resp = await bar.do(f"interactions/{target}/accept")
        assert (resp.status, resp.body["error"]) == (403, "Forbidden"), resp.body
    assert (session.leg_status, session.contacts[contact].status) == ("Dialing", "Incoming")
    assert (await max_client.do(f"interactions/{contact}/accept")).status == 202  # "click Accept in the MAX"
    assert await max_client.events() == ["AgentLeg:Active", "CallContactEvent:Active"]


async def test_the_bar_accepts_a_manual_accept_call_once_the_leg_is_up(client, sim, admin):
    max_client = await signed_in(client, "grace@example.com")  # auto-accept on
    await max_client.do("agent-phone/dial")
    await max_client.events(timeout=5)
    bar = await bar_of(client, "grace@example.com")
    sim.world.queues["sales"].faces["nice"] = {"manual_accept": True}
    await admin.inject("sales")
    await bar.events()
    assert (await bar.do(f"interactions/{max_client.contact(sim, '7003')}/accept")).status == 202  # no leg to connect
    assert await max_client.events() == ["CallContactEvent:Incoming", "AgentState:InboundContact",
                                         "CallContactEvent:Active"]


@pytest.mark.parametrize("sim_config", [{"bar_can_dial_agent_leg": True}], indirect=True)
async def test_a_bar_allowed_to_connect_the_leg_may_accept_the_call(client, sim, admin):
    max_client = await signed_in(client)
    bar = await bar_of(client)
    await admin.inject("sales")
    await max_client.events()
    assert (await bar.do(f"interactions/{max_client.contact(sim)}/accept")).status == 202
    assert await max_client.events() == ["AgentLeg:Active", "CallContactEvent:Active"]


# -- logging out ----------------------------------------------------------------------------------------------
async def test_logout_during_after_call_work_sets_no_state_and_hangs_up_the_leg(client, sim, admin):
    """Was: AgentState Available just before AgentSessionEnd, and no AgentLeg Disconnected."""
    c = await signed_in(client, "grace@example.com")
    bar = await bar_of(client, "grace@example.com")
    await admin.inject("sales")
    await c.events(timeout=5)
    await c.do(f"interactions/{c.contact(sim, '7003')}/end")
    assert await c.events() == ["CallContactEvent:Disconnected", "AgentState:Unavailable"]  # after-call work
    assert (await c.do("", method="DELETE")).status == 202
    assert await c.events() == ["CallContactEvent:Disconnected", "AgentLeg:Disconnected", "AgentSessionEnd"]
    assert (await bar.events())[-3:] == ["CallContactEvent:Disconnected", "AgentLeg:Disconnected",
                                         "RemoteAgentSessionEnd:RemoteLogoff"]
    assert sim.world.agents["7003"].presence == "offline"


async def test_logout_ending_a_call_goes_through_no_after_call_work(client, sim, admin):
    c = await signed_in(client, "grace@example.com")
    call = await admin.inject("sales")
    await c.events(timeout=5)
    assert (await c.do("", {"endContacts": True}, method="DELETE")).status == 202
    assert await c.events() == ["CallContactEvent:Disconnected", "CallContactEvent:Disconnected",
                                "AgentLeg:Disconnected", "AgentSessionEnd"]
    assert sim.world.contacts[call["id"]].end_reason.value == "agent"


async def test_logout_ending_a_call_still_offered_requeues_it_quietly(client, sim, admin):
    c = await signed_in(client)
    call = await admin.inject("sales")
    await c.events()  # Incoming, InboundContact, the leg Dialing for it
    assert (await c.do("", {"endContacts": True}, method="DELETE")).status == 202
    assert await c.events() == ["CallContactEvent:Disconnected", "AgentLeg:Disconnected", "AgentSessionEnd"]
    assert sim.world.contacts[call["id"]].state.value == "queued"

