"""The XCALLY Motion face's wire contracts (contracts/xcally/): every schema is valid and loads
through ccsim.contracts; there is one contract per op the code can journal; a working day
driven over the real wire (agents, queues and members over the REST API, logins and pauses,
chats offered, auto-answered, accepted, declined, timed out, abandoned, closed and reopened,
reports, realtime, settings, the phonebar's remote control, socket.io acknowledgements) leaves a
journal that conforms. Hand-made objects: test_xcally_contract_cases.py."""
from __future__ import annotations

import asyncio
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.contracts.emitted import journal_violations
from ccsim.core.clock import RealClock
from ccsim.vendors.xcally import api as xapi
from ccsim.vendors.xcally import fields as xfields
from ccsim.vendors.xcally import phonebar as xphonebar
from ccsim.vendors.xcally.model import STRATEGIES, XAgent
from ccsim.vendors.xcally.settings import DEFAULT_SOCKET_EVENTS, DIGITAL
from support.xcally import PASSWORD
from support.xcally_contracts import ADMIN_OPS, PHONEBAR_SESSION_OPS, XCALLY, Api, check_journal, expect

XC_CONFIG = {"port_base": 0, "enable": ["xcally"], "faces": {"xcally": {"tab_limit": 2}}}


@pytest.fixture
def sim_config() -> config.Config:
    return config.from_mapping(copy.deepcopy(XC_CONFIG), "tests")


# -- one contract per op the code can journal ------------------------------------------------------
def http_ops() -> set[str]:
    """The journal ops the REST resources set (api.py installs one module each):
    @op("…"), session_action("…"), interaction_action("…"); plus "unrouted" (face.py, paths
    outside /api/)."""
    source = "\n".join(Path(m.__file__).read_text(encoding="utf-8") for m in xapi.RESOURCES)
    ops = set(re.findall(r'@op\("([\w-]+)"', source))
    ops |= set(re.findall(r'(?:session_action|interaction_action)\(\s*"([\w-]+)"', source))
    return ops | {"unrouted"}


def phonebar_ops() -> set[str]:
    source = Path(xphonebar.__file__).read_text(encoding="utf-8")
    return set(re.findall(r'(?:request\[OP\] = |session\()"([\w-]+)"', source)) | {"phonebar-unrouted"}


def files(kind: str) -> set[str]:
    return {p.name.removesuffix(".schema.json") for p in (XCALLY / kind).glob("*.schema.json")}


def test_every_op_the_face_can_journal_has_a_contract_and_no_other():
    assert {"list-users", "login", "pause", "accept", "reject", "report-queue", "settings", "unrouted"} <= http_ops()
    assert files("responses") == http_ops()
    assert files("phonebar") == phonebar_ops()
    # socket.io messages are journaled under the key of settings.socket_events, not the event name
    assert files("socketio") == set(DEFAULT_SOCKET_EVENTS)
    assert ADMIN_OPS <= http_ops() and PHONEBAR_SESSION_OPS <= phonebar_ops()
    assert files("mail") == {"password-recovery"}


def test_agent_schema_has_exactly_the_keys_of_to_json_and_the_names_of_fields_py():
    schema = json.loads((XCALLY / "agent.schema.json").read_text(encoding="utf-8"))
    keys = set(schema["$defs"]["partial"]["properties"])
    agent = XAgent(1, "core", "ada", PASSWORD)
    assert keys == set(agent.to_json(lambda t: "2026-01-01T00:00:00.000Z")) == set(schema["required"])
    inferred = {*xfields.CAPACITY.values(), *xfields.AUTOANSWER.values(), *xfields.AUTOANSWER_DELAY.values(),
                xfields.VOICE_AUTOANSWER, xfields.VOICE_AUTOANSWER_DELAY, xfields.REMOTE_CONTROL,
                xfields.REMOTE_CONTROL_PORT}
    assert inferred <= keys
    request = json.loads((XCALLY / "agent-request.schema.json").read_text(encoding="utf-8"))
    assert inferred <= set(request["$defs"]["update"]["properties"])
    assert set(request["$defs"]["update"]["properties"]["typology"]["enum"]) == set(xfields.TYPOLOGIES)


def test_object_enums_agree_with_the_code():
    queue = json.loads((XCALLY / "queue.schema.json").read_text(encoding="utf-8"))
    assert queue["$defs"]["partial"]["properties"]["strategy"]["enum"] == list(STRATEGIES)
    call = json.loads((XCALLY / "phonebar-call.schema.json").read_text(encoding="utf-8"))
    assert dict(zip(call["properties"]["statusName"]["enum"], call["properties"]["status"]["enum"])) == xphonebar.STATUS
    defs = json.loads((XCALLY / "defs.schema.json").read_text(encoding="utf-8"))
    assert defs["$defs"]["digitalChannel"]["enum"] == list(DIGITAL)


# -- driving the face --------------------------------------------------------------------------------
async def test_a_working_day_conforms(sim, wire):
    face = sim.faces["xcally"]
    call = Api(wire, sim.urls["xcally"])
    big = b"{" + b" " * (1024 * 1024 + 1) + b"}"

    # -- credentials and unrouted ------------------------------------------------------------------------
    await call("GET", "/api/users", status=401, as_=None)
    await call("GET", "/api/users", status=401, as_=("admin", "wrong"))
    await call("GET", "/api/nowhere", status=401, as_=None)
    await call("GET", "/api/nowhere", status=404)
    await call("PATCH", "/api/users", status=404)
    await call("GET", "/nowhere", status=404, as_=None)

    # -- agents --------------------------------------------------------------------------------------------
    for bad in ({"name": "bad name!", "password": PASSWORD}, {"name": "ada", "password": "password"},
                {"name": "ada", "password": PASSWORD, "chatCapacity": -1},
                {"name": "ada", "password": PASSWORD, "chatCapacity": True},
                {"name": "ada", "password": PASSWORD, "typology": "sip"},
                {"name": "ada", "password": PASSWORD, "email": "nowhere"},
                {"name": "ada", "password": PASSWORD, "internal": "12a"},
                {"name": "ada", "password": PASSWORD, "fullname": "1234", "internal": "1234"},
                {"name": "ada", "password": PASSWORD, "phoneBarRemoteControlPort": 70000},
                {"name": "ada", "password": PASSWORD, "role": "admin"}, {"password": PASSWORD}):
        await call("POST", "/api/users", bad, status=400)
    await call("POST", "/api/users", raw=b"{", status=400)
    await call("POST", "/api/users", raw=b"[1]", status=400)
    await call("POST", "/api/users", raw=big, status=413)
    ada = await call("POST", "/api/users", {"name": "ada.l", "password": PASSWORD, "fullname": "Ada L",
                                            "email": "ada@example.com", "chatCapacity": 1, "chatAutoanswer": True,
                                            "chatAutoanswerDelay": 5}, status=201)
    await call("POST", "/api/users", {"name": "ada.l", "password": PASSWORD}, status=400, message="taken")
    bob = await call("POST", "/api/users", {"name": "bob_b", "password": "Secr3t-Pw", "typology": "webrtc",
                                            "internal": 2001}, status=201)
    carl = await call("POST", "/api/users", {"name": "carl", "password": PASSWORD, "phoneBarRemoteControl": True},
                      status=201)
    dan = await call("POST", "/api/users", {"name": "dan", "password": PASSWORD, "loginInPause": True}, status=201)
    assert carl["phoneBarRemoteControlPort"] > 0 and carl["id"] in face.phonebar_urls
    ADA, BOB, CARL = ("ada.l", PASSWORD), ("bob_b", "Secr3t-Pw"), ("carl", PASSWORD)

    await call("GET", "/api/users", status=403, as_=ADA)
    await call("GET", f"/api/users/{bob['id']}", status=403, as_=ADA)
    await call("GET", f"/api/users/{ada['id']}", status=200, as_=ADA)
    await call("GET", f"/api/users/{ada['id']}", status=401, as_=("ada.l", "Wr0ng!pass"))
    await call("GET", "/api/users/abc", status=404)
    await call("GET", "/api/users/999", status=404)
    await call("PUT", f"/api/users/{bob['id']}", {"fullname": "Bob B"}, status=403, as_=BOB)
    await call("PUT", f"/api/users/{bob['id']}", {"fullname": "Bob B", "mailCapacity": 3}, status=200)
    await call("PUT", f"/api/users/{bob['id']}", {"name": "ada.l"}, status=400)
    await call("PUT", f"/api/users/{bob['id']}", {"whatsappAutoanswerDelay": -5}, status=400)
    await call("PUT", f"/api/users/{bob['id']}", raw=b"[]", status=400)
    await call("PUT", f"/api/users/{bob['id']}", raw=big, status=413)
    await call("PUT", "/api/users/999", {"fullname": "x"}, status=404)
    # five wrong passwords lock an account (INFERRED rule); the administrator unlocks it
    for _ in range(5):
        await call("GET", f"/api/users/{dan['id']}", status=401, as_=("dan", "Wr0ng!pass"))
    await call("GET", f"/api/users/{dan['id']}", status=401, as_=("dan", PASSWORD), message="locked")
    assert (await call("GET", f"/api/users/{dan['id']}", status=200))["locked"] is True
    await call("PUT", f"/api/users/{dan['id']}", {"locked": False}, status=200)

    listed = await call("GET", "/api/users", status=200)
    assert listed["count"] == 4 and len(listed["rows"]) == 4
    partial = await call("GET", "/api/users", params={"fields": "id,name", "sort": "-id"}, status=200)
    assert partial["rows"][0] == {"id": dan["id"], "name": "dan"}
    await call("GET", "/api/users", params={"limit": "1", "page": "2", "role": "agent", "filter": "a"}, status=200)
    await call("GET", "/api/users", params={"limit": "x"}, status=400)
    await call("GET", "/api/users", params={"offset": "-1"}, status=400)

    # -- queues ---------------------------------------------------------------------------------------------
    for bad in ({"strategy": "beepall"}, {"name": "q", "strategy": "ringall"}, {"name": "q", "timeout": -1},
                {"name": "q", "failoverQueueId": 999}):
        await call("POST", "/api/chat/queues", bad, status=400)
    await call("POST", "/api/chat/queues", {"name": "q"}, status=403, as_=ADA)
    await call("POST", "/api/telex/queues", {"name": "q"}, status=404)
    await call("POST", "/api/chat/queues", raw=big, status=413)
    overflow = await call("POST", "/api/chat/queues", {"name": "overflow", "strategy": "leastrecent"}, status=201)
    support = await call("POST", "/api/chat/queues", {"name": "support", "strategy": "rrmemory", "timeout": 30,
                                                      "failoverQueueId": overflow["id"]}, status=201)
    everyone = await call("POST", "/api/chat/queues", {"name": "everyone", "strategy": "beepall"}, status=201)
    phones = await call("POST", "/api/voice/queues", {"name": "phones"}, status=201)
    await call("GET", f"/api/chat/queues/{support['id']}", status=200, as_=ADA)
    await call("GET", f"/api/mail/queues/{support['id']}", status=404)
    await call("GET", "/api/chat/queues/abc", status=404)
    await call("PUT", f"/api/chat/queues/{support['id']}", {"timeout": 20}, status=200)
    await call("PUT", f"/api/chat/queues/{support['id']}", {"strategy": "x"}, status=400)
    await call("PUT", f"/api/chat/queues/{support['id']}", {"failoverQueueId": phones["id"]}, status=400)
    await call("PUT", f"/api/chat/queues/{support['id']}", {"timeout": 20}, status=403, as_=ADA)
    await call("PUT", "/api/chat/queues/999", {"timeout": 20}, status=404)
    await call("PUT", f"/api/chat/queues/{support['id']}", raw=big, status=413)
    for queue, members in ((support, [ada]), (overflow, [bob]), (everyone, [bob, carl, dan]), (phones, [carl])):
        await call("POST", f"/api/{queue['channel']}/queues/{queue['id']}/users",
                   {"ids": [a["id"] for a in members]}, status=201)
    await call("POST", f"/api/chat/queues/{support['id']}/users", {"ids": ["1"]}, status=400)
    await call("POST", f"/api/chat/queues/{support['id']}/users", {"ids": [1]}, status=403, as_=ADA)
    await call("POST", "/api/chat/queues/999/users", {"ids": [1]}, status=404)
    await call("POST", f"/api/chat/queues/{support['id']}/users", raw=big, status=413)
    await call("DELETE", f"/api/chat/queues/{everyone['id']}/users", params={"ids": str(dan["id"])}, status=200)
    await call("DELETE", f"/api/chat/queues/{everyone['id']}/users", status=403, as_=ADA)
    await call("DELETE", "/api/chat/queues/999/users", status=404)
    members = await call("GET", f"/api/chat/queues/{everyone['id']}/users", status=200, as_=BOB)
    assert [m["id"] for m in members["rows"]] == [bob["id"], carl["id"]]
    await call("GET", "/api/chat/queues/999/users", status=404)
    await call("GET", f"/api/chat/queues/{everyone['id']}/users", params={"limit": "z"}, status=400)
    await call("GET", "/api/chat/queues", status=200)
    await call("GET", "/api/voice/queues", params={"fields": "id,name"}, status=200)
    await call("GET", "/api/telex/queues", status=404)
    await call("GET", "/api/chat/queues", params={"page": "q"}, status=400)

    # -- login, pause ---------------------------------------------------------------------------------------------
    for agent, creds in ((ada, ADA), (bob, BOB), (carl, CARL)):
        await call("POST", f"/api/users/{agent['id']}/login", status=200, as_=creds)
    await call("POST", f"/api/users/{ada['id']}/login", status=409, as_=ADA)
    await call("POST", f"/api/users/{bob['id']}/login", status=403, as_=ADA)
    await call("POST", "/api/users/999/login", status=404)
    await call("POST", f"/api/users/{dan['id']}/login", raw=b"nope", status=400)
    await call("POST", f"/api/users/{dan['id']}/login", raw=big, status=413)
    await call("POST", f"/api/users/{dan['id']}/login", status=200)  # loginInPause: paused on every channel
    await call("POST", f"/api/users/{dan['id']}/logout", status=200)
    await call("POST", f"/api/users/{dan['id']}/logout", status=409)
    await call("POST", f"/api/users/{dan['id']}/logout", status=403, as_=ADA)
    await call("POST", "/api/users/999/logout", status=404)
    await call("POST", f"/api/users/{dan['id']}/logout", raw=b"[", status=400)
    await call("POST", f"/api/users/{dan['id']}/logout", raw=big, status=413)
    await call("POST", f"/api/users/{dan['id']}/pause", {"channel": "chat"}, status=409)  # not logged in
    await call("POST", f"/api/users/{ada['id']}/pause", {"channel": "telex"}, status=400, as_=ADA)
    await call("POST", f"/api/users/{ada['id']}/pause", {"channel": "mail", "pauseType": "Lunch"}, status=200, as_=ADA)
    await call("POST", f"/api/users/{ada['id']}/pause", {"channel": "mail"}, status=409, as_=ADA)
    await call("POST", f"/api/users/{ada['id']}/pause", status=200, as_=ADA)  # voice, DEFAULT PAUSE
    await call("POST", f"/api/users/{bob['id']}/pause", status=403, as_=ADA)
    await call("POST", "/api/users/999/pause", status=404)
    await call("POST", f"/api/users/{ada['id']}/pause", raw=b"1", status=400)
    await call("POST", f"/api/users/{ada['id']}/pause", raw=big, status=413)
    await call("POST", f"/api/users/{ada['id']}/unpause", {"channel": "mail"}, status=200, as_=ADA)
    await call("POST", f"/api/users/{ada['id']}/unpause", {"channel": "mail"}, status=409, as_=ADA)
    await call("POST", f"/api/users/{bob['id']}/unpause", status=403, as_=ADA)
    await call("POST", "/api/users/999/unpause", status=404)
    await call("POST", f"/api/users/{ada['id']}/unpause", raw=b"1", status=400)
    await call("POST", f"/api/users/{ada['id']}/unpause", raw=big, status=413)

    # -- chats: auto answer, capacity, timeout to the failover queue, decline, abandon, beepall ----------------------
    core = {q["id"]: face.queues[q["id"]].core_id for q in (support, overflow, everyone, phones)}
    sim.world.inject(core[support["id"]], channel="chat", caller="visitor1")
    await sim.clock.sleep(6)  # ada auto-answers after 5 s
    await call("POST", f"/api/users/{ada['id']}/pause", {"channel": "chat"}, status=200, as_=ADA)
    c2 = sim.world.inject(core[support["id"]], channel="chat", caller="visitor2")  # ada paused: nobody is told
    await sim.clock.sleep(1)
    chats = await call("GET", "/api/chat/interactions", params={"fields": "id,status,UserId"}, status=200)
    assert chats["rows"] == [{"id": 1, "status": "open", "UserId": ada["id"]}, {"id": 2, "status": "queued", "UserId": None}]
    await sim.clock.sleep(20)  # the second times out in support and is offered to bob in overflow
    assert (await call("GET", "/api/chat/interactions/2", status=200))["status"] == "offered"
    await call("POST", "/api/chat/interactions/2/accept", status=409, as_=ADA)  # not offered to ada
    await call("POST", "/api/chat/interactions/2/reject", status=409, as_=ADA)
    await call("POST", "/api/chat/interactions/2/reject", status=400)  # an administrator must name the agent
    await call("POST", "/api/users", {"name": "sue", "password": PASSWORD, "role": "user"}, status=201)
    for action in ("accept", "reject"):  # a user with role user does not act on interactions
        await call("POST", f"/api/chat/interactions/2/{action}", status=403, as_=("sue", PASSWORD))
    await call("POST", "/api/chat/interactions/2/accept", status=400)
    await call("POST", "/api/chat/interactions/2/reject", raw=b"[", status=400, as_=BOB)
    await call("POST", "/api/chat/interactions/2/accept", raw=big, status=413, as_=BOB)
    await call("POST", "/api/chat/interactions/2/reject", raw=big, status=413, as_=BOB)
    await call("POST", "/api/chat/interactions/9/accept", status=404, as_=BOB)
    await call("POST", "/api/voice/interactions/2/reject", status=404, as_=BOB)
    declined = await call("POST", "/api/chat/interactions/2/reject", status=200, as_=BOB)
    assert declined["status"] == "queued"
    sim.world.end(c2.id, "abandoned")  # the customer leaves before anyone answers
    await call("POST", f"/api/users/{ada['id']}/unpause", {"channel": "chat"}, status=200, as_=ADA)
    assert (await call("GET", "/api/chat/interactions/2", status=200))["status"] == "abandoned"

    sim.world.inject(core[everyone["id"]], channel="chat", caller="visitor3")  # beepall: bob and carl
    await sim.clock.sleep(1)
    accepted = await call("POST", "/api/chat/interactions/3/accept", {"UserId": carl["id"]}, status=200)
    assert accepted["UserId"] == carl["id"]
    await call("POST", "/api/chat/interactions/3/accept", status=409, as_=BOB)  # revoked from bob
    await call("POST", "/api/chat/interactions/3/messages", {"body": "hello", "direction": "out"}, status=201, as_=CARL)
    await call("POST", "/api/chat/interactions/3/messages", {"body": "mine?", "direction": "out"}, status=403,
               as_=BOB)  # Carl's interaction
    await call("PUT", "/api/chat/interactions/3", {"closed": True}, status=403, as_=BOB)
    await call("POST", "/api/chat/interactions/3/messages", {"body": ""}, status=400)
    await call("POST", "/api/chat/interactions/3/messages", raw=big, status=413)
    await call("POST", "/api/chat/interactions/99/messages", {"body": "x"}, status=404)
    await call("GET", "/api/chat/interactions/3/messages", status=200, as_=CARL)
    await call("GET", "/api/chat/interactions/3/messages", params={"fields": "direction,body"}, status=200)
    await call("GET", "/api/chat/interactions/99/messages", status=404)
    await call("GET", "/api/chat/interactions/3/messages", params={"limit": "-2"}, status=400)

    await call("PUT", "/api/chat/interactions/1", {"closed": True, "disposition": "done"}, status=200, as_=ADA)
    await call("PUT", "/api/chat/interactions/1", {"closed": True}, status=409)
    await call("PUT", "/api/chat/interactions/1", {"status": "open"}, status=400)
    await call("PUT", "/api/chat/interactions/1", raw=big, status=413)
    await call("PUT", "/api/chat/interactions/77", {"closed": True}, status=404)
    # a follow-up from the customer reopens the closed chat: offered again to ada, who auto-answers
    reopened = await call("POST", "/api/chat/interactions/1/messages", {"body": "one more thing"}, status=201)
    assert reopened["status"] in ("queued", "offered") and reopened["closed"] is False
    await sim.clock.sleep(6)
    assert (await call("GET", "/api/chat/interactions/1", status=200))["status"] == "open"
    await call("GET", "/api/chat/interactions/abc", status=404)
    await call("GET", "/api/chat/interactions", params={"sort": "-id", "limit": "2"}, status=200, as_=BOB)
    await call("GET", "/api/voice/interactions", status=404)
    await call("GET", "/api/chat/interactions", params={"limit": "none"}, status=400)

    # -- realtime, reports, settings ------------------------------------------------------------------------------------
    for channel in ("chat", "voice", "mail", "whatsapp"):
        await call("GET", "/api/realtime/agents", params={"channel": channel}, status=200, as_=BOB)
    rt = await call("GET", "/api/realtime/agents", params={"channel": "chat", "fields": "id,chatStatus,openTabs"},
                    status=200)
    assert {r["id"]: r["chatStatus"] for r in rt["rows"]}[ada["id"]] == "talking"
    await call("GET", "/api/realtime/agents", status=200)
    await call("GET", "/api/realtime/agents", params={"channel": "telex"}, status=400)
    await call("GET", "/api/realtime/agents", params={"nolimit": "false", "limit": "-1"}, status=400)
    report = await call("GET", "/api/reports/chat/queue", status=200, as_=ADA)
    assert [(r["queue"], r["reason"]) for r in report["rows"]] == [
        ("support", "accepted"), ("support", "timeout"), ("overflow", "abandoned"), ("everyone", "accepted"),
        ("support", "accepted")]
    await call("GET", "/api/reports/chat/queue", params={"fields": "interactionId,reason,UserId", "reason": "accepted"},
               status=200)
    await call("GET", "/api/reports/mail/queue", status=200)
    await call("GET", "/api/reports/voice/queue", status=404)
    await call("GET", "/api/reports/chat/queue", params={"page": "x"}, status=400)
    await call("GET", "/api/reports/member", status=200)
    await call("GET", "/api/reports/member", params={"fields": "type,channel,data1,duration", "nolimit": "true"},
               status=200)
    await call("GET", "/api/reports/member", params={"limit": "-1"}, status=400)
    await call("GET", "/api/settings", status=200, as_=ADA)
    await call("PUT", "/api/settings", {"interactionTabsLimit": 3}, status=200)
    await call("PUT", "/api/settings", {"interactionTabsLimit": 0}, status=400)
    await call("PUT", "/api/settings", {"interactionTabsLimit": 5}, status=403, as_=ADA)
    await call("PUT", "/api/settings", raw=big, status=413)

    # -- the phonebar's remote control (carl) --------------------------------------------------------------------------------
    phonebar = face.phonebar_urls[carl["id"]]

    async def bar(path: str, status: int, method: str = "GET") -> Any:
        return expect(await wire.request(method, phonebar + path), status)

    assert await bar("/api/calls", 200) == []
    await bar("/api/answer", 404)
    await bar("/api/hold", 404)
    await bar("/api/hangup", 404)
    await bar("/api/originate/abc", 400)
    out = await bar("/api/originate/5551234", 200)
    assert (out["direction"], out["status"], out["statusName"]) == ("out", 4, "ALERTING")
    await bar("/api/originate/5551235", 409)
    await sim.clock.sleep(4)  # the far end answers
    assert [c["statusName"] for c in await bar("/api/calls", 200)] == ["ACTIVE"]
    assert (await bar("/api/hold", 200))["status"] == 64
    assert (await bar(f"/api/hold/{out['sessionId']}", 200))["status"] == 8
    assert [c["status"] for c in await bar("/api/hangup", 200)] == [128]
    await bar("/api/calls", 404, method="POST")
    await bar("/api/transfer/1001", 404)
    # bob logs out first, so that only carl (the phones queue's member) is free for the call
    await call("POST", f"/api/users/{bob['id']}/logout", {}, status=200)
    sim.world.inject(core[phones["id"]], caller="5550000")  # a voice call rings carl's phonebar
    await sim.clock.sleep(1)
    ringing = await bar("/api/calls", 200)
    assert [(c["direction"], c["status"]) for c in ringing] == [("in", 32)]
    await bar("/api/answer/s999", 404)
    assert (await bar(f"/api/answer/{ringing[0]['sessionId']}", 200))["status"] == 8
    await call("GET", "/api/realtime/agents", params={"channel": "voice"}, status=200)
    await bar(f"/api/hangup/{ringing[0]['sessionId']}", 200)
    await call("PUT", f"/api/users/{carl['id']}", {"phoneBarRemoteControl": False}, status=200)

    # -- deleting (dan is logged in first: deleting logs out) ------------------------------------------------------------------
    await call("POST", f"/api/users/{dan['id']}/login", status=200)
    await call("DELETE", f"/api/users/{dan['id']}", status=403, as_=ADA)
    await call("DELETE", f"/api/users/{dan['id']}", status=204)
    await call("DELETE", f"/api/users/{dan['id']}", status=404)

    # -- every op checks the credentials first (401), and refuses an agent on what is an administrator's ----------
    for method, path in UNAUTHORIZED_SWEEP:
        await call(method, path, {}, status=401, as_=None)
    await call("POST", "/api/users", {"name": "x"}, status=403, as_=ADA)

    check_journal(sim, http_ops() - ADMIN_OPS, phonebar_ops() - PHONEBAR_SESSION_OPS)


# One request per op (the face authenticates before anything else, so any ids do).
UNAUTHORIZED_SWEEP = [
    ("GET", "/api/users"), ("POST", "/api/users"), ("GET", "/api/users/1"), ("PUT", "/api/users/1"),
    ("DELETE", "/api/users/1"), ("POST", "/api/users/1/login"), ("POST", "/api/users/1/logout"),
    ("POST", "/api/users/1/pause"), ("POST", "/api/users/1/unpause"), ("GET", "/api/realtime/agents"),
    ("GET", "/api/chat/queues"), ("POST", "/api/chat/queues"), ("GET", "/api/chat/queues/1"),
    ("PUT", "/api/chat/queues/1"), ("POST", "/api/chat/queues/1/users"), ("DELETE", "/api/chat/queues/1/users"),
    ("GET", "/api/chat/queues/1/users"), ("GET", "/api/chat/interactions"), ("GET", "/api/chat/interactions/1"),
    ("PUT", "/api/chat/interactions/1"), ("POST", "/api/chat/interactions/1/accept"),
    ("POST", "/api/chat/interactions/1/reject"), ("POST", "/api/chat/interactions/1/messages"),
    ("GET", "/api/chat/interactions/1/messages"), ("GET", "/api/reports/chat/queue"), ("GET", "/api/reports/member"),
    ("GET", "/api/settings"), ("PUT", "/api/settings"),
]


# -- socket.io acknowledgements (real time: a socket.io client runs on real timers) ----------------------------------
async def test_socketio_offers_and_acknowledgements_conform():
    socketio = pytest.importorskip("socketio")
    cfg = config.from_mapping(copy.deepcopy(XC_CONFIG), "tests")
    sim = Simulator(cfg, RealClock())
    urls = await sim.start()
    client = socketio.AsyncClient(reconnection=False)
    try:
        async with WireClient() as wire:
            call = Api(wire, urls["xcally"])
            ada = await call("POST", "/api/users", {"name": "ada", "password": PASSWORD}, status=201)
            queue = await call("POST", "/api/chat/queues", {"name": "support"}, status=201)
            await call("POST", f"/api/chat/queues/{queue['id']}/users", {"ids": [ada["id"]]}, status=201)
            await call("POST", f"/api/users/{ada['id']}/login", status=200)
            offers: asyncio.Queue = asyncio.Queue()
            client.on(DEFAULT_SOCKET_EVENTS["offer"], offers.put_nowait)
            await client.connect(urls["xcally"], auth={"username": "ada", "password": PASSWORD},
                                 transports=["websocket"])
            face = sim.faces["xcally"]
            sim.world.inject(face.queues[queue["id"]].core_id, channel="chat", caller="visitor")
            offer = await asyncio.wait_for(offers.get(), 5)
            assert offer == {"channel": "chat", "id": 1, "contact": "visitor", "queueId": queue["id"]}
            accept, reject = DEFAULT_SOCKET_EVENTS["accept"], DEFAULT_SOCKET_EVENTS["reject"]
            assert await client.call(accept, {"channel": "chat", "id": 1}, timeout=5) == {"ok": True}
            nack = await client.call(accept, {"channel": "chat", "id": 1}, timeout=5)
            assert (nack["ok"], nack["status"]) == (False, 409)
            assert (await client.call(reject, "nonsense", timeout=5))["status"] == 400
            assert (await client.call(reject, {"channel": "chat", "id": 9}, timeout=5))["status"] == 404
            await call("PUT", "/api/chat/interactions/1", {"closed": True}, status=200)
    finally:
        await client.disconnect()
        await sim.stop()
    problems = journal_violations(sim.journal)
    assert not problems, "\n".join(problems[:20])
    ops = {e.op for e in sim.journal.query() if e.kind == "socketio" and "body" in e.response}
    assert ops == {"offer", "accepted", "closed", "accept", "reject"}
