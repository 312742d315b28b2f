"""The memory budget (config `memory:`, issue 22): every store that grows with traffic is bounded
in bytes, each is driven past a small budget over the wire, keeps at most its budget and one
item, and counts what it drops in /_ccsim/health. The stores' estimates are checked against
what tracemalloc sees them hold."""
from __future__ import annotations

import asyncio
import base64
import copy
import gc
import json
import tracemalloc
from collections.abc import AsyncIterator
from typing import Any

import pytest

from support.world import TEST_CONFIG
from support.admin import Admin
from support.problems import simulator_problems
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.core import Journal, Match, VirtualClock
from ccsim.vendors.huawei.client import HuaweiAgentClient

KiB, MiB = 1024, 1024 * 1024
STATUS_PATH = "/agentgateway/resource/onlineagent/291/agentstatus"


@pytest.fixture
async def budgeted(request: pytest.FixtureRequest) -> AsyncIterator[Simulator]:
    """A simulator on the virtual clock with the test's `memory` settings (marker `memory`)."""
    data: dict[str, Any] = copy.deepcopy(TEST_CONFIG)
    marker = request.node.get_closest_marker("memory")
    if marker is not None:
        data["memory"] = dict(marker.kwargs)
    # An Intermedia desk agent, who answers helpdesk calls after 3 s and ends them after 1 s.
    data["queues"].append({"id": "helpdesk", "skills": ["help"], "intermedia": {}})
    data["agents"].append({"id": "6001", "skills": ["help"], "intermedia": {"number": "+15550101", "email": "d@example.com"}})
    data["faces"]["intermedia"] = {"talk_seconds": 1}
    # An XCALLY chat queue nobody serves: its chats wait until abandoned.
    data["queues"].append({"id": "web-chat", "channel": "chat", "skills": ["chat"], "xcally": {}})
    sim = Simulator(config.from_mapping(data, "tests"), VirtualClock())
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()
    assert not simulator_problems(sim)


@pytest.fixture
async def admin_of(budgeted: Simulator) -> AsyncIterator[Admin]:
    async with WireClient(budgeted.clock) as wire:
        yield Admin(wire, budgeted.urls["admin"])


def held_by(release) -> int:
    """The bytes tracemalloc sees freed by `release()`."""
    gc.collect()
    before = tracemalloc.get_traced_memory()[0]
    release()
    gc.collect()
    return before - tracemalloc.get_traced_memory()[0]


async def store_health(admin: Admin, name: str) -> dict[str, int]:
    return (await admin.get("/health")).body["memory"]["stores"][name]


# -- the journal (issue 22, item 1) -------------------------------------------------------------------
BIG_HEADERS = {f"X-Filler-{n}": "x" * 8000 for n in range(100)}  # 100 headers of 8 KB: 800 KB a request


@pytest.mark.memory(journal_bytes=512 * KiB)
async def test_unauthenticated_gets_with_huge_headers_stay_within_the_journal_budget(budgeted, admin_of):
    url = budgeted.urls["huawei"] + STATUS_PATH
    tracemalloc.start()
    try:
        async with WireClient(budgeted.clock) as wire:
            for _ in range(60):  # 48 MB of headers: the journal kept them all whole before
                resp = await wire.request("GET", url, headers=BIG_HEADERS)
                assert resp.status == 200 and resp.body["retcode"] != "0"  # no Guid: refused, and journaled
        kept = budgeted.journal.query(Match(face="huawei"))
        entry = kept[-1]
        # Each entry keeps 16 KiB of header names and values, and says how many there were.
        assert sum(len(k) + len(v) for k, v in entry.request["headers"].items()) <= 16 * KiB
        assert entry.request["headersTruncated"] >= 100 * 8000
        store = await store_health(admin_of, "journal")
        biggest = max(e.size for e in budgeted.journal.query())
        assert store["bytes"] <= 512 * KiB + biggest and store["budget"] == 512 * KiB
        assert store["entries"] == len(budgeted.journal) and store["dropped"] > 0
        del kept, entry  # they hold what the journal holds
        held = held_by(budgeted.journal.clear)  # and the bytes counted are what it really held
    finally:
        tracemalloc.stop()
    assert held <= 1 * MiB, f"the journal held {held:,} bytes for a budget of {512 * KiB:,}"
    assert held >= store["bytes"] * 0.5, (held, store["bytes"])  # the estimate is not a wild guess either


def test_the_journals_estimate_is_what_tracemalloc_sees_it_hold():
    """A Huawei working loop's entries, and entries with big bodies and strings: the bytes the
    journal counts are within 20 % of what it frees when cleared (and never far below)."""
    journal = Journal(VirtualClock(), capacity=100_000, budget=1 << 40)
    headers = {"Host": "127.0.0.1:8801", "Guid": "a1b2c3", "Content-Type": "application/json; charset=UTF-8"}
    tracemalloc.start()
    try:
        for n in range(3000):
            journal.record("huawei", "http", "agentstatus", agent=str(291 + n % 50),
                           request={"method": "GET", "path": f"/agentgateway/resource/onlineagent/{291 + n % 50}/x",
                                    "query": {}, "headers": headers, "body": None},
                           response={"status": 200, "headers": {"Content-Type": "application/json"},
                                     "body": {"retcode": "0", "message": "", "result": {"n": n}}})
            journal.record("admin", "control", "inject", request={"body": {"queue": "sales", "data": {"k": "v" * (n % 3000)}}},
                           response={"body": {"id": f"c{n}", "caller": "+1555" + "9" * 300}})
        counted = journal.bytes
        held = held_by(journal.clear)
    finally:
        tracemalloc.stop()
    assert 0.8 * held <= counted <= 1.25 * held, (counted, held)


async def test_waiting_and_since_still_work_after_the_oldest_entries_are_dropped():
    clock = VirtualClock()
    journal = Journal(clock, capacity=1000, budget=20 * KiB)
    for n in range(200):
        journal.record("f", "http", f"op{n}", request={"body": "y" * 500})
    assert journal.dropped > 0 and journal.bytes <= 20 * KiB + journal.query()[-1].size
    oldest = journal.query()[0].seq
    assert oldest > 1
    # A `since` older than the oldest entry kept finds the first kept one that matches.
    assert (await journal.wait_for(Match(), timeout=1, since=1)).seq == oldest
    assert [e.op for e in journal.query(Match(op="op199"), since=1)] == ["op199"]

    async def later():  # what a waiter waits for comes after many more entries have been dropped
        await clock.sleep(5)
        for _ in range(100):
            journal.record("f", "http", "filler", request={"body": "z" * 500})
        journal.record("f", "http", "later")

    task = asyncio.create_task(later())
    assert (await journal.wait_for(Match(op="later"), timeout=60, since=1)).op == "later"
    await task


def test_a_journal_value_over_its_limit_is_cut_and_says_how_long_it_was():
    journal = Journal(VirtualClock())
    entry = journal.record("admin", "control", "inject", request={"body": {"data": "d" * 200_000}},
                           response={"raw": "r" * 100_000, "headers": {"A": "a" * 20_000}})
    assert len(entry.request["body"]) == 64 * KiB and entry.request["bodyTruncated"] > 200_000
    assert len(entry.response["raw"]) == 64 * KiB and entry.response["rawTruncated"] == 100_000
    assert entry.response["headers"] == {} and entry.response["headersTruncated"] == 20_001
    assert entry.size < 3 * 64 * KiB


# -- contacts and admin journal entries (issue 22, item 6) -------------------------------------------------
async def test_contact_data_over_its_cap_is_refused_and_not_kept(budgeted, admin_of):
    data = {"notes": "n" * 195 * KiB}  # the 195 KiB: 786 KiB a contact before
    resp = await admin_of.post("/contacts", {"queue": "sales", "data": data})
    assert resp.status == 400 and "memory.contact_data_bytes" in resp.body["error"]
    assert budgeted.world.contacts == {}
    assert budgeted.journal.query(Match(face="admin", op="inject")) == []  # nor journaled
    fits = {"notes": "n" * (32 * KiB - 20)}
    assert (await admin_of.post("/contacts", {"queue": "sales", "data": fits})).status == 201


@pytest.mark.memory(contacts_bytes=1 * MiB)
async def test_ended_contacts_are_forgotten_past_the_budget_and_live_ones_refused_past_it(budgeted, admin_of):
    data = {"notes": "n" * 30 * KiB}
    ended = []
    for _ in range(100):  # 3 MB of data, each contact ended as soon as it arrives
        contact = await admin_of.inject("support", data=data)  # nobody signed in: it waits
        assert (await admin_of.hangup(contact["id"])).status == 200
        ended.append(contact["id"])
    assert ended[0] not in budgeted.world.contacts and ended[-1] in budgeted.world.contacts
    store = await store_health(admin_of, "contacts")
    assert store["dropped"] > 0 and store["bytes"] <= 1 * MiB + 64 * KiB
    assert (await admin_of.get(f"/contacts/{ended[0]}")).status == 404
    # Live contacts are never dropped: past the budget a new one is refused, with 507.
    live = []
    while True:
        resp = await admin_of.post("/contacts", {"queue": "support", "data": data})
        if resp.status != 201:
            break
        live.append(resp.body["id"])
    assert resp.status == 507 and "memory.contacts_bytes" in resp.body["error"]
    assert 20 <= len(live) <= 40 and all(c in budgeted.world.contacts for c in live)
    store = await store_health(admin_of, "contacts")
    assert store["bytes"] <= 1 * MiB and store["entries"] == len(budgeted.world.contacts)
    # One ends: there is room for one more.
    await admin_of.hangup(live[0])
    assert (await admin_of.post("/contacts", {"queue": "support", "data": data})).status == 201


def test_the_contacts_estimate_is_what_tracemalloc_sees_them_hold():
    from ccsim.core import World
    from ccsim.core.model import Queue

    world = World(VirtualClock())
    world.add_queue(Queue(id="q", name="q"))
    tracemalloc.start()
    try:
        gc.collect()
        before = tracemalloc.get_traced_memory()[0]
        for n in range(2000):
            contact = world.inject("q", data={"account": str(n), "notes": "x" * (n % 4000)})
            world.end(contact.id, "customer")
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    counted = world.memory.health()["stores"]["contacts"]["bytes"]
    assert held <= counted <= 1.6 * held, (counted, held)  # errs high, never low


async def test_a_contacts_history_is_bounded_whatever_its_agent_does(budgeted, admin_of):
    agent = HuaweiAgentClient(admin_of.wire, budgeted.urls["huawei"], "291")
    assert (await agent.sign_in(phonenum="40038", autoanswer=False)).body["retcode"] == "0"
    contact = await admin_of.inject("sales")
    await agent.drain()
    assert (await agent.call("answer")).body["retcode"] == "0"
    callid = (await agent.drain())[0]["content"]["callid"]
    for _ in range(100):  # hold and take back: two transitions each
        assert (await agent.call("hold")).body["retcode"] == "0", "hold"
        await agent.drain()
        assert (await agent.call("gethold", query={"callid": callid})).body["retcode"] == "0", "gethold"
        await agent.drain()
    history = (await admin_of.get(f"/contacts/{contact['id']}")).body["history"]
    assert len(history) == 64 and history[0]["state"] == "queued"


# -- a face's records: Halo's call log (issue 22, item 6) -----------------------------------------------------
@pytest.mark.memory(records_bytes=64 * KiB)
async def test_halos_call_log_keeps_its_newest_rows_within_the_records_budget(budgeted, admin_of):
    halo = budgeted.urls["intermedia"]
    basic = {"Authorization": "Basic " + base64.b64encode(b"intermedia:ccsim-halo-webhook").decode()}
    bearer = {"Authorization": "Bearer ccsim-halo-token"}
    async with WireClient(budgeted.clock) as wire:
        for n in range(300):  # a row each, and each carries 1 KB of what the webhook said
            body = {"CallID": f"call-{n}", "AgentNumber": "+15550100", "UserNumber": "+1555" + "7" * 1000,
                    "AgentEmail": "", "RecordingUrl": f"http://recordings.example/{n}.wav"}
            assert (await wire.request("POST", halo + "/api/notify/intermedia", json_body=body, headers=basic)).status == 200
        rows = (await wire.request("GET", halo + "/api/CallLog", headers=bearer)).body
        assert 0 < len(rows) < 300
        store = await store_health(admin_of, "intermedia.records")
        assert store["dropped"] == 300 - len(rows) > 0 and store["entries"] == len(rows)
        assert store["bytes"] <= 64 * KiB + 4 * KiB
        assert [r["third_party_id"] for r in rows] == [f"call-{n}" for n in range(300 - len(rows), 300)]  # the newest
        assert (await wire.request("GET", halo + "/api/CallLog/1", headers=bearer)).status == 404
        newest = rows[-1]["id"]
        linked = await wire.request("POST", halo + "/api/CallLog", json_body=[{"id": newest, "ticket_id": 7}], headers=bearer)
        assert linked.status == 201 and linked.body["ticket_id"] == 7
        actions = (await wire.request("GET", halo + "/api/Actions?ticket_id=7", headers=bearer)).body
        assert actions["record_count"] == 1 and actions["actions"][0]["calllog_id"] == newest


@pytest.mark.memory(records_bytes=64 * KiB)
async def test_intermedias_call_ids_of_ended_calls_are_kept_within_the_records_budget(budgeted, admin_of):
    face = budgeted.faces["intermedia"]
    for _ in range(150):  # each call is answered: a CallID, and a Halo row through the closed loop
        since = budgeted.journal.last_seq + 1
        contact = await admin_of.inject("helpdesk")
        await budgeted.journal.wait_for(Match(face="intermedia", kind="webhook", op="agent-answers-call"), 30, since)
        await budgeted.clock.sleep(2)  # the desk agent ends it
        assert budgeted.world.contacts[contact["id"]].ended
    assert len(face.records.call_ids) < 150
    store = await store_health(admin_of, "intermedia.records")
    assert store["dropped"] > 0 and store["bytes"] <= 64 * KiB + 1 * KiB
    newest = face.records.call_ids[contact["id"]]
    async with WireClient(budgeted.clock) as wire:
        assert (await wire.request("GET", f"{budgeted.urls['intermedia']}/recordings/{newest}.wav")).status == 200


# -- a face's records: XCALLY interactions and report rows (issue 22, item 6) ---------------------------------
XCALLY_ADMIN = {"apikey": "ccsim-xcally-key"}


@pytest.mark.memory(records_bytes=64 * KiB)
async def test_xcallys_interactions_and_report_rows_keep_the_newest_ended_ones_within_the_budget(budgeted, admin_of):
    xcally = budgeted.urls["xcally"] + "/api"
    waiting = await admin_of.inject("web-chat", channel="chat")  # live all along: never dropped
    for _ in range(200):  # each chat: an interaction and a report_chat_queue row, then abandoned
        contact = await admin_of.inject("web-chat", channel="chat", caller="+1555" + "3" * 50)
        assert (await admin_of.post(f"/contacts/{contact['id']}/abandon")).status == 200
    async with WireClient(budgeted.clock) as wire:
        listed = (await wire.request("GET", xcally + "/chat/interactions", params={**XCALLY_ADMIN, "nolimit": "true"})).body
        rows = (await wire.request("GET", xcally + "/reports/chat/queue", params={**XCALLY_ADMIN, "nolimit": "true"})).body
    assert listed["count"] == len(listed["rows"]) < 201 and rows["count"] == len(rows["rows"]) < 201
    store = await store_health(admin_of, "xcally.records")
    assert store["dropped"] > 0 and store["bytes"] <= 64 * KiB + 2 * KiB
    assert store["entries"] == listed["count"] + rows["count"]
    ids = [i["id"] for i in listed["rows"]]
    assert 1 in ids and 201 in ids and 2 not in ids  # the live one stays; the newest ended ones are kept
    assert any(i["id"] == 1 and i["status"] == "queued" for i in listed["rows"])
    assert budgeted.world.contacts[waiting["id"]].state.value == "queued"


async def test_an_xcally_interaction_keeps_its_newest_messages(budgeted, admin_of):
    xcally = budgeted.urls["xcally"] + "/api"
    await admin_of.inject("web-chat", channel="chat")
    async with WireClient(budgeted.clock) as wire:
        for n in range(100):  # 400 KB of messages to one interaction
            resp = await wire.request("POST", xcally + "/chat/interactions/1/messages", params=XCALLY_ADMIN,
                                      json_body={"body": f"{n:03d}" + "m" * 4000, "direction": "out"})
            assert resp.status == 201
        messages = (await wire.request("GET", xcally + "/chat/interactions/1/messages",
                                       params={**XCALLY_ADMIN, "nolimit": "true"})).body
    assert 10 <= messages["count"] < 20 and messages["rows"][-1]["body"].startswith("099")
    assert sum(len(m["body"]) for m in messages["rows"]) <= 64 * KiB


# -- the dashboard's history -------------------------------------------------------------------------------
@pytest.mark.memory(dashboard_bytes=16 * KiB)
async def test_the_dashboards_history_stays_within_its_budget(budgeted, admin_of):
    view = budgeted.admin.dashboard.view
    for _ in range(1000):
        view.sample()
    assert len(view.history) < 600  # 16 KiB: about a dozen samples; the chart's window is 600
    store = await store_health(admin_of, "dashboard.history")
    assert store["budget"] == 16 * KiB and store["bytes"] <= 16 * KiB + 2 * KiB
    assert store["dropped"] == 1000 - store["entries"] and store["entries"] == len(view.history) < 600


# -- configuration -------------------------------------------------------------------------------------------
def test_budgets_over_the_ceiling_are_a_configuration_error():
    with pytest.raises(config.ConfigError, match="over ceiling_bytes"):
        config.from_mapping({"memory": {"ceiling_bytes": 256 * MiB}}, "tests")
    with pytest.raises(config.ConfigError, match="memory"):
        config.from_mapping({"memory": {"journal_bytes": 0}}, "tests")
    small = config.from_mapping({"memory": {"ceiling_bytes": 256 * MiB, "journal_bytes": 32 * MiB,
                                            "contacts_bytes": 32 * MiB}, "enable": ["huawei"]}, "tests")
    assert small.memory.journal_bytes == 32 * MiB and small.memory.records_bytes == 16 * MiB


async def test_health_shows_every_store_with_its_budget(budgeted, admin_of):
    memory = (await admin_of.get("/health")).body["memory"]
    assert memory["ceiling"] == 512 * MiB and memory["rss"] > 10 * MiB
    assert set(memory["stores"]) == {"journal", "contacts", "dashboard.history", "intermedia.records", "xcally.records",
                                     "finesse.stomp"}
    assert memory["stores"]["finesse.stomp"] == {"bytes": 0, "budget": 32 * MiB, "entries": 0, "dropped": 0, "refused": 0}
    assert memory["kept"] == sum(s["bytes"] for s in memory["stores"].values())
    json.dumps(memory)
