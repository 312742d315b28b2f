"""The Finesse face end to end: JMS commands over the embedded STOMP endpoint, events on the
client's topic. Every event the face publishes is checked against contracts/finesse by the
conftest fixture (the journal check)."""
from __future__ import annotations

import asyncio
import copy
import threading
from collections.abc import AsyncIterator

import pytest
import stomp

from conftest import TEST_CONFIG
from ccsim import config
from ccsim.app import Simulator
from ccsim.core import Match, RealClock
from ccsim.vendors.finesse.stomp.client import StompClient

FINESSE_AGENTS = [
    {"id": "1001", "name": "Ada Lovelace", "skills": ["sales"], "finesse": {"password": "pw", "extension": "2001"}},
    {"id": "1002", "name": "Alan Turing", "skills": ["sales"], "finesse": {"password": "pw", "extension": "2002"}},
    {"id": "1003", "name": "Edsger Dijkstra", "skills": ["sales"],
     "finesse": {"password": "pw", "extension": "2003", "wrap_up_mode": "REQUIRED"}},
    {"id": "9001", "name": "Grace Hopper", "skills": ["sales"],
     "finesse": {"password": "pw", "extension": "2901", "supervisor": True, "teams": ["1"]}},
]


def finesse_config(**settings):
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += FINESSE_AGENTS
    data["faces"]["finesse"] = {"phonebooks": [{"id": "7", "name": "Partners", "type": "GLOBAL", "contacts": [
        {"id": "1", "firstName": "Bob", "lastName": "Lee", "phoneNumber": "5550001", "description": "Supplier"}]}],
        **settings}
    return config.from_mapping(data, "tests")


@pytest.fixture
def sim_config():
    return finesse_config()


class App:
    """An agent application: one STOMP connection, its own topic, commands to the queue."""

    def __init__(self, client: StompClient, destination: str):
        self.client, self.destination = client, destination

    async def send(self, jms_type: str, body: str = "") -> None:
        await self.client.send("/queue/Connector1", body, {"type": jms_type}, receipt=True)

    async def event(self, timeout: float = 30) -> list[str]:
        frame = await self.client.next_message(timeout)
        assert frame.get("content-length") is None and frame.get("type") is None  # a JMS TextMessage, JMSType null
        return frame.body.decode().split("#")

    async def events(self, n: int) -> list[list[str]]:
        return [await self.event() for _ in range(n)]

    async def quiet(self, seconds: float = 5) -> bool:
        try:
            await self.client.next_message(seconds)
        except TimeoutError:
            return True
        return False

    async def answered_call(self, admin, agent: str, **contact) -> str:
        """A customer call rings for `agent` (already READY) and is answered; its dialog id."""
        await admin.inject("sales", **contact)
        dialog = (await self.events(2))[1][4].split(":")[1]
        await self.send(f"AnswerCall#{agent}", dialog)
        await self.events(2)
        return dialog

    async def sign_in(self, agent: str, extension: str, ready: bool = True) -> None:
        await self.send(f"Connect#{agent}", f"{self.destination},pw")
        await self.send(f"Login#{agent}", f"pw,{extension}")
        assert [e[1] for e in await self.events(2)] == ["AgentInfo", "State"]
        if ready:
            await self.send(f"MakeReady#{agent}")
            assert (await self.event())[2] == "READY"


@pytest.fixture
async def app_factory(sim) -> AsyncIterator:
    clients = []
    host, port = sim.urls["finesse"].removeprefix("stomp://").split(":")

    async def make(destination: str) -> App:
        client = await StompClient.connect(host, int(port), clock=sim.clock)
        await client.subscribe(f"/topic/{destination}", id="events")
        clients.append(client)
        return App(client, destination)

    yield make
    for client in clients:
        client.close()


async def test_hello_connect_mobile_login(app_factory):
    app = await app_factory("ws1")
    await app.send("Hello#ws1")
    assert await app.event() == ["ws1", "IN_SERVICE"]
    await app.send("Connect#1001", "ws1,pw")
    await app.send("MOBILEAGENTLOGIN#1001", "pw,2001,5551234,true")
    info, state, status = await app.events(3)
    assert info[:5] == ["1001", "AgentInfo", "Ada", "Lovelace", "False"]
    assert state[1:4] == ["State", "NOT_READY", "-1"] and state[8:10] == ["1001", "2001"]
    assert status[1:4] == ["DialogStatus", "CALL_BY_CALL", "5551234"]


@pytest.mark.parametrize("jms_type, body, code", [
    ("MOBILEAGENTLOGIN#1001", ",2001,5551234,true", "MISSING_PASSWORD"),
    ("MOBILEAGENTLOGIN#1001", "pw,,5551234,true", "MISSING_EXTENSION"),
    ("MOBILEAGENTLOGIN#1001", "pw,2999,5551234,true", "WRONG_EXTENSION"),
    ("MOBILEAGENTLOGIN#1001", "pw,2001,5551234,maybe", "GENERAL_ERROR"),
    ("Login#1001", "nope,2001", "CF_INVALID_PASSWORD_SPECIFIED"),
    ("AnswerCall#1001", "", "MISSING_DIALOG_ID"),
    ("AnswerCall#1001", "123", "INVALID_DIALOG_ID"),
    ("MakeReady#1001", "", "INVALID_STATE"),
    ("Frobnicate#1001", "x", "GENERAL_ERROR"),
])
async def test_bad_commands_get_error_events(app_factory, jms_type, body, code):
    app = await app_factory("ws1")
    await app.send("Connect#1001", "ws1,pw")
    await app.send(jms_type, body)
    error = await app.event()
    assert error[1] == "Error" and error[3] == code


async def test_unknown_user_and_failed_connect(app_factory, sim):
    app = await app_factory("ws1")
    await app.send("Connect#5555", "ws1,pw")
    assert (await app.event())[1:4] == ["Error", "Connect", "SUBSCRIPTION_FAILED"]
    await app.send("Connect#1001", "ws1,wrong")
    assert (await app.event())[3] == "SUBSCRIPTION_FAILED"
    # Not bound: this connection may not send 1001's commands (commands_from: bound_connection);
    # the Error reaches nobody, since the connection bound no agent.
    await app.send("Login#1001", "pw,2001")
    assert await app.quiet()
    assert sim.world.agents["1001"].presence == "offline"
    error = sim.journal.query(Match(face="finesse", op="Error"))[-1].response
    assert error["destination"] is None and error["tokens"][:4] == ["1001", "Error", "Login", "AUTHORIZATION_FAILURE"]


async def test_inbound_call_answer_hold_retrieve_release(app_factory, admin, sim):
    app = await app_factory("ws1")
    await app.sign_in("1001", "2001")
    contact = await admin.inject("sales", caller="+15550100", data={"callVariable1": "vip"})
    reserved, ringing = await app.events(2)
    assert reserved[2] == "RESERVED"
    assert ringing[1:4] == ["NewInboundCall", "+15550100", "callVariable1=vip"]
    dialog = ringing[4].split(":")[1]
    for command, call_state, agent_state in [("AnswerCall", "ACTIVE", "TALKING"), ("HoldCall", "HELD", "HOLD"),
                                             ("RetrieveCall", "ACTIVE", "TALKING"), ("ReleaseCall", "DROPPED", "READY")]:
        await app.send(f"{command}#1001", dialog)
        call, state = await app.events(2)
        assert call[1:4] == ["InboundCall", call_state, f"dialogId:{dialog}"] and state[2] == agent_state, command
    assert sim.world.contacts[contact["id"]].end_reason.value == "agent"


async def test_customer_hang_up_and_an_unanswered_call(app_factory, admin, sim):
    app = await app_factory("ws1")
    await app.sign_in("1001", "2001")
    contact = await admin.inject("sales")
    dialog = (await app.events(2))[1][4].split(":")[1]
    await app.send("AnswerCall#1001", dialog)
    await app.events(2)
    await admin.hangup(contact["id"])
    dropped, state = await app.events(2)
    assert dropped[2] == "DROPPED" and state[2] == "READY"
    await admin.inject("sales")
    await app.events(2)
    await sim.clock.sleep(21)  # nobody answers: NOT_READY with 32767 "Call Not Answered"
    dropped, state = await app.events(2)
    assert dropped[2] == "DROPPED" and state[2:4] == ["NOT_READY", "32767"]


async def test_not_ready_during_a_call_is_pending(app_factory, admin):
    app = await app_factory("ws1")
    await app.sign_in("1001", "2001")
    dialog = await app.answered_call(admin, "1001")
    await app.send("MakeNotReadyWithReason#1001", "2")
    pending = await app.event()
    assert pending[2] == "TALKING" and pending[5] == "NOT_READY"
    await app.send("ReleaseCall#1001", dialog)
    assert (await app.events(2))[1][2:4] == ["NOT_READY", "2"]
    await app.send("MakeNotReadyWithReason#1001", "99")
    assert (await app.event())[3] == "CF_INVALID_AGENT_REASON_CODE"


async def test_wrap_up_required(app_factory, admin, sim):
    app = await app_factory("ws3")
    await app.sign_in("1003", "2003")
    dialog = await app.answered_call(admin, "1003")
    await app.send("ReleaseCall#1003", dialog)
    assert (await app.events(2))[1][2] == "WORK_READY"
    await sim.clock.sleep(61)
    assert (await app.event())[2] == "READY"  # the wrap-up timer


async def test_logout_rules_and_force_logout(app_factory):
    app = await app_factory("ws1")
    await app.sign_in("1001", "2001")
    await app.send("Logout#1001")  # UCCE: only from NOT_READY
    assert (await app.event())[3] == "INVALID_STATE"
    await app.send("MakeNotReady#1001")
    assert (await app.event())[2:4] == ["NOT_READY", "-1"]
    await app.send("logoutwithreason#1001", "11")
    assert (await app.event())[2:4] == ["LOGOUT", "11"]
    await app.sign_in("1001", "2001")
    await app.send("force_logout#1001")
    assert (await app.event())[2:4] == ["LOGOUT", "20002"]


async def test_force_logout_of_a_ringing_agent_gives_the_call_to_someone_else(app_factory, admin, sim):
    # Found by `ccsim check --face finesse`: the call went back to the queue while the agent was
    # still READY, rang it again, and stayed with it after it was signed out.
    app = await app_factory("ws1")
    await app.sign_in("1001", "2001")
    contact = await admin.inject("sales")
    await app.events(2)  # RESERVED, NewInboundCall
    await app.send("force_logout#1001")
    dropped, not_ready, logout = await app.events(3)
    assert dropped[1:3] == ["InboundCall", "DROPPED"] and not_ready[2] == "NOT_READY" and logout[2:4] == ["LOGOUT", "20002"]
    assert sim.world.contacts[contact["id"]].agent != "1001"
    assert not sim.faces["finesse"].model.connector.users["1001"].dialogs


async def test_consult_then_transfer(app_factory, admin, sim):
    first, second = await app_factory("ws1"), await app_factory("ws2")
    await first.sign_in("1001", "2001")
    await second.sign_in("1002", "2002", ready=False)
    main = await first.answered_call(admin, "1001")
    await second.send("MakeReady#1002")
    await second.event()
    await first.send("ConsultCall#1001", f"2002,{main}")
    held, hold_state, consult = await first.events(3)
    assert held[2] == "HELD" and hold_state[2] == "HOLD" and consult[1:3] == ["ConsultCall", "INITIATED"]
    consult_id = consult[3].split(":")[1]
    reserved, ringing = await second.events(2)
    assert ringing[1] == "NewInboundCall" and ringing[4] == f"dialogId:{consult_id}"
    await second.send("AnswerCall#1002", consult_id)
    await second.events(2)
    assert (await first.event())[1:3] == ["ConsultCall", "ACTIVE"]
    await first.send("TransferCall#1001", f"2002,{main}")
    assert [e[1:3] for e in await first.events(3)] == [["InboundCall", "DROPPED"], ["ConsultCall", "DROPPED"],
                                                      ["State", "READY"]]
    assert [e[1:3] for e in await second.events(3)] == [["InboundCall", "ACTIVE"], ["State", "TALKING"],
                                                       ["InboundCall", "DROPPED"]]
    [contact] = sim.world.contacts.values()
    assert contact.agent == "1002"


async def test_conference_and_supervisor_barge_in(app_factory, admin):
    first, second, supervisor = await app_factory("ws1"), await app_factory("ws2"), await app_factory("ws9")
    await supervisor.sign_in("9001", "2901", ready=False)
    await first.sign_in("1001", "2001")
    await second.sign_in("1002", "2002", ready=False)
    main = await first.answered_call(admin, "1001")
    await second.send("MakeReady#1002")
    await second.event()
    await first.send("ConsultCall#1001", f"2002,{main}")
    consult_id = (await first.events(3))[2][3].split(":")[1]
    await second.events(2)
    await second.send("AnswerCall#1002", consult_id)
    await second.events(2)
    await first.event()
    await first.send("ConferenceCall#1001", f"2002,{main}")
    events = await first.events(3)
    conference = [e for e in events if e[1] == "InboundCall"][0]
    assert conference[2] == "ACTIVE" and conference[9].count("ACTIVE") == 3
    # Team members' State events reached the supervisor all along.
    seen = supervisor.client.drain()
    assert any(f.body.decode().split("#")[8] == "1001" for f in seen)
    await supervisor.send("bargein#9001", f"2901,{main}")
    barge = [e for e in await supervisor.events(2) if e[1] == "InboundCall"][0]
    assert "SUPERVISOR_BARGE_IN" in barge[9]


async def test_outbound_call_and_queries(app_factory):
    app = await app_factory("ws1")
    await app.sign_in("1001", "2001", ready=False)
    await app.send("MakeCall#1001", "5557777")
    initiated, talking = await app.events(2)
    assert initiated[1:3] == ["InboundCall", "INITIATED"] and talking[2] == "TALKING"
    assert (await app.event())[2] == "ACTIVE"  # the far end answered
    for command, body, name in [("reasoncodenotready#1001", "", "ReasonCodes"), ("getqueuelist#1001", "", "QueueList"),
                                ("GetPhonebooks#1001", "", "Phonebooks"), ("GetPhonebookContacts#1001", "7", "PhonebookContacts"),
                                ("GETSKILLGROPU#1001", "", "SkillGroups"), ("GETSUPERVISOR#1001", "", "Supervisors"),
                                ("getteamusers#1001", "1,true", "TeamUsersList"), ("GetTeamPhonebooks#1001", "1", "TeamPhoneBooks")]:
        await app.send(command, body)
        assert (await app.event())[1] == name, command
    await app.send("GetPhonebookContacts#1001", "404")
    assert (await app.event())[2] == "NoContactFound"


async def test_preview_callbacks_and_reclassify(app_factory, admin):
    app = await app_factory("ws1")
    await app.sign_in("1001", "2001")
    await admin.inject("sales", data={"preview": True})
    reserved, ringing = await app.events(2)
    assert reserved[2] == "RESERVED_OUTBOUND_PREVIEW"
    dialog = ringing[4].split(":")[1]
    await app.send("UPDATECALLBACK#1001", f"2001,{dialog},2026-03-07T14:30,5551234")
    assert (await app.event())[3] == "INVALID_STATE"  # nothing scheduled yet
    await app.send("SHCEDULECALLBACK#1001", f"2001,{dialog},2026-03-07T14:30,5551234")
    assert (await app.event())[1:3] == ["Control", "CALLBACK_SCHEDULED"]
    await app.send("RECLASSIFYCALL#1001", f"2001,{dialog},FAX")
    assert (await app.event())[2] == "RECLASSIFIED"
    await app.send("CANCELSHCEDULECALLBACK#1001", f"2001,{dialog}")
    assert (await app.event())[2] == "CALLBACK_CANCELLED"
    await app.send("RejectOutboundPreview#1001", f"{dialog},REJECT")
    dropped, state = await app.events(2)
    assert dropped[2] == "DROPPED" and state[2] == "READY"


@pytest.fixture
def real_time_config():
    return finesse_config()


async def test_a_stomp_py_client_logs_in_as_the_checks_describe(real_time_config):
    """stomp.py (thread-based, as real JMS-over-STOMP clients are) against `ccsim serve`-like
    real time: MOBILEAGENTLOGIN#1001 after Hello and Connect gives AgentInfo and State."""
    sim = Simulator(real_time_config, RealClock())
    await sim.start()
    try:
        host, port = sim.urls["finesse"].removeprefix("stomp://").split(":")
        received, done = [], threading.Event()

        class Listener(stomp.ConnectionListener):
            def on_message(self, frame):
                received.append(frame)
                if len(received) >= 4:
                    done.set()

        def client() -> None:
            conn = stomp.Connection([(host, int(port))], auto_content_length=False)
            conn.set_listener("app", Listener())
            conn.connect(wait=True)
            conn.subscribe("/topic/ws1", id="events", ack="auto")
            conn.send("/queue/Connector1", "", headers={"type": "Hello#ws1"})
            conn.send("/queue/Connector1", "ws1,pw", headers={"type": "Connect#1001"})
            conn.send("/queue/Connector1", "pw,2001,5551234,true", headers={"type": "MOBILEAGENTLOGIN#1001"})
            done.wait(10)
            conn.disconnect()

        await asyncio.to_thread(client)
        bodies = [f.body.split("#")[1] for f in received]
        assert bodies == ["IN_SERVICE", "AgentInfo", "State", "DialogStatus"]
        assert all("content-length" not in f.headers and "type" not in f.headers for f in received)
    finally:
        await sim.stop()


async def test_injected_faults_out_of_service_errors_and_delays(app_factory, admin, sim):
    app = await app_factory("ws1")
    await admin.post("/faults", {"face": "finesse", "op": "Hello", "error": "OUT_OF_SERVICE", "times": 1})
    await app.send("Hello#ws1")
    assert await app.event() == ["ws1", "OUT_OF_SERVICE"]
    await app.send("Hello#ws1")
    assert await app.event() == ["ws1", "IN_SERVICE"]  # the fault was used up
    await admin.post("/faults", {"face": "finesse", "op": "Login", "error": "CF_RESOURCE_BUSY", "times": 1})
    await app.send("Connect#1001", "ws1,pw")
    await app.send("Login#1001", "pw,2001")
    assert (await app.event())[1:4] == ["Error", "Login", "CF_RESOURCE_BUSY"]
    await admin.post("/faults", {"face": "finesse", "op": "Login", "delay": 30, "times": 1})
    start = sim.clock.now()
    await app.send("Login#1001", "pw,2001")
    assert (await app.event(timeout=60))[1] == "AgentInfo" and sim.clock.now() - start == pytest.approx(30)
    assert (await admin.post("/faults", {"face": "finesse", "error": "oops"})).status == 400
