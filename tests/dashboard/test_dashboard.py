"""The dashboard's server side: the push stream (each message checked against
contracts/admin/dashboard-message.schema.json), the vendor words it shows, the pause, playback
and clock routes (each answer checked against contracts/admin/openapi.json), and the token.
The page itself is tested in a real Chromium: tests/dashboard/test_dashboard_browser.py."""
from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest

from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.contracts.emitted import journal_violations
from ccsim.core import RealClock
from ccsim.vendors.huawei.client import HuaweiAgentClient

from support.admin import Admin
from support.dashboard import Stream, agent_in

SPEED = 10.0  # the demo's desk agents answer after 3 s: 0.3 s of the test's time


def demo_config(**overrides) -> config.Config:
    cfg = config.load(None)
    cfg.port_base = 0
    for name, value in overrides.items():
        setattr(cfg, name, value)
    return cfg


@pytest.fixture
async def live() -> AsyncIterator[Simulator]:
    """The demo configuration on a real clock (playback needs one), ten times faster."""
    sim = Simulator(demo_config(), RealClock(SPEED))
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()
    problems = journal_violations(sim.journal)
    assert not problems, "\n".join(problems[:10])


@pytest.fixture
async def live_admin(live: Simulator) -> AsyncIterator[Admin]:
    async with WireClient(live.clock) as wire:
        yield Admin(wire, live.urls["admin"])


async def test_the_stream_says_hello_with_every_agent_in_its_vendors_words(live):
    async with Stream(live.urls["admin"]) as stream:
        event, hello = await stream.next()
    assert event == "hello"
    state = hello["state"]
    assert [a["id"] for a in state["agents"]] == list(live.world.agents)
    assert agent_in(state, "291")["vendor"] == {"huawei": {"workno": "291", "agentState": "2 signed-out"}}
    assert agent_in(state, "1001")["vendor"]["finesse"] == {"state": "LOGOUT", "reasonCode": "-1"}
    assert agent_in(state, "7003")["vendor"]["nice"]["session"] == "none"
    xcally = agent_in(state, "5001")["vendor"]["xcally"]
    assert xcally == {"name": "anna", "channels": "unavailable", "tabs": "0/4"}
    assert agent_in(state, "6001")["face"] == "intermedia" and agent_in(state, "6001")["presence"] == "idle"
    assert {q["id"] for q in state["queues"]} == set(live.world.queues)
    assert state["clock"]["kind"] == "real" and state["clock"]["speed"] == SPEED
    assert state["playback"]["scenarios"] == ["busy_morning.yaml", "huawei_call_answered.yaml",
                                              "xcally_chats_and_pause.yaml"]


async def test_an_injected_call_is_pushed_as_it_rings_and_is_answered(live, live_admin):
    async with Stream(live.urls["admin"]) as stream:
        await stream.next()
        contact = await live_admin.inject("helpdesk", caller="+447700900123")
        ringing = await stream.until(lambda s: agent_in(s, "6001")["presence"] == "ringing")
        assert ringing["changedAt"] <= ringing["sentAt"]
        assert [c["id"] for c in ringing["state"]["contacts"]] == [contact["id"]]
        talking = await stream.until(lambda s: agent_in(s, "6001")["presence"] == "talking")
    assert agent_in(talking["state"], "6001")["vendor"]["intermedia"]["answered"] == contact["id"]
    assert talking["state"]["contacts"][0]["state"] == "connected"


async def test_journal_lines_arrive_in_order_once_each(live, live_admin):
    async with Stream(live.urls["admin"]) as stream:
        await stream.next()
        for _ in range(5):
            await live_admin.inject("sales")
        lines: list[dict] = []
        while len([x for x in lines if x["op"] == "inject"]) < 5:
            _, data = await stream.next()
            lines += data.get("journal", [])
    seqs = [x["seq"] for x in lines]
    assert seqs == sorted(set(seqs))
    injects = [x for x in lines if x["op"] == "inject"]
    assert [x["text"].split()[1] for x in injects] == [f"c{n}" for n in range(1, 6)]
    assert all(x["face"] == "admin" and x["kind"] == "control" for x in injects)


async def test_a_chart_sample_comes_every_second_even_when_nothing_changes(live):
    async with Stream(live.urls["admin"]) as stream:
        _, hello = await stream.next()
        _, first = await stream.next(timeout=3)
        _, second = await stream.next(timeout=3)
    assert "sample" in first and "sample" in second and "state" not in second
    assert second["sample"]["agents"]["idle"] == 2  # the two Intermedia desk agents
    assert 0.8 <= (second["sentAt"] - first["sentAt"]) / 1000 <= 2.0


async def test_huawei_words_follow_a_sign_in(live):
    async with WireClient(live.clock) as wire, Stream(live.urls["admin"]) as stream:
        await stream.next()
        client = HuaweiAgentClient(wire, live.urls["huawei"], "291")
        assert (await client.sign_in(phonenum="40038", autoanswer=False)).body["retcode"] == "0"
        data = await stream.until(lambda s: agent_in(s, "291")["face"] == "huawei")
        await client.call("logout")
    assert agent_in(data["state"], "291")["vendor"]["huawei"]["agentState"] == "4 idle"


# -- pause ---------------------------------------------------------------------------------------
async def test_pause_and_unpause_an_xcally_agent_from_the_admin_api(live, live_admin):
    face = live.faces["xcally"]
    face.login(face.by_core["5001"])
    paused = await live_admin.post("/agents/5001/pause", {"channel": "chat", "type": "BREAK"})
    assert paused.status == 200 and face.status(face.by_core["5001"], "chat") == "pause"
    assert face.status(face.by_core["5001"], "mail") == "idle"
    again = await live_admin.post("/agents/5001/pause", {"channel": "chat"})
    assert again.status == 409 and "already paused" in again.body["error"]
    everywhere = await live_admin.post("/agents/5001/pause", {})
    assert everywhere.status == 200
    assert set(face.by_core["5001"].paused) == {"voice", "chat", "mail", "sms", "openchannel", "fax", "whatsapp"}
    assert face.by_core["5001"].paused["chat"] == "BREAK"
    assert (await live_admin.post("/agents/5001/unpause", {})).status == 200
    assert face.by_core["5001"].paused == {}
    rows = [r for r in face.member_report.values() if r["type"] == "PAUSE"]
    assert len(rows) == 7 and all(r["exitAt"] for r in rows)
    ops = [e.op for e in live.journal.query() if e.kind == "control"]
    assert ops == ["pause", "pause", "unpause"]  # the refused one is not part of the record


@pytest.mark.parametrize("agent, body, status, words", [
    ("nobody", {}, 404, "unknown agent 'nobody'"),
    ("5001", {}, 409, "not signed in"),
    ("5001", {"channel": "pigeon"}, 400, "pigeon"),
    ("5001", {"colour": "red"}, 400, "colour"),
    ("6001", {}, 409, "pause is XCALLY's"),
])
async def test_a_pause_that_cannot_be_gets_a_readable_error(live, live_admin, agent, body, status, words):
    resp = await live_admin.post(f"/agents/{agent}/pause", body)
    assert resp.status == status and words in resp.body["error"], resp.body


# -- playback -------------------------------------------------------------------------------------
async def _playback_until(admin: Admin, wanted, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = (await admin.get("/playback")).body
        if wanted(status) or time.monotonic() > deadline:
            return status
        await asyncio.sleep(0.05)


async def test_playback_steps_pauses_resumes_and_restarts(live, live_admin):
    started = await live_admin.post("/playback", {"scenario": "huawei_call_answered.yaml", "speed": 60, "paused": True})
    assert started.status == 201 and started.body["state"] == "paused" and started.body["step"] == -1
    assert live.clock.speed == 60
    await asyncio.sleep(0.3)
    assert (await live_admin.get("/playback")).body["step"] == -1  # paused before the first step
    assert (await live_admin.post("/playback/step")).status == 200
    one = await _playback_until(live_admin, lambda s: s["step"] == 0)
    assert one["state"] == "paused" and one["steps"][0] == "line 8: agent 291 huawei loginex"
    await asyncio.sleep(0.3)
    assert (await live_admin.get("/playback")).body["step"] == 0
    assert "huawei" == live.world.agents["291"].face  # the step did sign the agent in
    assert (await live_admin.post("/playback/resume")).status == 200
    done = await _playback_until(live_admin, lambda s: s["state"] != "playing")
    assert done["state"] == "finished", done["message"]
    assert done["step"] == len(done["steps"]) - 1
    refused = await live_admin.post("/playback/pause")
    assert refused.status == 409 and "finished" in refused.body["error"]
    restarted = await live_admin.post("/playback/restart")
    assert restarted.status == 200 and restarted.body["state"] == "playing"
    assert (await live_admin.post("/playback/pause")).status == 200
    assert (await live_admin.post("/playback/stop")).body["state"] == "stopped"


async def test_the_view_follows_a_playback(live, live_admin):
    async with Stream(live.urls["admin"]) as stream:
        await stream.next()
        await live_admin.post("/playback", {"scenario": "huawei_call_answered.yaml", "speed": 60})
        ringing = await stream.until(lambda s: agent_in(s, "291")["presence"] == "ringing")
        assert ringing["state"]["playback"]["state"] == "playing"
        assert ringing["state"]["playback"]["step"] >= 2  # the step `customer calls` has run
        await stream.until(lambda s: s["playback"]["state"] == "finished", timeout=10)


@pytest.mark.parametrize("body, status, words", [
    ({"scenario": "nothing.yaml"}, 404, "no scenario 'nothing.yaml'"),
    ({"scenario": "huawei_call_answered.yaml", "speed": 0}, 400, "speed"),
    ({"scenario": "huawei_call_answered.yaml", "speed": 61}, 400, "speed"),
    ({}, 400, "scenario"),
])
async def test_a_playback_that_cannot_be_gets_a_readable_error(live, live_admin, body, status, words):
    resp = await live_admin.post("/playback", body)
    assert resp.status == status and words in resp.body["error"], resp.body
    assert (await live_admin.get("/playback")).body["state"] == "idle"


async def test_a_broken_scenario_in_the_folder_is_refused_with_its_line(tmp_path, live_admin, live):
    (tmp_path / "broken.yaml").write_text("name: broken\nsteps:\n  - agent 291 huawei fly: {}\n")
    live.admin.dashboard.playback.folder = tmp_path
    resp = await live_admin.post("/playback", {"scenario": "broken.yaml"})
    assert resp.status == 400 and "broken.yaml:3" in resp.body["error"], resp.body


async def test_the_clock_speed_changes_and_timers_follow(live, live_admin):
    assert (await live_admin.post("/clock", {"speed": 0.5})).status == 400
    fired = asyncio.Event()
    live.clock.call_later(30.0, fired.set)  # 3 s of wall time at 10x
    resp = await live_admin.post("/clock", {"speed": 60})
    assert resp.status == 200 and resp.body["speed"] == 60
    wall = time.monotonic()
    await asyncio.wait_for(fired.wait(), 2.0)  # 30 s at 60x: half a second
    assert time.monotonic() - wall < 1.5


async def test_the_virtual_clock_has_no_speed_and_plays_nothing(sim, admin):
    resp = await admin.post("/clock", {"speed": 2})
    assert resp.status == 409 and "virtual clock" in resp.body["error"]
    resp = await admin.post("/playback", {"scenario": "huawei_call_answered.yaml"})
    assert resp.status == 409 and "real clock" in resp.body["error"]


# -- the token --------------------------------------------------------------------------------------
async def test_with_a_token_the_page_loads_and_its_data_wants_the_token():
    sim = Simulator(demo_config(admin_token="s3cret"), RealClock())
    await sim.start()
    try:
        base = sim.urls["admin"]
        async with aiohttp.ClientSession() as http:
            for path in ("/_ccsim/ui/", "/_ccsim/ui/app.js", "/_ccsim/ui/app.css"):
                async with http.get(base + path) as resp:
                    assert resp.status == 200 and "s3cret" not in await resp.text()
            for path in ("/_ccsim/ui/stream", "/_ccsim/ui/stream?access_token=wrong", "/_ccsim/playback",
                         "/_ccsim/health?access_token=s3cret"):  # the query token is the stream's only
                async with http.get(base + path) as resp:
                    assert resp.status == 401, path
        async with Stream(base, token="s3cret") as stream:
            event, _ = await stream.next()
            assert event == "hello"
    finally:
        await sim.stop()


async def test_the_page_and_its_files_are_served(live):
    async with aiohttp.ClientSession() as http:
        async with http.get(live.urls["admin"] + "/_ccsim/ui", allow_redirects=False) as resp:
            assert resp.status == 302 and resp.headers["Location"] == "/_ccsim/ui/"
        for path, kind in (("/_ccsim/ui/", "text/html"), ("/_ccsim/ui/app.js", "text/javascript"),
                           ("/_ccsim/ui/app.css", "text/css")):
            async with http.get(live.urls["admin"] + path) as resp:
                assert resp.status == 200 and resp.content_type == kind
        async with http.get(live.urls["admin"] + "/_ccsim/ui/secrets.txt") as resp:
            assert resp.status == 404 and "no dashboard file" in (await resp.json())["error"]


async def test_a_frozen_clock_holds_its_timers_until_it_thaws():
    clock = RealClock(10.0)
    fired = asyncio.Event()
    clock.call_later(2.0, fired.set)  # 0.2 s of wall time
    clock.freeze()
    frozen = clock.now()
    late = clock.call_later(0.5, lambda: None)  # set while frozen: waits for the thaw too
    await asyncio.sleep(0.4)
    assert not fired.is_set() and clock.now() == frozen and late._loop_handle is None
    clock.thaw()
    assert clock.now() - frozen < 0.5  # time goes on from where it stood, not from the wall clock
    await asyncio.wait_for(fired.wait(), 1.0)


async def test_a_pause_from_the_admin_api_is_recorded_as_the_faces_own_steps(live, live_admin):
    from ccsim.scenario.record import scenario_from_journal

    face = live.faces["xcally"]
    face.login(face.by_core["5002"])
    await live_admin.post("/agents/5002/pause", {"channel": "mail", "type": "LUNCH"})
    await live_admin.post("/agents/5002/unpause", {})
    entries = (await live_admin.get("/journal")).body["entries"]
    steps = scenario_from_journal(entries, {}, "paused")["steps"]
    actions = [s for s in steps if "wait" not in s]
    assert actions == [{"agent 5002 xcally pause": {"channel": "mail", "type": "LUNCH"}},
                       {"agent 5002 xcally unpause": {"channel": "mail"}}]


@pytest.mark.parametrize("name", ["busy_morning.yaml", "huawei_call_answered.yaml", "xcally_chats_and_pause.yaml"])
async def test_each_demo_scenario_plays_to_the_end_against_the_demo(live, live_admin, name):
    await live_admin.post("/playback", {"scenario": name, "speed": 60})
    done = await _playback_until(live_admin, lambda s: s["state"] != "playing", timeout=20)
    assert done["state"] == "finished", done["message"]
    assert done["message"] == f"all {len(done['steps'])} steps passed"


async def test_a_long_queue_is_counted_and_only_its_oldest_contacts_are_pushed(live):
    for _ in range(120):
        live.world.inject("sales")  # nobody is signed in for sales: they all wait
    async with Stream(live.urls["admin"]) as stream:
        _, hello = await stream.next()
    state = hello["state"]
    assert state["contactsLive"] == 120 and len(state["contacts"]) == 100
    assert [c["id"] for c in state["contacts"]] == [f"c{n}" for n in range(1, 101)]
    assert next(q for q in state["queues"] if q["id"] == "sales")["waiting"] == 120


async def test_a_burst_of_journal_lines_says_how_many_it_left_out(live):
    async with Stream(live.urls["admin"]) as stream:
        await stream.next()
        for n in range(1, 1001):  # all between two pushes
            live.journal.record("admin", "control", "inject", response={"body": {"id": f"b{n}", "queue": "sales"}})
        data = await stream.until(lambda s: True)
    assert data["skipped"] == 800 and len(data["journal"]) == 200
    assert [line["text"].split()[1] for line in data["journal"]] == [f"b{n}" for n in range(801, 1001)]
