"""Huawei voice call control over HTTP: inbound, release, hold, transfer, callout, inner call."""
from __future__ import annotations

import pytest

from support.world import event_types

INBOUND = ["AgentState_Busy", "AgentOther_PhoneAlerting", "AgentOther_PhoneOffhook", "AgentEvent_Ringing"]


async def ring(admin, client, queue="sales", **fields):
    contact = await admin.inject(queue, **fields)
    events = await client.drain()
    return contact, events


async def signed_in(huawei, agent_id, password="secret", **fields):
    client = huawei(agent_id)
    assert (await client.sign_in(password=password, autoanswer=False, **fields)).body["retcode"] == "0"
    await client.drain()
    return client


async def test_injected_call_rings_answer_talks_release_returns_to_idle(admin, agent291, sim):
    contact, events = await ring(admin, agent291, caller="+15550100")
    assert event_types(events) == INBOUND
    ringing = events[-1]["content"]
    assert ringing["caller"] == "+15550100" and ringing["called"] == "4001" and ringing["transfer"] == "no"
    assert (await agent291.call("answer")).body["retcode"] == "0"
    [talking] = await agent291.drain()
    assert talking["eventType"] == "AgentEvent_Talking" and talking["content"]["callid"] == ringing["callid"]
    assert (await agent291.call("agentstatus")).body["result"]["agentState"] == 7
    assert (await agent291.call("release")).body["retcode"] == "0"
    assert event_types(await agent291.drain()) == [
        "AgentEvent_Call_Release", "AgentEvent_Customer_Release", "AgentOther_PhoneRelease", "AgentState_Ready"]
    assert (await agent291.call("agentstatus")).body["result"]["agentState"] == 4
    assert sim.world.contacts[contact["id"]].end_reason.value == "agent"


async def test_release_with_autoenteridle_false_goes_to_wrap_up_then_cancelwork(admin, agent291):
    assert (await agent291.call("autoenteridle", flag="false")).body["retcode"] == "0"
    await ring(admin, agent291)
    await agent291.call("answer")
    await agent291.drain()
    await agent291.call("release")
    assert event_types(await agent291.drain())[-1] == "AgentState_Work"
    assert (await agent291.call("agentstatus")).body["result"] == {"agentState": 5, "isWorking": True}
    await admin.inject("sales")
    assert await agent291.next_event() is None  # nothing is routed to an agent in wrap-up
    assert (await agent291.call("cancelwork")).body["retcode"] == "0"
    events = event_types(await agent291.drain())
    assert events[0] == "AgentState_CancelWork_Success" and "AgentEvent_Ringing" in events


async def test_autoanswer_connects_without_answer(admin, huawei):
    client = huawei("291")
    await client.sign_in()  # autoanswer defaults to true
    await client.drain()
    _, events = await ring(admin, client)
    assert event_types(events) == ["AgentState_Busy", "AgentOther_PhoneAlerting", "AgentOther_PhoneOffhook",
                                   "AgentEvent_Auto_Answer", "AgentEvent_Talking"]


async def test_releasephone_false_means_no_phone_alerting(admin, huawei):
    client = huawei("291")
    await client.sign_in(releasephone="false", autoanswer="false")
    await client.drain()
    _, events = await ring(admin, client)
    assert event_types(events) == ["AgentState_Busy", "AgentOther_PhoneOffhook", "AgentEvent_Ringing"]


async def test_answer_without_a_call_gives_200_002(agent291):
    assert (await agent291.call("answer")).body["retcode"] == "200-002"
    assert (await agent291.call("release")).body["retcode"] == "200-017"


async def test_customer_hang_up_gives_the_customer_release_events(admin, agent291):
    contact, _ = await ring(admin, agent291)
    await agent291.call("answer")
    await agent291.drain()
    await admin.hangup(contact["id"])
    events = await agent291.drain()
    assert event_types(events) == ["AgentEvent_Customer_Release", "AgentEvent_Call_Release",
                                   "AgentOther_PhoneRelease", "AgentState_Ready"]
    assert events[0]["content"]["number"] == contact["caller"]
    assert events[2]["content"] == {"phoneState": 3}


async def test_abandon_while_ringing_gives_no_answer(admin, agent291):
    contact, _ = await ring(admin, agent291)
    await admin.hangup(contact["id"])
    assert event_types(await agent291.drain()) == ["AgentEvent_No_Answer", "AgentOther_PhoneRelease", "AgentState_Ready"]


async def test_unanswered_call_times_out_goes_to_the_next_agent_and_sets_busy(admin, agent291, huawei, sim):
    sim.faces["huawei"].settings.ring_timeout_seconds = 20
    other = await signed_in(huawei, "292")
    contact = await admin.inject("sales")  # to 291, idle longest
    await sim.clock.sleep(20.5)
    assert sim.world.contacts[contact["id"]].agent == "292"
    events = (await agent291.drain())[len(INBOUND):]
    assert event_types(events) == ["AgentEvent_No_Answer", "AgentOther_PhoneRelease", "AgentState_SetNotReady_Success"]
    assert events[-1]["content"] == {"reason": "2"}
    assert "AgentEvent_Ringing" in event_types(await other.drain())


async def test_hold_and_retrieve(admin, agent291):
    assert (await agent291.call("hold")).body["retcode"] == "200-013"
    await ring(admin, agent291)
    assert (await agent291.call("hold")).body["retcode"] == "200-014"  # ringing, not talking
    await agent291.call("answer")
    callid = (await agent291.drain())[0]["content"]["callid"]
    assert (await agent291.call("gethold", query={"callid": callid})).body["retcode"] == "200-016"
    assert (await agent291.call("hold")).body["retcode"] == "0"
    assert await agent291.next_event() == {"eventType": "AgentEvent_Hold", "workNo": "291", "content": callid}
    assert (await agent291.call("gethold", query={"callid": "1-1"})).body["retcode"] == "200-015"
    assert (await agent291.call("gethold", query={"callid": callid})).body["retcode"] == "0"
    assert (await agent291.next_event())["eventType"] == "AgentEvent_Talking"
    await agent291.call("hold")
    await agent291.drain()
    assert (await agent291.call("connecthold", callid="1-1")).body["retcode"] == "200-006"
    assert (await agent291.call("connecthold", callid=callid)).body["retcode"] == "0"


async def test_mute_rules(admin, agent291):
    assert (await agent291.call("beginmute")).body["retcode"] == "200-003"
    assert (await agent291.call("endmute")).body["retcode"] == "200-007"
    await ring(admin, agent291)
    await agent291.call("answer")
    assert (await agent291.call("endmute")).body["retcode"] == "200-008"
    assert (await agent291.call("beginmute")).body["retcode"] == "0"
    assert (await agent291.call("beginmute")).body["retcode"] == "200-004"
    assert (await agent291.call("endmute")).body["retcode"] == "0"


async def test_transfer_to_another_agent(admin, agent291, huawei, sim):
    assert (await agent291.call("transfer", {"devicetype": 2, "address": "292"})).body["retcode"] == "200-012"
    contact, _ = await ring(admin, agent291)
    await agent291.call("answer")
    await agent291.drain()
    other = await signed_in(huawei, "292")
    resp = await agent291.call("transfer", {"devicetype": 2, "address": "292", "mode": 0})
    assert resp.body["retcode"] == "0"
    assert sim.world.contacts[contact["id"]].agent == "292"
    assert event_types(await agent291.drain()) == ["AgentEvent_Call_Release", "AgentOther_PhoneRelease", "AgentState_Ready"]
    ringing = [e for e in await other.drain() if e["eventType"] == "AgentEvent_Ringing"][0]
    assert ringing["content"]["transfer"] == "yes" and ringing["content"]["transfrom"] == "291"


async def test_transfer_to_a_busy_agent_fails_and_keeps_the_call(admin, agent291, huawei):
    await ring(admin, agent291)
    await agent291.call("answer")
    await agent291.drain()
    other = await signed_in(huawei, "292", status=3)
    assert (await agent291.call("transfer", {"devicetype": 2, "address": "292"})).body["retcode"] == "0"
    assert event_types(await agent291.drain()) == ["AgentEvent_Connect_Fail"]
    assert (await agent291.call("hold")).body["retcode"] == "0"  # still on the call
    assert await other.next_event() is None


async def test_transfer_to_a_skill_requeues_the_call(admin, agent291, huawei, sim):
    contact, _ = await ring(admin, agent291, queue="support")
    await agent291.call("answer")
    await agent291.drain()
    support = await signed_in(huawei, "293")
    assert (await agent291.call("transfer", {"devicetype": 1, "address": "1"})).body["retcode"] == "0"
    assert sim.world.contacts[contact["id"]].queue == "sales"
    assert (await agent291.call("transfer", {"devicetype": 1, "address": "1"})).body["retcode"] == "200-012"
    assert await support.next_event() is None  # 293 has no sales skill


@pytest.mark.parametrize("body", [{"devicetype": 9, "address": "292"}, {"devicetype": 2}, {"devicetype": 2, "address": "7777"},
                                  {"devicetype": "two", "address": "292"}])
async def test_bad_transfer_parameters_give_000_002(admin, agent291, body):
    await ring(admin, agent291)
    await agent291.call("answer")
    assert (await agent291.call("transfer", body)).body["retcode"] == "000-002"


async def test_callout_alerts_then_talks(agent291, admin, sim):
    resp = await agent291.call("callout", {"called": "5551234"})
    callid = resp.body["result"]
    assert resp.body["retcode"] == "0" and callid.count("-") == 1
    alerting = await agent291.next_event()
    assert alerting["eventType"] == "AgentEvent_Customer_Alerting"
    assert alerting["content"] == {"callid": callid, "otherPhoneWorkno": "", "otherPhone": "5551234", "type": "main"}
    talking = await agent291.next_event()
    assert talking["eventType"] == "AgentEvent_Talking" and talking["content"]["feature"] == "7"
    contact = next(c for c in sim.world.contacts.values() if c.called == "5551234")
    await admin.hangup(contact.id)
    assert "AgentEvent_Customer_Release" in event_types(await agent291.drain())


@pytest.mark.parametrize("called, code", [("12ab", "200-001"), ("1" * 25, "200-001"), ("", "200-001"), (None, "000-002")])
async def test_bad_callout_numbers(agent291, called, code):
    body = {} if called is None else {"called": called}
    assert (await agent291.call("callout", body)).body["retcode"] == code


async def test_callout_to_an_unreachable_number_fails(agent291, sim):
    sim.faces["huawei"].settings.unreachable_numbers = ["999"]
    assert (await agent291.call("callout", {"called": "999"})).body["retcode"] == "0"
    assert event_types(await agent291.drain()) == ["AgentEvent_Customer_Alerting", "AgentEvent_Call_Out_Fail", "AgentState_Ready"]


async def test_inner_call_between_two_agents(agent291, huawei):
    other = await signed_in(huawei, "292")
    callid = (await agent291.call("callinner", {"called": "292"})).body["result"]
    assert (await agent291.next_event())["content"]["otherPhoneWorkno"] == "292"
    ringing = [e for e in await other.drain() if e["eventType"] == "AgentEvent_Ringing"][0]
    assert ringing["content"]["callid"] == callid and ringing["content"]["caller"] == "40038"
    await other.call("answer")
    assert (await agent291.next_event())["eventType"] == "AgentEvent_Talking"
    assert (await other.next_event())["eventType"] == "AgentEvent_Talking"
    await other.call("release")
    assert "AgentEvent_Customer_Release" in event_types(await agent291.drain())
    assert (await agent291.call("agentstatus")).body["result"]["agentState"] == 4


async def test_inner_call_to_an_agent_who_is_not_free_fails(agent291):
    assert (await agent291.call("callinner", {"called": "292"})).body["retcode"] == "0"
    assert event_types(await agent291.drain()) == [
        "AgentEvent_Customer_Alerting", "AgentEvent_Inside_Call_Fail", "AgentState_Ready"]


async def test_forcelogout_during_a_call_releases_it(admin, agent291, sim):
    contact, _ = await ring(admin, agent291)
    await agent291.call("answer")
    assert (await agent291.call("logout")).body["retcode"] == "100-010"
    assert (await agent291.call("forcelogout")).body["retcode"] == "0"
    events = event_types(await agent291.drain())
    assert events[0] == "AgentEvent_Talking" and events[-1] == "AgentOther_ShutdownService"
    assert "AgentEvent_Call_Release" in events
    assert sim.world.contacts[contact["id"]].state.value == "ended"
