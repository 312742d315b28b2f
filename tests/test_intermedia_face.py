"""The Intermedia → HaloPSA face, both ends over real HTTP: the WSCall ccsim sends when an
agent answers (checked by a separate capture server, as a real Halo would see it) and the
Halo receiver's matching, call log, answers to bad input, and a receiver that never answers."""
from __future__ import annotations

import asyncio
import base64
import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from conftest import TEST_CONFIG
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.serving.face import SettingsError
from ccsim.serving.listeners import serve_app
from ccsim.vendors.intermedia.wire.webhooks import render_body

HALO_USERS = [{"id": 101, "name": "Carla Diaz", "client_name": "Acme Ltd", "phonenumber": "+442071234567",
               "mobilenumber": "+447700900123"}]
AGENTS = [{"id": "ann", "intermedia": {"number": "+442070000001", "email": "ann@example.com"}},
          # Also a Huawei agent: answers on the Huawei face, and Intermedia still reports it.
          {"id": "4077", "skills": ["sales"], "huawei": {"password": "", "phone": "40077"},
           "intermedia": {"number": "+442070000002", "email": "hub@example.com"}}]
BASIC = "Basic " + base64.b64encode(b"intermedia:ccsim-halo-webhook").decode()
BEARER = {"Authorization": "Bearer ccsim-halo-token"}


def intermedia_config(**settings: Any) -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += AGENTS
    data["queues"].append({"id": "helpdesk", "name": "Helpdesk", "intermedia": {}})
    data["faces"]["intermedia"] = {"halo_users": HALO_USERS, "answer_after_seconds": 2, "talk_seconds": None, **settings}
    return config.from_mapping(data, "tests")


class Capture:
    """A stand-in for a real HaloPSA: records what arrives; `hang` makes it never answer."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.hang = False
        self.released = asyncio.Event()  # set at teardown: hanging handlers return
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.requests.append({"path": request.path, "headers": dict(request.headers), "raw": await request.text()})
        if self.hang:
            await self.released.wait()
        return web.Response(status=200)


@pytest.fixture
async def capture() -> AsyncIterator[Capture]:
    found = Capture()
    app = web.Application()
    app.router.add_post("/{tail:.*}", found.handle)
    runner, found.url = await serve_app(app, "127.0.0.1", 0)
    yield found
    found.released.set()
    await runner.cleanup()


@pytest.fixture
def sim_config(request) -> config.Config:
    return intermedia_config(**getattr(request, "param", {}))


async def rows(wire: WireClient, sim: Simulator) -> list[dict[str, Any]]:
    resp = await wire.request("GET", sim.urls["intermedia"] + "/api/CallLog", headers=BEARER)
    assert resp.status == 200
    return resp.body


def webhooks(sim: Simulator) -> list[Any]:
    return [e for e in sim.journal.query() if e.face == "intermedia" and e.kind == "webhook"]


async def test_an_answered_call_makes_one_post_with_the_five_fields_and_a_matched_call_log_row(sim, wire, admin,
                                                                                                   capture):
    sim.faces["intermedia"].settings.webhooks.append(
        type(sim.faces["intermedia"].settings.webhooks[0])(url=capture.url + "/api/notify/intermedia"))
    call = await admin.inject("helpdesk", caller="+447700900123")
    await sim.clock.sleep(2)
    assert (await admin.get(f"/contacts/{call['id']}")).body["state"] == "connected"
    await sim.clock.sleep(300)
    [sent] = capture.requests  # exactly one POST, whatever the time since
    assert sent["headers"]["Authorization"] == BASIC and sent["headers"]["Content-Type"] == "application/json"
    values = webhooks(sim)[0].request["body"]
    assert set(values) == {"CallID", "AgentNumber", "AgentEmail", "UserNumber", "RecordingUrl"}
    assert all(isinstance(v, str) for v in values.values())
    assert (values["AgentNumber"], values["AgentEmail"], values["UserNumber"]) == \
        ("+442070000001", "ann@example.com", "+447700900123")
    assert sent["raw"] == render_body(values)  # the seed's concatenation, byte for byte
    assert '"AgentNumber": "+442070000001","AgentEmail"' in sent["raw"]
    [row] = await rows(wire, sim)
    assert (row["agent_id"], row["user_id"], row["callerid"], row["third_party_id"]) == \
        (1, 101, "+447700900123", values["CallID"])
    recording = await wire.request("GET", values["RecordingUrl"])
    assert recording.status == 200 and recording.raw[:4] == b"RIFF"


async def test_wrong_credentials_get_401_and_a_malformed_body_400_and_neither_logs_a_row(sim, wire):
    url = sim.urls["intermedia"] + "/api/notify/intermedia"
    good = render_body({"CallID": "c1", "AgentNumber": "+442070000001", "AgentEmail": "", "UserNumber": "+1",
                        "RecordingUrl": ""})
    wrong = "Basic " + base64.b64encode(b"intermedia:guess").decode()
    for headers in ({"Authorization": wrong}, {}, {"Authorization": "Basic !!!"}, {"Authorization": "Bearer x"}):
        assert (await wire.request("POST", url, data=good, headers=headers)).status == 401
    for body in ("{ not json", "[]", '{"CallID": "c1"}', '{"CallID": 1, "AgentNumber": "2", "UserNumber": "3"}',
                 '{"CallID": " ", "AgentNumber": "2", "UserNumber": "3"}', "\xff"):
        resp = await wire.request("POST", url, data=body, headers={"Authorization": BASIC})
        assert resp.status == 400 and resp.body["errors"], (body, resp.body)
    assert await rows(wire, sim) == []
    for items in ([{"id": [1]}], [{"id": {"a": 1}}], [{"id": 1.0}], [{"id": True}]):  # no row, no crash
        resp = await wire.request("POST", sim.urls["intermedia"] + "/api/CallLog", json_body=items, headers=BEARER)
        assert resp.status == 400 and "[0].id" in resp.body["errors"]
    mixed = sim.urls["intermedia"] + "/API/Notify/Intermedia"  # Halo is ASP.NET: any case
    assert (await wire.request("POST", mixed, data=good, headers={"Authorization": BASIC})).status == 200
    assert len(await rows(wire, sim)) == 1


async def test_a_receiver_that_never_answers_is_one_failed_delivery_and_the_simulator_carries_on(sim, wire, admin,
                                                                                                     capture):
    settings = sim.faces["intermedia"].settings
    settings.webhooks = [type(settings.webhooks[0])(url=capture.url + "/hook", timeout_seconds=0.3)]
    capture.hang = True
    await admin.inject("helpdesk", caller="+447700900123")
    await sim.clock.sleep(2)
    for _ in range(50):  # the delivery is in flight: everything else still answers
        if webhooks(sim):
            break
        assert (await admin.get("/health")).status == 200
        assert await rows(wire, sim) == []
        await asyncio.sleep(0.02)
    await sim.clock.sleep(600)
    [failed] = webhooks(sim)
    assert failed.response["status"] is None and failed.response["error"].startswith("timeout")
    assert len(capture.requests) == 1  # no retry
    await admin.hangup(failed.request["contact"])
    second = await admin.inject("helpdesk", caller="+15550002222")  # and calls still get answered
    await sim.clock.sleep(2)
    assert (await admin.get(f"/contacts/{second['id']}")).body["state"] == "connected"
    await sim.clock.sleep(600)
    assert [e.request["contact"] for e in webhooks(sim)] == [failed.request["contact"], second["id"]]
    assert len(capture.requests) == 2


@pytest.mark.parametrize("sim_config", [{"match_agent_email": True, "answered_response": "notification",
                                          "halo_agents": [{"id": 9, "name": "Ann", "email": "ANN@example.com",
                                                           "agent": "ann"}]}], indirect=True)
async def test_email_matching_when_the_number_is_unknown_to_halo(sim, wire, admin):
    await admin.inject("helpdesk", caller="+442071234567")
    await sim.clock.sleep(3)
    [row] = await rows(wire, sim)
    assert (row["agent_id"], row["user_id"]) == (9, 101)
    [shown] = [e for e in sim.journal.query() if e.kind == "halo-ui"]
    assert (shown.op, shown.agent, shown.response["body"]["calllog_id"]) == ("notification", "ann", row["id"])


async def test_an_agent_of_another_face_answering_fires_the_webhook_too(sim, wire, huawei, admin):
    hub = huawei("4077")
    assert (await hub.sign_in(phonenum="40077", autoanswer=True)).body["retcode"] == "0"
    await admin.inject("sales", caller="+442071234567")
    await sim.clock.sleep(10)
    [sent] = webhooks(sim)
    assert (sent.agent, sent.request["body"]["AgentNumber"], sent.response["status"]) == ("4077", "+442070000002", 200)
    assert [(r["agent_id"], r["user_id"]) for r in await rows(wire, sim)] == [(2, 101)]


@pytest.mark.parametrize("sim_config", [{"talk_seconds": 60, "webhooks": [
    {"event": "Agent Answers Call"}, {"event": "Agent Hangs Up", "url": "http://127.0.0.1:1/x"},
    {"event": "Call Ended", "url": "http://127.0.0.1:1/y"}]}], indirect=True)
async def test_other_named_ivr_events_fire_through_the_same_wscall(sim, admin):
    first = await admin.inject("helpdesk", caller="+1555000001")
    await sim.clock.sleep(70)  # answered after 2 s, hung up by the agent after 60 s more
    second = await admin.inject("helpdesk", caller="+1555000002")
    await sim.clock.sleep(5)
    await admin.hangup(second["id"])  # the customer hangs up this one
    await sim.clock.sleep(1)
    fired = [(e.request["contact"], e.op) for e in webhooks(sim)]
    assert fired == [(first["id"], "agent-answers-call"), (first["id"], "agent-hangs-up"), (first["id"], "call-ended"),
                     (second["id"], "agent-answers-call"), (second["id"], "call-ended")]
    assert len({e.request["body"]["CallID"] for e in webhooks(sim) if e.request["contact"] == first["id"]}) == 1


async def test_a_reset_signs_intermedia_agents_in_again_and_empties_halo(sim, wire, admin):
    await admin.inject("helpdesk", caller="+447700900123")
    await sim.clock.sleep(3)
    assert len(await rows(wire, sim)) == 1
    await admin.post("/reset")
    assert await rows(wire, sim) == []
    assert (await admin.agent("ann"))["presence"] == "idle"
    await admin.inject("helpdesk", caller="+447700900123")
    await sim.clock.sleep(3)
    assert len(await rows(wire, sim)) == 1


@pytest.mark.parametrize("settings, message", [
    ({"webhooks": [{"event": "Agent Sneezes"}]}, "Agent Sneezes"),
    ({"webhooks": [{"url": "http://x", "secret": "y"}]}, "known keys"),
    ({"answered_response": "popup"}, "answered_response"),
    ({"halo_users": [{"id": 1, "phonenumber": 15551234}]}, "strings"),
    ({"halo_users": [{"id": 1}, {"id": 1}]}, "distinct"),
    ({"recording_url": "{base}/{nope}"}, "recording_url"),
    ({"success_status": 500}, "2xx"),
    ({"webhooks": [{"event": "Call Ended"}]}, "needs a url"),
])
def test_bad_settings_are_refused_with_a_message(settings, message):
    with pytest.raises(SettingsError, match=message):
        Simulator(intermedia_config(**settings))


def test_the_demo_points_the_webhook_at_its_own_receiver():
    sim = Simulator(config.load())
    face = sim.faces["intermedia"]
    assert [w.url for w in face.settings.webhooks] == [None]  # None: ccsim's own /api/notify/intermedia
    assert face.desk.desk_agents() and face.halo.users
