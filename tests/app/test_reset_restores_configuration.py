"""`POST /_ccsim/reset` returns every face's settings and configuration-derived state to the
configured start (issue 21), as tests/app/test_reset_cancels_timers.py does for the timers.

For each face the same story: what can be changed at run time is changed (over the face's own
API where it has one: XCALLY's settings, agents and queues, a locked account, CXone client
data, Halo's call log; and one setting of the face changed in-process, as an embedding test or
a conformance mutant does, for the faces whose API cannot change one). Then the admin API
resets the simulator, and two things must hold: what the face derives from the configuration
(the world's agents and queues, the face's settings, its own accounts and records) is what it
was at start, and the face's wire answers as configured again.
"""
from __future__ import annotations

import base64
import copy
import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from support.world import TEST_CONFIG
from support.admin import Admin
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient, WireResponse
from ccsim.vendors.finesse.stomp.client import StompClient
from ccsim.vendors.huawei.client import HuaweiAgentClient

PASSWORD = "Passw0rd!"
AGENTS = [
    {"id": "1001", "skills": ["sales"], "finesse": {"password": "pw", "extension": "2001"}},
    {"id": "7001", "skills": ["sales"], "nice": {"username": "ada@example.com", "password": "pw"}},
    {"id": "ada", "xcally": {"name": "ada.lovelace", "password": PASSWORD, "chatCapacity": 1,
                             "phoneBarRemoteControl": True}},
    {"id": "bob", "xcally": {"name": "bob_smith", "password": PASSWORD}},
    {"id": "cy", "xcally": {"name": "cy_young", "password": PASSWORD}},
    {"id": "ann", "intermedia": {"number": "+442070000001", "email": "ann@example.com"}},
]
QUEUES = [{"id": "front", "name": "Front", "channel": "chat", "timeout": 30, "xcally": {"members": ["ada", "cy"]}}]


@pytest.fixture
def sim_config() -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += AGENTS
    data["queues"] += QUEUES
    data["faces"].update({"xcally": {"lock_after_failed_logins": 2}, "nice": {}, "finesse": {},
                          "intermedia": {"answer_after_seconds": None}})
    return config.from_mapping(data, "tests")


@dataclasses.dataclass
class Ctx:
    sim: Simulator
    wire: WireClient

    def url(self, face: str) -> str:
        return self.sim.urls[face]


def expect(resp: WireResponse, status: int = 200) -> Any:
    assert resp.status == status, (resp.status, resp.body)
    return resp.body


# -- Huawei: a locked account; a setting changed in-process ----------------------------------------------------
async def huawei_change(ctx: Ctx) -> None:
    locked = HuaweiAgentClient(ctx.wire, ctx.url("huawei"), "292")
    for _ in range(3):  # the configuration locks after 3 wrong passwords
        await locked.sign_in(password="wrong")
    assert (await locked.sign_in(password="secret")).body["retcode"] == "110-016"
    ctx.sim.faces["huawei"].settings.success_message = "success"


async def huawei_check(ctx: Ctx) -> None:
    signed_in = expect(await HuaweiAgentClient(ctx.wire, ctx.url("huawei"), "292").sign_in(password="secret"))
    assert signed_in["retcode"] == "0" and signed_in["message"] == ""  # the configured success_message


# -- Finesse: its reason codes changed in-process --------------------------------------------------------------
async def finesse_change(ctx: Ctx) -> None:
    ctx.sim.faces["finesse"].settings.reason_codes = {"NOT_READY": [{"code": 99, "label": "Gone"}]}
    ctx.sim.faces["finesse"].settings.wrap_up_mode = "REQUIRED"


async def finesse_check(ctx: Ctx) -> None:
    host, port = ctx.url("finesse").removeprefix("stomp://").split(":")
    client = await StompClient.connect(host, int(port), clock=ctx.sim.clock)
    try:
        await client.subscribe("/topic/ws1", id="events")
        await client.send("/queue/Connector1", "ws1,pw", {"type": "Connect#1001"}, receipt=True)
        await client.send("/queue/Connector1", "", {"type": "reasoncodenotready#1001"}, receipt=True)
        event = (await client.next_message(30)).body.decode().split("#")
    finally:
        client.close()
    assert event[1:5] == ["ReasonCodes", "NOT_READY", "1,2,3", "Break,Lunch,Meeting"], event


# -- NICE: client data over the API; the face's auto-accept default in-process --------------------------------
async def nice_token(ctx: Ctx) -> dict[str, str]:
    form = "grant_type=password&username=ada@example.com&password=pw"
    body = expect(await ctx.wire.request("POST", ctx.url("nice") + "/InContactAuthorizationServer/Token", data=form,
                                         headers={"Content-Type": "application/x-www-form-urlencoded"}))
    return {"base": body["resource_server_base_uri"] + "services/v23.0/", "token": body["access_token"]}


async def nice_call(ctx: Ctx, session: dict[str, str], method: str, path: str, params: Any = None) -> WireResponse:
    return await ctx.wire.request(method, session["base"] + path, data=json.dumps(params) if params else None,
                                  headers={"Authorization": f"Bearer {session['token']}", "Content-Type": "text/plain"})


async def nice_auto_accept(ctx: Ctx) -> bool:
    session = await nice_token(ctx)
    return json.loads(expect(await nice_call(ctx, session, "GET", "agents/client-data?agentId=7001"))["Data"])["AutoAccept"]


async def nice_change(ctx: Ctx) -> None:
    session = await nice_token(ctx)
    expect(await nice_call(ctx, session, "PUT", "agents/client-data",
                           {"agentId": "7001", "dataSet": json.dumps({"AutoAccept": True, "Theme": "dark"})}), 202)
    ctx.sim.faces["nice"].settings.auto_accept = True
    assert await nice_auto_accept(ctx) is True


async def nice_check(ctx: Ctx) -> None:
    assert await nice_auto_accept(ctx) is False  # neither the client data nor the face default survive


# -- XCALLY: its settings, agents and queues over its REST API -------------------------------------------------
async def motion(ctx: Ctx, method: str, path: str, body: Any = None, status: int = 200, *,
                 basic: tuple[str, str] | None = None) -> Any:
    if basic is None:
        headers, params = None, {"apikey": "ccsim-xcally-key"}
    else:
        headers, params = {"Authorization": "Basic " + base64.b64encode(":".join(basic).encode()).decode()}, None
    return expect(await ctx.wire.request(method, ctx.url("xcally") + "/api" + path, json_body=body, headers=headers,
                                         params=params), status)


async def xcally_user(ctx: Ctx, name: str) -> dict[str, Any]:
    return (await motion(ctx, "GET", f"/users?name={name}"))["rows"][0]


async def xcally_change(ctx: Ctx) -> None:
    await motion(ctx, "PUT", "/settings", {"interactionTabsLimit": 2})
    ada, bob = await xcally_user(ctx, "ada.lovelace"), await xcally_user(ctx, "bob_smith")
    await motion(ctx, "PUT", f"/users/{ada['id']}", {"password": "N3w#Passw0rd", "chatCapacity": 4,
                                                    "phoneBarRemoteControl": False})
    await motion(ctx, "DELETE", f"/users/{bob['id']}", status=204)
    await motion(ctx, "POST", "/users", {"name": "carl", "password": "Carl#2026x"}, status=201)
    for _ in range(2):  # the configuration locks after 2 wrong passwords
        await motion(ctx, "GET", "/settings", status=401, basic=("cy_young", "wrong"))
    front = (await motion(ctx, "GET", "/chat/queues?name=Front"))["rows"][0]
    await motion(ctx, "PUT", f"/chat/queues/{front['id']}", {"name": "Renamed", "timeout": 99, "strategy": "rrmemory"})
    await motion(ctx, "DELETE", f"/chat/queues/{front['id']}/users?ids={ada['id']}")
    await motion(ctx, "POST", "/chat/queues", {"name": "Extra"}, status=201)
    await motion(ctx, "POST", "/teams", {"name": "Night shift"}, status=201)


async def xcally_check(ctx: Ctx) -> None:
    face = ctx.sim.faces["xcally"]
    assert (await motion(ctx, "GET", "/settings"))["interactionTabsLimit"] == 20
    assert [u["name"] for u in (await motion(ctx, "GET", "/users"))["rows"]] == ["ada.lovelace", "bob_smith", "cy_young"]
    ada = await xcally_user(ctx, "ada.lovelace")
    assert ada["chatCapacity"] == 1 and ada["phoneBarRemoteControl"] is True
    await motion(ctx, "POST", f"/users/{ada['id']}/login", {}, basic=("ada.lovelace", PASSWORD))
    await motion(ctx, "GET", "/settings", basic=("cy_young", PASSWORD))  # no longer locked
    queues = (await motion(ctx, "GET", "/chat/queues"))["rows"]
    assert [(q["name"], q["timeout"], q["strategy"], len(q["members"])) for q in queues] == [("Front", 30, "beepall", 2)]
    assert (await motion(ctx, "GET", "/teams"))["count"] == 0
    phonebar = face.phonebar_urls[ada["id"]]
    assert phonebar.endswith(f":{ada['phoneBarRemoteControlPort']}")
    assert (await ctx.wire.request("GET", phonebar + "/api/calls")).status == 200


# -- Intermedia / HaloPSA: Halo's call log, and the receiver's answer changed in-process -----------------------
def halo_credentials(ctx: Ctx) -> dict[str, str]:
    settings = ctx.sim.faces["intermedia"].settings
    token = base64.b64encode(f"{settings.integration_username}:{settings.integration_password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def intermedia_change(ctx: Ctx) -> None:
    ctx.sim.faces["intermedia"].settings.success_status = 202
    webhook = {"CallID": "c-1", "AgentNumber": "+442070000001", "UserNumber": "+447700900123"}
    expect(await ctx.wire.request("POST", ctx.url("intermedia") + "/api/notify/intermedia", json_body=webhook,
                                  headers=halo_credentials(ctx)), 202)


async def intermedia_check(ctx: Ctx) -> None:
    token = {"Authorization": f"Bearer {ctx.sim.faces['intermedia'].settings.api_token}"}
    assert expect(await ctx.wire.request("GET", ctx.url("intermedia") + "/api/CallLog", headers=token)) == []
    webhook = {"CallID": "c-2", "AgentNumber": "+442070000001", "UserNumber": "+447700900124"}
    expect(await ctx.wire.request("POST", ctx.url("intermedia") + "/api/notify/intermedia", json_body=webhook,
                                  headers=halo_credentials(ctx)), 200)


# -- what each face derives from the configuration -------------------------------------------------------------
def _without(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in keys}


DERIVED: dict[str, Callable[[Any], Any]] = {
    "huawei": lambda f: (f.gateway.workno_of, f.gateway.failed_logins, sorted(f.gateway.locked)),
    "finesse": lambda f: {u.login_id: (u.password, u.extension, u.team, u.wrap_up_mode, u.state, u.reason_code)
                          for u in f.model.connector.users.values()},
    "nice": lambda f: (f.accounts.usernames, f.accounts.numbers, f.accounts.client_data),
    # Times and bound ports are the clock's and the OS's, not the configuration's.
    "xcally": lambda f: ([_without(a.to_json(f.iso), "createdAt", "updatedAt", "phoneBarRemoteControlPort")
                          for a in f.agents.values()], [q.to_json() for q in f.queues.values()],
                         sorted(f.phonebar_urls), [t.name for t in f.teams.values()],
                         [u.name for u in f.supervisors.values()]),
    "intermedia": lambda f: ([dataclasses.asdict(a) for a in f.halo.agents], f.halo.users, f.halo.calls),
}


def configured_state(sim: Simulator, face: str) -> dict[str, Any]:
    agents = {a.id: (a.name, sorted(a.skills), a.capacity, a.faces) for a in sim.world.agents.values()}
    queues = {q.id: (_without(q.snapshot(), "waiting"), q.faces) for q in sim.world.queues.values()}
    of_face = sim.faces[face]
    return copy.deepcopy({"agents": agents, "queues": queues, "settings": dataclasses.asdict(of_face.settings),
                          "derived": DERIVED[face](of_face)})


CASES: dict[str, tuple[Callable[[Ctx], Awaitable[None]], Callable[[Ctx], Awaitable[None]]]] = {
    "huawei": (huawei_change, huawei_check),
    "finesse": (finesse_change, finesse_check),
    "nice": (nice_change, nice_check),
    "xcally": (xcally_change, xcally_check),
    "intermedia": (intermedia_change, intermedia_check),
}


def test_every_face_has_a_case():
    from ccsim import registry

    assert set(CASES) == set(registry.names())


@pytest.mark.parametrize("face", CASES)
async def test_a_reset_restores_the_configured_settings_agents_and_queues(face, sim, wire, admin: Admin):
    ctx = Ctx(sim, wire)
    change, check = CASES[face]
    at_start = configured_state(sim, face)
    await change(ctx)
    assert configured_state(sim, face) != at_start, "the case must change something the reset has to restore"
    assert (await admin.post("/faults", {"face": face, "op": "no-such-op", "delay": 1})).status == 201

    assert (await admin.post("/reset")).status == 200
    await sim.clock.settle()  # XCALLY opens a phonebar listener again in the background
    assert configured_state(sim, face) == at_start
    assert (await admin.get("/faults")).body == {"faults": []}
    await check(ctx)
