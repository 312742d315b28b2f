"""The contracts of XCALLY's agent administration: a working day of every op added for it
(users with role user, teams, telephones, bulk delete, CSV export, password recovery, the
phonebar's session) with every status its contract names; the agent contract against the table
of agent settings; hand-made wrong objects of the new schemas fail."""
from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from ccsim import config, contracts
from ccsim.app import Simulator
from ccsim.vendors.xcally import agent_settings
from support.xcally import PASSWORD
from support.xcally_contracts import ADMIN_OPS, BASE, PHONEBAR_SESSION_OPS, XCALLY, Api, check_journal, expect

CONFIG = {"port_base": 0, "enable": ["xcally"],
          "faces": {"xcally": {"telephones": [{"internal": "2001", "name": "Desk 1"}, {"internal": "2002"},
                                              {"internal": "2009", "registered": False}]}}}
ISO_SAMPLE = "2026-01-01T00:00:00.000Z"
BIG = b"{" + b" " * (1024 * 1024 + 1) + b"}"


@pytest.fixture
def sim_config() -> config.Config:
    return config.from_mapping(copy.deepcopy(CONFIG), "tests")


def errors(relative: str, instance: Any) -> list[str]:
    return contracts.errors(f"xcally/{relative}", instance)


def partial_errors(instance: dict[str, Any]) -> list[Any]:
    """Against agent.schema.json#/$defs/partial (some keys of an agent, as ?fields= gives)."""
    validator = Draft202012Validator({"$ref": BASE + "agent.schema.json#/$defs/partial"}, registry=contracts.registry())
    return list(validator.iter_errors(instance))


# -- the agent contract is the table of agent settings ------------------------------------------------------------------
def test_agent_schema_describes_every_setting_of_the_table_with_its_type_and_default():
    schema = json.loads((XCALLY / "agent.schema.json").read_text(encoding="utf-8"))
    props = schema["$defs"]["partial"]["properties"]
    request = json.loads((XCALLY / "agent-request.schema.json").read_text(encoding="utf-8"))["$defs"]["update"]
    for s in agent_settings.SETTINGS:
        assert s.key in schema["required"] and s.key in request["properties"], s.key
        prop = props[s.key]
        assert prop.get("default") == s.default or s.default is None, s.key
        assert s.source in prop["description"] and prop["description"].count("—") == 1, s.key
        if s.kind == "bool":
            assert prop["type"] == "boolean", s.key
        elif s.kind in ("whole", "port"):
            assert prop["type"] == "integer" and prop["minimum"] >= 1, s.key
        elif s.kind == "choice":
            assert prop["enum"] == list(s.choices), s.key
        else:
            assert prop["type"] == "string" and prop["maxLength"] == agent_settings.TEXT_MAX, s.key
        default = s.default if s.default is not None else agent_settings.default_transport("phonebar")
        assert not partial_errors({s.key: default}), s.key


@pytest.mark.parametrize("key, value", [
    ("transport", "udp,udp"), ("transport", "udp,sctp"), ("transport", ""), ("nat", "no,no"), ("allow", "g729,"),
    ("permissions", "voice,telex"), ("callGroup", "64"), ("callGroup", "1,,2"), ("host", "1.2.3"),
    ("context", "from sip"), ("mobilePushGateway", "gateway"), ("mobilePushGateway", "10.0.0.1:70000"),
    ("videosupport", "maybe"), ("phoneBarExpires", 0), ("wssPort", 65536), ("chanSpy", "yes"), ("alias", "x" * 256),
])
def test_values_the_face_refuses_are_refused_by_the_agent_contract_too(key, value):
    assert agent_settings.BY_KEY[key] and partial_errors({key: value})
    with pytest.raises(ValueError):
        agent_settings.check({key: value})


# -- hand-made objects of the new schemas ----------------------------------------------------------------------------------
def good(kind: str) -> dict[str, Any]:
    return copy.deepcopy({
        "user": {"id": 3, "name": "sue", "fullname": "Sue", "email": "", "role": "user", "agentsPermission": True,
                 "queueIds": [1], "disabled": False, "locked": False, "createdAt": ISO_SAMPLE, "updatedAt": ISO_SAMPLE},
        "team": {"id": 1, "name": "Blue", "description": "", "members": [2], "createdAt": ISO_SAMPLE,
                 "updatedAt": ISO_SAMPLE},
        "telephone": {"id": 1, "name": "Desk 1", "internal": "2001", "registered": True, "UserId": None},
        "mail/password-recovery": {"to": "ann@example.com", "subject": "s", "username": "ann", "body": "open it",
                                   "link": "http://127.0.0.1:8804/api/users/password/reset/" + "a" * 43,
                                   "expiresAt": ISO_SAMPLE},
        "phonebar-agent": {"username": "ann", "online": True, "voiceStatus": "pause", "pauseType": "Lunch"},
    }[kind])


@pytest.mark.parametrize("kind", ["user", "team", "telephone", "mail/password-recovery", "phonebar-agent"])
def test_good_new_objects_pass(kind):
    assert not errors(f"{kind}.schema.json", good(kind))


@pytest.mark.parametrize("kind, changes", [
    ("user", {"role": "agent"}), ("user", {"queueIds": ["1"]}), ("user", {"agentsPermission": "yes"}),
    ("user", {"chatCapacity": 0}), ("team", {"members": [2, 2]}), ("team", {"name": ""}),
    ("telephone", {"internal": 2001}), ("telephone", {"UserId": "7"}),
    ("mail/password-recovery", {"link": "http://h/api/users/password/reset/short"}),
    ("mail/password-recovery", {"token": "x"}), ("phonebar-agent", {"online": False}),
    ("phonebar-agent", {"pauseType": None}),
])
def test_wrong_new_objects_fail(kind, changes):
    assert errors(f"{kind}.schema.json", {**good(kind), **changes})


# -- a working day of agent administration --------------------------------------------------------------------------------
async def test_an_administration_working_day_conforms(sim: Simulator, wire):
    face = sim.faces["xcally"]
    call = Api(wire, sim.urls["xcally"])
    queue = await call("POST", "/api/voice/queues", {"name": "lines"}, status=201)
    ann = await call("POST", "/api/users", {"name": "ann", "password": PASSWORD, "email": "ann@example.com",
                                            "phoneBarRemoteControl": True, "loginInPause": True}, status=201)
    eve = await call("POST", "/api/users", {"name": "eve", "password": PASSWORD, "typology": "external",
                                            "hotdesk": True}, status=201)
    ned = await call("POST", "/api/users", {"name": "ned", "password": PASSWORD}, status=201)
    await call("POST", f"/api/voice/queues/{queue['id']}/users", {"ids": [ann["id"], eve["id"]]}, status=201)
    sue = await call("POST", "/api/users", {"name": "sue", "password": PASSWORD, "role": "user",
                                            "agentsPermission": True, "queueIds": [queue["id"]]}, status=201)
    ANN, SUE = ("ann", PASSWORD), ("sue", PASSWORD)

    # -- telephones and hot desk --------------------------------------------------------------------------------------
    phones = await call("GET", "/api/telephones", status=200, as_=("eve", PASSWORD))
    assert [(p["internal"], p["registered"]) for p in phones["rows"]] == [("2001", True), ("2002", True), ("2009", False)]
    await call("GET", "/api/telephones", params={"limit": "x"}, status=400)
    await call("GET", "/api/telephones", status=401, as_=None)
    await call("POST", f"/api/users/{eve['id']}/login", {"telephone": "2001"}, status=200, as_=SUE)

    # -- teams ------------------------------------------------------------------------------------------------------------
    blue = await call("POST", "/api/teams", {"name": "Blue", "description": "first line"}, status=201)
    await call("POST", "/api/teams", {"name": "Blue"}, status=400, message="already exists")
    await call("POST", "/api/teams", {"name": "Red"}, status=403, as_=SUE)
    await call("POST", "/api/teams", {}, status=401, as_=None)
    await call("POST", "/api/teams", raw=BIG, status=413)
    await call("GET", f"/api/teams/{blue['id']}", status=200)
    await call("GET", f"/api/teams/{blue['id']}", status=403, as_=ANN)
    await call("GET", "/api/teams/99", status=404)
    await call("GET", "/api/teams/1", status=401, as_=None)
    await call("PUT", f"/api/teams/{blue['id']}", {"description": "all day"}, status=200)
    await call("PUT", f"/api/teams/{blue['id']}", {"name": 7}, status=400)
    await call("PUT", f"/api/teams/{blue['id']}", {"name": "x"}, status=403, as_=ANN)
    await call("PUT", "/api/teams/99", {"name": "x"}, status=404)
    await call("PUT", f"/api/teams/{blue['id']}", raw=BIG, status=413)
    await call("PUT", "/api/teams/1", {}, status=401, as_=None)
    await call("POST", f"/api/teams/{blue['id']}/users", {"ids": [ann["id"], ned["id"]]}, status=201)
    await call("POST", f"/api/teams/{blue['id']}/users", {"ids": [999]}, status=400)
    await call("POST", f"/api/teams/{blue['id']}/users", {"ids": [ann["id"]]}, status=403, as_=SUE)
    await call("POST", "/api/teams/99/users", {"ids": [ann["id"]]}, status=404)
    await call("POST", f"/api/teams/{blue['id']}/users", raw=BIG, status=413)
    await call("POST", "/api/teams/1/users", {}, status=401, as_=None)
    await call("GET", f"/api/teams/{blue['id']}/users", status=200)
    await call("GET", f"/api/teams/{blue['id']}/users", params={"page": "p"}, status=400)
    await call("GET", f"/api/teams/{blue['id']}/users", status=403, as_=ANN)
    await call("GET", "/api/teams/99/users", status=404)
    await call("GET", "/api/teams/1/users", status=401, as_=None)
    mine = await call("GET", f"/api/users/{ann['id']}/teams", status=200, as_=ANN)
    assert [t["name"] for t in mine["rows"]] == ["Blue"]
    await call("GET", f"/api/users/{ann['id']}/teams", params={"limit": "-1"}, status=400)
    await call("GET", f"/api/users/{sue['id']}/teams", status=400)  # not an agent
    await call("GET", f"/api/users/{ned['id']}/teams", status=403, as_=ANN)
    await call("GET", "/api/users/99/teams", status=404)
    await call("GET", "/api/users/1/teams", status=401, as_=None)
    await call("GET", "/api/teams", status=200)
    await call("GET", "/api/teams", params={"offset": "o"}, status=400)
    await call("GET", "/api/teams", status=403, as_=SUE)
    await call("GET", "/api/teams", status=401, as_=None)
    await call("DELETE", f"/api/teams/{blue['id']}/users", params={"ids": str(ned["id"])}, status=200)
    await call("DELETE", f"/api/teams/{blue['id']}/users", params={"ids": "x"}, status=400)
    await call("DELETE", f"/api/teams/{blue['id']}/users", status=403, as_=ANN)
    await call("DELETE", "/api/teams/99/users", status=404)
    await call("DELETE", "/api/teams/1/users", status=401, as_=None)
    await call("DELETE", f"/api/teams/{blue['id']}", status=403, as_=SUE)
    await call("DELETE", f"/api/teams/{blue['id']}", status=204)
    await call("DELETE", f"/api/teams/{blue['id']}", status=404)
    await call("DELETE", "/api/teams/1", status=401, as_=None)

    # -- CSV export and bulk delete ----------------------------------------------------------------------------------
    await call("GET", "/api/users/export", params={"ids": str(ann["id"])}, status=200)
    await call("GET", "/api/users/export", status=200, as_=SUE)
    await call("GET", "/api/users/export", params={"ids": "one"}, status=400)
    await call("GET", "/api/users/export", params={"ids": str(ned["id"])}, status=403, as_=SUE)
    await call("GET", "/api/users/export", params={"ids": "99"}, status=404)
    await call("GET", "/api/users/export", status=401, as_=None)
    doomed = [await call("POST", "/api/users", {"name": f"tmp{n}", "password": PASSWORD}, status=201) for n in (1, 2)]
    await call("DELETE", "/api/users", status=400)
    await call("DELETE", "/api/users", params={"ids": str(ned["id"])}, status=403, as_=SUE)
    await call("DELETE", "/api/users", params={"ids": "98"}, status=404)
    await call("DELETE", "/api/users", status=401, as_=None)
    await call("DELETE", f"/api/users?ids={doomed[0]['id']}&ids={doomed[1]['id']}", status=204)

    # -- the phonebar acts on its agent's session ---------------------------------------------------------------------
    bar = face.phonebar_urls[ann["id"]]

    async def phonebar(path: str, status: int) -> Any:
        return expect(await wire.request("GET", bar + path), status)

    await phonebar("/api/logout", 409)
    await phonebar("/api/pause", 409)
    assert (await phonebar("/api/login", 200))["voiceStatus"] == "pause"  # Login in Pause
    await phonebar("/api/login", 409)
    await phonebar("/api/unpause", 200)
    await phonebar("/api/unpause", 409)
    assert (await phonebar("/api/pause/Coffee%20break", 200))["pauseType"] == "Coffee break"
    assert (await phonebar("/api/logout", 200))["online"] is False

    # -- password recovery --------------------------------------------------------------------------------------------
    await call("POST", "/api/users/password/forgot", {"email": "ann@example.com"}, status=204, as_=None)
    await call("POST", "/api/users/password/forgot", {"email": "nobody"}, status=400, as_=None)
    await call("POST", "/api/users/password/forgot", raw=BIG, status=413, as_=None)
    [mail] = [e for e in sim.journal.query() if e.kind == "mail"]
    path = mail.response["link"].removeprefix(sim.urls["xcally"])
    assert (await call("GET", path, status=200, as_=None))["name"] == "ann"
    await call("GET", "/api/users/password/reset/nope", status=400, as_=None)
    await call("POST", path, {"password": "weak"}, status=400, as_=None)
    await call("POST", path, raw=BIG, status=413, as_=None)
    await call("POST", path, {"password": "N3w#Passw0rd"}, status=200, as_=None)

    check_journal(sim, ADMIN_OPS, PHONEBAR_SESSION_OPS, exact=False)
