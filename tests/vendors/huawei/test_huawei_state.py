"""Huawei agent state operations and their events, over HTTP."""
from __future__ import annotations

import pytest

from support.world import event_types


async def status(client) -> int:
    return (await client.call("agentstatus")).body["result"]["agentState"]


async def test_busy_and_free(agent291):
    assert (await agent291.call("saybusy", query={"reason": "201"})).body["retcode"] == "0"
    assert await agent291.next_event() == {"eventType": "AgentState_SetNotReady_Success", "workNo": "291",
                                           "content": {"reason": "201"}}
    assert await status(agent291) == 3
    assert (await agent291.call("sayfree")).body["retcode"] == "0"
    assert (await agent291.next_event())["eventType"] == "AgentState_CancelNotReady_Success"
    assert await status(agent291) == 4


async def test_saybusy_without_a_query_like_older_clients(agent291):
    assert (await agent291.call("saybusy")).body["retcode"] == "0"
    assert (await agent291.next_event())["content"] == {"reason": "0"}
    # Busy again needs a reason.
    assert (await agent291.call("saybusy")).body["retcode"] == "100-009"
    assert (await agent291.call("saybusy", query={"reason": "210", "prolong": "true"})).body["retcode"] == "0"
    assert (await agent291.call("cancelbusy")).body["retcode"] == "0"
    assert event_types(await agent291.drain())[-1] == "AgentState_CancelNotReady_Success"
    assert (await agent291.call("cancelbusy")).body["retcode"] == "100-009"


@pytest.mark.parametrize("query", [{"reason": "199"}, {"reason": "251"}, {"reason": "abc"}, {"prolong": "perhaps"}])
async def test_bad_saybusy_parameters_give_000_002(agent291, query):
    assert (await agent291.call("saybusy", query=query)).body["retcode"] == "000-002"


async def test_rest_times_out_with_a_reminder_and_cancelrest_ends_it(agent291, sim):
    assert (await agent291.call("rest", time=60, restcause=3)).body["retcode"] == "0"
    assert await agent291.next_event() == {"eventType": "AgentState_SetRest_Success", "workNo": "291",
                                           "content": {"reason": "3"}}
    assert await status(agent291) == 8
    await sim.clock.sleep(55)
    assert await agent291.next_event() == {"eventType": "AgentState_Rest_Timeout", "workNo": "291", "content": None}
    assert await status(agent291) == 8  # a reminder only: still resting
    assert (await agent291.call("saybusy", query={"reason": "200"})).body["retcode"] == "100-009"
    assert (await agent291.call("cancelrest")).body["retcode"] == "0"
    assert (await agent291.next_event())["eventType"] == "AgentState_CancelRest_Success"
    assert (await agent291.call("cancelrest")).body["retcode"] == "100-009"


@pytest.mark.parametrize("time, cause", [(0, 1), (86400, 1), (10, 256), ("x", 1)])
async def test_bad_rest_parameters_give_000_002(agent291, time, cause):
    assert (await agent291.call("rest", time=time, restcause=cause)).body["retcode"] == "000-002"


async def test_work_and_cancelwork(agent291):
    assert (await agent291.call("cancelwork")).body["retcode"] == "100-009"
    assert (await agent291.call("work")).body["retcode"] == "0"
    assert (await agent291.next_event())["eventType"] == "AgentState_SetWork_Success"
    assert await status(agent291) == 5
    assert (await agent291.call("work")).body["retcode"] == "100-009"
    assert (await agent291.call("sayfree")).body["retcode"] == "0"
    assert (await agent291.next_event())["eventType"] == "AgentState_CancelWork_Success"


async def test_busy_during_a_call_applies_after_it(admin, agent291):
    await admin.inject("sales")
    await agent291.drain()
    await agent291.call("answer")
    assert (await agent291.call("saybusy", query={"reason": "205"})).body["retcode"] == "0"
    assert (await agent291.call("work")).body["retcode"] == "100-009"
    await agent291.call("release")
    events = await agent291.drain()
    assert events[-1] == {"eventType": "AgentState_SetNotReady_Success", "workNo": "291", "content": {"reason": "205"}}
    assert await status(agent291) == 3


async def test_rest_during_a_call_is_pre_rest_then_rest(admin, agent291):
    await admin.inject("sales")
    await agent291.drain()
    await agent291.call("answer")
    assert (await agent291.call("rest", time=300, restcause=0)).body["retcode"] == "0"
    assert await status(agent291) == 9
    await agent291.call("release")
    assert event_types(await agent291.drain())[-1] == "AgentState_SetRest_Success"
    assert await status(agent291) == 8


async def test_autoanswer_flag_can_be_switched_after_sign_in(admin, agent291):
    assert (await agent291.call("autoanswer", flag="true")).body["retcode"] == "0"
    await admin.inject("sales")
    assert "AgentEvent_Auto_Answer" in event_types(await agent291.drain())


async def test_state_events_reach_the_core(agent291, sim):
    await agent291.call("saybusy")
    assert sim.world.agents["291"].presence == "busy"
    await agent291.call("rest", time=10, restcause=0)
    assert sim.world.agents["291"].presence == "rest"


async def test_an_agent_that_stops_polling_is_signed_out_after_the_idle_time_one_that_polls_is_not(
        admin, agent291, huawei, sim):
    idle = sim.faces["huawei"].settings.idle_signout_seconds
    other = huawei("292")
    assert (await other.sign_in("secret", phonenum="40039")).body["retcode"] == "0"
    await other.drain()
    for _ in range(int(idle * 2 / 10)):  # 291 polls (10 s holds) for twice the idle time
        assert await agent291.next_event() is None
    assert (await admin.agent("291"))["face"] == "huawei" and (await admin.agent("292"))["face"] is None
    await sim.clock.sleep(idle + 1)
    assert (await admin.agent("291"))["face"] is None
