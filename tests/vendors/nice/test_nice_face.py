"""The NICE CXone face over HTTP: tokens, sessions and their sharing, the agent leg and
auto-accept, contacts to the second Disconnected, the logout rules of seed 000."""
from __future__ import annotations

import json

import pytest

from support.nice import Client, signed_in

# -- auth and routing ----------------------------------------------------------------------------------
async def test_token_service_and_bearer_checks(client, sim, wire):
    c = client()
    token = (await c.sign_in("ada@example.com")).body
    assert token["token_type"] == "bearer" and token["expires_in"] == 3600 and token["agent_id"] == 7001
    assert token["resource_server_base_uri"] == sim.urls["nice"] + "/inContactAPI/"
    assert (await client().sign_in("ada@example.com", "wrong")).status == 400
    assert (await client().sign_in("ada", "pw")).body["error"] == "invalid_request"  # not an email
    assert (await client().sign_in("ada@example.com", None, bar=True)).status == 200  # the bar: no password
    assert (await client().sign_in("ada@example.com", None)).status == 400  # MAX needs one
    nobody = Client(wire, sim.urls["nice"])
    nobody.api, nobody.token = c.api, "forged"
    assert (await nobody.call("POST", "agent-sessions", {"stationId": "1"})).status == 401
    await sim.clock.sleep(3601)
    assert (await c.call("POST", "agent-sessions", {"stationId": "1"})).status == 401  # expired


async def test_any_version_any_case_query_or_body_and_correlation_id(client, sim):
    c = client()
    await c.sign_in("ada@example.com")
    url = sim.urls["nice"] + "/incontactapi/SERVICES/V27.0/agent-sessions?stationId=5551234"
    resp = await c.wire.request("POST", url, headers={"Authorization": f"Bearer {c.token}", "CorrelationId": "abc"})
    assert resp.status == 202 and resp.header("CorrelationId") == "abc" and "60" not in resp.body["sessionId"]
    assert "60" not in sim.urls["nice"].rsplit(":", 1)[1]


async def test_bad_parameters_and_unknown_ids(client, sim):
    c = client()
    await c.sign_in("ada@example.com")
    assert (await c.call("POST", "agent-sessions", {"stationId": ""})).status == 400
    resp = await c.wire.request("POST", c.api + "agent-sessions", data="{not json", headers={"Authorization": f"Bearer {c.token}"})
    assert resp.status == 400 and resp.body["error"] == "InvalidBody"
    await c.start()
    assert (await c.call("GET", "agent-sessions/999/get-next-event")).status == 404
    assert (await c.poll(61)).status == 400
    assert (await c.do("state", {"state": "Sleeping"})).status == 400
    assert (await c.do("state", {"state": "Unavailable", "reason": "Nap"})).status == 400
    assert (await c.do("interactions/999/accept")).status == 404
    assert (await c.do("agent-phone/end")).status == 409  # no leg
    assert (await c.call("GET", "agents/no-such-thing")).status == 404


# -- the happy path ------------------------------------------------------------------------------------------
async def test_start_dial_leg_available_call_end_disposition(client, sim, admin):
    c = await signed_in(client, available=False)
    assert (await c.do("agent-phone/dial")).status == 202
    assert await c.events() == ["AgentLeg:Dialing"]
    leg = sim.faces["nice"].sessions["7001"].leg_id
    assert (await c.do(f"interactions/{leg}/accept")).status == 202  # auto-accept is off: answer the leg
    assert await c.events() == ["AgentLeg:Active"]
    await c.do("state", {"state": "Available"})
    await c.events()
    contact = await admin.inject("sales", caller="+15550100")
    assert await c.events() == ["CallContactEvent:Incoming", "AgentState:InboundContact", "CallContactEvent:Active"]
    nice_id = c.contact(sim)
    assert (await c.do(f"interactions/{nice_id}/hold")).status == 202
    assert (await c.do(f"interactions/{nice_id}/resume")).status == 202
    assert await c.events() == ["CallContactEvent:Holding", "CallContactEvent:Active"]
    assert (await c.do(f"interactions/{nice_id}/end")).status == 202
    events = (await c.poll()).body["events"]
    assert [(e["Type"], e.get("Status"), e.get("FinalState")) for e in events][0] == ("CallContactEvent", "Disconnected", "False")
    assert events[1]["IsAcw"] == "True"
    assert (await c.do(f"interactions/{nice_id}/disposition", {"primaryDispositionId": "2"})).status == 202
    final = (await c.poll()).body["events"]
    assert (final[0]["Status"], final[0]["FinalState"]) == ("Disconnected", "True")
    assert final[1]["CurrentState"] == "Available" and final[1]["IsAcw"] == "False"
    assert sim.world.contacts[contact["id"]].end_reason.value == "agent"
    assert (await c.do(f"interactions/{nice_id}/disposition", {"primaryDispositionId": "2"})).status == 409


async def test_auto_accept_on_connects_the_leg_and_the_call_by_itself(client, sim, admin):
    c = await signed_in(client, "grace@example.com")
    await admin.inject("sales")
    assert await c.events(timeout=5) == ["CallContactEvent:Incoming", "AgentState:InboundContact", "AgentLeg:Dialing",
                                         "AgentLeg:Active", "CallContactEvent:Active"]


async def test_auto_accept_off_no_leg_refused_and_requeued(client, sim, admin):
    c = await signed_in(client)
    other = await signed_in(client, "alan@example.com")
    contact = await admin.inject("sales")  # to 7001, idle longest
    assert await c.events() == ["CallContactEvent:Incoming", "AgentState:InboundContact", "AgentLeg:Dialing"]
    await sim.clock.sleep(46)  # the refusal timeout (45 s) passes with no accept
    assert await c.events() == ["CallContactEvent:Disconnected", "AgentLeg:Disconnected", "AgentState:Unavailable"]
    state = sim.faces["nice"].sessions["7001"]
    assert (state.state, state.out_reason) == ("Unavailable", "Refused")
    assert sim.world.contacts[contact["id"]].agent == "7002"
    assert (await other.events())[:3] == ["CallContactEvent:Incoming", "AgentState:InboundContact", "AgentLeg:Dialing"]


async def test_ending_a_call_still_offered_declines_it_as_reject_does(client, sim, admin):
    """Found by `ccsim check`: the requeued call was offered to the same agent again, whose leg
    was still Dialing, and the end answered 409 AgentLegActive."""
    c = await signed_in(client)
    other = await signed_in(client, "alan@example.com")
    contact = await admin.inject("sales")
    await c.events()
    resp = await c.do(f"interactions/{c.contact(sim)}/end")
    assert resp.status == 202, resp.body
    assert await c.events() == ["CallContactEvent:Disconnected", "AgentLeg:Disconnected", "AgentState:Unavailable"]
    assert sim.world.contacts[contact["id"]].agent == "7002"
    assert (await other.events())[0] == "CallContactEvent:Incoming"


async def test_logging_out_with_end_contacts_while_a_call_is_offered(client, sim, admin):
    c = await signed_in(client)
    contact = await admin.inject("sales")
    await c.events()
    resp = await c.do("", {"endContacts": True}, method="DELETE")
    assert resp.status == 202, resp.body
    assert (await c.events())[-1] == "AgentSessionEnd"
    assert sim.world.contacts[contact["id"]].state.value == "queued"


async def test_accepting_the_call_answers_the_leg_dialled_for_it(client, sim, admin):
    c = await signed_in(client)
    await admin.inject("sales")
    await c.events()
    assert (await c.do(f"interactions/{c.contact(sim)}/accept")).status == 202
    assert await c.events() == ["AgentLeg:Active", "CallContactEvent:Active"]


async def test_the_bar_cannot_dial_the_leg_but_can_end_it(client, sim):
    max_client = await signed_in(client, available=False)
    bar = client()
    await bar.sign_in("ada@example.com", None, bar=True)
    assert (await bar.join()).status == 202
    assert (await bar.do("agent-phone/dial")).status == 403
    await max_client.do("agent-phone/dial")
    assert (await max_client.do("agent-phone/dial")).status == 409  # already dialling
    assert (await bar.do("agent-phone/end")).status == 202  # the bar's Disconnect button
    assert (await max_client.events())[-1] == "AgentLeg:Disconnected"


async def test_set_auto_accept_through_client_data(client, sim):
    c = await signed_in(client, available=False)
    data = json.loads((await c.call("GET", "agents/client-data?agentId=7001")).body["Data"])
    assert data["AutoAccept"] is False
    resp = await c.call("PUT", "agents/client-data", {"agentId": "7001", "dataSet": json.dumps({"AutoAccept": True})})
    assert resp.status == 202
    await c.do("agent-phone/dial")
    assert await c.events(timeout=5) == ["AgentLeg:Dialing", "AgentLeg:Active"]
    assert (await c.call("GET", "agents/client-data?agentId=7002")).status == 403


# -- session sharing and logout --------------------------------------------------------------------------------
async def test_a_bar_joining_during_a_call_sees_the_session_state_and_call(client, sim, admin):
    max_client = await signed_in(client, "grace@example.com")
    await admin.inject("sales")
    await max_client.events(timeout=5)
    bar = client()
    await bar.sign_in("grace@example.com", None, bar=True)
    await bar.join()
    assert await bar.events() == ["AgentSessionStart", "AgentState:InboundContact", "AgentLeg:Active",
                                  "CallContactEvent:Active"]


async def test_bar_logout_without_a_contact_ends_max_too(client):
    max_client = await signed_in(client)
    bar = client()
    await bar.sign_in("ada@example.com", None, bar=True)
    await bar.join()
    await bar.events()
    assert (await bar.do("", method="DELETE")).status == 202
    assert await max_client.events() == ["AgentSessionEnd"]
    assert (await max_client.poll()).status == 409
    assert await bar.events() == ["AgentSessionEnd"]


async def test_bar_logout_during_a_contact_leaves_max_as_it_is(client, sim, admin):
    max_client = await signed_in(client, "grace@example.com")
    bar = client()
    await bar.sign_in("grace@example.com", None, bar=True)
    await bar.join()
    await admin.inject("sales")
    await max_client.events(timeout=5)
    await bar.do("", method="DELETE")
    assert (await max_client.poll(timeout=5)).status in (200, 304)  # MAX goes on
    assert sim.faces["nice"].sessions["7003"].in_progress()  # and so does the call
    assert (await bar.events())[-1] == "AgentSessionEnd"  # only the bar's own session ended
    again = client()
    await again.sign_in("grace@example.com", None, bar=True)
    assert (await again.join()).status == 202  # the bar can come back to the call
    assert "CallContactEvent:Active" in await again.events()


async def test_max_logout_tells_the_bar_which_can_join_again_later(client, sim):
    max_client = await signed_in(client)
    bar = client()
    await bar.sign_in("ada@example.com", None, bar=True)
    await bar.join()
    await bar.events()
    assert (await max_client.do("", method="DELETE")).status == 202
    assert await max_client.events() == ["AgentSessionEnd"]
    assert await bar.events() == ["RemoteAgentSessionEnd:RemoteLogoff"]
    assert (await bar.poll(timeout=5)).status == 304  # told, not logged out
    assert (await bar.join()).status == 409  # nothing to join until MAX is back
    await max_client.start()
    assert (await bar.join()).status == 202


async def test_max_logout_with_a_contact_needs_end_contacts_or_force(client, sim, admin):
    c = await signed_in(client, "grace@example.com")
    contact = await admin.inject("sales")
    await c.events(timeout=5)
    assert (await c.do("", method="DELETE")).status == 409
    assert (await c.do("", {"endContacts": True}, method="DELETE")).status == 202
    assert sim.world.contacts[contact["id"]].state.value == "ended"


async def test_get_next_event_304_after_its_timeout_and_409_after_the_end(client, sim):
    c = await signed_in(client)
    start = sim.clock.now()
    assert (await c.poll(timeout=20)).status == 304
    assert sim.clock.now() - start == pytest.approx(20)
    await c.do("", method="DELETE")
    assert (await c.poll()).status == 200
    assert (await c.poll()).status == 409


async def test_outbound_dial_phone_needs_the_leg(client, sim):
    c = await signed_in(client, "grace@example.com", available=False)
    assert (await c.do("dial-phone", {"phoneNumber": "5551234", "skillId": "1"})).status == 409
    await c.do("agent-phone/dial")
    await c.events(timeout=5)
    assert (await c.do("dial-phone", {"phoneNumber": "5551234", "skillId": "1"})).status == 202
    assert await c.events(timeout=5) == ["CallContactEvent:Dialing", "AgentState:OutboundContact",
                                         "CallContactEvent:Active"]
    assert (await c.do("dial-phone", {"phoneNumber": "abc", "skillId": "1"})).status == 400


async def test_a_chat_arrives_as_a_work_item(client, sim, admin):
    c = await signed_in(client)
    contact = await admin.inject("sales", channel="chat", caller="visitor-42")
    events = (await c.poll()).body["events"]
    work = [e for e in events if e["Type"] == "WorkItemContactEvent"]
    assert [e["Status"] for e in work] == ["Incoming", "Active"] and work[0]["WorkItemType"] == "chat"
    assert (await c.do(f"interactions/{work[0]['ContactID']}/end")).status == 202
    assert sim.world.contacts[contact["id"]].state.value == "ended"


async def test_mute_and_reject(client, sim, admin):
    c = await signed_in(client, "grace@example.com")
    assert (await c.do("agent-phone/mute")).status == 409  # no leg yet
    await c.do("agent-phone/dial")
    await c.events(timeout=5)
    assert (await c.do("agent-phone/mute")).status == 202
    assert (await c.poll()).body["events"][0] == {"Type": "Mute", "IISHost": "ccsim-iis", "VCHost": "ccsim-vc",
                                                  "AgentMuted": "True"}
    sim.world.queues["sales"].faces["nice"] = {"manual_accept": True}
    await admin.inject("sales")
    events = (await c.poll()).body["events"]
    assert events[0]["IsRequireManualAccept"] == "True" and events[0]["Status"] == "Incoming"
    assert (await c.do(f"interactions/{events[0]['ContactID']}/reject")).status == 202
    assert "AgentState:Unavailable" in await c.events()
