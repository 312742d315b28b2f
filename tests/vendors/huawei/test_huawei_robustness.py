"""Bad input on the Huawei face: vendor errors, never a 5xx, never a corrupted state.

The conftest fixture also checks every response of every test against contracts/.
"""
from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.world import event_types

BASE = "/agentgateway/resource/"


async def test_double_slashes_and_unknown_query_parameters_are_tolerated(sim, wire):
    url = sim.urls["huawei"] + "/agentgateway/resource//onlineagent/291/loginex?resteasy_jsapi_anti_cache=1700000000"
    resp = await wire.request("PUT", url, json_body={"password": ""})
    assert resp.body["retcode"] == "0"


async def test_unknown_path_is_404_and_wrong_method_is_405_in_the_envelope(sim, wire):
    base = sim.urls["huawei"]
    missing = await wire.request("GET", base + BASE + "nosuchthing/291")
    assert missing.status == 404 and missing.body["retcode"] == "000-002"
    outside = await wire.request("GET", base + "/favicon.ico")
    assert outside.status == 404
    wrong = await wire.request("GET", base + BASE + "onlineagent/291/loginex")
    assert wrong.status == 405 and "PUT" in wrong.header("Allow")


async def test_oversize_body_is_refused_without_a_crash(sim, wire):
    resp = await wire.request("PUT", sim.urls["huawei"] + BASE + "onlineagent/291/loginex",
                              data=b'{"password": "' + b"x" * (2 * 1024 * 1024) + b'"}',
                              headers={"Content-Type": "application/json"})
    assert resp.status == 200 and resp.body["retcode"] == "100-001"


async def test_malformed_body_on_a_call_operation_gives_000_002(admin, agent291):
    await admin.inject("sales")
    await agent291.drain()
    await agent291.call("answer")
    assert (await agent291.call("transfer", b"{nope")).body["retcode"] == "000-002"
    assert (await agent291.call("callout", b"[]")).body["retcode"] == "000-002"
    assert (await agent291.call("hold")).body["retcode"] == "0"  # the call is intact


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
_login_like = st.fixed_dictionaries({}, optional={
    "password": _json_values | st.text(max_size=40), "phonenum": _json_values | st.text(max_size=30),
    "status": _json_values | st.sampled_from(["3", "4", "5", 3, 4, 5]),
    "agenttype": _json_values | st.sampled_from([4, 11, "4"]),
    "autoanswer": _json_values, "releasephone": _json_values, "ip": _json_values | st.just("10.0.0.1"),
})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_login_like | _json_values, agent=st.sampled_from(["291", "292", "0", "99999", "abc", "%20"]))
async def test_fuzzed_sign_in_bodies_get_a_retcode_and_never_break_state(sim, huawei, body, agent):
    sim.reset()
    client = huawei(agent)
    resp = await client.call("loginex", json.dumps(body))
    assert resp.status == 200
    code = resp.body["retcode"]
    assert code == "0" or code in {"100-001", "100-002", "100-004", "100-012", "100-016", "110-016"}
    if code == "0":
        assert event_types(await client.drain())[:2] == ["AgentOther_InService", "AgentState_Ready"]
    # Whatever happened, the agent that was not involved still signs in normally.
    if agent != "291":
        assert (await huawei("291").sign_in()).body["retcode"] == "0"


_segments = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-.", min_size=1, max_size=12)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(_segments, min_size=1, max_size=5), method=st.sampled_from(["GET", "PUT", "POST", "DELETE"]),
       body=st.binary(max_size=64))
async def test_fuzzed_paths_never_give_5xx(sim, wire, path, method, body):
    resp = await wire.request(method, sim.urls["huawei"] + BASE + "/".join(path), data=body)
    assert resp.status in (200, 404, 405)
    assert isinstance(resp.body, dict) and isinstance(resp.body["retcode"], str)


def test_request_contracts_accept_the_seed_sample_and_refuse_what_the_face_refuses():
    from ccsim import contracts

    seed = json.loads('{ "password": "", "phonenum": "40038", "status": "4", "releasephone": "false", "agenttype": "4" }')
    assert contracts.errors("huawei/requests/loginex.schema.json", seed) == []
    assert contracts.errors("huawei/requests/login.schema.json", {"password": ""})  # login needs phonenum
    for bad in ({"password": "x" * 33}, {"password": "", "status": 7}, {"password": 1}, {"password": "", "Status": 4}):
        assert contracts.errors("huawei/requests/loginex.schema.json", bad), bad
    assert contracts.errors("huawei/requests/callout.schema.json", {"called": "5551234"}) == []
    assert contracts.errors("huawei/requests/transfer.schema.json", {"devicetype": 2, "address": "292", "mode": 0}) == []


async def test_every_huawei_answer_validates_against_the_openapi_document(sim, admin, agent291, wire):
    """contracts/huawei/openapi.json takes its bodies from the exchange contracts: the answers of a
    call and of errors must validate against it as they do against those. (A path or method the
    face does not serve is in no operation of the document: its 404/405 is judged by the contracts.)"""
    from ccsim.contracts.openapi import response_violations

    await admin.inject("sales")
    await agent291.drain()
    await agent291.call("answer")
    await agent291.call("hold")
    await agent291.call("release")
    await agent291.call("transfer", b"{nope")
    await agent291.call("connecthold", callid="1-2")  # no such held call: an error envelope
    entries = [e for e in sim.journal.query() if e.face == "huawei"]
    retcodes = {e.response["body"]["retcode"] for e in entries}
    assert "0" in retcodes and len(retcodes) >= 2  # successes and error envelopes both judged
    problems = [p for e in entries for p in response_violations(
        "huawei/openapi.json", e.request["method"], e.request["path"], e.response["status"], e.response["body"])]
    assert problems == []
