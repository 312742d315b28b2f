"""Huawei sign-in, sign-out, Guid handling and their retcodes, over HTTP."""
from __future__ import annotations

import asyncio
import json

import pytest

from support.world import event_types, make_config
from ccsim.core import Match

SEED_HEADERS = {"Content-Type": "application/json; charset=UTF-8",
                "Guid": "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx.AgentGateway1"}
SEED_BODY = '{ "password": "", "phonenum": "40038", "status": "4", "releasephone": "false", "agenttype": "4" }'


async def test_seed_loginex_example_gets_the_seed_response_and_events(sim, wire, huawei):
    url = sim.urls["huawei"] + "/agentgateway/resource/onlineagent/291/loginex"
    resp = await wire.request("PUT", url, data=SEED_BODY, headers=SEED_HEADERS)
    assert resp.status == 200
    assert resp.body["retcode"] == "0" and resp.body["message"] == ""
    result = resp.body["result"]
    assert set(result) == {"vdnid", "workno", "mediatype", "loginTime", "isForceChange", "serverName", "timeRemaining"}
    assert result["workno"] == "291" and result["mediatype"] == "TTF" and result["vdnid"] == 1
    assert result["loginTime"] == str(sim.clock.now_ms())
    set_guid = resp.header("Set-GUID")
    assert set_guid and set_guid.startswith("JSESSIONID=")
    client = huawei("291")
    client.guid = set_guid.split("=", 1)[1]
    assert event_types(await client.drain()) == ["AgentOther_InService", "AgentState_Ready"]


@pytest.mark.parametrize("status, extra", [
    ("3", ["AgentState_SetNotReady_Success"]),
    (4, []),
    (5, ["AgentState_Work"]),
])
async def test_sign_in_status_gives_the_documented_events(huawei, status, extra):
    client = huawei("291")
    assert (await client.sign_in(status=status)).body["retcode"] == "0"
    assert event_types(await client.drain()) == ["AgentOther_InService", "AgentState_Ready", *extra]
    expected_state = {"3": 3, 4: 4, 5: 5}[status]
    assert (await client.call("agentstatus")).body["result"] == {"agentState": expected_state, "isWorking": expected_state == 5}


async def test_login_needs_a_phone_number_but_loginex_does_not(huawei):
    client = huawei("291")
    assert (await client.sign_in(op="login")).body["retcode"] == "100-001"
    assert (await client.sign_in(op="login", phonenum="40038")).body["retcode"] == "0"


@pytest.mark.parametrize("body", [
    {"password": "x" * 33},
    {"password": "", "phonenum": "1" * 25},
    {"password": "", "status": 7},
    {"password": "", "status": "busy"},
    {"password": "", "autoanswer": "maybe"},
    {"password": 123456},
    {"phonenum": "40038"},
], ids=["password>32", "phonenum>24", "status7", "status-word", "bool-word", "password-number", "no-password"])
async def test_bad_sign_in_fields_give_100_001(huawei, body):
    resp = await huawei("291").call("loginex", body)
    assert resp.status == 200 and resp.body["retcode"] == "100-001", resp.body


@pytest.mark.parametrize("agent_id", ["100", "60000", "abc", "0291"])
async def test_agent_id_outside_101_59999_gives_100_001(huawei, agent_id):
    resp = await huawei(agent_id).sign_in()
    assert resp.body["retcode"] == "100-001"


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe", b'"text"'])
async def test_malformed_sign_in_body_gives_100_001(huawei, raw):
    resp = await huawei("291").call("loginex", raw)
    assert resp.status == 200 and resp.body["retcode"] == "100-001"


async def test_mediatype_reports_the_webm_sign_in(huawei):
    resp = await huawei("291").sign_in(checkInWebm=False)
    assert resp.body["result"]["mediatype"] == "TFF"


async def test_forcelogin_defaults_releasephone_to_false(admin, huawei):
    client = huawei("291")
    assert (await client.sign_in(op="forcelogin", phonenum="40038", autoanswer=False)).body["retcode"] == "0"
    await client.drain()
    await admin.inject("sales")
    assert "AgentOther_PhoneAlerting" not in event_types(await client.drain())


async def test_agenttype_other_than_4_or_11_gives_100_012(huawei):
    assert (await huawei("291").sign_in(agenttype=5)).body["retcode"] == "100-012"
    assert (await huawei("291").sign_in(agenttype="11")).body["retcode"] == "0"


@pytest.mark.parametrize("ip", ["::1", "300.1.1.1", "not-an-ip", "1234567890.123456"])
async def test_invalid_ip_gives_100_016(huawei, ip):
    assert (await huawei("291").sign_in(ip=ip)).body["retcode"] == "100-016"


async def test_wrong_password_gives_100_004_and_locks_after_the_limit(huawei):
    client = huawei("292")
    for _ in range(3):
        assert (await client.sign_in(password="wrong")).body["retcode"] == "100-004"
    # Locked now (limit 3 in the test config): even the right password is refused.
    assert (await client.sign_in(password="secret")).body["retcode"] == "110-016"


async def test_unknown_agent_gives_100_004(huawei):
    assert (await huawei("5000").sign_in()).body["retcode"] == "100-004"


async def test_second_sign_in_gives_100_002_and_forcelogin_takes_over(huawei):
    first = huawei("291")
    assert (await first.sign_in()).body["retcode"] == "0"
    old_guid = first.guid
    second = huawei("291")
    assert (await second.sign_in()).body["retcode"] == "100-002"
    assert (await second.sign_in(op="forcelogin", phonenum="40038")).body["retcode"] == "0"
    assert second.guid != old_guid
    # The first client's Guid no longer works; the new one does.
    assert (await first.call("agentstatus")).body["retcode"] == "000-003"
    assert (await second.call("agentstatus")).body["retcode"] == "0"


async def test_forcelogin_refused_when_force_kick_is_off(sim, huawei):
    sim.faces["huawei"].settings.allow_force_login = False
    assert (await huawei("291").sign_in()).body["retcode"] == "0"
    assert (await huawei("291").sign_in(op="forcelogin", phonenum="40038")).body["retcode"] == "100-015"


async def test_two_clients_racing_to_sign_in_exactly_one_wins(huawei):
    results = await asyncio.gather(*(huawei("291").sign_in() for _ in range(2)))
    assert sorted(r.body["retcode"] for r in results) == ["0", "100-002"]


async def test_many_clients_racing_exactly_one_wins(huawei):
    results = await asyncio.gather(*(huawei("292").sign_in(password="secret") for _ in range(8)))
    codes = [r.body["retcode"] for r in results]
    assert codes.count("0") == 1 and codes.count("100-002") == 7


async def test_operations_need_sign_in_and_the_right_guid(huawei, agent291):
    assert (await huawei("292").call("sayfree")).body["retcode"] == "100-006"
    stranger = huawei("291")
    assert (await stranger.call("sayfree")).body["retcode"] == "000-003"  # no Guid
    stranger.guid = "0000.AgentGateway0"
    assert (await stranger.call("agentevent")).body["retcode"] == "000-003"
    # The header name is case-insensitive.
    resp = await agent291.call("agentstatus", headers={"guid": agent291.guid})
    assert resp.body["retcode"] == "0"


async def test_logout_sends_shutdown_then_the_agent_is_signed_out(agent291):
    assert (await agent291.call("logout")).body["retcode"] == "0"
    event = await agent291.next_event()
    assert event["eventType"] == "AgentOther_ShutdownService"
    assert set(event["content"]) == {"loginTime"}
    assert (await agent291.call("logout")).body["retcode"] == "100-008"  # already signed out
    assert (await agent291.poll()).body["retcode"] == "100-006"
    assert (await agent291.call("sayfree")).body["retcode"] == "100-006"
    assert (await agent291.sign_in()).body["retcode"] == "0"  # and can sign in again


async def test_forcelogoutwithreason_checks_the_reason(agent291):
    assert (await agent291.call("forcelogoutwithreason", reason=0)).body["retcode"] == "100-005"
    assert (await agent291.call("forcelogoutwithreason", reason=12)).body["retcode"] == "0"
    assert (await agent291.call("agentstatus")).body["retcode"] == "100-006"


async def test_an_agent_that_stops_polling_is_signed_out_after_two_minutes(sim, agent291):
    await sim.clock.sleep(119)
    assert (await agent291.call("agentstatus")).body["retcode"] == "0"
    await sim.clock.sleep(2)
    assert sim.world.agents["291"].presence == "offline"
    assert (await agent291.next_event())["eventType"] == "AgentOther_ShutdownService"
    assert (await agent291.call("agentstatus")).body["retcode"] == "100-006"


async def test_polling_keeps_the_agent_signed_in(sim, agent291):
    for _ in range(30):  # 30 polls x 10 s hold = 5 minutes
        assert await agent291.next_event() is None
    assert sim.world.agents["291"].presence == "idle"


async def test_poll_holds_ten_seconds_then_answers_event_null(sim, agent291):
    start = sim.clock.now()
    resp = await agent291.poll()
    assert resp.body == {"message": "", "retcode": "0", "event": None}
    assert sim.clock.now() - start == pytest.approx(10.0)


async def test_heartbeat_handshake_and_update_guid(agent291):
    beat = await agent291.call("heartbeat")
    assert beat.body["retcode"] == "0" and beat.body["result"]["loginTime"].isdigit()
    shake = await agent291.call("handshake")
    assert shake.body == {"message": "success", "retcode": "0"}
    guid = agent291.guid
    agent291.guid = None  # the page was refreshed and lost it, but the browser kept the cookie
    assert (await agent291.call("updateGuid")).body["retcode"] == "000-003"  # no cookie: anyone could ask
    update = await agent291.call("updateGuid", headers={"Cookie": f"JSESSIONID={guid}"})
    assert update.body["result"] == {"guid": guid} and update.header("Set-GUID") is None
    assert (await agent291.call("updateGuid", headers={"Cookie": "JSESSIONID=another"})).body["retcode"] == "000-003"


@pytest.mark.parametrize("sim_config", [make_config(huawei={"update_guid_auth": "anyone"})])
async def test_update_guid_without_the_session_check(agent291):
    guid, agent291.guid = agent291.guid, None
    assert (await agent291.call("updateGuid")).body["result"] == {"guid": guid}


async def test_sign_in_sets_the_session_cookie(huawei):
    agent = huawei("291")
    resp = await agent.sign_in("")
    assert resp.header("Set-Cookie") == f"JSESSIONID={agent.guid}; Path=/; HttpOnly"


@pytest.mark.parametrize("sim_config", [make_config(huawei={"auth_mode": "dynamic"})])
async def test_dynamic_auth_rotates_the_guid_on_poll(sim, agent291):
    first = agent291.guid
    await sim.clock.sleep(61)
    resp = await agent291.poll()
    assert resp.header("Set-GUID") and agent291.guid != first
    # The old GUID stays valid until its timeout (120 s), then it is refused.
    old = type(agent291)(agent291.wire, agent291.base_url, "291")
    old.guid = first
    assert (await old.call("agentstatus")).body["retcode"] == "0"
    for _ in range(13):  # keep polling (else the agent is signed out) for 130 s
        await agent291.poll()
    assert (await old.call("agentstatus")).body["retcode"] == "000-003"
    assert (await agent291.call("agentstatus")).body["retcode"] == "0"


async def test_resetskill_restricts_routing_to_the_given_skills(admin, agent291):
    resp = await agent291.call("resetskill", autoflag="false", query={"skillid": "2"})
    assert resp.body == {"message": "", "retcode": "0"}
    await admin.inject("sales")
    assert await agent291.next_event() is None  # a sales call is not for this agent now
    await admin.inject("support")
    assert "AgentEvent_Ringing" in [e["eventType"] for e in await agent291.drain()]
    assert (await agent291.call("resetskill", autoflag="false", query={"skillid": "99"})).body["retcode"] == "000-002"


async def test_request_journal_records_the_sign_in(sim, agent291):
    entry = sim.journal.query(Match(op="loginex"))[0]
    assert entry.agent == "291" and entry.request["method"] == "PUT"
    assert entry.response["body"]["retcode"] == "0"
    assert json.loads(json.dumps(entry.to_dict()))["op"] == "loginex"
