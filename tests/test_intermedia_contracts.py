"""The Intermedia → HaloPSA face's wire contracts (contracts/intermedia/): a day driven over the real
wire in-process (calls answered by an Intermedia-only agent, the WSCalls of all three events, one to
a closed port, the Halo receiver's every answer, the CallLog and Actions API, recordings, unrouted
requests) leaves a journal that conforms to responses/, webhook/, halo-ui/, openapi.json and, for the
requests, requests/*; every op file is exercised; hand-made wrong instances fail."""
from __future__ import annotations

import asyncio
import copy
import json
import re
import socket
import uuid
from typing import Any

import pytest

from conftest import TEST_CONFIG
from ccsim import config, contracts
from ccsim.contracts.emitted import journal_violations
from ccsim.contracts.openapi import response_violations
from ccsim.vendors.intermedia.settings import ANSWERED_RESPONSES, IVR_EVENTS
from ccsim.vendors.intermedia.wire.halo_api import HALO_ROUTES
from ccsim.vendors.intermedia.wire.webhooks import basic, event_op, render_body

IM = contracts.contracts_dir() / "intermedia"
BASE = contracts.BASE_URI + "intermedia/"
BASIC = basic("intermedia", "ccsim-halo-webhook")
BEARER = {"Authorization": "Bearer ccsim-halo-token"}
MIB = 1024 * 1024
USERS = [{"id": 7, "name": "Bo Lind", "client_name": "Acme", "mobilenumber": "+15559999"}]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def intermedia_config(answered: str) -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    data["queues"].append({"id": "halo", "name": "Halo", "skills": ["halo"], "number": "4009", "intermedia": {}})
    data["agents"].append({"id": "801", "skills": ["halo"],  # only an Intermedia agent: picks up by itself
                           "intermedia": {"number": "+15550100", "email": "Ada@Example.com"}})
    data["faces"]["intermedia"] = {
        "halo_users": USERS, "answered_response": answered, "match_agent_email": True,
        "answer_after_seconds": 3, "talk_seconds": 10,
        "webhooks": [{"event": "Agent Answers Call"},
                     {"event": "Agent Hangs Up", "url": f"http://127.0.0.1:{closed_port()}/hangs-up"},
                     {"event": "Call Ended", "url": f"http://127.0.0.1:{closed_port()}/api/notify/intermedia"}]}
    return config.from_mapping(data, "tests")


@pytest.fixture
def sim_config(request) -> config.Config:
    return intermedia_config(getattr(request, "param", "open_call_screen"))


def op_files(kind: str) -> set[str]:
    return {p.name.removesuffix(".schema.json") for p in (IM / kind).glob("*.schema.json")}


def face_ops() -> dict[str, set[str]]:
    # A request no route takes is journaled "unrouted" (ccsim.serving.routes.install).
    return {"http": {route.op for route in HALO_ROUTES} | {"unrouted"},
            "webhook": {event_op(e) for e in IVR_EVENTS},
            "halo-ui": {r.replace("_", "-") for r in ANSWERED_RESPONSES}}


def test_every_op_the_face_can_journal_has_a_contract_and_no_other():
    ops = face_ops()
    assert {"notify", "calllog-update", "recording", "unrouted"} <= ops["http"]
    assert op_files("responses") == ops["http"]
    assert op_files("webhook") == ops["webhook"] == {"agent-answers-call", "agent-hangs-up", "call-ended"}
    assert op_files("halo-ui") == ops["halo-ui"] == {"open-call-screen", "notification"}


def test_openapi_document_is_openapi_31_and_names_every_routed_op():
    doc = json.loads((IM / "openapi.json").read_text(encoding="utf-8"))
    assert doc["openapi"] == "3.1.0" and "$id" not in doc and "$schema" not in doc
    # Its $refs resolve: tests/test_contract_files.py checks that for every openapi.json.
    ops = set()
    for template, item in doc["paths"].items():
        for method, operation in item.items():
            ops.add(operation["x-ccsim-op"])
            assert operation["x-ccsim-contract"] == f"{BASE}responses/{operation['x-ccsim-op']}.schema.json"
            declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"\{(\w+)\}", template)), (template, method)
    assert ops == face_ops()["http"] - {"unrouted"}


# -- a day over the wire -----------------------------------------------------------------------------------
@pytest.mark.parametrize("sim_config", ["open_call_screen", "notification"], indirect=True)
async def test_a_day_over_the_wire_conforms_to_the_contracts(sim, wire, sim_config):
    face, url = sim.faces["intermedia"], sim.urls["intermedia"]
    answered = face.settings.answered_response

    async def call(method: str, path: str, *, auth: str | None = None, **kw: Any):
        headers = {"Authorization": auth} if auth else {}
        if isinstance(kw.get("data"), (bytes, str)):
            headers["Content-Type"] = "application/json"
        return await wire.request(method, url + path, headers=headers, **kw)

    async def expect(status: int, method: str, path: str, **kw: Any):
        resp = await call(method, path, **kw)
        assert resp.status == status, (method, path, resp.status, resp.body)
        return resp

    # 1. Two calls to the Intermedia-only agent: each picked up after 3 s, ended by the agent after 10 s.
    sim.world.inject("halo", caller="+15559999")  # a known end user
    sim.world.inject("halo", caller="+15550000")  # nobody in Halo
    await sim.clock.sleep(60)
    await asyncio.gather(*list(face.webhooks.deliveries))
    hooks = [e for e in sim.journal.query() if e.face == "intermedia" and e.kind == "webhook"]
    assert sorted(e.op for e in hooks) == sorted(["agent-answers-call", "agent-hangs-up", "call-ended"] * 2)
    for e in hooks:
        assert json.loads(e.request["raw"]) == e.request["body"] and render_body(e.request["body"]) == e.request["raw"]
        assert event_op(e.request["event"]) == e.op
        if e.op != "agent-answers-call":  # a closed port: no status, an error
            assert e.response["status"] is None and e.response["error"]
        else:
            assert e.response["status"] == 200 and e.response["error"] is None
    recording_url = hooks[0].request["body"]["RecordingUrl"]

    # 2. The receiver, by hand: 401, 400, 413 and accepted bodies (no agent match; email match; the seed's raw).
    notify = "/api/notify/intermedia"
    body = {"CallID": "k-1", "AgentNumber": "+19990000", "UserNumber": "+15559999"}
    await expect(401, "POST", notify, json_body=body)
    await expect(401, "POST", notify, json_body=body, auth=basic("intermedia", "wrong"))
    await expect(401, "POST", notify, json_body=body, auth="Basic !!!")
    await expect(401, "POST", notify, json_body=body, auth=BEARER["Authorization"])
    await expect(400, "POST", notify, data="{not json", auth=BASIC)
    await expect(400, "POST", notify, json_body=[body], auth=BASIC)
    bad = await expect(400, "POST", notify, json_body={"callID": "k", "AgentNumber": 5, "UserNumber": " "}, auth=BASIC)
    assert set(bad.body["errors"]) == {"CallID", "AgentNumber", "UserNumber"}
    await expect(400, "POST", notify, json_body={**body, "AgentEmail": 3, "RecordingUrl": []}, auth=BASIC)
    await expect(413, "POST", notify, data=b"x" * (MIB + 1), auth=BASIC)
    await expect(200, "POST", notify, json_body={**body, "Extra": "ignored"}, auth=BASIC)  # no agent matched: no UI event
    await expect(200, "POST", notify, auth=BASIC,
                 json_body={**body, "CallID": "k-2", "AgentEmail": "ADA@example.COM", "RecordingUrl": None})
    seed = render_body({"CallID": str(uuid.uuid4()), "AgentNumber": "+15550100", "AgentEmail": "",
                        "UserNumber": "+15550000", "RecordingUrl": ""})
    await expect(200, "POST", "/API/Notify/Intermedia/", data=seed, auth=BASIC)

    # 3. The Halo API: CallLog, ticket linking (the recording action), Actions.
    for method, path in (("GET", "/api/CallLog"), ("GET", "/api/CallLog/1"), ("POST", "/api/CallLog"),
                         ("GET", "/api/Actions")):
        await expect(401, method, path, auth="Bearer nope", json_body=[{"id": 1}] if method == "POST" else None)
    rows = (await expect(200, "GET", "/api/CallLog", auth=BEARER["Authorization"])).body
    assert len(rows) == 5 and rows[0]["third_party_id"] == hooks[0].request["body"]["CallID"]
    await expect(200, "GET", "/api/calllog/1", auth=BEARER["Authorization"])
    await expect(404, "GET", "/api/CallLog/999", auth=BEARER["Authorization"])
    token = BEARER["Authorization"]
    one = await expect(201, "POST", "/api/CallLog", auth=token, json_body=[{"id": 1, "ticket_id": 42, "summary": "Printer"}])
    assert one.body["ticket_id"] == 42
    two = await expect(201, "POST", "/api/CallLog", auth=token, json_body=[{"id": 1, "note": "n"}, {"id": 3, "ticket_id": 43}])
    assert [r["id"] for r in two.body] == [1, 3]
    await expect(400, "POST", "/api/CallLog", auth=token, data="nope")
    await expect(400, "POST", "/api/CallLog", auth=token, json_body={"id": 1})
    await expect(400, "POST", "/api/CallLog", auth=token, json_body=[])
    bad = await expect(400, "POST", "/api/CallLog", auth=token,
                       json_body=[{"id": 999, "ticket_id": 0, "summary": 5, "note": None}])
    assert set(bad.body["errors"]) == {"[0].id", "[0].ticket_id", "[0].summary", "[0].note"}
    await expect(413, "POST", "/api/CallLog", auth=token, data=b"[" * (MIB + 1))
    actions = (await expect(200, "GET", "/api/Actions", auth=token, params={"ticket_id": "42"})).body
    assert actions["record_count"] == 1 and recording_url in actions["actions"][0]["note"]
    await expect(200, "GET", "/api/Actions", auth=token)

    # 4. Recordings and unrouted requests.
    wav = await wire.request("GET", recording_url)
    assert wav.status == 200 and wav.raw[:4] == b"RIFF"
    await expect(404, "GET", f"/recordings/{uuid.uuid4()}.wav")
    await expect(404, "GET", "/nope")
    await expect(405, "GET", notify)  # a known path, another method
    await expect(405, "DELETE", "/api/CallLog/1", auth=token)

    check_journal(sim, answered)


STATUSES = {"notify": {200, 400, 401, 413}, "calllog-list": {200, 401}, "calllog-get": {200, 401, 404},
            "calllog-update": {201, 400, 401, 413}, "actions-list": {200, 401}, "recording": {200, 404}, "unrouted": {404, 405}}
CANONICAL = {"/api/notify/intermedia": "/api/notify/intermedia", "/api/calllog": "/api/CallLog", "/api/actions": "/api/Actions"}


def canonical(path: str) -> str:
    lowered = path.rstrip("/").lower()
    found = re.fullmatch(r"/api/calllog/(\d+)", lowered)
    return f"/api/CallLog/{found[1]}" if found else CANONICAL.get(lowered, path)


def check_journal(sim, answered: str) -> None:
    entries = [e for e in sim.journal.query() if e.face == "intermedia"]
    # 1. what the suite's fixture checks after every test
    assert journal_violations(sim.journal) == []
    # 2. every op file was exercised (the other halo-ui op is the other parametrization's), every status
    other = {"open_call_screen": "notification", "notification": "open-call-screen"}[answered]
    for kind, folder in (("http", "responses"), ("webhook", "webhook"), ("halo-ui", "halo-ui")):
        assert {e.op for e in entries if e.kind == kind} == op_files(folder) - {other}, kind
    statuses: dict[str, set[int]] = {}
    for e in entries:
        if e.kind == "http":
            statuses.setdefault(e.op, set()).add(e.response["status"])
    assert statuses == STATUSES
    # 3. the OpenAPI document agrees with every routed answer
    problems = []
    for e in entries:
        if e.kind == "http" and e.op != "unrouted":
            problems += response_violations("intermedia/openapi.json", e.request["method"], canonical(e.request["path"]),
                                            e.response["status"], e.response["body"])
    assert not problems, "\n".join(problems)
    # 4. the requests: accepted bodies conform to requests/*, bodies refused for a field rule do not
    checked = 0
    for e in entries:
        if e.kind != "http" or e.op not in ("notify", "calllog-update") or e.response["status"] not in (200, 201, 400):
            continue
        bad = contracts.errors(f"intermedia/requests/{e.op}.schema.json", e.request["body"])
        fields = set((e.response["body"] or {}).get("errors", {})) if e.response["status"] == 400 else set()
        if e.response["status"] < 300:
            assert not bad, (e.op, e.request["body"], bad)
        elif not all(f.endswith(".id") for f in fields):  # an unknown row id is not in the schema's reach
            assert bad, (e.op, e.request["body"], fields)
        checked += 1
    assert checked >= 15
    # 5. cross-field facts the schemas cannot say
    for e in entries:
        if e.op == "actions-list" and e.response["status"] == 200:
            assert e.response["body"]["record_count"] == len(e.response["body"]["actions"])
        if e.kind == "halo-ui":
            assert e.response["body"]["response"] == answered
    rows = sim.faces["intermedia"].halo.calls.values()
    assert all(r["callerid"] == r["user_number"] and r["diallednumber"] == r["agent_number"] for r in rows)


# -- hand-made wrong instances fail ---------------------------------------------------------------------
CALL_ID = "0f8fad5b-d9cb-469f-a165-70867728950e"
VALUES = {"CallID": CALL_ID, "AgentNumber": "+15550100", "AgentEmail": "ada@example.com", "UserNumber": "+15559999",
          "RecordingUrl": f"http://127.0.0.1:8805/recordings/{CALL_ID}.wav"}
SEED_RAW = ('{ "CallID": "' + CALL_ID + '", "AgentNumber": "+15550100","AgentEmail": "ada@example.com", '
            '"UserNumber": "+15559999", "RecordingUrl": "http://127.0.0.1:8805/recordings/' + CALL_ID + '.wav" }')
WEBHOOK = {"method": "POST", "url": "http://127.0.0.1:8805/api/notify/intermedia", "event": "Agent Answers Call",
           "contact": "c1", "headers": {"Authorization": basic("intermedia", "pw"), "Content-Type": "application/json"},
           "body": VALUES, "raw": SEED_RAW}
ROW = {"id": 1, "start_date": "2026-01-01T00:00:03.000Z", "end_date": None, "timetaken": 0.0, "agent_id": 1,
       "agent_name": "Ada", "user_id": 7, "user_name": "Bo Lind", "client_name": "Acme", "callerid": "+15559999",
       "user_number": "+15559999", "diallednumber": "+15550100", "agent_number": "+15550100",
       "agent_email": "ada@example.com", "third_party_id": CALL_ID, "call_direction": 0, "call_type": "Intermedia",
       "ticket_id": None, "summary": "", "note": ""}
JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
PROBLEM = {"type": "https://tools.ietf.org/html/rfc7231#section-6.5.1", "title": "One or more validation errors occurred.",
           "status": 400, "errors": {"CallID": ["The CallID field is required."]}}
ACTION = {"id": 1, "ticket_id": 42, "calllog_id": 1, "outcome": "Call Recording",
          "note": f'<a href="{VALUES["RecordingUrl"]}">Call recording</a>', "datetime": "2026-01-01T00:00:30.000Z", "who": "Ada"}
UI = {"body": {"agent_id": 1, "calllog_id": 1, "response": "notification", "callerid": "+15559999", "user_id": None}}


def changed(base: dict[str, Any], path: str, value: Any = ...) -> dict[str, Any]:
    """A copy of `base` with the key at a/b/c set to `value` (or removed)."""
    out = copy.deepcopy(base)
    *parents, last = path.split("/")
    node = out
    for key in parents:
        node = node[key]
    if value is ...:
        del node[last]
    else:
        node[last] = value
    return out


VALID = [
    ("webhook/agent-answers-call", WEBHOOK),
    ("webhook/agent-hangs-up", {**WEBHOOK, "event": "Agent Hangs Up"}),
    ("webhook/call-ended", changed({**WEBHOOK, "event": "Call Ended"}, "contact")),
    ("responses/notify", {"status": 200, "headers": {}, "body": None}),
    ("responses/notify", {"status": 204, "headers": {}, "body": None, "internalError": None}),
    ("responses/notify", {"status": 401, "headers": {"WWW-Authenticate": 'Basic realm="Halo"'}, "body": None}),
    ("responses/notify", {"status": 400, "headers": JSON_HEADERS, "body": PROBLEM}),
    ("responses/notify", {"status": 413, "headers": {}, "body": None}),
    ("responses/calllog-list", {"status": 200, "headers": JSON_HEADERS, "body": [ROW, {**ROW, "id": 2}]}),
    ("responses/calllog-get", {"status": 200, "headers": JSON_HEADERS, "body": ROW}),
    ("responses/calllog-update", {"status": 201, "headers": JSON_HEADERS, "body": {**ROW, "ticket_id": 42}}),
    ("responses/actions-list", {"status": 200, "headers": JSON_HEADERS, "body": {"record_count": 1, "actions": [ACTION]}}),
    ("responses/recording", {"status": 200, "headers": {"Content-Type": "audio/wav"}, "body": "RIFF\ufffd>\x00\x00WAVEfmt \x10"}),
    ("responses/unrouted", {"status": 404, "headers": {}, "body": None}),
    ("halo-ui/notification", UI),
    ("requests/notify", {"CallID": "k", "AgentNumber": "1", "UserNumber": "2", "AgentEmail": None, "X": 1}),
]
WRONG = [
    ("webhook/agent-answers-call", changed(changed(WEBHOOK, "body/CallID"), "body/callID", CALL_ID), "mis-cased callID"),
    ("webhook/agent-answers-call", changed(WEBHOOK, "body/AgentNumber", 15550100), "a number, not a string"),
    ("webhook/agent-answers-call", changed(WEBHOOK, "body/Extra", "x"), "a sixth key"),
    ("webhook/agent-answers-call", changed(WEBHOOK, "body/CallID", "12345"), "CallID not a GUID"),
    ("webhook/agent-answers-call", changed(WEBHOOK, "raw", json.dumps(VALUES)), "raw not the seed's concatenation"),
    ("webhook/agent-answers-call", changed(WEBHOOK, "raw", SEED_RAW.replace('","AgentEmail', '", "AgentEmail')), "space"),
    ("webhook/agent-answers-call", changed(WEBHOOK, "raw", SEED_RAW.replace("+15559999", 'a"b')), "unescaped quote"),
    ("webhook/agent-answers-call", changed(WEBHOOK, "raw"), "no raw"),
    ("webhook/agent-answers-call", changed(WEBHOOK, "event", "Agent Hangs Up"), "another op's event"),
    ("webhook/call-ended", WEBHOOK, "another op's event"),
    ("webhook/agent-answers-call", changed(WEBHOOK, "method", "GET"), "not POST"),
    ("webhook/agent-answers-call", changed(WEBHOOK, "headers/Authorization", "Bearer x"), "not Basic"),
    ("webhook/agent-answers-call", changed(WEBHOOK, "headers/Content-Type", "text/plain"), "not JSON"),
    ("responses/notify", {"status": 500, "headers": {}, "body": None}, "500"),
    ("responses/notify", {"status": 200, "headers": JSON_HEADERS, "body": {"ok": True}}, "a body on success"),
    ("responses/notify", {"status": 401, "headers": {}, "body": None}, "401 without a challenge"),
    ("responses/notify", {"status": 401, "headers": {"WWW-Authenticate": "Bearer"}, "body": None}, "Bearer challenge"),
    ("responses/notify", {"status": 400, "headers": JSON_HEADERS, "body": changed(PROBLEM, "errors", {"callID": ["x"]})}, "field"),
    ("responses/notify", {"status": 400, "headers": JSON_HEADERS, "body": changed(PROBLEM, "errors/CallID", "x")}, "not a list"),
    ("responses/notify", {"status": 400, "headers": JSON_HEADERS, "body": changed(PROBLEM, "status", 422)}, "status 422"),
    ("responses/notify", {"status": 404, "headers": {}, "body": None}, "404"),
    ("responses/calllog-get", {"status": 200, "headers": JSON_HEADERS, "body": changed(ROW, "agent_id", "1")}, "agent_id '1'"),
    ("responses/calllog-get", {"status": 200, "headers": JSON_HEADERS, "body": changed(ROW, "third_party_id")}, "missing key"),
    ("responses/calllog-get", {"status": 200, "headers": JSON_HEADERS, "body": changed(ROW, "recording", "x")}, "extra key"),
    ("responses/calllog-get", {"status": 200, "headers": JSON_HEADERS, "body": changed(ROW, "agent_id", None)}, "name, no agent"),
    ("responses/calllog-get", {"status": 200, "headers": JSON_HEADERS, "body": changed(ROW, "end_date", ROW["start_date"])}, "end"),
    ("responses/calllog-get", {"status": 200, "headers": JSON_HEADERS, "body": changed(ROW, "timetaken", "0")}, "timetaken"),
    ("responses/calllog-get", {"status": 200, "headers": JSON_HEADERS, "body": changed(ROW, "ticket_id", 0)}, "ticket 0"),
    ("responses/calllog-get", {"status": 404, "headers": JSON_HEADERS, "body": {"message": "x"}}, "404 with a body"),
    ("responses/calllog-list", {"status": 200, "headers": JSON_HEADERS, "body": {"calls": [ROW]}}, "not an array"),
    ("responses/calllog-update", {"status": 200, "headers": JSON_HEADERS, "body": ROW}, "200, not 201"),
    ("responses/calllog-update", {"status": 201, "headers": JSON_HEADERS, "body": []}, "no rows"),
    ("responses/actions-list", {"status": 200, "headers": JSON_HEADERS, "body": {"actions": [ACTION]}}, "no record_count"),
    ("responses/actions-list", {"status": 200, "headers": JSON_HEADERS,
                                "body": {"record_count": 1, "actions": [changed(ACTION, "ticket_id", None)]}}, "ticket"),
    ("responses/recording", {"status": 200, "headers": JSON_HEADERS, "body": "RIFF\x00\x00\x00\x00WAVEfmt "}, "not audio/wav"),
    ("responses/recording", {"status": 200, "headers": {"Content-Type": "audio/wav"}, "body": "ID3"}, "not a WAV"),
    ("responses/unrouted", {"status": 405, "headers": {}, "body": None}, "405 without Allow"),
    ("halo-ui/open-call-screen", UI, "the other response"),
    ("halo-ui/notification", changed(UI, "body/agent_id", "1"), "agent_id '1'"),
    ("halo-ui/notification", changed(UI, "body/extra", 1), "extra key"),
    ("requests/notify", {"CallID": " ", "AgentNumber": "1", "UserNumber": "2"}, "blank CallID"),
    ("requests/notify", {"CallID": "k", "AgentNumber": "1"}, "no UserNumber"),
    ("requests/notify", {"CallID": "k", "AgentNumber": "1", "UserNumber": "2", "AgentEmail": 5}, "email a number"),
]


def test_the_seed_concatenation_is_what_render_body_gives():
    assert render_body(VALUES) == SEED_RAW and json.loads(SEED_RAW) == VALUES


@pytest.mark.parametrize("relative, instance", VALID, ids=[f"{r}-{n}" for n, (r, _) in enumerate(VALID)])
def test_hand_made_valid_instances_pass(relative, instance):
    assert contracts.errors(f"intermedia/{relative}.schema.json", instance) == []


@pytest.mark.parametrize("relative, instance, why", WRONG, ids=[f"{r}-{w}" for r, _, w in WRONG])
def test_hand_made_wrong_instances_fail(relative, instance, why):
    assert contracts.errors(f"intermedia/{relative}.schema.json", instance), why
