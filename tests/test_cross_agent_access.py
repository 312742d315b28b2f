"""One agent's credentials cannot act on another agent, on any face: each face refuses with its
own error and the other agent's state, session and events stay as they were."""
from __future__ import annotations

import copy

import pytest

from motion import Motion, xcally_config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.core import VirtualClock
from ccsim.vendors.finesse.stomp.client import StompClient
from ccsim.vendors.huawei.client import OPS, SIGN_IN_OPS, HuaweiAgentClient
from test_finesse_face import App, finesse_config
from test_intermedia_face import BASIC, BEARER, intermedia_config
from test_nice_face import Client as NiceClient
from test_nice_face import client, signed_in  # noqa: F401  (fixture)
from test_nice_face import sim_config  # noqa: F401  (the NICE agents beside the Huawei ones)

PATH_ARGS = {"reason": 12, "autoflag": "true", "time": 60, "restcause": 1, "flag": "true", "callid": "1-1"}


async def started(cfg) -> Simulator:
    sim = Simulator(cfg, VirtualClock())
    await sim.start()
    return sim


async def test_huawei_a_guid_acts_only_for_the_agent_that_signed_in(sim, huawei):
    mine, theirs = huawei("291"), huawei("292")
    assert (await mine.sign_in("")).body["retcode"] == "0"
    assert (await theirs.sign_in("secret")).body["retcode"] == "0"
    before = (await theirs.call("agentstatus")).body
    intruder = HuaweiAgentClient(theirs.wire, theirs.base_url, "292")
    intruder.guid = mine.guid  # 291's session, on 292's URLs
    answers = {}
    for op in OPS:
        if op not in SIGN_IN_OPS:
            answers[op] = (await intruder.call(op, {}, **PATH_ARGS)).body["retcode"]
    assert set(answers.values()) == {"000-003"}, answers  # the Guid is not 292's
    cookie = {"Cookie": f"JSESSIONID={mine.guid}"}  # 291's session cookie cannot read 292's Guid either
    assert (await intruder.call("updateGuid", headers=cookie)).body["retcode"] == "000-003"
    assert (await intruder.sign_in("")).body["retcode"] != "0"  # 291's password is not 292's
    assert sim.faces["huawei"].gateway.sessions["292"].signed_in
    assert (await theirs.call("agentstatus")).body == before
    assert [e["eventType"] for e in await theirs.drain()] == ["AgentOther_InService", "AgentState_Ready"]


async def test_finesse_each_command_needs_the_agents_own_password_and_events_reach_only_its_topic(app_factory_of):
    sim, make = app_factory_of
    ada, alan = await make("ws1"), await make("ws2")
    await ada.sign_in("1001", "2001")
    await alan.send("Connect#1002", "ws2,pw")  # Ada's password, Alan's account
    assert (await alan.event())[1:4] == ["Error", "Connect", "SUBSCRIPTION_FAILED"]
    await alan.send("Login#1002", "pw,2002")
    assert (await alan.quiet()) and sim.faces["finesse"].model.connector.users["1002"].state == "LOGOUT"
    await alan.send("Connect#1001", "ws2,alan-pw")  # Alan's password, Ada's account
    assert (await alan.event())[3] == "SUBSCRIPTION_FAILED"
    await alan.send("Connect#1002", "ws2,alan-pw")
    await alan.send("Login#1002", "alan-pw,2002")
    assert [e[1] for e in await alan.events(2)] == ["AgentInfo", "State"]
    assert await ada.quiet(), "Alan's events reached Ada's topic"


async def test_finesse_a_desktop_sends_commands_only_for_the_agent_it_bound(app_factory_of):
    """MakeReady#1001, AnswerCall#1001... from a desktop bound to another agent, or bound to none,
    are refused (AUTHORIZATION_FAILURE, heard only by the sender) and change nothing of 1001's."""
    sim, make = app_factory_of
    ada, alan, stranger = await make("ws1"), await make("ws2"), await make("ws3")
    await ada.sign_in("1001", "2001")
    await alan.send("Connect#1002", "ws2,alan-pw")
    sim.world.inject("sales", caller="+15550100")
    dialog = (await ada.events(2))[1][4].split(":")[1]  # State RESERVED, NewInboundCall
    for jms_type, body in [("AnswerCall#1001", dialog), ("ReleaseCall#1001", dialog), ("MakeNotReady#1001", ""),
                           ("MakeReady#1001", ""), ("Logout#1001", ""), ("force_logout#1001", ""),
                           ("Login#1001", "pw,2001"), ("getqueuelist#1001", "")]:
        await alan.send(jms_type, body)
        assert (await alan.event())[:4] == ["1001", "Error", jms_type.split("#")[0], "AUTHORIZATION_FAILURE"]
        await stranger.send(jms_type, body)  # it bound nobody: it hears nothing, and nothing happens
    assert await stranger.quiet() and await ada.quiet(), "the refusals reached another desktop"
    assert sim.faces["finesse"].model.connector.users["1001"].state == "RESERVED"
    await ada.send("AnswerCall#1001", dialog)  # Ada's own desktop still can
    assert [e[1:3] for e in await ada.events(2)] == [["InboundCall", "ACTIVE"], ["State", "TALKING"]]
    # A new connection must bind again: Connect from it takes the agent over, the old one loses it.
    again = await make("ws1")
    await again.send("Connect#1001", "ws1,pw")
    await ada.send("HoldCall#1001", dialog)  # refused; its connection bound nobody now, so nobody hears it
    assert await again.quiet() and sim.faces["finesse"].model.connector.users["1001"].state == "TALKING"
    await again.send("HoldCall#1001", dialog)
    assert (await again.event())[1:3] == ["InboundCall", "HELD"]


async def test_finesse_commands_from_anyone_is_the_documented_opt_out():
    """faces.finesse.commands_from: anyone: the JMSType alone names the agent, as the connector's
    documents describe it; a desktop that bound nobody then changes 1001's state."""
    sim = await started(finesse_config(commands_from="anyone"))
    try:
        host, port = sim.urls["finesse"].removeprefix("stomp://").split(":")
        ada = App(await StompClient.connect(host, int(port), clock=sim.clock), "ws1")
        await ada.client.subscribe("/topic/ws1", id="events")
        await ada.sign_in("1001", "2001")
        stranger = App(await StompClient.connect(host, int(port), clock=sim.clock), "ws3")
        await stranger.send("MakeNotReady#1001")
        assert (await ada.event())[1:4] == ["State", "NOT_READY", "-1"]
    finally:
        await sim.stop()


async def test_nice_a_token_reaches_only_its_agents_sessions(client):
    ada, alan = await signed_in(client), await signed_in(client, "alan@example.com")
    intruder = NiceClient(ada.wire, ada.base)
    intruder.token, intruder.api, intruder.session = ada.token, ada.api, alan.session
    for path, params, method in [("state", {"state": "Unavailable"}, "POST"), ("get-next-event", None, "GET"),
                                 ("", None, "DELETE"), ("interactions/1/end", None, "POST")]:
        resp = await intruder.do(path, params, method)
        assert (resp.status, resp.body["error"]) == (404, "SessionNotFound"), (path, resp.status, resp.body)
    joined = await ada.call("POST", "agent-sessions/join", {"asAgentId": "7002"})
    assert joined.status == 403
    assert await alan.events() == []  # nothing of Alan's was consumed or changed
    assert (await alan.do("state", {"state": "Unavailable"})).status == 202
    assert await alan.events() == ["AgentState:Unavailable"]


async def test_xcally_basic_credentials_act_only_on_their_own_agent():
    sim = await started(xcally_config(tab_limit=2))
    try:
        async with WireClient(sim.clock) as wire:
            motion = Motion(wire, sim)
            ada = await motion.login("ada.lovelace")
            bob = (await motion.user("bob_smith"))["id"]
            for path, body in [(f"/users/{ada}/logout", {}), (f"/users/{ada}/pause", {"channel": "chat"}),
                               (f"/users/{ada}/login", {}), (f"/users/{ada}", None)]:
                method = "GET" if body is None else "POST"
                resp = await motion.call(method, path, body, as_agent="bob_smith")
                assert (resp.status, resp.body["message"]) == (403, "an agent may only act on itself"), path
            await motion.ok("POST", f"/users/{bob}/login", {}, as_agent="bob_smith")
            contact = sim.world.inject("front", channel="chat", caller="carla@example.com")
            await sim.clock.sleep(0)
            interaction = await motion.interaction("chat", contact.caller)
            assert interaction["UserId"] == ada
            iid = interaction["id"]
            closed = await motion.call("PUT", f"/chat/interactions/{iid}", {"closed": True}, as_agent="bob_smith")
            assert closed.status == 403 and "its own interactions" in closed.body["message"]
            wrote = await motion.call("POST", f"/chat/interactions/{iid}/messages", {"body": "hi", "direction": "out"},
                                      as_agent="bob_smith")
            assert wrote.status == 403
            taken = await motion.call("POST", f"/chat/interactions/{iid}/accept", {}, as_agent="bob_smith")
            assert taken.status == 409
            after = await motion.interaction("chat", contact.caller)
            assert (after["status"], after["UserId"], after["messages"]) == \
                (interaction["status"], ada, interaction["messages"])
            assert (await motion.call("PUT", f"/chat/interactions/{iid}", {"closed": True}, as_agent="ada.lovelace")
                    ).status == 200
    finally:
        await sim.stop()


async def test_intermedia_the_webhook_credential_and_the_api_token_open_only_their_own_doors():
    """Intermedia agents carry no credentials of their own: the integration's Basic pair posts the
    webhook and nothing else, HaloPSA's API token reads the API and cannot post the webhook, and a
    call is logged against the agent its webhook names."""
    sim = await started(intermedia_config())
    try:
        async with WireClient(sim.clock) as wire:
            base = sim.urls["intermedia"]
            body = ('{"CallID": "c1","AgentNumber": "+442070000001","AgentEmail": "","UserNumber": "+447700900123",'
                    '"RecordingUrl": ""}')
            assert (await wire.request("GET", base + "/api/CallLog", headers={"Authorization": BASIC})).status == 401
            assert (await wire.request("POST", base + "/api/notify/intermedia", data=body, headers=BEARER)).status == 401
            assert (await wire.request("POST", base + "/api/notify/intermedia", data=body,
                                       headers={"Authorization": BASIC})).status == 200
            [row] = (await wire.request("GET", base + "/api/CallLog", headers=BEARER)).body
            assert (row["agent_id"], row["third_party_id"]) == (1, "c1")  # Ann's Halo agent, no other
    finally:
        await sim.stop()


@pytest.fixture
async def app_factory_of():
    """A Finesse simulator where Alan's password differs from Ada's, and agent applications on it."""
    cfg = finesse_config()
    cfg.agents = copy.deepcopy(cfg.agents)  # the agents are test_finesse_face's own dicts: leave them alone
    next(a for a in cfg.agents if a["id"] == "1002")["finesse"]["password"] = "alan-pw"
    sim = await started(cfg)
    host, port = sim.urls["finesse"].removeprefix("stomp://").split(":")
    clients = []

    async def make(destination: str) -> App:
        client = await StompClient.connect(host, int(port), clock=sim.clock)
        await client.subscribe(f"/topic/{destination}", id="events")
        clients.append(client)
        return App(client, destination)

    try:
        yield sim, make
    finally:
        for client in clients:
            client.close()
        await sim.stop()

