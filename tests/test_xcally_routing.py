"""XCALLY routing over the face's wire (REST, socket.io as journaled, the phonebar): a beepall
decline leaves the other offers ringing, report rows numbered per report_{channel}_queue."""
from __future__ import annotations

import pytest

from motion import Motion, pushed, xcally_config
from simulator import config
from simulator.app import Simulator
from simulator.client import WireClient


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

