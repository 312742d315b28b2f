"""XCALLY password recovery over the REST wire (seed 001): the e-mailed link is journaled (no
mail leaves), it sets a new password under the Security Suite policy once, the old password
stops working, and the link expires in one hour."""
from __future__ import annotations

import base64
from typing import Any

import pytest

from support.xcally import PASSWORD, Motion, xcally_config
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient

NEW = "N3w#Passw0rd"


@pytest.fixture
def sim_config() -> config.Config:
    return xcally_config()


@pytest.fixture
def motion(sim: Simulator, wire: WireClient) -> Motion:
    return Motion(wire, sim)


def mails(sim: Simulator) -> list[Any]:
    return [e for e in sim.journal.query() if e.face == "xcally" and e.kind == "mail"]


async def forgot(wire: WireClient, sim: Simulator, email: str) -> int:
    """The login panel's "Forgot password?", without credentials."""
    return (await wire.request("POST", sim.urls["xcally"] + "/api/users/password/forgot", json_body={"email": email})).status


async def sign_in(wire: WireClient, sim: Simulator, user: str, password: str) -> int:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return (await wire.request("GET", sim.urls["xcally"] + "/api/settings",
                               headers={"Authorization": f"Basic {token}"})).status


async def test_the_emailed_link_sets_a_new_password_once_and_the_old_one_stops_working(sim, motion, wire):
    bob = await motion.user("bob_smith")
    await motion.ok("PUT", f"/users/{bob['id']}", {"email": "bob@example.com"})
    assert await forgot(wire, sim, "BOB@example.com") == 204
    [mail] = mails(sim)
    assert mail.agent == "bob" and mail.response["to"] == "bob@example.com"
    link = mail.response["link"]
    assert link.startswith(sim.urls["xcally"] + "/api/users/password/reset/") and link in mail.response["body"]
    token = link.rsplit("/", 1)[1]
    assert len(token) == 43  # 256 random bits, URL-safe
    opened = await wire.request("GET", link)
    assert opened.status == 200 and opened.body["name"] == "bob_smith"
    weak = await wire.request("POST", link, json_body={"password": "password"})
    assert weak.status == 400 and "Security Suite" in weak.body["message"]
    same = await wire.request("POST", link, json_body={"password": PASSWORD})
    assert same.status == 400 and "differ" in same.body["message"]
    assert await sign_in(wire, sim, "bob_smith", PASSWORD) == 200  # refusals changed nothing
    done = await wire.request("POST", link, json_body={"password": NEW})
    assert done.status == 200 and done.body["name"] == "bob_smith"
    assert await sign_in(wire, sim, "bob_smith", PASSWORD) == 401
    assert await sign_in(wire, sim, "bob_smith", NEW) == 200
    reused = await wire.request("POST", link, json_body={"password": "An0ther#Pass"})
    assert reused.status == 400 and "not valid" in reused.body["message"]
    assert await sign_in(wire, sim, "bob_smith", NEW) == 200


async def test_an_unknown_address_gets_the_same_answer_and_no_mail(sim, wire):
    assert await forgot(wire, sim, "nobody@example.com") == 204
    assert mails(sim) == []
    bad = await wire.request("POST", sim.urls["xcally"] + "/api/users/password/forgot", json_body={"email": 7})
    assert bad.status == 400 and set(bad.body) == {"message"}


async def test_the_link_expires_after_one_hour_and_a_new_request_replaces_it(sim, motion, wire):
    ada = await motion.user("ada.lovelace")
    await motion.ok("PUT", f"/users/{ada['id']}", {"email": "ada@example.com"})
    await forgot(wire, sim, "ada@example.com")
    first = mails(sim)[-1].response["link"]
    await sim.clock.sleep(3599)
    assert (await wire.request("GET", first)).status == 200
    await sim.clock.sleep(2)
    expired = await wire.request("POST", first, json_body={"password": NEW})
    assert expired.status == 400 and "expired" in expired.body["message"]
    await forgot(wire, sim, "ada@example.com")
    second = mails(sim)[-1].response["link"]
    await forgot(wire, sim, "ada@example.com")
    third = mails(sim)[-1].response["link"]
    assert len({first, second, third}) == 3
    assert (await wire.request("GET", second)).status == 400  # replaced by the third
    assert (await wire.request("POST", third, json_body={"password": NEW})).status == 200
    assert len(sim.faces["xcally"].reset_links) == 0  # nothing kept once used


async def test_a_user_with_role_user_recovers_its_password_too(sim, motion, wire):
    await motion.ok("POST", "/users", {"name": "sue", "password": PASSWORD, "role": "user",
                                       "email": "sue@example.com"}, status=201)
    await forgot(wire, sim, "sue@example.com")
    [mail] = mails(sim)
    assert mail.agent is None and mail.response["username"] == "sue"
    assert (await wire.request("POST", mail.response["link"], json_body={"password": NEW})).status == 200
    assert await sign_in(wire, sim, "sue", NEW) == 200


async def test_the_mail_is_read_from_the_admin_journal_with_its_link(sim, motion, wire, admin):
    bob = await motion.user("bob_smith")
    await motion.ok("PUT", f"/users/{bob['id']}", {"email": "bob@example.com"})
    await forgot(wire, sim, "bob@example.com")
    resp = await admin.get("/journal", face="xcally", kind="mail")
    [entry] = resp.body["entries"]
    assert (entry["op"], entry["agent"]) == ("password-recovery", "bob")
    link = entry["response"]["link"]  # not masked: it is how a test receives the mail
    assert (await wire.request("POST", link, json_body={"password": NEW})).status == 200
