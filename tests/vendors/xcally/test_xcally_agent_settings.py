"""XCALLY agents over the REST wire: every setting of Motion's agent form (seed 001: Account,
Voice, Motion Phonebar Settings, Motion WebRTC Settings, Permissions) is stored, validated with
Motion's {message} 400 and returned; and Login in Pause."""
from __future__ import annotations

import copy
from typing import Any

import pytest

from support.xcally import PASSWORD, Motion, xcally_config
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.vendors.xcally import agent_settings
from ccsim.vendors.xcally import fields as f

# A value other than the default, valid, for every setting of the table.
CHANGED: dict[str, Any] = {
    "alias": "Agent Smith", "description": "night shift", "voicemail": True, "privacyEnabled": True,
    "hotdesk": True, "mobilePushGateway": "push.example.com:5060", "transport": "tls,tcp", "host": "10.0.0.7",
    "nat": "no", "type": "peer", "allow": "opus,g722,alaw", "callerid": '"Sales" <4001>', "context": "from-agents",
    "callGroup": "1,3-5", "pickupGroup": "63", "chanSpy": True, "videosupport": "yes",
    "recordingToUserExtension": "wav49", "encryption": "yes", "phoneBarEnableSettings": False,
    "phoneBarRingInUse": True, "phoneBarEnableRecording": True, "phoneBarEnableDtmfTone": True, "phoneBarDnd": False,
    "phoneBarUnansweredCallBadge": False, "phoneBarEnableJaws": True, "phoneBarEnableScreenRecordingByAgent": True,
    "phoneBarEnableAutomaticScreenRecording": False, "phoneBarExpires": 600, "phoneBarListenPort": 5170,
    "phoneBarPort": 5061, "phoneBarUnconditional": True, "autoAnswerNotification": True,
    "ignoreBreakStatusForPreviewCalls": True, "wssPort": 8443, "allowmessenger": False,
    "messengerSoundNotification": True, "prefixRequired": True, "selectRecallMeCampaign": True,
    "rescheduleHopperCalls": True, "downloadAttachments": False, "downloadOmnichannelInteractions": False,
    "downloadVoiceRecordings": False, "permissions": "voice,chat",
}


@pytest.fixture
def sim_config() -> config.Config:
    return xcally_config()


@pytest.fixture
def motion(sim: Simulator, wire: WireClient) -> Motion:
    return Motion(wire, sim)


async def create(motion: Motion, name: str, **fields: Any) -> dict[str, Any]:
    return await motion.ok("POST", "/users", {"name": name, "password": PASSWORD, **fields}, status=201)


# -- stored, validated, returned ---------------------------------------------------------------------------------
def test_the_table_covers_every_setting_the_brief_names():
    # Ring in Use and DND during pause change routing: they are fields.py's, as auto answer is
    assert set(CHANGED) == {*agent_settings.BY_KEY, f.RING_IN_USE, f.DND_DURING_PAUSE}
    # every value differs from its default (the two screen recordings cannot both be on)
    assert [s.key for s in agent_settings.SETTINGS if CHANGED[s.key] == s.default] == [
        "phoneBarEnableAutomaticScreenRecording"]
    assert (CHANGED[f.RING_IN_USE], CHANGED[f.DND_DURING_PAUSE]) == (True, False)  # defaults False, True


async def test_a_new_agent_gets_the_defaults_of_seed_001(motion):
    agent = await create(motion, "nia")
    expected = {**agent_settings.defaults(), "transport": "udp,tcp", f.RING_IN_USE: False, f.DND_DURING_PAUSE: True}
    assert {k: agent[k] for k in expected} == expected
    assert (agent["context"], agent["phoneBarExpires"], agent["phoneBarListenPort"], agent["phoneBarPort"],
            agent["phoneBarDnd"], agent["phoneBarRemoteControlPort"]) == ("from-sip", 3600, 5160, 5060, True, 9888)
    webrtc = await create(motion, "web", typology="webrtc")
    assert webrtc["transport"] == "wss"  # the WebRTC bar's default (seed 001, Voice)


async def test_every_setting_is_stored_and_returned_on_create_update_and_list(motion):
    created = await create(motion, "ola", **CHANGED)
    assert {k: created[k] for k in CHANGED} == CHANGED
    other = await create(motion, "pia")
    updated = await motion.ok("PUT", f"/users/{other['id']}", CHANGED)
    assert {k: updated[k] for k in CHANGED} == CHANGED
    read = await motion.ok("GET", f"/users/{other['id']}")
    assert {k: read[k] for k in CHANGED} == CHANGED
    row = (await motion.ok("GET", "/users", name="pia", fields=",".join(CHANGED)))["rows"][0]
    assert row == CHANGED


async def test_settings_come_from_the_configuration_too():
    cfg = xcally_config()
    cfg.agents = copy.deepcopy(cfg.agents)  # support/xcally.py's own dicts: leave them alone
    next(a for a in cfg.agents if a["id"] == "bob")["xcally"].update(alias="Bobby", phoneBarDnd=False, allow="opus")
    sim = Simulator(cfg)
    await sim.start()
    try:
        async with WireClient() as client:
            bob = await Motion(client, sim).user("bob_smith")
        assert (bob["alias"], bob["phoneBarDnd"], bob["allow"]) == ("Bobby", False, "opus")
    finally:
        await sim.stop()


@pytest.mark.parametrize("key, value, message", [
    ("alias", 7, "alias must be a string"), ("alias", "a" * 256, "at most 255"),
    ("voicemail", "yes", "true or false"), ("privacyEnabled", None, "true or false"),
    ("transport", "udp,udp", "each once"), ("transport", "sctp", "one or more of udp, tcp, tls, ws, wss"),
    ("transport", "", "one or more"), ("host", "my-pc", "dynamic or an IP"), ("nat", "maybe", "nat must be"),
    ("type", "Friend", "one of friend, user, peer"), ("allow", "g711", "allow must be"),
    ("context", "from sip", "letters, digits"), ("callGroup", "64", "0-63"), ("callGroup", "5-3", "0-63"),
    ("videosupport", True, "must be a string"), ("recordingToUserExtension", "waw", "inactive, wav"),
    ("encryption", "no thanks", "yes, no"), ("phoneBarExpires", 0, "from 1 to 86400"),
    ("phoneBarExpires", 3600.5, "from 1 to 86400"), ("phoneBarListenPort", 70000, "from 1 to 65535"),
    ("phoneBarPort", "5060", "from 1 to 65535"), ("wssPort", True, "from 1 to 65535"),
    ("mobilePushGateway", "push.example.com", "host:port"), ("permissions", "voice,telex", "permissions must be"),
    ("phoneBarRingInUse", 1, "true or false"), ("downloadVoiceRecordings", "false", "true or false"),
])
async def test_a_wrong_value_is_a_400_with_a_message_and_changes_nothing(motion, key, value, message):
    agent = await create(motion, "quin")
    resp = await motion.call("PUT", f"/users/{agent['id']}", {key: value, "alias": "changed?"} if key != "alias"
                             else {key: value})
    assert resp.status == 400 and key in resp.body["message"] and message in resp.body["message"], resp.body
    assert set(resp.body) == {"message"}
    assert await motion.ok("GET", f"/users/{agent['id']}") == agent
    created = await motion.call("POST", "/users", {"name": "rex", "password": PASSWORD, key: value})
    assert created.status == 400 and key in created.body["message"]


async def test_the_two_screen_recordings_are_mutually_exclusive(motion):
    both = {"phoneBarEnableScreenRecordingByAgent": True, "phoneBarEnableAutomaticScreenRecording": True}
    refused = await motion.call("POST", "/users", {"name": "sam", "password": PASSWORD, **both})
    assert refused.status == 400 and "mutually exclusive" in refused.body["message"]
    agent = await create(motion, "sam", phoneBarEnableScreenRecordingByAgent=True)
    second = await motion.call("PUT", f"/users/{agent['id']}", {"phoneBarEnableAutomaticScreenRecording": True})
    assert second.status == 400 and "mutually exclusive" in second.body["message"]
    switched = await motion.ok("PUT", f"/users/{agent['id']}", {"phoneBarEnableScreenRecordingByAgent": False,
                                                                 "phoneBarEnableAutomaticScreenRecording": True})
    assert (switched["phoneBarEnableScreenRecordingByAgent"], switched["phoneBarEnableAutomaticScreenRecording"]) == \
        (False, True)


# -- Login in Pause --------------------------------------------------------------------------------------------------
async def test_an_agent_with_login_in_pause_starts_paused_on_every_channel_with_the_default_pause(motion):
    agent = await create(motion, "tia", loginInPause=True)
    await motion.ok("POST", f"/users/{agent['id']}/login", {}, as_agent="tia")
    for channel in ("voice", "chat", "mail", "whatsapp"):
        row = (await motion.ok("GET", "/realtime/agents", channel=channel, name="tia"))["rows"][0]
        assert (row[f"{channel}Status"], row["pauseType"]) == ("pause", "DEFAULT PAUSE"), row
    pauses = (await motion.ok("GET", "/reports/member", membername="tia", type="PAUSE"))["rows"]
    assert len(pauses) == 7 and {p["data1"] for p in pauses} == {"DEFAULT PAUSE"}


async def test_the_login_pause_type_is_a_setting():
    sim = Simulator(xcally_config(login_pause_type="Login break"))
    await sim.start()
    try:
        async with WireClient() as client:
            motion = Motion(client, sim)
            agent = await create(motion, "uma", loginInPause=True)
            await motion.ok("POST", f"/users/{agent['id']}/login", {}, as_agent="uma")
            row = (await motion.ok("GET", "/realtime/agents", channel="chat", name="uma"))["rows"][0]
        assert row["pauseType"] == "Login break"
    finally:
        await sim.stop()
