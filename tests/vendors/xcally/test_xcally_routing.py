"""XCALLY routing over the face's wire (REST, socket.io as journaled, the phonebar): a beepall
decline leaves the other offers ringing, report rows numbered per report_{channel}_queue."""
from __future__ import annotations

import pytest

from support.xcally import Motion, pushed, xcally_config
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient


@pytest.fixture
def sim_config() -> config.Config:
    return xcally_config()


@pytest.fixture
def motion(sim: Simulator, wire: WireClient) -> Motion:
    return Motion(wire, sim)


# -- report ids ---------------------------------------------------------------------------------------------
async def test_each_report_channel_queue_numbers_its_rows_from_one(sim, motion, admin):
    """report_chat_queue and report_mail_queue are two tables: each has its own ids."""
    for n in range(2):
        await admin.inject("back", channel="chat", caller=f"chat-{n}")
        await admin.inject("desk", channel="mail", caller=f"mail-{n}@example.com")
    chat = (await motion.ok("GET", "/reports/chat/queue", sort="id"))["rows"]
    mail = (await motion.ok("GET", "/reports/mail/queue", sort="id"))["rows"]
    assert [r["id"] for r in chat] == [1, 2] and [r["id"] for r in mail] == [1, 2]
    assert [r["uniqueid"] for r in mail] == ["mail-1", "mail-2"]


# -- beepall: a decline or a logout leaves the other offers ringing ------------------------------------------------
async def _offered_to_both(sim, motion, admin, caller: str) -> tuple[int, int, dict]:
    """ada and bob logged in; a Desk mail (beepall) rings both; the core offered it to ada."""
    ada, bob = await motion.login("ada.lovelace"), await motion.login("bob_smith")
    await admin.inject("desk", channel="mail", caller=caller)
    mail = await motion.interaction("mail", caller)
    assert pushed(sim, "ada") == pushed(sim, "bob") == ["offer:mail"] and mail["UserId"] == ada
    return ada, bob, mail


async def test_a_beepall_decline_leaves_the_other_offers_ringing(sim, motion, admin):
    ada, bob, mail = await _offered_to_both(sim, motion, admin, "declined@example.com")
    path = f"/mail/interactions/{mail['id']}"
    declined = await motion.ok("POST", f"{path}/reject", {}, as_agent="ada.lovelace")
    assert (declined["status"], declined["UserId"]) == ("offered", bob)
    assert pushed(sim, "bob") == ["offer:mail"] and pushed(sim, "ada") == ["offer:mail"]  # no popup closed or reopened
    [contact] = [c for c in (await admin.get("/state")).body["contacts"] if c["channel"] == "mail"]
    assert contact["agent"] == "bob"  # the core's contact follows
    await motion.ok("POST", f"{path}/accept", {}, as_agent="bob_smith")
    assert pushed(sim, "bob") == ["offer:mail", "accepted:mail"]
    assert await motion.report("mail", mail["id"]) == [("Desk", "accepted", bob)]


async def test_the_last_decline_of_a_beepall_offer_puts_it_back_in_the_queue(sim, motion, admin):
    ada, bob, mail = await _offered_to_both(sim, motion, admin, "nobody@example.com")
    path = f"/mail/interactions/{mail['id']}"
    assert (await motion.ok("POST", f"{path}/reject", {}, as_agent="ada.lovelace"))["UserId"] == bob
    queued = await motion.ok("POST", f"{path}/reject", {}, as_agent="bob_smith")
    assert (queued["status"], queued["UserId"]) == ("queued", None)
    assert pushed(sim, "ada") == pushed(sim, "bob") == ["offer:mail"]  # neither is offered it again
    assert await motion.report("mail", mail["id"]) == [("Desk", None, None)]


async def test_an_agent_logging_out_takes_only_its_own_beepall_offer(sim, motion, admin):
    ada, bob, mail = await _offered_to_both(sim, motion, admin, "left@example.com")
    await motion.ok("POST", f"/users/{ada}/logout", {}, as_agent="ada.lovelace")
    assert pushed(sim, "ada") == ["offer:mail", "revoked:mail"] and pushed(sim, "bob") == ["offer:mail"]
    assert (await motion.interaction("mail", "left@example.com"))["UserId"] == bob
    await motion.login("ada.lovelace")
    late = await motion.call("POST", f"/mail/interactions/{mail['id']}/accept", {}, as_agent="ada.lovelace")
    assert late.status == 409
    await motion.ok("POST", f"/users/{bob}/logout", {}, as_agent="bob_smith")
    assert pushed(sim, "bob") == ["offer:mail", "revoked:mail"]
    assert (await motion.interaction("mail", "left@example.com"))["UserId"] == ada  # offered to ada anew



# -- voice: Ring in Use, Do not disturb during pause, direct and internal calls -------------------------------------
class Phonebar:
    """An agent's phonebar remote control (GET only), on the port the agent's settings give."""

    def __init__(self, wire: WireClient, port: int):
        self.wire, self.base = wire, f"http://127.0.0.1:{port}/api"

    @classmethod
    async def of(cls, motion: Motion, wire: WireClient, name: str) -> "Phonebar":
        user = await motion.user(name)
        if not user["phoneBarRemoteControl"]:
            user = await motion.ok("PUT", f"/users/{user['id']}", {"phoneBarRemoteControl": True})
        return cls(wire, user["phoneBarRemoteControlPort"])

    async def get(self, path: str) -> tuple[int, object]:
        resp = await self.wire.request("GET", self.base + path)
        return resp.status, resp.body

    async def calls(self) -> list[tuple[str, str, int]]:
        return [(c["number"], c["direction"], c["status"]) for c in (await self.get("/calls"))[1]]


INCOMING, ALERTING, ACTIVE, HOLDING, TERMINATED = 32, 4, 8, 64, 128


async def _bob_on_lines_too(motion: Motion) -> None:
    lines = next(q for q in (await motion.ok("GET", "/voice/queues"))["rows"] if q["name"] == "Lines")
    bob = (await motion.user("bob_smith"))["id"]
    await motion.ok("POST", f"/voice/queues/{lines['id']}/users", {"ids": [bob]}, status=201)


async def test_ring_in_use_off_passes_a_busy_agent_by_and_on_rings_it(sim, motion, wire, admin):
    ada_bar = await Phonebar.of(motion, wire, "ada.lovelace")
    bob_bar = await Phonebar.of(motion, wire, "bob_smith")
    await _bob_on_lines_too(motion)
    ada = await motion.login("ada.lovelace")
    assert (await motion.user("ada.lovelace"))["phoneBarRingInUse"] is False  # CLONE's default
    await admin.inject("lines", caller="+15550001")
    assert (await ada_bar.get("/answer"))[0] == 200
    await motion.login("bob_smith")
    await admin.inject("lines", caller="+15550002")  # Ring in Use off: ada is passed by, bob rings
    assert await ada_bar.calls() == [("+15550001", "in", ACTIVE)]
    assert await bob_bar.calls() == [("+15550002", "in", INCOMING)]

    await motion.ok("PUT", f"/users/{ada}", {"phoneBarRingInUse": True})
    third = await admin.inject("lines", caller="+15550003")  # bob is ringing: ada, talking, rings
    assert (third["state"], third["agent"]) == ("offered", "ada")
    assert await ada_bar.calls() == [("+15550001", "in", ACTIVE), ("+15550003", "in", INCOMING)]
    rt = (await motion.ok("GET", "/realtime/agents", channel="voice", name="ada.lovelace"))["rows"][0]
    assert rt["voiceStatus"] == "talking"
    [_, ringing] = (await ada_bar.get("/calls"))[1]
    assert (await ada_bar.get(f"/answer/{ringing['sessionId']}"))[1]["status"] == ACTIVE
    assert await ada_bar.calls() == [("+15550001", "in", HOLDING), ("+15550003", "in", ACTIVE)]  # one voice at a time
    assert (await admin.agent("ada"))["presence"] == "talking"


async def test_ring_in_use_off_leaves_the_call_queued_while_the_only_member_talks(sim, motion, wire, admin):
    ada_bar = await Phonebar.of(motion, wire, "ada.lovelace")
    ada = await motion.login("ada.lovelace")
    await admin.inject("lines", caller="+15550001")
    await ada_bar.get("/answer")
    waiting = await admin.inject("lines", caller="+15550002")
    assert waiting["state"] == "queued" and await ada_bar.calls() == [("+15550001", "in", ACTIVE)]
    await motion.ok("PUT", f"/users/{ada}", {"phoneBarRingInUse": True})  # an update routes again
    assert (await admin.get(f"/contacts/{waiting['id']}")).body["state"] == "offered"
    assert await ada_bar.calls() == [("+15550001", "in", ACTIVE), ("+15550002", "in", INCOMING)]


async def test_do_not_disturb_during_pause_refuses_a_direct_call_and_off_it_rings(sim, motion, wire, admin):
    ada_bar = await Phonebar.of(motion, wire, "ada.lovelace")
    ada = await motion.login("ada.lovelace")
    assert (await motion.user("ada.lovelace"))["phoneBarDnd"] is True  # seed 001: enabled by default
    await motion.ok("POST", f"/users/{ada}/pause", {"channel": "voice"}, as_agent="ada.lovelace")
    refused = await admin.post("/contacts", {"agent": "ada", "caller": "+15550100"})
    assert refused.status == 201
    assert (refused.body["state"], refused.body["endReason"], refused.body["queue"]) == ("ended", "refused", None)
    assert await ada_bar.calls() == []

    await motion.ok("PUT", f"/users/{ada}", {"phoneBarDnd": False})
    queued = await admin.inject("lines", caller="+15550200")  # a queue call still waits out the pause
    rings = await admin.post("/contacts", {"agent": "ada", "caller": "+15550100"})
    assert (rings.body["state"], rings.body["agent"], rings.body["direction"]) == ("offered", "ada", "inbound")
    assert await ada_bar.calls() == [("+15550100", "in", INCOMING)]
    assert (await admin.get(f"/contacts/{queued['id']}")).body["state"] == "queued"
    await ada_bar.get("/answer")
    assert (await admin.get(f"/contacts/{rings.body['id']}")).body["state"] == "connected"


async def test_a_direct_call_to_an_agent_on_a_call_is_refused_unless_ring_in_use(sim, motion, wire, admin):
    ada_bar = await Phonebar.of(motion, wire, "ada.lovelace")
    ada = await motion.login("ada.lovelace")
    first = await admin.post("/contacts", {"agent": "ada", "caller": "+15550001"})
    assert first.body["state"] == "offered"
    await ada_bar.get("/answer")
    busy = await admin.post("/contacts", {"agent": "ada", "caller": "+15550002"})
    assert busy.body["endReason"] == "refused" and await ada_bar.calls() == [("+15550001", "in", ACTIVE)]
    await motion.ok("PUT", f"/users/{ada}", {"phoneBarRingInUse": True})
    waiting = await admin.post("/contacts", {"agent": "ada", "caller": "+15550003"})
    assert waiting.body["state"] == "offered"
    assert await ada_bar.calls() == [("+15550001", "in", ACTIVE), ("+15550003", "in", INCOMING)]
    await ada_bar.get("/hangup")  # both calls end
    assert (await admin.agent("ada"))["presence"] == "idle"


async def test_an_internal_call_to_a_paused_agent_is_refused_with_dnd_and_rings_without(sim, motion, wire, admin):
    ada_bar = await Phonebar.of(motion, wire, "ada.lovelace")
    bob_bar = await Phonebar.of(motion, wire, "bob_smith")
    ada = await motion.login("ada.lovelace")
    await motion.login("bob_smith")
    internal = (await motion.user("ada.lovelace"))["internal"]
    await motion.ok("POST", f"/users/{ada}/pause", {"channel": "voice"}, as_agent="ada.lovelace")
    status, refused = await bob_bar.get(f"/originate/{internal}")
    assert (status, refused["status"], refused["statusName"]) == (200, TERMINATED, "TERMINATED")
    assert await bob_bar.calls() == [] and await ada_bar.calls() == []
    ended = (await admin.get("/state")).body["contacts"][-1]
    assert (ended["direction"], ended["endReason"]) == ("internal", "refused")

    await motion.ok("PUT", f"/users/{ada}", {"phoneBarDnd": False})
    status, dialled = await bob_bar.get(f"/originate/{internal}")
    assert (status, dialled["status"]) == (200, ALERTING)
    bob_internal = (await motion.user("bob_smith"))["internal"]
    assert await ada_bar.calls() == [(bob_internal, "in", INCOMING)]
    await sim.clock.sleep(10)  # no far end answers an internal call: the callee does
    assert await bob_bar.calls() == [(internal, "out", ALERTING)]
    await ada_bar.get("/answer")
    assert await bob_bar.calls() == [(internal, "out", ACTIVE)] and await ada_bar.calls() == [(bob_internal, "in", ACTIVE)]
    await ada_bar.get("/hangup")
    assert await bob_bar.calls() == [] and (await admin.agent("bob"))["presence"] == "idle"
    assert (await bob_bar.get(f"/originate/{bob_internal}"))[0] == 409  # its own number


async def test_a_queue_call_rings_an_agent_that_is_free_but_not_idle_for_the_core(sim, motion, wire, admin):
    """Logged in paused (presence busy), then unpaused on voice: routing asked XCALLY, heard yes,
    and crashed picking among the agents it had asked (no agent idle for the core)."""
    ada_bar = await Phonebar.of(motion, wire, "ada.lovelace")
    ada = (await motion.user("ada.lovelace"))["id"]
    await motion.ok("PUT", f"/users/{ada}", {"loginInPause": True})
    await motion.login("ada.lovelace")
    await motion.ok("POST", f"/users/{ada}/unpause", {"channel": "voice"}, as_agent="ada.lovelace")
    call = await admin.inject("lines", caller="+15550123")
    assert call["state"] == "offered" and await ada_bar.calls() == [("+15550123", "in", INCOMING)]


@pytest.mark.parametrize("sim_config", [xcally_config(hold_on_answer=False)])
async def test_without_hold_on_answer_both_calls_stay_active(sim, motion, wire, admin):
    ada_bar = await Phonebar.of(motion, wire, "ada.lovelace")
    ada = await motion.login("ada.lovelace")
    await motion.ok("PUT", f"/users/{ada}", {"phoneBarRingInUse": True})
    await admin.inject("lines", caller="+15550001")
    await ada_bar.get("/answer")
    await admin.inject("lines", caller="+15550002")
    await ada_bar.get("/answer")
    assert await ada_bar.calls() == [("+15550001", "in", ACTIVE), ("+15550002", "in", ACTIVE)]


async def test_logging_out_while_a_call_rings_or_is_dialled(sim, motion, wire, admin):
    """A ringing queue call goes back to its queue (off the phonebar); a call being dialled ends.
    Both answered 500 before (the phonebar kept the ringing call; the dialled one had no queue)."""
    ada_bar = await Phonebar.of(motion, wire, "ada.lovelace")
    ada = await motion.login("ada.lovelace")
    ringing = await admin.inject("lines", caller="+15550001")
    await motion.ok("POST", f"/users/{ada}/logout", {}, as_agent="ada.lovelace")
    assert (await admin.get(f"/contacts/{ringing['id']}")).body["state"] == "queued" and await ada_bar.calls() == []
    await motion.login("ada.lovelace")
    assert await ada_bar.calls() == [("+15550001", "in", INCOMING)]
    await ada_bar.get("/hangup")  # refused: back to the queue, and rung again
    assert await ada_bar.calls() == [("+15550001", "in", INCOMING)]
    await admin.post(f"/contacts/{ringing['id']}/abandon")
    status, dialled = await ada_bar.get("/originate/5551234")
    await motion.ok("POST", f"/users/{ada}/logout", {}, as_agent="ada.lovelace")
    assert await ada_bar.calls() == []
    assert (await admin.get("/state")).body["contacts"][-1]["endReason"] == "agent"


async def test_a_queue_rings_a_free_member_before_one_on_a_call_with_ring_in_use(sim, motion, wire, admin):
    ada_bar = await Phonebar.of(motion, wire, "ada.lovelace")
    bob_bar = await Phonebar.of(motion, wire, "bob_smith")
    await _bob_on_lines_too(motion)
    ada = await motion.login("ada.lovelace")  # idle the longest: the core's first choice
    await motion.ok("PUT", f"/users/{ada}", {"phoneBarRingInUse": True})
    await admin.inject("lines", caller="+15550001")
    await ada_bar.get("/answer")
    await motion.login("bob_smith")
    second = await admin.inject("lines", caller="+15550002")
    assert second["agent"] == "bob" and await bob_bar.calls() == [("+15550002", "in", INCOMING)]
    assert await ada_bar.calls() == [("+15550001", "in", ACTIVE)]
