"""XCALLY staff administration over the REST wire: a user role with the agents permission that
operates only on agents of the queues it is enabled on (seed 001), teams and adding an agent to
one, bulk delete and the CSV export of agents."""
from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from support.xcally import PASSWORD, Motion, xcally_config
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient

OUT_OF_SCOPE = "a user with role user operates only on the agents of the queues it is enabled on"


@pytest.fixture
def sim_config() -> config.Config:
    return xcally_config()


@pytest.fixture
def motion(sim: Simulator, wire: WireClient) -> Motion:
    return Motion(wire, sim)


async def supervisor(motion: Motion, name: str, queues: list[str], permission: bool = True) -> dict[str, Any]:
    """A user with role user enabled on the queues named (by their Motion name)."""
    ids = [q["id"] for channel in ("chat", "mail", "voice") for q in (await motion.ok("GET", f"/{channel}/queues"))["rows"]
           if q["name"] in queues]
    return await motion.ok("POST", "/users", {"name": name, "password": PASSWORD, "role": "user",
                                              "agentsPermission": permission, "queueIds": ids}, status=201)


# -- a user role with the agents permission --------------------------------------------------------------------------
async def test_a_user_with_the_agents_permission_manages_only_the_agents_of_its_queues(motion):
    sue = await supervisor(motion, "sue", ["Front"])  # Front has ada only; Desk has ada and bob
    assert (sue["role"], sue["agentsPermission"]) == ("user", True)
    ada, bob = await motion.user("ada.lovelace"), await motion.user("bob_smith")
    listed = await motion.ok("GET", "/users", as_agent="sue")
    assert [r["name"] for r in listed["rows"]] == ["ada.lovelace"]
    assert (await motion.ok("GET", f"/users/{ada['id']}", as_agent="sue"))["name"] == "ada.lovelace"
    changed = await motion.ok("PUT", f"/users/{ada['id']}", {"alias": "Ada L."}, as_agent="sue")
    assert changed["alias"] == "Ada L."
    await motion.ok("POST", f"/users/{ada['id']}/login", {}, as_agent="sue")
    await motion.ok("POST", f"/users/{ada['id']}/pause", {"channel": "chat"}, as_agent="sue")
    for method, path, body in [("GET", f"/users/{bob['id']}", None), ("PUT", f"/users/{bob['id']}", {"alias": "B"}),
                               ("DELETE", f"/users/{bob['id']}", None), ("POST", f"/users/{bob['id']}/login", {}),
                               ("POST", f"/users/{bob['id']}/pause", {"channel": "chat"})]:
        refused = await motion.call(method, path, body, as_agent="sue")
        assert (refused.status, refused.body) == (403, {"message": OUT_OF_SCOPE}), (method, path)
    after = await motion.ok("GET", f"/users/{bob['id']}")
    assert (after["alias"], after["online"]) == ("", False)  # nothing of bob's changed
    created = await motion.ok("POST", "/users", {"name": "newbie", "password": PASSWORD}, status=201, as_agent="sue")
    assert created["role"] == "agent"


async def test_outside_the_agents_a_user_with_role_user_is_refused(motion):
    await supervisor(motion, "sue", ["Desk"])
    front = (await motion.ok("GET", "/chat/queues", name="Front"))["rows"][0]
    for method, path, body in [("POST", "/users", {"name": "boss", "password": PASSWORD, "role": "user"}),
                               ("PUT", "/settings", {"interactionTabsLimit": 9}),
                               ("POST", f"/chat/queues/{front['id']}/users", {"ids": [1]}),
                               ("POST", "/teams", {"name": "Blue"})]:
        refused = await motion.call(method, path, body, as_agent="sue")
        assert refused.status == 403 and set(refused.body) == {"message"}, (method, path)
    sue = (await motion.ok("GET", "/users", name="sue"))["rows"][0]
    own = await motion.call("PUT", f"/users/{sue['id']}", {"queueIds": [front["id"]]}, as_agent="sue")
    assert own.status == 403  # it cannot widen its own scope
    assert (await motion.ok("GET", f"/users/{sue['id']}", as_agent="sue"))["queueIds"] != [front["id"]]


async def test_a_user_without_the_agents_permission_manages_no_agent(motion):
    await supervisor(motion, "ned", ["Desk"], permission=False)
    bob = await motion.user("bob_smith")
    for method, path in [("GET", "/users"), ("GET", f"/users/{bob['id']}"), ("DELETE", f"/users/{bob['id']}")]:
        refused = await motion.call(method, path, as_agent="ned")
        assert refused.status == 403 and "agents permission" in refused.body["message"], path


async def test_an_agent_still_acts_only_on_itself_and_never_as_a_user(motion):
    await supervisor(motion, "sue", ["Desk"])
    sue = (await motion.ok("GET", "/users", name="sue"))["rows"][0]
    bob = await motion.user("bob_smith")
    for method, path in [("GET", f"/users/{sue['id']}"), ("GET", "/users"), ("GET", f"/users/{bob['id']}/teams"),
                         ("DELETE", f"/users?ids={bob['id']}"), ("GET", "/users/export")]:
        refused = await motion.call(method, path, as_agent="ada.lovelace")
        assert refused.status == 403, (method, path, refused.body)


# -- teams --------------------------------------------------------------------------------------------------------------
async def test_an_agent_is_added_to_a_team_and_leaves_it_when_deleted(motion):
    ada, bob = await motion.user("ada.lovelace"), await motion.user("bob_smith")
    blue = await motion.ok("POST", "/teams", {"name": "Blue", "description": "first line"}, status=201)
    red = await motion.ok("POST", "/teams", {"name": "Red"}, status=201)
    await motion.ok("POST", f"/teams/{blue['id']}/users", {"ids": [ada["id"], bob["id"]]}, status=201)
    await motion.ok("POST", f"/teams/{red['id']}/users", {"ids": [ada["id"]]}, status=201)
    assert [t["name"] for t in (await motion.ok("GET", f"/users/{ada['id']}/teams", as_agent="ada.lovelace"))["rows"]] \
        == ["Blue", "Red"]
    members = await motion.ok("GET", f"/teams/{blue['id']}/users", fields="name")
    assert members["rows"] == [{"name": "ada.lovelace"}, {"name": "bob_smith"}]
    await motion.ok("DELETE", f"/teams/{red['id']}/users", ids=ada["id"])
    assert (await motion.ok("GET", f"/teams/{red['id']}"))["members"] == []
    await motion.ok("DELETE", f"/users/{bob['id']}", status=204)
    assert (await motion.ok("GET", f"/teams/{blue['id']}"))["members"] == [ada["id"]]
    duplicate = await motion.call("PUT", f"/teams/{red['id']}", {"name": "Blue"})
    assert duplicate.status == 400 and "already exists" in duplicate.body["message"]


# -- bulk delete --------------------------------------------------------------------------------------------------------
async def test_bulk_delete_removes_every_selected_agent_or_none(motion):
    made = [await motion.ok("POST", "/users", {"name": f"temp{n}", "password": PASSWORD}, status=201) for n in range(3)]
    await motion.ok("POST", f"/users/{made[0]['id']}/login", {}, as_agent="temp0")
    unknown = await motion.call("DELETE", f"/users?ids={made[0]['id']}&ids=999")
    assert unknown.status == 404 and "999" in unknown.body["message"]
    assert (await motion.ok("GET", "/users", filter="temp"))["count"] == 3  # none deleted
    deleted = await motion.call("DELETE", f"/users?ids={made[0]['id']}&ids={made[1]['id']}")
    assert deleted.status == 204
    assert [r["name"] for r in (await motion.ok("GET", "/users", filter="temp"))["rows"]] == ["temp2"]
    assert (await motion.call("POST", f"/users/{made[0]['id']}/login", {}, as_agent="temp0")).status == 401


async def test_a_user_with_role_user_bulk_deletes_only_its_own_agents(motion):
    await supervisor(motion, "sue", ["Front"])
    ada, bob = await motion.user("ada.lovelace"), await motion.user("bob_smith")
    refused = await motion.call("DELETE", f"/users?ids={ada['id']}&ids={bob['id']}", as_agent="sue")
    assert (refused.status, refused.body["message"]) == (403, OUT_OF_SCOPE)
    assert (await motion.ok("GET", "/users", role="agent"))["count"] == 2


# -- CSV export ---------------------------------------------------------------------------------------------------------
async def test_the_selected_agents_export_as_csv(motion):
    ada, bob = await motion.user("ada.lovelace"), await motion.user("bob_smith")
    await motion.ok("PUT", f"/users/{bob['id']}", {"fullname": 'Bob "the Builder", Smith', "alias": "Bob"})
    resp = await motion.call("GET", "/users/export", ids=bob["id"])
    assert resp.status == 200 and resp.header("Content-Type") == "text/csv; charset=utf-8"
    assert resp.header("Content-Disposition") == 'attachment; filename="agents.csv"'
    text = resp.raw.decode()
    assert text.endswith("\r\n")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["id"], r["name"], r["fullname"], r["alias"], r["typology"], r["disabled"]) for r in rows] == [
        (str(bob["id"]), "bob_smith", 'Bob "the Builder", Smith', "Bob", "phonebar", "false")]
    everyone = await motion.call("GET", "/users/export")
    names = [r["name"] for r in csv.DictReader(io.StringIO(everyone.raw.decode()))]
    assert names == ["ada.lovelace", "bob_smith"] and ada["id"] < bob["id"]


async def test_a_user_with_role_user_exports_only_its_agents(motion):
    await supervisor(motion, "sue", ["Front"])
    resp = await motion.call("GET", "/users/export", as_agent="sue")
    assert [r["name"] for r in csv.DictReader(io.StringIO(resp.raw.decode()))] == ["ada.lovelace"]
