"""The admin API over HTTP; every answer is checked against contracts/admin/openapi.json by the
Admin helper (support/admin.py)."""
from __future__ import annotations

import asyncio

import pytest

from support.admin import JSON_TYPE
from support.world import event_types


async def test_health_lists_the_faces_and_the_clock(admin, sim):
    body = (await admin.get("/health")).body
    assert body["status"] == "ok"
    assert body["faces"]["huawei"]["url"] == sim.urls["huawei"]
    assert body["clock"]["kind"] == "virtual"


async def test_state_shows_agents_queues_and_contacts(admin, agent291):
    contact = await admin.inject("sales", caller="+15550100", data={"account": "42"})
    state = (await admin.get("/state")).body
    assert {a["id"] for a in state["agents"]} == {"291", "292", "293"}
    assert [q["id"] for q in state["queues"]] == ["sales", "support"]
    [c] = state["contacts"]
    assert c["id"] == contact["id"] and c["agent"] == "291" and c["state"] == "offered"
    assert c["data"] == {"account": "42"} and c["caller"] == "+15550100" and c["called"] == "4001"
    assert (await admin.agent("291"))["presence"] == "ringing"


async def test_inject_without_caller_uses_a_seeded_fake_number(admin):
    first = await admin.inject("sales")
    assert first["caller"].startswith("+1555") and len(first["caller"]) == 12
    assert first["state"] == "queued" and first["queue"] == "sales"


@pytest.mark.parametrize("body, status", [
    ({}, 400),
    ({"queue": "sales", "channel": "pigeon"}, 400),
    ({"queue": "sales", "colour": "red"}, 400),
    ({"queue": 7}, 400),
    ({"queue": "nope"}, 404),
])
async def test_bad_injections_get_clear_errors(admin, body, status):
    resp = await admin.post("/contacts", body)
    assert resp.status == status and resp.body["error"]


@pytest.mark.parametrize("raw", [b"{oops", b"[1]", b'"x"'])
async def test_malformed_admin_json_is_400(admin, raw):
    resp = await admin.post("/contacts", raw=raw)
    assert resp.status == 400 and "JSON" in resp.body["error"]


async def test_unknown_ids_are_404(admin):
    assert (await admin.get("/agents/999")).status == 404
    assert (await admin.get("/contacts/c999")).status == 404
    assert (await admin.hangup("c999")).status == 404


async def test_hangup_and_abandon(admin, agent291):
    contact = await admin.inject("sales")
    await agent291.drain()
    assert (await agent291.call("answer")).body["retcode"] == "0"
    assert (await admin.post(f"/contacts/{contact['id']}/abandon")).status == 409  # already connected
    ended = (await admin.hangup(contact["id"])).body
    assert ended["state"] == "ended" and ended["endReason"] == "customer"
    assert (await admin.hangup(contact["id"])).status == 409  # already ended
    waiting = await admin.inject("support")
    await admin.inject("support")
    abandoned = (await admin.post(f"/contacts/{waiting['id']}/abandon")).body
    assert abandoned["endReason"] == "abandoned"


async def test_reset_signs_everyone_out_and_clears_the_journal(sim, admin, agent291):
    await admin.inject("sales")
    await agent291.drain()
    held_poll = asyncio.create_task(agent291.poll())  # a long poll in flight across the reset
    await sim.clock.sleep(1)
    before = sim.journal.last_seq
    reset = (await admin.post("/reset")).body
    assert reset == {"status": "reset", "since": before + 1}
    assert (await held_poll).body["retcode"] == "100-006"  # answered, but not journaled after the reset
    state = (await admin.get("/state")).body
    assert state["contacts"] == [] and all(a["presence"] == "offline" for a in state["agents"])
    assert (await agent291.call("agentstatus")).body["retcode"] == "100-006"
    assert (await agent291.sign_in()).body["retcode"] == "0"  # a clean start
    journal = (await admin.get("/journal")).body
    assert [e["op"] for e in journal["entries"]] == ["agentstatus", "loginex"]
    assert journal["entries"][0]["seq"] == reset["since"] and journal["lastSeq"] == reset["since"] + 1


async def test_journal_query_filters(admin, agent291, huawei):
    await huawei("292").sign_in(password="wrong")
    by_agent = (await admin.get("/journal", agent="292")).body["entries"]
    assert [e["op"] for e in by_agent] == ["loginex"]
    by_path = (await admin.get("/journal", path="*/onlineagent/291/*")).body["entries"]
    assert by_path and all("/291/" in e["request"]["path"] for e in by_path)
    by_type = (await admin.get("/journal", type="AgentState_Ready")).body["entries"]
    assert [e["op"] for e in by_type] == ["agentevent"]
    assert (await admin.get("/journal", limit=1)).body["entries"][0]["agent"] == "292"
    assert (await admin.get("/journal", limit=0)).body["entries"] == []
    assert (await admin.get("/journal", colour="red")).status == 400
    assert (await admin.get("/journal", limit=-1)).status == 400


async def test_journal_wait_returns_when_the_request_arrives(admin, huawei, sim):
    since = sim.journal.last_seq + 1
    waiter = asyncio.create_task(admin.get("/journal/wait", op="loginex", agent="292", since=since, timeout=30))
    await sim.clock.sleep(5)
    assert not waiter.done()
    await huawei("292").sign_in(password="secret")
    body = (await waiter).body
    assert body["matched"] is True and body["entry"]["agent"] == "292"


async def test_journal_wait_times_out_on_the_simulators_clock(admin, sim):
    start = sim.clock.now()
    body = (await admin.get("/journal/wait", op="logout", timeout=20)).body
    assert body == {"matched": False, "entry": None}
    assert sim.clock.now() - start == pytest.approx(20)
    assert (await admin.get("/journal/wait", timeout="nan")).status == 400
    assert (await admin.get("/journal/wait", timeout=301)).status == 400


async def test_openapi_document_is_served(admin):
    doc = (await admin.get("/openapi.json")).body
    assert doc["openapi"].startswith("3.1") and "/_ccsim/contacts" in doc["paths"]


async def test_injected_contact_waits_until_an_agent_is_free(admin, agent291):
    assert (await agent291.call("saybusy")).body["retcode"] == "0"
    first = await admin.inject("sales")
    second = await admin.inject("sales")
    assert event_types(await agent291.drain()) == ["AgentState_SetNotReady_Success"]
    assert (await agent291.call("sayfree")).body["retcode"] == "0"
    events = await agent291.drain()
    ringing = [e for e in events if e["eventType"] == "AgentEvent_Ringing"]
    assert len(ringing) == 1 and ringing[0]["content"]["caller"] == first["caller"]
    assert (await admin.get(f"/contacts/{second['id']}")).body["state"] == "queued"


@pytest.mark.parametrize("retcode", ["100-003", "100-007", "999-001"])
async def test_injected_faults_give_the_server_side_sign_in_errors(admin, huawei, retcode):
    fault = (await admin.post("/faults", {"face": "huawei", "op": "loginex", "error": retcode, "times": 1})).body
    assert fault["id"] and fault["hits"] == 0
    assert (await huawei("291").sign_in()).body["retcode"] == retcode
    assert (await huawei("291").sign_in()).body["retcode"] == "0"  # used up after one request
    assert (await admin.get("/faults")).body == {"faults": []}


async def test_fault_delay_is_on_the_simulators_clock_and_can_be_limited_to_an_agent(admin, huawei, sim):
    rule = (await admin.post("/faults", {"face": "huawei", "agent": "292", "delay": 30})).body
    start = sim.clock.now()
    assert (await huawei("291").sign_in()).body["retcode"] == "0"
    assert sim.clock.now() == start
    assert (await huawei("292").sign_in(password="secret")).body["retcode"] == "0"
    assert sim.clock.now() - start == pytest.approx(30)
    assert (await admin.get("/faults")).body["faults"][0]["hits"] == 1
    assert (await sim_delete(admin, f"/faults/{rule['id']}")).status == 200
    assert (await sim_delete(admin, f"/faults/{rule['id']}")).status == 404


@pytest.mark.parametrize("body, status", [
    ({"face": "huawei"}, 400),  # neither error nor delay
    ({"face": "huawei", "error": "oops"}, 400),  # not a retcode
    ({"face": "avaya", "error": "1"}, 404),
    ({"face": "huawei", "delay": -1}, 400),
])
async def test_bad_faults_are_refused(admin, body, status):
    assert (await admin.post("/faults", body)).status == status


async def sim_delete(admin, route):
    resp = await admin.wire.request("DELETE", admin.url + route, headers=JSON_TYPE)
    return admin._checked("DELETE", route, resp)
