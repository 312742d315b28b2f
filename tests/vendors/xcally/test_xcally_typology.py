"""What an XCALLY agent's typology changes (seed 001, "Agent Typology"), over the REST and
phonebar wires: a Phonebar agent acts from its phonebar and the web interface reflects it; an
External agent with Hot Desk picks a registered telephone at login; WebRTC and Mobile clients
register only with a matching configuration; only a Phonebar agent has a phonebar."""
from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from support.xcally import PASSWORD, Motion, xcally_config
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.contracts.emitted import journal_violations
from ccsim.core import VirtualClock

TELEPHONES = [{"internal": "2001", "name": "Desk 1"}, {"internal": "2002"}, {"internal": "2009", "registered": False}]


@pytest.fixture
def sim_config() -> config.Config:
    return xcally_config()


@pytest.fixture
async def hot_desk() -> AsyncIterator[Motion]:
    """A simulator whose configuration has telephones (Staff -> Telephones) to choose from."""
    sim = Simulator(xcally_config(telephones=TELEPHONES), VirtualClock())
    await sim.start()
    try:
        async with WireClient(sim.clock) as client:
            yield Motion(client, sim)
    finally:
        await sim.stop()
    assert not journal_violations(sim.journal)


@pytest.fixture
def motion(sim: Simulator, wire: WireClient) -> Motion:
    return Motion(wire, sim)


async def create(motion: Motion, name: str, **fields: Any) -> dict[str, Any]:
    return await motion.ok("POST", "/users", {"name": name, "password": PASSWORD, **fields}, status=201)


async def realtime(motion: Motion, name: str, channel: str = "voice") -> dict[str, Any]:
    return (await motion.ok("GET", "/realtime/agents", channel=channel, name=name))["rows"][0]


# -- Phonebar -------------------------------------------------------------------------------------------------------
async def test_a_phonebar_agent_acts_from_the_phonebar_and_the_web_interface_reflects_it(sim, motion, wire):
    ada = await motion.user("ada.lovelace")  # typology phonebar (the default), remote control on
    bar = sim.faces["xcally"].phonebar_urls[ada["id"]] + "/api"
    logged = await wire.request("GET", f"{bar}/login")
    assert logged.status == 200 and logged.body == {"username": "ada.lovelace", "online": True, "voiceStatus": "idle",
                                                    "pauseType": None}
    assert (await motion.ok("GET", f"/users/{ada['id']}"))["online"] is True
    paused = await wire.request("GET", f"{bar}/pause/Lunch")
    assert (paused.status, paused.body["voiceStatus"], paused.body["pauseType"]) == (200, "pause", "Lunch")
    row = await realtime(motion, "ada.lovelace")
    assert (row["voiceStatus"], row["pauseType"]) == ("pause", "Lunch")
    assert (await realtime(motion, "ada.lovelace", "chat"))["chatStatus"] == "idle"  # the phonebar is voice
    [pause] = (await motion.ok("GET", "/reports/member", membername="ada.lovelace", type="PAUSE"))["rows"]
    assert (pause["channel"], pause["data1"], pause["exitAt"]) == ("voice", "Lunch", None)
    again = await wire.request("GET", f"{bar}/pause")
    assert again.status == 409 and "already paused" in again.body["message"]
    assert (await wire.request("GET", f"{bar}/unpause")).body["voiceStatus"] == "idle"
    assert (await realtime(motion, "ada.lovelace"))["voiceStatus"] == "idle"
    assert (await wire.request("GET", f"{bar}/logout")).body["online"] is False
    assert (await realtime(motion, "ada.lovelace"))["voiceStatus"] == "unavailable"
    assert (await wire.request("GET", f"{bar}/logout")).status == 409


async def test_only_a_phonebar_agent_has_a_phonebar(sim, motion, wire):
    face = sim.faces["xcally"]
    web = await create(motion, "wendy", typology="webrtc", phoneBarRemoteControl=True)
    assert web["id"] not in face.phonebar_urls  # a WebRTC agent has the bar in its browser
    switched = await motion.ok("PUT", f"/users/{web['id']}", {"typology": "phonebar", "transport": "udp"})
    bar = face.phonebar_urls[web["id"]]
    assert bar.endswith(f":{switched['phoneBarRemoteControlPort']}")
    assert (await wire.request("GET", bar + "/api/calls")).status == 200
    await motion.ok("PUT", f"/users/{web['id']}", {"typology": "external"})
    assert web["id"] not in face.phonebar_urls
    ada = await motion.user("ada.lovelace")
    await motion.ok("PUT", f"/users/{ada['id']}", {"typology": "mobile"})
    assert ada["id"] not in face.phonebar_urls


# -- registration: the typology must match the client configuration ---------------------------------------------------
async def test_a_client_that_cannot_register_with_the_transport_cannot_log_in(motion):
    web = await create(motion, "wes", typology="webrtc", transport="udp,tcp")
    refused = await motion.call("POST", f"/users/{web['id']}/login", {}, as_agent="wes")
    assert refused.status == 409 and "needs transport ws or wss" in refused.body["message"]
    assert (await realtime(motion, "wes"))["online"] is False
    await motion.ok("PUT", f"/users/{web['id']}", {"transport": "wss"})
    await motion.ok("POST", f"/users/{web['id']}/login", {}, as_agent="wes")
    bar = await create(motion, "pat", transport="wss")
    refused = await motion.call("POST", f"/users/{bar['id']}/login", {}, as_agent="pat")
    assert refused.status == 409 and "udp or tcp or tls" in refused.body["message"]
    follows = await create(motion, "flo")  # transport never set: it follows the typology
    changed = await motion.ok("PUT", f"/users/{follows['id']}", {"typology": "webrtc"})
    assert changed["transport"] == "wss"
    await motion.ok("POST", f"/users/{follows['id']}/login", {}, as_agent="flo")


async def test_a_mobile_agent_needs_its_push_gateway_and_the_license_feature(motion):
    mob = await create(motion, "mia", typology="mobile")
    refused = await motion.call("POST", f"/users/{mob['id']}/login", {}, as_agent="mia")
    assert refused.status == 409 and "mobilePushGateway" in refused.body["message"]
    await motion.ok("PUT", f"/users/{mob['id']}", {"mobilePushGateway": "203.0.113.5:5060"})
    await motion.ok("POST", f"/users/{mob['id']}/login", {}, as_agent="mia")


async def test_without_the_mobile_feature_typology_mobile_is_refused():
    sim = Simulator(xcally_config(mobile_feature=False))
    await sim.start()
    try:
        async with WireClient() as client:
            motion = Motion(client, sim)
            refused = await motion.call("POST", "/users", {"name": "mo", "password": PASSWORD, "typology": "mobile"})
            bob = await motion.user("bob_smith")
            changed = await motion.call("PUT", f"/users/{bob['id']}", {"typology": "mobile"})
        assert refused.status == 400 and "Mobile feature" in refused.body["message"]
        assert changed.status == 400 and bob["typology"] == "phonebar"
    finally:
        await sim.stop()


# -- External with Hot Desk ------------------------------------------------------------------------------------------
async def test_an_external_agent_with_hot_desk_picks_a_registered_telephone_at_login(hot_desk):
    motion = hot_desk
    eve = await create(motion, "eve", typology="external", hotdesk=True)
    ext = await create(motion, "ezra", typology="external", hotdesk=True)
    login = f"/users/{eve['id']}/login"
    unchosen = await motion.call("POST", login, {}, as_agent="eve")
    assert unchosen.status == 400 and "2001, 2002" in unchosen.body["message"]  # the registered ones
    unregistered = await motion.call("POST", login, {"telephone": "2009"}, as_agent="eve")
    assert unregistered.status == 400 and "not a registered telephone" in unregistered.body["message"]
    await motion.ok("POST", login, {"telephone": "2001"}, as_agent="eve")
    assert (await realtime(motion, "eve"))["telephone"] == "2001"
    phones = (await motion.ok("GET", "/telephones", as_agent="ezra"))["rows"]
    assert [(p["internal"], p["UserId"]) for p in phones] == [("2001", eve["id"]), ("2002", None), ("2009", None)]
    taken = await motion.call("POST", f"/users/{ext['id']}/login", {"telephone": "2001"}, as_agent="ezra")
    assert taken.status == 409 and "in use" in taken.body["message"]
    assert (await realtime(motion, "ezra"))["online"] is False
    await motion.ok("POST", f"/users/{eve['id']}/logout", {}, as_agent="eve")
    assert (await realtime(motion, "eve"))["telephone"] is None
    await motion.ok("POST", f"/users/{ext['id']}/login", {"telephone": "2001"}, as_agent="ezra")


async def test_only_an_external_agent_with_hot_desk_chooses_a_telephone(hot_desk):
    motion = hot_desk
    plain = await create(motion, "pete", typology="external")
    refused = await motion.call("POST", f"/users/{plain['id']}/login", {"telephone": "2001"}, as_agent="pete")
    assert refused.status == 400 and "hotdesk" in refused.body["message"]
    await motion.ok("POST", f"/users/{plain['id']}/login", {}, as_agent="pete")
    assert (await realtime(motion, "pete"))["telephone"] == plain["internal"]  # its own extension
