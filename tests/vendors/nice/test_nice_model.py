"""The NICE CXone model on its own: Accounts, Sessions and Contacts over a bare World and a virtual
clock, with no listener and no HTTP. A token, a session, a call offered and accepted in MAX; the
events are what every client sharing the session would be told."""
from __future__ import annotations

import pytest

from ccsim.core import Agent, Queue, VirtualClock, World
from ccsim.core.clock import TimerScope
from ccsim.vendors.nice.errors import NiceError
from ccsim.vendors.nice.model.accounts import Accounts, AgentNumberError
from ccsim.vendors.nice.model.contacts import Contacts
from ccsim.vendors.nice.model.sessions import Sessions
from ccsim.vendors.nice.settings import NiceSettings

ADA = {"username": "Ada@example.com", "password": "pw", "auto_accept": False}


def platform(**ada) -> tuple[World, Accounts, Sessions, Contacts]:
    world = World(VirtualClock(), seed=3)
    world.add_queue(Queue("sales", "Sales", skills={"sales"}))
    world.add_agent(Agent("7001", "Ada", skills={"sales"}, faces={"nice": {**ADA, **ada}}))
    settings = NiceSettings()
    accounts = Accounts(world, settings)
    sessions = Sessions(world, TimerScope(world.clock), settings, accounts, "nice")
    contacts = Contacts(world, TimerScope(world.clock), settings, sessions)
    world.register_policy("nice", contacts)
    world.bus.subscribe("contact.ended", lambda e: contacts.customer_left(e.contact or ""))
    return world, accounts, sessions, contacts


def told(api) -> list[str]:
    kinds = [e["Type"] + (f":{e['Status']}" if "Status" in e else "") for e in api.events]
    api.events.clear()
    return kinds


async def test_a_token_a_session_and_a_call_accepted_in_max_with_no_http():
    world, accounts, sessions, contacts = platform()
    assert accounts.password_grant("ada@example.com", "nope", "") is None
    grant = accounts.password_grant("ada@example.com", "pw", "")
    assert grant == ("7001", "max")
    access, refresh = accounts.issue(*grant)
    assert accounts.check(access) == grant and accounts.refresh_grant(refresh) == grant
    with pytest.raises(NiceError) as refused:
        accounts.check(refresh)  # a refresh token is no bearer token
    assert refused.value.status == 401

    api = sessions.start_session("7001", "max", "", "WebRTC")
    assert told(api) == ["AgentSessionStart", "AgentState"]
    session = sessions.by_agent["7001"]
    sessions.set_state(session, "Available")
    world.inject("sales", caller="+15550100")
    assert told(api) == ["AgentState", "CallContactEvent:Incoming", "AgentState", "AgentLeg:Dialing"]
    contacts.accept(session, session.leg_id)  # auto-accept off: the agent accepts in MAX
    assert told(api) == ["AgentLeg:Active", "CallContactEvent:Active"]
    assert world.agents["7001"].presence == "talking"
    assert "60" not in api.id + session.leg_id + next(iter(session.contacts))


async def test_an_agent_number_the_sdk_would_rewrite_is_refused():
    with pytest.raises(AgentNumberError, match="without \"60\""):
        platform(agent_id="7060")
    _, accounts, _, _ = platform(agent_id="7050")
    assert accounts.agent_number("7001") == "7050"
