"""The NICE CXone face's wire contracts (contracts/nice/): every schema is valid and loads through
ccsim.contracts; a working day driven over the real wire (token service, sessions, the agent
leg, calls, a work item, the Media Bar joining and logging out, refusals of every kind) leaves a
journal that conforms to responses/<op>.schema.json, event.schema.json, openapi.json and, for the
requests, requests/*.schema.json; hand-made wrong events and responses fail."""
from __future__ import annotations

import base64
import copy
import inspect
import itertools
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from support.world import TEST_CONFIG
from support.admin import Admin
from ccsim import config, contracts
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient, WireResponse
from ccsim.contracts.emitted import journal_violations
from ccsim.contracts.openapi import response_violations
from ccsim.core import VirtualClock
from ccsim.vendors.huawei.client import HuaweiAgentClient
from ccsim.vendors.nice.events import event
from ccsim.vendors.nice.wire import api

NICE = contracts.contracts_dir() / "nice"
BASE = "https://ccsim.dev/contracts/nice/"
SCHEMAS = sorted(p.relative_to(NICE).as_posix() for p in NICE.rglob("*.schema.json"))
HOSTS = ("ccsim-iis", "ccsim-vc")
BAR_CLIENT = "MediaBar@OpenMethods"

NICE_AGENTS = [
    {"id": "7001", "skills": ["sales"], "capacity": {"chat": 2},
     "nice": {"username": "ada@example.com", "password": "pw"}},
    # Also a Huawei agent: signed in there, it cannot start a NICE session (409 AgentBusy).
    {"id": "7002", "skills": ["support"], "huawei": {"password": "", "phone": "40041"},
     "nice": {"username": "alan@example.com", "password": "pw"}},
]
NICE_QUEUES = [
    {"id": "vip", "name": "VIP", "skills": ["sales"], "number": "4003", "nice": {"manual_accept": True}},
    {"id": "chat", "name": "Chat", "skills": ["sales"], "channel": "chat"},
]


def nice_config() -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += NICE_AGENTS
    data["queues"] += NICE_QUEUES
    return config.from_mapping(data, "tests")


@pytest.fixture
def sim_config() -> config.Config:
    return nice_config()


def errors(relative: str, instance: Any) -> list[str]:
    return contracts.errors(f"nice/{relative}", instance)


def test_openapi_document_is_openapi_31_and_its_refs_resolve():
    doc = json.loads((NICE / "openapi.json").read_text(encoding="utf-8"))
    assert doc["openapi"] == "3.1.0" and "$id" not in doc and "$schema" not in doc
    resolver = contracts.registry().resolver(base_uri=BASE + "openapi.json")  # all its $refs: test_contract_files.py
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        **doc["components"]["securitySchemes"]["bearerAuth"], "type": "http", "scheme": "bearer"}
    ops = set()
    for template, item in doc["paths"].items():
        assert template.startswith(("/inContactAPI/services/v{version}/", "/InContactAuthorizationServer/Token"))
        for method, operation in item.items():
            assert method in ("get", "post", "put", "delete") and operation["responses"], (template, method)
            op = operation["x-ccsim-op"]
            ops.update([op] if isinstance(op, str) else op)
            params = [resolver.lookup(p["$ref"]).contents if "$ref" in p else p for p in operation.get("parameters", [])]
            declared = {p["name"] for p in params if p["in"] == "path"}
            assert declared == set(re.findall(r"\{(\w+)\}", template)), (template, method, declared)
            assert all(p["required"] for p in params if p["in"] == "path")
    assert ops == face_ops() - {"unrouted"}


# -- every op the code can set has a contract -------------------------------------------------------
def _actions(fn) -> set[str]:
    """The actions a handler knows, read from its source: action == "x" / action in ("x", "y")."""
    source = inspect.getsource(fn)
    found = set(re.findall(r'action == "([\w-]+)"', source))
    for group in re.findall(r"action in \(([^)]*)\)", source):
        found.update(re.findall(r'"([\w-]+)"', group))
    return found


def face_ops() -> set[str]:
    ops = {route.op for route in api.API_ROUTES} | {"token", "unrouted"}
    ops |= {f"agent-phone/{a}" for a in _actions(api.agent_phone)}
    ops |= {f"interactions/{a}" for a in _actions(api.interaction)}
    return ops


def test_every_op_the_face_can_journal_has_a_response_contract_and_no_other():
    ops = face_ops()
    assert {"agent-phone", "interaction", "agent-phone/dial", "interactions/disposition", "token"} <= ops
    files = {p.relative_to(NICE / "responses").as_posix().removesuffix(".schema.json")
             for p in (NICE / "responses").rglob("*.schema.json")}
    assert files == ops


# -- driving the face --------------------------------------------------------------------------------
class NiceAgent:
    """One client application (MAX or the Media Bar) with its token."""

    _correlation = itertools.count(1)

    def __init__(self, wire: WireClient, token: dict[str, Any]):
        self.wire, self.token = wire, token
        self.api = token["resource_server_base_uri"] + "services/v23.0/"

    async def call(self, method: str, path: str, body: Any = None, *, params: dict[str, str] | None = None,
                   raw: bytes | str | None = None, auth: bool = True, url: str | None = None) -> WireResponse:
        correlation = f"corr-{next(self._correlation)}"
        headers = {"CorrelationId": correlation, "Originating-Service-Identifier": "CXoneAgent"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token['access_token']}"
        if body is not None:  # as the SDK sends it: JSON labelled text/plain
            raw, headers["Content-Type"] = json.dumps(body), "text/plain;charset=UTF-8"
        resp = await self.wire.request(method, url or self.api + path, data=raw, headers=headers, params=params)
        assert resp.header("CorrelationId") == correlation, (method, path, resp.headers)
        return resp

    async def poll(self, session: str, timeout: int = 0) -> list[dict[str, Any]]:
        resp = await self.call("GET", f"agent-sessions/{session}/get-next-event", params={"timeout": str(timeout)})
        if resp.status == 304:
            assert resp.body is None
            return []
        assert resp.status == 200 and resp.body["sessionId"] == session, (resp.status, resp.body)
        return resp.body["events"]


async def token(wire: WireClient, url: str, form: str, client: str | None = None) -> WireResponse:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if client:
        headers["Authorization"] = "basic " + base64.b64encode(f"{client}:4593144".encode()).decode()
    return await wire.request("POST", url + "/InContactAuthorizationServer/Token", data=form, headers=headers)


async def login(wire: WireClient, url: str, username: str, password: str | None = "pw",
                client: str | None = None) -> NiceAgent:
    form = f"grant_type=password&username={username}" + (f"&password={password}" if password is not None else "")
    resp = await token(wire, url, form, client)
    assert resp.status == 200, resp.body
    return NiceAgent(wire, resp.body)


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [e["Type"] for e in events]


def one(events: list[dict[str, Any]], kind: str, **fields: str) -> dict[str, Any]:
    found = [e for e in events if e["Type"] == kind and all(e.get(k) == v for k, v in fields.items())]
    assert len(found) == 1, (kind, fields, events)
    return found[0]


def expect(resp: WireResponse, status: int, error: str | None = None) -> WireResponse:
    assert resp.status == status, (resp.status, resp.body)
    if error is not None:
        assert resp.body["error"] == error, resp.body
    return resp


async def test_a_working_day_on_the_wire_conforms_to_the_contracts(sim, wire):
    url = sim.urls["nice"]
    admin = Admin(wire, sim.urls["admin"])

    # -- token service ----------------------------------------------------------------------------
    for form, error in [("grant_type=password&username=ada&password=pw", "invalid_request"),
                        ("grant_type=password&username=ada@example.com&password=nope", "invalid_grant"),
                        ("grant_type=password&username=nobody@example.com&password=pw", "invalid_grant"),
                        ("grant_type=client_credentials", "unsupported_grant_type"),
                        ("grant_type=refresh_token&refresh_token=nope", "invalid_grant"),
                        ("{not json", "InvalidBody")]:
        resp = expect(await token(wire, url, form), 400)
        assert resp.body["error"] == error, (form, resp.body)
    maxc = await login(wire, url, "Ada@Example.com")
    expect(await token(wire, url, f"grant_type=refresh_token&refresh_token={maxc.token['refresh_token']}"), 200)
    assert maxc.token["agent_id"] == 7001 and maxc.token["token_type"] == "bearer"

    # -- start, poll -------------------------------------------------------------------------------
    expect(await maxc.call("POST", "agent-sessions", {"stationPhoneNumber": "WebRTC"}, auth=False), 401, "Unauthorized")
    expect(await maxc.call("POST", "agent-sessions", {}), 400, "InvalidParameter")
    expect(await maxc.call("POST", "agent-sessions", raw="[1]"), 400, "InvalidBody")
    expect(await maxc.call("POST", "agent-sessions/join", {"asAgentId": ""}), 409, "NoSession")
    sid = expect(await maxc.call("POST", "agent-sessions", {"stationId": "", "stationPhoneNumber": "WebRTC"}),
                 202).body["sessionId"]
    assert kinds(await maxc.poll(sid)) == ["AgentSessionStart", "AgentState"]
    assert await maxc.poll(sid) == []  # 304
    expect(await maxc.call("GET", f"agent-sessions/{sid}/get-next-event", params={"timeout": "99"}),
           400, "InvalidParameter")

    # -- client data, state ------------------------------------------------------------------------
    data = expect(await maxc.call("GET", "agents/client-data", params={"agentId": "7001"}), 200).body["Data"]
    assert json.loads(data)["AutoAccept"] is False
    expect(await maxc.call("GET", "agents/client-data", params={"agentId": "1234"}), 403, "Forbidden")
    expect(await maxc.call("PUT", "agents/client-data", {"agentId": 7001, "dataSet": "[1]"}), 400, "InvalidParameter")
    expect(await maxc.call("PUT", "agents/client-data", {"agentId": "1234", "dataSet": "{}"}), 403, "Forbidden")
    expect(await maxc.call("PUT", "agents/client-data", {"agentId": 7001, "dataSet": '{"AutoAccept": false}'}), 202)
    # what the agent SDK reads at start-up (reference §5.2)
    unit = expect(await maxc.call("GET", "business-unit"), 200).body["businessUnits"][0]
    assert unit["businessUnitId"] == maxc.token["bus_no"]
    assert expect(await maxc.call("GET", "agents/7001/indicators"), 200).body == {"indicators": []}
    expect(await maxc.call("GET", "agents/undefined/indicators"), 400, "InvalidParameter")
    expect(await maxc.call("GET", "agents/1234/indicators"), 403, "Forbidden")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/state", {"state": "Busy"}), 400, "InvalidParameter")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/state", {"state": "Unavailable", "reason": "Nap"}),
           400, "InvalidParameter")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/state", {"state": "Unavailable", "reason": "Break"}), 202)
    expect(await maxc.call("POST", f"agent-sessions/{sid}/agent-phone/mute"), 409, "NoAgentLeg")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/agent-phone/end"), 409, "NoAgentLeg")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/dial-phone", {"phoneNumber": "5550100", "skillId": "Sales"}),
           409, "NoAgentLeg")
    # the prefix in another spelling and version, the parameters in the query
    expect(await maxc.call("POST", "", params={"state": "Available"},
                           url=maxc.token["resource_server_base_uri"].replace("/inContactAPI/", "/INCONTACTAPI/")
                           + f"SERVICES/V27.0/agent-sessions/{sid}/state"), 202)
    events = await maxc.poll(sid)
    assert [e["CurrentState"] for e in events] == ["Unavailable", "Available"]

    # -- a call with no agent leg and auto-accept off: "Connecting Agent Leg", accepted in MAX ------
    call = await admin.inject("sales")
    events = await maxc.poll(sid)
    assert kinds(events) == ["CallContactEvent", "AgentState", "AgentLeg"]
    contact = one(events, "CallContactEvent", Status="Incoming")["ContactID"]
    leg = one(events, "AgentLeg", Status="Dialing")["AgentLegId"]
    expect(await maxc.call("POST", f"agent-sessions/{sid}/agent-phone/dial"), 409, "AgentLegActive")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{leg}/accept"), 202)
    events = await maxc.poll(sid)
    one(events, "AgentLeg", Status="Active")
    one(events, "CallContactEvent", Status="Active")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/accept"), 409, "InvalidState")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/9999/accept"), 404, "ContactNotFound")
    for action in ("mute", "unmute"):
        expect(await maxc.call("POST", f"agent-sessions/{sid}/agent-phone/{action}"), 202)
    assert [e["AgentMuted"] for e in await maxc.poll(sid)] == ["True", "False"]
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/hold"), 202)
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/hold"), 409, "InvalidState")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/resume"), 202)
    assert [e["Status"] for e in await maxc.poll(sid)] == ["Holding", "Active"]

    # -- the Media Bar joins (username only) and sees the call ----------------------------------------
    bar = await login(wire, url, "ada@example.com", None, client=BAR_CLIENT)
    expect(await bar.call("POST", "agent-sessions/join", {"asAgentId": "1234"}), 403, "Forbidden")
    bar_sid = expect(await bar.call("POST", "agent-sessions/join", {"asAgentId": ""}), 202).body["sessionId"]
    assert bar_sid != sid
    assert kinds(await bar.poll(bar_sid)) == ["AgentSessionStart", "AgentState", "AgentLeg", "CallContactEvent"]
    expect(await bar.call("POST", f"agent-sessions/{bar_sid}/agent-phone/dial"), 403, "Forbidden")
    expect(await bar.call("POST", f"agent-sessions/{bar_sid}/interactions/{leg}/accept"), 403, "Forbidden")

    # -- end, after-call work, disposition ---------------------------------------------------------------
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/end"), 202)
    events = await maxc.poll(sid)
    one(events, "CallContactEvent", Status="Disconnected", FinalState="False")
    one(events, "AgentState", CurrentState="Unavailable", IsAcw="True")
    assert events == await bar.poll(bar_sid)  # fan-out: both clients see the same events
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/disposition",
                           {"primaryDispositionId": "9"}), 400, "InvalidParameter")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/disposition", {}),
           400, "InvalidParameter")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/end"), 409, "InvalidState")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/reject"), 409, "InvalidState")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/disposition",
                           {"primaryDispositionId": "1", "primaryDispositionNotes": "sold"}), 202)
    events = await maxc.poll(sid)
    one(events, "CallContactEvent", Status="Disconnected", FinalState="True")
    one(events, "AgentState", CurrentState="Available", IsAcw="False")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/disposition",
                           {"primaryDispositionId": 1}), 409, "InvalidState")
    await bar.poll(bar_sid)
    assert call["id"]

    # -- manual accept: rejected, then refused by timeout ---------------------------------------------------
    vip = await admin.inject("vip")
    events = await maxc.poll(sid)
    contact = one(events, "CallContactEvent", Status="Incoming", IsRequireManualAccept="True")["ContactID"]
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/reject"), 202)
    events = await maxc.poll(sid)
    one(events, "CallContactEvent", Status="Disconnected", FinalState="True")
    one(events, "AgentState", CurrentState="Unavailable", CurrentOutReason="Refused")
    await admin.hangup(vip["id"])
    expect(await maxc.call("POST", f"agent-sessions/{sid}/state", {"state": "Available"}), 202)
    vip = await admin.inject("vip")
    events = await maxc.poll(sid)
    assert kinds(events) == ["AgentState", "CallContactEvent", "AgentState"]
    events = await maxc.poll(sid, timeout=60)  # nobody accepts: refused after the refusal timeout
    one(events, "CallContactEvent", Status="Disconnected", FinalState="True")
    one(events, "AgentState", CurrentOutReason="Refused")
    await admin.hangup(vip["id"])
    await bar.poll(bar_sid)

    # -- an outbound call, then the leg dropped from the bar ------------------------------------------------
    expect(await maxc.call("POST", f"agent-sessions/{sid}/state", {"state": "Available"}), 202)
    expect(await maxc.call("POST", f"agent-sessions/{sid}/dial-phone", {"phoneNumber": "12ab", "skillId": "Sales"}),
           400, "InvalidParameter")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/dial-phone", {"phoneNumber": "5550100"}),
           400, "InvalidParameter")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/dial-phone", {"phoneNumber": "5550100", "skillId": "Sales"}),
           202)
    events = await maxc.poll(sid)
    contact = one(events, "CallContactEvent", Status="Dialing", IsInbound="False")["ContactID"]
    one(events, "AgentState", CurrentState="OutboundContact")
    one(await maxc.poll(sid, timeout=10), "CallContactEvent", Status="Active")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/dial-phone", {"phoneNumber": "5550101", "skillId": "Sales"}),
           409, "InvalidState")
    expect(await maxc.call("DELETE", f"agent-sessions/{sid}", {"endContacts": "maybe"}), 400, "InvalidParameter")
    expect(await maxc.call("DELETE", f"agent-sessions/{sid}", {"forceLogoff": False}), 409, "ContactInProgress")
    expect(await bar.call("POST", f"agent-sessions/{bar_sid}/agent-phone/end"), 202)
    events = await maxc.poll(sid)
    one(events, "AgentLeg", Status="Disconnected", FinalState="True")
    one(events, "CallContactEvent", Status="Disconnected", FinalState="False")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/disposition",
                           {"primaryDispositionId": "2"}), 202)
    await maxc.poll(sid)
    await bar.poll(bar_sid)

    # -- a chat: a work item ---------------------------------------------------------------------------------
    await admin.inject("chat", channel="chat")
    events = await maxc.poll(sid)
    contact = one(events, "WorkItemContactEvent", Status="Active")["ContactID"]
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/hold"), 409, "InvalidState")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/end"), 202)
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/{contact}/disposition",
                           {"primaryDispositionId": "3"}), 202)
    events = await maxc.poll(sid)
    one(events, "WorkItemContactEvent", Status="Disconnected", FinalState="True")

    # -- auto-accept switched on through client data: MAX dials the leg, the softphone answers -------------
    expect(await maxc.call("PUT", "agents/client-data", {"dataSet": '{"AutoAccept": true}'}), 202)
    expect(await maxc.call("POST", f"agent-sessions/{sid}/agent-phone/dial"), 202)
    assert [e["Status"] for e in await maxc.poll(sid, timeout=5) + await maxc.poll(sid, timeout=5)
            if e["Type"] == "AgentLeg"] == ["Dialing", "Active"]
    await bar.poll(bar_sid)

    # -- refusals journaled under the fall-back ops, and unrouted requests -----------------------------------
    expect(await maxc.call("POST", "agent-sessions/9999/agent-phone/dial"), 404, "SessionNotFound")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/agent-phone/dial", auth=False), 401, "Unauthorized")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/agent-phone/mute", raw="[1]"), 400, "InvalidBody")
    expect(await maxc.call("POST", "agent-sessions/9999/interactions/1/accept"), 404, "SessionNotFound")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/1/end", auth=False), 401, "Unauthorized")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/1/end", raw="[1]"), 400, "InvalidBody")
    expect(await maxc.call("GET", "agent-sessions/9999/get-next-event"), 404, "SessionNotFound")
    expect(await maxc.call("POST", "agent-sessions/9999/state", {"state": "Available"}), 404, "SessionNotFound")
    expect(await maxc.call("POST", "agent-sessions/9999/dial-phone", {"phoneNumber": "1", "skillId": "S"}),
           404, "SessionNotFound")
    expect(await maxc.call("DELETE", "agent-sessions/9999", {}), 404, "SessionNotFound")
    expect(await maxc.call("GET", "agent-sessions"), 404, "NotFound")  # a known path, another method
    expect(await maxc.call("GET", "", url=url + "/nowhere"), 404, "NotFound")
    expect(await maxc.call("POST", "agent-sessions", raw=b"x" * (1024 * 1024 + 1)), 413, "RequestTooLarge")

    # -- MAX logs out: the bar is told and stays detached; MAX's own session ends -----------------------------
    expect(await maxc.call("DELETE", f"agent-sessions/{sid}", {"forceLogoff": True, "endContacts": "false"}), 202)
    expect(await maxc.call("DELETE", f"agent-sessions/{sid}", {}), 409, "SessionEnded")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/state", {"state": "Available"}), 409, "SessionEnded")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/agent-phone/end"), 409, "SessionEnded")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/interactions/1/end"), 409, "SessionEnded")
    expect(await maxc.call("POST", f"agent-sessions/{sid}/dial-phone", {"phoneNumber": "1", "skillId": "S"}),
           409, "SessionEnded")
    one(await maxc.poll(sid), "AgentSessionEnd", Success="True")
    expect(await maxc.call("GET", f"agent-sessions/{sid}/get-next-event", params={"timeout": "0"}), 409, "SessionEnded")
    one(await bar.poll(bar_sid), "RemoteAgentSessionEnd", Message="RemoteLogoff")
    assert await bar.poll(bar_sid) == []

    # -- the bar logging out logs MAX out too (no contact in progress) -------------------------------------------
    sid = expect(await maxc.call("POST", "agent-sessions", {"stationPhoneNumber": "WebRTC"}), 202).body["sessionId"]
    bar_sid = expect(await bar.call("POST", "agent-sessions/join", {}), 202).body["sessionId"]
    expect(await bar.call("DELETE", f"agent-sessions/{bar_sid}", {"endContacts": True}), 202)
    assert kinds(await maxc.poll(sid))[-1] == "AgentSessionEnd"
    assert kinds(await bar.poll(bar_sid))[-1] == "AgentSessionEnd"

    # -- an agent signed in on another face cannot start a NICE session --------------------------------------------
    resp = await HuaweiAgentClient(wire, sim.urls["huawei"], "7002").sign_in(phonenum="40041", autoanswer=False)
    assert resp.body["retcode"] == "0", resp.body
    alan = await login(wire, url, "alan@example.com")
    expect(await alan.call("POST", "agent-sessions", {"stationPhoneNumber": "WebRTC"}), 409, "AgentBusy")

    check_journal(sim)


def check_journal(sim) -> None:
    entries = [e for e in sim.journal.query() if e.face == "nice"]
    # 1. the responses and events (what the suite's fixture checks after every test)
    problems = journal_violations(sim.journal)
    assert not problems, "\n".join(problems[:20])
    # 2. every op the face can set was exercised
    assert {e.op for e in entries} == face_ops()
    # 3. the OpenAPI document agrees with every routed answer
    for e in entries:
        if e.op == "unrouted":
            continue
        # the face matches the prefix in any case (the run uses /INCONTACTAPI/SERVICES/V27.0/ once)
        path = re.sub(r"(?i)^/incontactapi/services/v", "/inContactAPI/services/v", e.request["path"])
        problems += response_violations("nice/openapi.json", e.request["method"], path, e.response["status"],
                                        e.response["body"])
    assert not problems, "\n".join(problems[:20])
    # 4. the requests: accepted ones conform to requests/*.schema.json, ones refused for their parameters do not
    checked = 0
    for e in entries:
        name = REQUEST_SCHEMAS.get(e.op)
        if name is None:
            continue
        params = request_params(e.request)
        if params is None:
            continue
        status, body = e.response["status"], e.response["body"] or {}
        bad = errors(f"requests/{name}.schema.json", params)
        if 200 <= status < 300 or status == 304:
            assert not bad, (e.op, params, bad)
            checked += 1
        elif body.get("error") in ("InvalidParameter", "invalid_request", "unsupported_grant_type"):
            assert bad, (e.op, params, body)
            checked += 1
    assert checked >= 30


REQUEST_SCHEMAS = {"start-session": "start-session", "join-session": "join-session", "end-session": "end-session",
                   "get-next-event": "get-next-event", "set-state": "set-state", "dial-phone": "dial-phone",
                   "interactions/disposition": "disposition", "put-client-data": "put-client-data", "token": "token"}


def request_params(request: dict[str, Any]) -> dict[str, Any] | None:
    """The parameters the face read: the query, then the body (JSON, or a form) over it."""
    params: dict[str, Any] = dict(request.get("query") or {})
    body = request.get("body")
    if isinstance(body, str):
        if "=" not in body or "{" in body:
            return None  # not parameters (the InvalidBody cases)
        body = dict(parse_qsl(body))
    if body is not None and not isinstance(body, dict):
        return None
    params.update(body or {})
    return params


# -- hand-made events and responses ----------------------------------------------------------------------
def call_event(**changes: Any) -> dict[str, Any]:
    fields = dict(ContactID="1001007", MasterID="1001007", Status="Active", OriginalState="False", CallType="Regular",
                  DNIS="4001", ANI="5550100", Skill="Sales", IsInbound=True, StartTimeUTC="2026-01-01T00:00:00.000Z",
                  LastStateChangeTimeUTC="2026-01-01T00:00:05.000Z", DisconnectCode="", IsLogging=False, Timeout=45,
                  AllowDispositions=True, Label="", IsLinked=False, FinalState=False, IsRequireManualAccept=False)
    body = event("CallContactEvent", HOSTS, **fields)
    body.update(changes)
    return body


GOOD_EVENTS = [
    call_event(),
    event("AgentState", HOSTS, CurrentState="Unavailable", CurrentOutReason="", StartTimeUTC="2026-01-01T00:00:00.000Z",
          IsAcw=True, AcwTimeout=30, NextStates=[{"State": "Available", "OutReason": ""}], NextIsAcw=False),
    event("AgentLeg", HOSTS, AgentLegId="1001005", Status="Dialing", FinalState=False),
    event("Mute", HOSTS, AgentMuted=True),
    event("AgentSessionEnd", HOSTS, Success=True, Message=""),
    event("RemoteAgentSessionEnd", HOSTS, Message="SessionTimeout"),
    event("WorkItemContactEvent", HOSTS, ContactID="1001009", MasterID="1001009", Status="Incoming", WorkItemType="chat",
          SkillId="Chat", StartTimeUTC="2026-01-01T00:00:00Z", LastStateChangeTimeUTC="2026-01-01T00:00:00Z",
          RefusalTimeout=45, FinalState=False, AgentId="7001", InFocus=False),
]


@pytest.mark.parametrize("good", GOOD_EVENTS, ids=lambda e: e["Type"])
def test_events_built_by_the_face_helpers_validate(good):
    assert not errors("event.schema.json", good)


def _without(body: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != key}


def _renamed(body: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    return {(new if k == old else k): v for k, v in body.items()}


BAD_EVENTS = {
    "a number instead of a string": call_event(Timeout=45),
    "a JSON boolean": call_event(IsInbound=True),
    "ContactId instead of ContactID": _renamed(call_event(), "ContactID", "ContactId"),
    "camelCase key": _renamed(call_event(), "StartTimeUTC", "startTimeUtc"),
    "lower-case true": call_event(IsInbound="true"),
    "unknown Type": {**call_event(), "Type": "AgentContactEvent"},
    "lower-case type key": _renamed(call_event(), "Type", "type"),
    "no IISHost": _without(call_event(), "IISHost"),
    "missing required field": _without(call_event(), "MasterID"),
    "Ringing is no call status": call_event(Status="Ringing"),
    "unknown CallType": call_event(CallType="Inbound"),
    "not an ISO time": call_event(StartTimeUTC="1/1/2026 00:00:00"),
    "local time without Z": call_event(StartTimeUTC="2026-01-01T00:00:00"),
    "FinalState True while Active": call_event(FinalState="True"),
    "id with 60": call_event(ContactID="1001060"),
    "leg status Connected": event("AgentLeg", HOSTS, AgentLegId="1001005", Status="Connected", FinalState=False),
    "NextStates with a number": {**GOOD_EVENTS[1], "NextStates": [{"State": "Available", "OutReason": 0}]},
    "unknown agent state": {**GOOD_EVENTS[1], "CurrentState": "Busy", "IsAcw": "False"},
    "ACW outside Unavailable": {**GOOD_EVENTS[1], "CurrentState": "Available"},
    "remote end message": event("RemoteAgentSessionEnd", HOSTS, Message="Bye"),
    "Mute with a JSON boolean": {**GOOD_EVENTS[3], "AgentMuted": True},
    "work item agent id": {**GOOD_EVENTS[6], "AgentId": "ada"},
}


@pytest.mark.parametrize("name", list(BAD_EVENTS))
def test_wrong_events_fail(name):
    assert errors("event.schema.json", BAD_EVENTS[name]), name


JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}
TOKEN = {"access_token": "ccsim-1001001", "token_type": "bearer", "expires_in": 3600, "refresh_token": "ccsim-r1001002",
         "scope": "AgentApi", "resource_server_base_uri": "http://127.0.0.1:42887/inContactAPI/",
         "refresh_token_server_uri": "http://127.0.0.1:42887/InContactAuthorizationServer/Token",
         "agent_id": 7001, "team_id": 2201, "bus_no": 4593144}


def response(status: int, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {"status": status, "headers": JSON_HEADERS if headers is None else headers, "body": body}


GOOD_RESPONSES = [
    ("start-session", response(202, {"sessionId": "1001004"})),
    ("join-session", response(202, {"sessionId": "1001004"}, {**JSON_HEADERS, "CorrelationId": "x"})),
    ("end-session", response(202, {})),
    ("get-next-event", response(200, {"sessionId": "1001004", "events": [GOOD_EVENTS[2]]})),
    ("get-next-event", response(304, None, {})),
    ("get-next-event", response(409, {"error": "SessionEnded", "message": "the agent session has ended"})),
    ("agent-phone/dial", response(403, {"error": "Forbidden", "message": "no"})),
    ("agent-phone", response(404, {"error": "SessionNotFound", "message": "no agent session 9"})),
    ("interactions/disposition", response(400, {"error": "InvalidParameter", "message": "unknown disposition 9"})),
    ("get-client-data", response(200, {"Data": '{"AutoAccept": false}'})),
    ("token", response(200, TOKEN)),
    ("token", response(400, {"error": "invalid_grant", "error_description": "wrong password"})),
    ("unrouted", response(413, {"error": "RequestTooLarge", "message": "too large"})),
]


@pytest.mark.parametrize("op,resp", GOOD_RESPONSES, ids=[f"{op}-{r['status']}" for op, r in GOOD_RESPONSES])
def test_good_responses_validate(op, resp):
    assert not errors(f"responses/{op}.schema.json", resp)


BAD_RESPONSES = {
    "sessionId with 60": ("start-session", response(202, {"sessionId": "1600"})),
    "sessionId a number": ("start-session", response(202, {"sessionId": 1001004})),
    "200 instead of 202": ("start-session", response(200, {"sessionId": "1001004"})),
    "a status the op cannot give": ("start-session", response(404, {"error": "SessionNotFound", "message": "x"})),
    "a code the status does not give": ("start-session", response(400, {"error": "Unauthorized", "message": "x"})),
    "snake_case error code": ("set-state", response(400, {"error": "invalid_parameter", "message": "x"})),
    "extra key in the error": ("set-state", response(400, {"error": "InvalidParameter", "message": "x", "code": 1})),
    "a body on an accepted action": ("set-state", response(202, {"state": "Available"})),
    "not JSON": ("set-state", response(202, {}, {"Content-Type": "text/html"})),
    "no events": ("get-next-event", response(200, {"sessionId": "1001004", "events": []})),
    "a bad event": ("get-next-event", response(200, {"sessionId": "1001004", "events": [BAD_EVENTS["unknown Type"]]})),
    "304 with a body": ("get-next-event", response(304, {"events": []})),
    "fallback op success": ("agent-phone", response(202, {})),
    "dial never 404 ContactNotFound": ("agent-phone/dial", response(404, {"error": "ContactNotFound", "message": "x"})),
    "expires_in a string": ("token", response(200, {**TOKEN, "expires_in": "3600"})),
    "base uri without slash": ("token", response(200, {**TOKEN, "resource_server_base_uri": "http://h:1/inContactAPI"})),
    "token_type Bearer": ("token", response(200, {**TOKEN, "token_type": "Bearer"})),
    "missing bus_no": ("token", response(200, _without(TOKEN, "bus_no"))),
    "unknown oauth error": ("token", response(400, {"error": "invalid_scope", "error_description": "x"})),
    "client data as an object": ("get-client-data", response(200, {"Data": {"AutoAccept": False}})),
    "unrouted 405": ("unrouted", response(405, {"error": "MethodNotAllowed", "message": "x"})),
}


@pytest.mark.parametrize("name", list(BAD_RESPONSES))
def test_wrong_responses_fail(name):
    op, resp = BAD_RESPONSES[name]
    assert errors(f"responses/{op}.schema.json", resp), name


REQUESTS_OK = [
    ("start-session", {"stationId": "", "stationPhoneNumber": "WebRTC", "inactivityTimeout": 0}),
    ("join-session", {"asAgentId": ""}),
    ("end-session", {"forceLogoff": False, "endContacts": "True", "ignorePersonalQueue": "0"}),
    ("get-next-event", {"timeout": "60"}),
    ("set-state", {"state": "Unavailable", "reason": "Lunch"}),
    ("dial-phone", {"phoneNumber": "+15550100", "skillId": "4711"}),
    ("disposition", {"primaryDispositionId": 2, "primaryDispositionNotes": "ok"}),
    ("put-client-data", {"agentId": "7001", "dataSet": '{"AutoAccept": true}'}),
    ("token", {"grant_type": "password", "username": "ada@example.com", "password": "pw", "scope": "AgentApi"}),
    ("token", {"grant_type": "refresh_token", "refresh_token": "ccsim-r1"}),
]
REQUESTS_BAD = [
    ("start-session", {"stationId": "", "stationPhoneNumber": ""}),
    ("end-session", {"forceLogoff": None}),
    ("get-next-event", {"timeout": "61"}),
    ("set-state", {"state": "Away"}),
    ("set-state", {"state": "Unavailable", "reason": "Nap"}),
    ("dial-phone", {"phoneNumber": "call me", "skillId": "1"}),
    ("disposition", {"primaryDispositionNotes": "no id"}),
    ("put-client-data", {"dataSet": "AutoAccept=true"}),
    ("token", {"grant_type": "password", "username": "ada"}),
    ("token", {"grant_type": "client_credentials"}),
]


@pytest.mark.parametrize("name,params", REQUESTS_OK, ids=[n for n, _ in REQUESTS_OK])
def test_documented_requests_validate(name, params):
    assert not errors(f"requests/{name}.schema.json", params)


@pytest.mark.parametrize("name,params", REQUESTS_BAD, ids=[n for n, _ in REQUESTS_BAD])
def test_malformed_requests_fail(name, params):
    assert errors(f"requests/{name}.schema.json", params)


def test_readme_lists_every_contract_file():
    readme = (NICE / "README.md").read_text(encoding="utf-8")
    for relative in [*SCHEMAS, "openapi.json"]:
        top = relative.split("/")[0]
        assert relative in readme or (top in ("responses", "requests") and f"`{top}/" in readme), relative
    assert Path(NICE / "README.md").is_file()


async def test_unknown_actions_are_journaled_under_the_fall_back_ops():
    simulator = Simulator(nice_config(), VirtualClock())
    await simulator.start()
    try:
        async with WireClient(simulator.clock) as wire:
            agent = await login(wire, simulator.urls["nice"], "ada@example.com")
            sid = expect(await agent.call("POST", "agent-sessions", {"stationPhoneNumber": "WebRTC"}), 202).body["sessionId"]
            expect(await agent.call("POST", f"agent-sessions/{sid}/agent-phone/foo"), 404, "NotFound")
            expect(await agent.call("POST", f"agent-sessions/{sid}/interactions/1/activate"), 404, "NotFound")
    finally:
        await simulator.stop()
    problems = journal_violations(simulator.journal)
    assert not problems, "\n".join(problems)
