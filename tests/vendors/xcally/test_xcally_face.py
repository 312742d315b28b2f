"""The XCALLY Motion face over its real wire: agent validation, the tab limit and channel
capacity (in that order) for offers, auto answer and the drop-by-one release, routings over
several queues and their report rows, queue strategies, abandon, per-channel pause and
follow-ups."""
from __future__ import annotations

import base64

import pytest

from support.xcally import PASSWORD, Motion, pushed, xcally_config
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient


@pytest.fixture
def sim_config() -> config.Config:
    return xcally_config()


@pytest.fixture
def motion(sim: Simulator, wire: WireClient) -> Motion:
    return Motion(wire, sim)


# -- agents and their validation ----------------------------------------------------------------------------
async def test_agent_validation_refuses_bad_names_and_weak_passwords_and_creates_valid_agents(motion):
    bad_name = await motion.call("POST", "/users", {"name": "bad name!", "password": "G00d#Pass"})
    assert bad_name.status == 400 and "only letters, numbers, '.' and '_'" in bad_name.body["message"]
    weak = await motion.call("POST", "/users", {"name": "grace", "password": "password"})
    assert weak.status == 400 and "Security Suite" in weak.body["message"]
    before = await motion.ok("GET", "/users")
    created = await motion.ok("POST", "/users", {"name": "grace.hopper", "password": "C0bol#1959",
                                                 "email": "grace@example.com", "chatCapacity": 3}, status=201)
    assert created["role"] == "agent" and created["chatCapacity"] == 3 and created["internal"].isdigit()
    listing = await motion.ok("GET", "/users")
    assert listing["count"] == before["count"] + 1
    assert [r["name"] for r in listing["rows"] if r["id"] == created["id"]] == ["grace.hopper"]
    page = await motion.ok("GET", "/users", fields="id,name", sort="-id", limit=1)
    assert page == {"count": listing["count"], "rows": [{"id": created["id"], "name": "grace.hopper"}]}


@pytest.mark.parametrize("body, message", [
    ({"name": "x", "password": "Sh0rt!"}, "at least 8"),
    ({"name": "x", "password": "NOLOWER1!"}, "lowercase"),
    ({"name": "x", "password": "nospecial1A"}, "one of"),
    ({"name": "x", "password": PASSWORD, "typology": "carrier-pigeon"}, "typology"),
    ({"name": "x", "password": PASSWORD, "chatCapacity": -1}, "chatCapacity"),
    ({"name": "x", "password": PASSWORD, "chatCapacity": "2"}, "chatCapacity"),
    ({"name": "x", "password": PASSWORD, "email": "not-an-email"}, "email"),
    ({"name": "bob_smith", "password": PASSWORD}, "already taken"),
    ({"password": PASSWORD}, "name is required"),
])
async def test_every_invalid_field_is_a_400_with_a_message(motion, body, message):
    resp = await motion.call("POST", "/users", body)
    assert resp.status == 400 and message in resp.body["message"], resp.body


async def test_the_security_suite_off_lets_a_simple_password_through():
    sim = Simulator(xcally_config(security_suite=False))
    await sim.start()
    try:
        async with WireClient() as client:
            created = await Motion(client, sim).ok("POST", "/users", {"name": "lin", "password": "password"}, status=201)
        assert created["name"] == "lin"
    finally:
        await sim.stop()


async def test_auth_is_basic_or_apikey_and_agents_act_only_on_themselves(motion, wire, sim):
    anonymous = await wire.request("GET", sim.urls["xcally"] + "/api/users")
    assert anonymous.status == 401 and anonymous.body["message"]
    bob = await motion.user("bob_smith")
    assert (await motion.call("GET", "/users", as_agent="bob_smith")).status == 403
    assert (await motion.call("POST", f"/users/{bob['id']}/login", {}, as_agent="ada.lovelace")).status == 403
    assert (await motion.call("GET", f"/users/{bob['id']}", as_agent="bob_smith")).body["name"] == "bob_smith"


async def test_an_account_locks_after_the_configured_failed_logins(motion, wire, sim):
    def basic(password: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"bob_smith:{password}".encode()).decode()}

    for _ in range(5):
        assert (await wire.request("GET", sim.urls["xcally"] + "/api/settings", headers=basic("wrong"))).status == 401
    locked = await wire.request("GET", sim.urls["xcally"] + "/api/settings", headers=basic(PASSWORD))
    assert locked.status == 401 and "locked" in locked.body["message"]
    assert (await motion.user("bob_smith"))["locked"] is True
    await motion.ok("PUT", f"/users/{(await motion.user('bob_smith'))['id']}", {"locked": False})
    assert (await wire.request("GET", sim.urls["xcally"] + "/api/settings", headers=basic(PASSWORD))).status == 200


# -- tab limit, capacity, auto answer ------------------------------------------------------------------------
async def test_capacity_reached_second_chat_times_out_then_is_auto_answered_after_the_delay(sim, motion, admin):
    ada = await motion.login("ada.lovelace")
    await admin.inject("front", channel="chat", caller="visitor-1")
    await sim.clock.sleep(5)
    first = await motion.interaction("chat", "visitor-1")
    assert (first["status"], first["UserId"]) == ("open", ada)

    await admin.inject("front", channel="chat", caller="visitor-2")
    await sim.clock.sleep(31)  # past Front's 30 s timeout: on to Back, still not offered
    second = await motion.interaction("chat", "visitor-2")
    assert (second["status"], second["UserId"]) == ("queued", None)
    assert pushed(sim, "ada") == ["offer:chat", "accepted:chat"]
    assert await motion.report("chat", second["id"]) == [("Front", "timeout", None), ("Back", None, None)]

    await motion.ok("PUT", f"/chat/interactions/{first['id']}", {"closed": True, "disposition": "solved"},
                    as_agent="ada.lovelace")
    await sim.clock.sleep(4.9)
    assert (await motion.ok("GET", f"/chat/interactions/{second['id']}"))["status"] == "offered"
    await sim.clock.sleep(0.1)
    assert (await motion.ok("GET", f"/chat/interactions/{second['id']}"))["status"] == "open"
    assert await motion.report("chat", second["id"]) == [("Front", "timeout", None), ("Back", "accepted", ada)]
    assert await motion.report("chat", first["id"]) == [("Front", "accepted", ada)]


async def test_the_tab_limit_is_checked_before_the_capacity(sim, motion, admin):
    """Tab limit 2: a chat and a mail fill both tabs; a second mail (capacity unlimited) is not
    offered, and bob, at both limits, is refused an offered interaction for the tab limit."""
    await motion.login("ada.lovelace")
    await admin.inject("front", channel="chat", caller="chat-1")
    await admin.inject("desk", channel="mail", caller="mail-1")
    await sim.clock.sleep(6)
    await motion.ok("POST", f"/mail/interactions/{(await motion.interaction('mail', 'mail-1'))['id']}/accept", {},
                    as_agent="ada.lovelace")
    await admin.inject("desk", channel="mail", caller="mail-2")
    await sim.clock.sleep(1)
    assert (await motion.interaction("mail", "mail-2"))["status"] == "queued"
    realtime = (await motion.ok("GET", "/realtime/agents", channel="mail", name="ada.lovelace"))["rows"][0]
    assert (realtime["openTabs"], realtime["mailStatus"]) == (2, "talking")

    # Lower ada's limits to nothing left on both counts: the refusal names the tab limit first.
    bob = await motion.login("bob_smith")
    assert (await motion.interaction("mail", "mail-2"))["UserId"] == bob
    face = sim.faces["xcally"]
    mail2 = face.get_interaction("mail", str((await motion.interaction("mail", "mail-2"))["id"]))
    mail2.offered_to.append(face.by_core["ada"].id)  # as beepall would
    face.agents[face.by_core["ada"].id].capacity["mail"] = 1
    refused = await motion.call("POST", f"/mail/interactions/{mail2.id}/accept", {}, as_agent="ada.lovelace")
    assert refused.status == 409 and "tabs limit" in refused.body["message"]
    await motion.ok("PUT", "/settings", {"interactionTabsLimit": 3})
    refused = await motion.call("POST", f"/mail/interactions/{mail2.id}/accept", {}, as_agent="ada.lovelace")
    assert refused.status == 409 and "mail capacity" in refused.body["message"]


async def test_an_agent_at_a_limit_is_not_auto_answered_until_the_count_drops_by_one(sim, motion, admin):
    await motion.ok("PUT", f"/users/{(await motion.user('ada.lovelace'))['id']}", {"chatCapacity": 2})
    await motion.login("ada.lovelace")
    for n in range(3):
        await admin.inject("back", channel="chat", caller=f"v{n}")
    await sim.clock.sleep(10)
    statuses = [(await motion.interaction("chat", f"v{n}"))["status"] for n in range(3)]
    assert statuses == ["open", "open", "queued"]  # tab limit 2 reached (capacity 2 as well)
    await motion.ok("PUT", f"/chat/interactions/{(await motion.interaction('chat', 'v0'))['id']}",
                    {"closed": True}, as_agent="ada.lovelace")
    await sim.clock.sleep(4)
    assert (await motion.interaction("chat", "v2"))["status"] == "offered"
    await sim.clock.sleep(1)
    assert (await motion.interaction("chat", "v2"))["status"] == "open"


# -- routing over several queues, abandon, pause --------------------------------------------------------------
async def test_multi_queue_routing_writes_one_report_row_per_queue(sim, motion, admin):
    """Nobody is logged in for Front's 30 s; ada logs in, Back offers, ada accepts (auto answer)."""
    await admin.inject("front", channel="chat", caller="walk-in")
    await sim.clock.sleep(31)
    ada = await motion.login("ada.lovelace")
    await sim.clock.sleep(5)
    chat = await motion.interaction("chat", "walk-in")
    assert (chat["status"], chat["UserId"]) == ("open", ada)
    assert await motion.report("chat", chat["id"]) == [("Front", "timeout", None), ("Back", "accepted", ada)]


async def test_abandon_in_queue_and_while_offered(sim, motion, admin):
    waiting = await admin.inject("desk", channel="mail", caller="gone-1")
    await admin.post(f"/contacts/{waiting['id']}/abandon")
    mail = await motion.interaction("mail", "gone-1")
    assert mail["status"] == "abandoned"
    assert await motion.report("mail", mail["id"]) == [("Desk", "abandoned", None)]

    await motion.login("bob_smith")
    offered = await admin.inject("desk", channel="mail", caller="gone-2")
    assert pushed(sim, "bob") == ["offer:mail"]
    await admin.post(f"/contacts/{offered['id']}/abandon")
    assert pushed(sim, "bob") == ["offer:mail", "revoked:mail"]
    mail = await motion.interaction("mail", "gone-2")
    assert await motion.report("mail", mail["id"]) == [("Desk", "abandoned", None)]


async def test_a_pause_on_one_channel_holds_only_that_channel(sim, motion, admin):
    ada = await motion.login("ada.lovelace")
    await motion.ok("POST", f"/users/{ada}/pause", {"channel": "chat", "pauseType": "LUNCH"}, as_agent="ada.lovelace")
    await admin.inject("back", channel="chat", caller="paused-chat")
    await admin.inject("desk", channel="mail", caller="fine-mail")
    assert (await motion.interaction("chat", "paused-chat"))["status"] == "queued"
    assert (await motion.interaction("mail", "fine-mail"))["status"] == "offered"
    chat_rt = (await motion.ok("GET", "/realtime/agents", channel="chat", name="ada.lovelace"))["rows"][0]
    mail_rt = (await motion.ok("GET", "/realtime/agents", channel="mail", name="ada.lovelace"))["rows"][0]
    assert (chat_rt["chatStatus"], chat_rt["pauseType"], mail_rt["mailStatus"]) == ("pause", "LUNCH", "ringing")
    await sim.clock.sleep(60)
    await motion.ok("POST", f"/users/{ada}/unpause", {"channel": "chat"}, as_agent="ada.lovelace")
    assert (await motion.interaction("chat", "paused-chat"))["status"] == "offered"
    pauses = (await motion.ok("GET", "/reports/member", type="PAUSE"))["rows"]
    assert [(r["membername"], r["channel"], r["data1"], r["duration"]) for r in pauses] == \
        [("ada.lovelace", "chat", "LUNCH", 60)]


async def test_realtime_takes_the_filters_a_real_client_sends(motion):
    """A real client sends globalStatusFilter=null and pauseTypeFilter=null: not attribute filters."""
    rows = (await motion.ok("GET", "/realtime/agents", channel="voice", globalStatusFilter="null",
                            pauseTypeFilter="null", nolimit="true", sort="fullname"))["rows"]
    assert {"ada.lovelace", "bob_smith"} <= {r["name"] for r in rows}
    assert all(r["voiceStatus"] == "unavailable" for r in rows)


async def test_beepall_offers_every_free_member_and_the_first_accept_wins(sim, motion, admin):
    await motion.login("ada.lovelace")
    bob = await motion.login("bob_smith")
    await admin.inject("desk", channel="mail", caller="both@example.com")
    assert pushed(sim, "ada") == pushed(sim, "bob") == ["offer:mail"]
    mail = await motion.interaction("mail", "both@example.com")
    await motion.ok("POST", f"/mail/interactions/{mail['id']}/accept", {}, as_agent="bob_smith")
    assert pushed(sim, "bob") == ["offer:mail", "accepted:mail"] and pushed(sim, "ada") == ["offer:mail", "revoked:mail"]
    assert (await motion.interaction("mail", "both@example.com"))["UserId"] == bob
    late = await motion.call("POST", f"/mail/interactions/{mail['id']}/accept", {}, as_agent="ada.lovelace")
    assert late.status == 409


async def test_rrmemory_takes_the_members_in_turn(sim, motion, admin):
    queue = await motion.ok("POST", "/mail/queues", {"name": "Turns", "strategy": "rrmemory"}, status=201)
    ada, bob = (await motion.user("ada.lovelace"))["id"], (await motion.user("bob_smith"))["id"]
    await motion.ok("POST", f"/mail/queues/{queue['id']}/users", {"ids": [ada, bob]}, status=201)
    await motion.login("ada.lovelace")
    await motion.login("bob_smith")
    core_queue = sim.faces["xcally"].queues[queue["id"]].core_id
    takers = []
    for n in range(4):
        await admin.inject(core_queue, channel="mail", caller=f"turn-{n}@example.com")
        mail = await motion.interaction("mail", f"turn-{n}@example.com")
        takers.append(mail["UserId"])
        agent = "ada.lovelace" if mail["UserId"] == ada else "bob_smith"
        await motion.ok("POST", f"/mail/interactions/{mail['id']}/accept", {}, as_agent=agent)
        await motion.ok("PUT", f"/mail/interactions/{mail['id']}", {"closed": True}, as_agent=agent)
    assert takers[0] != takers[1] and takers[:2] == takers[2:]


# -- follow-ups on a closed interaction ------------------------------------------------------------------------
async def _closed_chat_then_busy(sim, motion, admin) -> int:
    """ada handled and closed a chat, then took another up to her capacity of 1."""
    await motion.login("ada.lovelace")
    await admin.inject("back", channel="chat", caller="returning")
    await sim.clock.sleep(5)
    old = await motion.interaction("chat", "returning")
    await motion.ok("PUT", f"/chat/interactions/{old['id']}", {"closed": True}, as_agent="ada.lovelace")
    await admin.inject("back", channel="chat", caller="other")
    await sim.clock.sleep(5)
    assert (await motion.interaction("chat", "other"))["status"] == "open"
    await motion.ok("POST", f"/chat/interactions/{old['id']}/messages", {"body": "one more thing"}, status=201)
    return old["id"]


async def test_a_follow_up_is_checked_against_the_limits_of_the_agent_who_handled_it(sim, motion, admin):
    old = await _closed_chat_then_busy(sim, motion, admin)
    assert (await motion.ok("GET", f"/chat/interactions/{old}"))["status"] == "queued"


@pytest.mark.parametrize("sim_config", [xcally_config(followups_bypass_limits=True)])
async def test_with_the_older_rule_a_follow_up_goes_to_its_agent_anyway(sim, motion, admin):
    old = await _closed_chat_then_busy(sim, motion, admin)
    reopened = await motion.ok("GET", f"/chat/interactions/{old}")
    assert (reopened["status"], reopened["closed"]) == ("offered", False)
