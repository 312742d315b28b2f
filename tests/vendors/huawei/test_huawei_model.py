"""The Huawei model without HTTP: a Gateway over a World on the virtual clock, driven by method calls
as the wire adapter makes them, and the events, states and presences it leaves."""
from __future__ import annotations

import subprocess
import sys

import pytest

from ccsim.core import Agent, EndReason, Queue, VirtualClock, World
from ccsim.core.clock import TimerScope
from ccsim.vendors.huawei.model.gateway import FACE, Gateway
from ccsim.vendors.huawei.model.session import AgentState, LoginParams, Session
from ccsim.vendors.huawei.retcodes import HuaweiError
from ccsim.vendors.huawei.settings import HuaweiSettings


def make_gateway(**settings) -> tuple[World, Gateway]:
    clock = VirtualClock()
    world = World(clock, seed=3)
    world.add_queue(Queue("sales", "Sales", skills={"sales"}, faces={FACE: {"skill_id": 1}}))
    for agent_id, password in (("291", ""), ("292", "secret")):
        world.add_agent(Agent(agent_id, agent_id, skills={"sales"}, faces={FACE: {"password": password}}))
    gateway = Gateway(world, clock, TimerScope(clock), HuaweiSettings(**settings))
    # What HuaweiFace wires: it is the world's policy (delegating to the gateway) and hears contacts end.
    world.register_policy(FACE, gateway)
    world.bus.subscribe("contact.ended", gateway.contact_ended)
    return world, gateway


def params(password: str = "", *, status: int = 4, autoanswer: bool = False) -> LoginParams:
    return LoginParams(password=password, phonenum="", autoanswer=autoanswer, autoenteridle=True,
                       releasephone=True, agenttype=4, status=status, ip="127.0.0.1")


def drain(session: Session) -> list[str]:
    events = [e["eventType"] for e in session.events]
    session.events.clear()
    return events


def test_a_sign_in_queues_its_events_before_the_core_hears_the_state():
    world, gateway = make_gateway()
    session = gateway.sign_in("291", params(status=5), force=False)
    assert drain(session) == ["AgentOther_InService", "AgentState_Ready", "AgentState_Work"]
    assert session.state is AgentState.WORK and world.agents["291"].presence == "wrapup"
    assert gateway.session_for("291", session.guid) is session
    with pytest.raises(HuaweiError) as wrong_guid:
        gateway.session_for("291", "not-the-guid")
    with pytest.raises(HuaweiError) as not_signed_in:
        gateway.session_for("292", session.guid)
    assert (wrong_guid.value.retcode, not_signed_in.value.retcode) == ("000-003", "100-006")


def test_failed_sign_ins_lock_the_work_number_at_the_limit():
    _, gateway = make_gateway(lock_after_failed_logins=2)
    for expected in ("100-004", "100-004", "110-016"):
        with pytest.raises(HuaweiError) as refused:
            gateway.sign_in("292", params("wrong"), force=False)
        assert refused.value.retcode == expected
    assert gateway.locked == {"292"} and "292" not in gateway.sessions


def test_a_call_rings_is_answered_and_a_busy_asked_for_meanwhile_follows_it():
    world, gateway = make_gateway()
    session = gateway.sign_in("291", params(), force=False)
    drain(session)
    contact = world.inject("sales")
    assert "AgentEvent_Ringing" in drain(session) and world.agents["291"].presence == "ringing"
    gateway.calls.answer(session, None)
    assert drain(session) == ["AgentEvent_Talking"] and world.agents["291"].presence == "talking"
    gateway.states.say_busy(session, 201)
    assert drain(session) == [] and session.pending == ("busy", {"reason": "201"})
    world.end(contact.id, EndReason.CUSTOMER)
    assert drain(session) == ["AgentEvent_Customer_Release", "AgentEvent_Call_Release", "AgentOther_PhoneRelease",
                              "AgentState_SetNotReady_Success"]
    assert session.state is AgentState.BUSY and world.agents["291"].presence == "busy" and session.call is None


def test_a_reset_forgets_sessions_and_takes_the_settings_it_is_given():
    world, gateway = make_gateway()
    session = gateway.sign_in("291", params(), force=False)
    world.reset()
    gateway.reset(HuaweiSettings(success_message="success"))
    assert gateway.sessions == {} and not session.signed_in and not session.events
    assert gateway.settings.success_message == "success" and gateway.workno_of == {"291": "291", "292": "292"}


def test_the_model_loads_no_wire():
    """Importing the model (and what it imports) loads no aiohttp and nothing of ccsim's serving or clients."""
    code = ("import sys, ccsim.vendors.huawei.model.gateway; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'aiohttp' or m.startswith(('ccsim.serving', "
            "'ccsim.clients', 'ccsim.vendors.huawei.wire', 'ccsim.vendors.huawei.face'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "[]", out.stdout
