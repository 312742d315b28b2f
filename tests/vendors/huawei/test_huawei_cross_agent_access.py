"""One agent's credentials cannot act on another agent, on any face: each face refuses with its own
error and the other agent's state, session and events stay as they were. Huawei: a Guid acts only
for the agent that signed in."""
from __future__ import annotations

from ccsim.vendors.huawei.client import OPS, SIGN_IN_OPS, HuaweiAgentClient

PATH_ARGS = {"reason": 12, "autoflag": "true", "time": 60, "restcause": 1, "flag": "true", "callid": "1-1"}


async def test_huawei_a_guid_acts_only_for_the_agent_that_signed_in(sim, huawei):
    mine, theirs = huawei("291"), huawei("292")
    assert (await mine.sign_in("")).body["retcode"] == "0"
    assert (await theirs.sign_in("secret")).body["retcode"] == "0"
    before = (await theirs.call("agentstatus")).body
    intruder = HuaweiAgentClient(theirs.wire, theirs.base_url, "292")
    intruder.guid = mine.guid  # 291's session, on 292's URLs
    answers = {}
    for op in OPS:
        if op not in SIGN_IN_OPS:
            answers[op] = (await intruder.call(op, {}, **PATH_ARGS)).body["retcode"]
    assert set(answers.values()) == {"000-003"}, answers  # the Guid is not 292's
    cookie = {"Cookie": f"JSESSIONID={mine.guid}"}  # 291's session cookie cannot read 292's Guid either
    assert (await intruder.call("updateGuid", headers=cookie)).body["retcode"] == "000-003"
    assert (await intruder.sign_in("")).body["retcode"] != "0"  # 291's password is not 292's
    assert sim.faces["huawei"].gateway.sessions["292"].signed_in
    assert (await theirs.call("agentstatus")).body == before
    assert [e["eventType"] for e in await theirs.drain()] == ["AgentOther_InService", "AgentState_Ready"]
