"""The XCALLY face's other wires and its robustness: the phonebar's remote control on its own
port, socket.io notifications to a real socket.io client, and bad input of every kind."""
from __future__ import annotations

import asyncio
import json
import logging

import pytest
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support.xcally import PASSWORD, Motion, xcally_config
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.contracts.emitted import journal_violations
from ccsim.core import RealClock


@pytest.fixture
def sim_config() -> config.Config:
    return xcally_config()


@pytest.fixture
def motion(sim: Simulator, wire: WireClient) -> Motion:
    return Motion(wire, sim)


# -- the phonebar's remote control ------------------------------------------------------------------------------
async def test_originate_on_the_phonebar_port_starts_a_call_visible_in_calls(sim, motion, wire):
    ada = await motion.login("ada.lovelace")
    port = (await motion.user("ada.lovelace"))["phoneBarRemoteControlPort"]
    assert sim.faces["xcally"].phonebar_urls[ada].endswith(f":{port}")
    phonebar = f"http://127.0.0.1:{port}/api"
    started = await wire.request("GET", f"{phonebar}/originate/5551234")
    assert started.status == 200 and started.body["number"] == "5551234"
    calls = (await wire.request("GET", f"{phonebar}/calls")).body
    assert [(c["number"], c["direction"], c["status"]) for c in calls] == [("5551234", "out", 4)]  # ALERTING
    await sim.clock.sleep(3)
    assert [c["status"] for c in (await wire.request("GET", f"{phonebar}/calls")).body] == [8]  # ACTIVE
    assert (await wire.request("GET", f"{phonebar}/hold")).body["status"] == 64  # HOLDING
    assert (await wire.request("GET", f"{phonebar}/hold")).body["status"] == 8
    assert (await wire.request("GET", f"{phonebar}/hangup/{started.body['sessionId']}")).status == 200
    assert (await wire.request("GET", f"{phonebar}/calls")).body == []
    assert (await wire.request("GET", f"{phonebar}/originate/not-a-number")).status == 400
    assert (await wire.request("GET", f"{phonebar}/answer")).status == 404


async def test_an_incoming_call_rings_on_the_phonebar_and_is_answered_there(sim, motion, wire, admin):
    await motion.login("ada.lovelace")
    phonebar = f"http://127.0.0.1:{(await motion.user('ada.lovelace'))['phoneBarRemoteControlPort']}/api"
    contact = await admin.inject("lines", caller="+15550100")
    [call] = (await wire.request("GET", f"{phonebar}/calls")).body
    assert (call["number"], call["direction"], call["status"]) == ("+15550100", "in", 32)  # INCOMING
    rt = (await motion.ok("GET", "/realtime/agents", channel="voice", name="ada.lovelace"))["rows"][0]
    assert rt["voiceStatus"] == "ringing"
    assert (await wire.request("GET", f"{phonebar}/answer/{call['sessionId']}")).body["status"] == 8
    assert (await admin.agent("ada"))["presence"] == "talking"
    assert (await admin.get(f"/contacts/{contact['id']}")).body["state"] == "connected"


async def test_remote_control_follows_the_agent_setting(sim, motion, wire):
    bob = await motion.user("bob_smith")
    assert bob["id"] not in sim.faces["xcally"].phonebar_urls
    updated = await motion.ok("PUT", f"/users/{bob['id']}", {"phoneBarRemoteControl": True})
    calls = await wire.request("GET", f"http://127.0.0.1:{updated['phoneBarRemoteControlPort']}/api/calls")
    assert (calls.status, calls.body) == (200, [])
    await motion.ok("PUT", f"/users/{bob['id']}", {"phoneBarRemoteControl": False})
    assert bob["id"] not in sim.faces["xcally"].phonebar_urls


# -- bad input ----------------------------------------------------------------------------------------------
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=12), children, max_size=3),
    max_leaves=8,
)
_fields = st.sampled_from(["name", "password", "email", "internal", "typology", "chatCapacity", "chatAutoanswer",
                           "phoneBarRemoteControlPort", "locked", "closed", "disposition", "ids", "timeout",
                           "failoverQueueId", "strategy", "channel", "pauseType", "UserId", "body",
                           "interactionTabsLimit", "role", "agentsPermission", "queueIds", "telephone", "hotdesk",
                           "transport", "nat", "allow", "callGroup", "host", "mobilePushGateway", "phoneBarExpires",
                           "permissions", "description", "alias"])
_segments = st.sampled_from(["users", "1", "2", "999", "²", "-1", "chat", "mail", "voice", "queues", "interactions",
                             "accept", "reject", "messages", "login", "logout", "pause", "unpause", "reports",
                             "queue", "member", "realtime", "agents", "settings", "x", "teams", "export", "telephones",
                             "password", "forgot", "reset"])
_queries = st.dictionaries(st.sampled_from(["limit", "offset", "page", "sort", "fields", "nolimit", "channel", "name",
                                            "UserId", "ids"]),
                           st.sampled_from(["", "0", "-1", "2", "abc", "-id", "UserId", "name,id", "true", "²"]),
                           max_size=3)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(_segments, min_size=1, max_size=4), method=st.sampled_from(["GET", "PUT", "POST", "DELETE"]),
       body=st.dictionaries(_fields, _json_values, max_size=4) | _json_values, query=_queries,
       as_agent=st.sampled_from([None, "bob_smith", "sue"]))
async def test_fuzzed_requests_get_a_message_never_a_5xx(motion, path, method, body, query, as_agent):
    if as_agent == "sue" and not (await motion.ok("GET", "/users", name="sue"))["count"]:  # a user with role user
        await motion.ok("POST", "/users", {"name": "sue", "password": PASSWORD, "role": "user", "agentsPermission": True,
                                           "queueIds": [1]}, status=201)
    resp = await motion.call(method, "/" + "/".join(path), raw=json.dumps(body).encode(), as_agent=as_agent, **query)
    assert resp.status < 500
    if resp.status >= 400:
        assert isinstance(resp.body, dict) and resp.body["message"], resp.body
    elif resp.status not in (204,) and not resp.header("Content-Type").startswith("text/csv"):
        assert isinstance(resp.body, (dict, list)), resp.body


async def test_broken_json_and_oversize_bodies_are_refused(motion):
    ada = await motion.user("ada.lovelace")
    broken = await motion.call("PUT", f"/users/{ada['id']}", raw=b"{nope")
    assert broken.status == 400 and "JSON" in broken.body["message"]
    huge = await motion.call("POST", "/users", raw=b"x" * (2 * 1024 * 1024))
    assert huge.status == 413 and huge.body["message"]
    assert (await motion.user("ada.lovelace")) == ada  # nothing changed


# -- socket.io notifications ---------------------------------------------------------------------------------------
async def test_an_agent_web_client_gets_offers_over_socketio_and_accepts_or_rejects_them():
    """A real socket.io client (python-socketio) on a real clock, as the Motion web client."""
    sim = Simulator(xcally_config(), RealClock())
    await sim.start()
    received: asyncio.Queue = asyncio.Queue()
    client = socketio.AsyncClient()
    for kind in ("offer", "accepted", "revoked", "closed"):
        client.on(f"interaction:{kind}", lambda body, kind=kind: received.put_nowait((kind, body)))
    try:
        with pytest.raises(socketio.exceptions.ConnectionError):
            await socketio.AsyncClient().connect(sim.urls["xcally"], auth={"username": "bob_smith", "password": "no"},
                                                 transports=["websocket"], wait_timeout=5)
        await client.connect(sim.urls["xcally"], auth={"username": "bob_smith", "password": PASSWORD},
                             transports=["websocket"], wait_timeout=5)
        async with WireClient() as wire:
            motion = Motion(wire, sim)
            await motion.login("bob_smith")
            sim.world.inject("desk", channel="mail", caller="first@example.com")
            kind, offer = await asyncio.wait_for(received.get(), 5)
            assert (kind, offer["channel"], offer["contact"]) == ("offer", "mail", "first@example.com")
            assert await client.call("interaction:accept", {"channel": "mail", "id": offer["id"]}, timeout=5) == {"ok": True}
            assert await asyncio.wait_for(received.get(), 5) == ("accepted", offer)
            assert (await motion.ok("GET", f"/mail/interactions/{offer['id']}"))["status"] == "open"

            sim.world.inject("desk", channel="mail", caller="second@example.com")
            kind, second = await asyncio.wait_for(received.get(), 5)
            assert await client.call("interaction:reject", {"channel": "mail", "id": second["id"]}, timeout=5) == {"ok": True}
            refused = await client.call("interaction:accept", {"channel": "mail", "id": second["id"]}, timeout=5)
            assert refused["ok"] is False and refused["status"] == 409
            assert (await motion.ok("GET", f"/mail/interactions/{second['id']}"))["status"] == "queued"
    finally:
        await client.disconnect()
        await sim.stop()
    assert not journal_violations(sim.journal)


async def test_an_unknown_socketio_session_is_a_400_and_no_error_in_the_log(sim, wire, caplog):
    url = sim.urls["xcally"] + "/socket.io/?EIO=4&transport=polling&sid=no-such-session"
    with caplog.at_level(logging.INFO):
        resp = await wire.request("GET", url)
    assert resp.status == 400
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.records
