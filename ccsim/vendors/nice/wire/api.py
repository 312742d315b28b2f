"""The Agent API's resources: each (method, path under /services/vN.0/) and its handler.

Success is 202 for the asynchronous actions (their outcome arrives as events) and for start
and join (with {"sessionId"}); get-next-event answers 200 with events, 304 after its timeout,
409 once the session is over (reference §2.1; the 202s are INFERRED there)."""
from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from ....core import json_text
from ....serving.http_serving import client_gone, on_unread
from ....serving.journaling import OP, TYPES
from ....serving.routes import Route
from ..business_unit import business_unit
from ..errors import NiceError
from .call import NiceCall, reply

# ASCII only: "v٢٣.0" is no version, and no "ſ" stands for an "s" (re's Unicode case folding).
API_PREFIX = re.compile(r"^/incontactapi/services/v[0-9]+(?:\.[0-9]+)?/", re.IGNORECASE | re.ASCII)
MAX_POLL_SECONDS = 60


def _accepted(call: NiceCall, body: Any = None) -> web.Response:
    return reply(call.request, {} if body is None else body, 202)


# -- sessions ------------------------------------------------------------------------------------------
async def start_session(call: NiceCall) -> web.Response:
    station_id = str(call.params.get("stationId") or "")
    station_phone = str(call.params.get("stationPhoneNumber") or "")
    if not station_id and not station_phone:
        raise NiceError(400, "InvalidParameter", "stationId or stationPhoneNumber is required")
    api = call.sessions.start_session(call.agent_id, call.role, station_id, station_phone)
    return _accepted(call, {"sessionId": api.id})


async def join_session(call: NiceCall) -> web.Response:
    as_agent = str(call.params.get("asAgentId") or "")
    if as_agent and as_agent != call.accounts.agent_number(call.agent_id):
        raise NiceError(403, "Forbidden", "an agent can join only its own session")
    session = call.sessions.by_agent.get(call.agent_id)
    if session is None:
        raise NiceError(409, "NoSession", "the agent has no session to join (start one first)")
    api = call.sessions.start_session(call.agent_id, call.role, session.station_id, session.station_phone)
    return _accepted(call, {"sessionId": api.id})


async def end_session(call: NiceCall) -> web.Response:
    api = call.api_session()
    if api.ended:
        raise NiceError(409, "SessionEnded", "this agent session has already ended")
    call.flag("ignorePersonalQueue")
    call.contacts.end_session(api, force=call.flag("forceLogoff") or call.flag("forceLogOff"), end_contacts=call.flag("endContacts"))
    return _accepted(call)


async def get_next_event(call: NiceCall) -> web.StreamResponse:
    api = call.api_session()
    try:
        timeout = int(str(call.params.get("timeout", MAX_POLL_SECONDS)))
    except ValueError:
        timeout = -1
    if not 0 <= timeout <= MAX_POLL_SECONDS:
        raise NiceError(400, "InvalidParameter", f"timeout must be 0 to {MAX_POLL_SECONDS} seconds")
    if not api.events:
        if api.ended:  # every poll after the end says so (the SDK stops on 409)
            raise NiceError(409, "SessionEnded", "the agent session has ended")
        api.wake.clear()
        try:
            await call.face.clock.wait_for(api.wake.wait(), timeout)
        except TimeoutError:
            pass
    if not api.events or client_gone(call.request):  # nobody to hand them to: they wait for the next poll
        return reply(call.request, None, 304)
    events, api.events = api.events, []
    call.request[TYPES] = tuple(e["Type"] for e in events)
    on_unread(call.request, lambda: api.take_back(events))
    return reply(call.request, {"sessionId": api.id, "events": events}, 200)


# -- agent state -------------------------------------------------------------------------------------------
async def set_state(call: NiceCall) -> web.Response:
    session = call.agent_session()
    state, reason = str(call.params.get("state", "")), str(call.params.get("reason") or "")
    if state not in ("Available", "Unavailable"):
        raise NiceError(400, "InvalidParameter", "state must be Available or Unavailable")
    if state == "Unavailable" and reason and reason not in call.settings.unavailable_codes:
        raise NiceError(400, "InvalidParameter", f"{reason!r} is not an unavailable code "
                                                 f"({', '.join(call.settings.unavailable_codes)})")
    wanted = (state, reason if state == "Unavailable" else "")
    if session.in_progress() or session.acw:
        session.after_contact = wanted  # takes effect when the contacts are over
    else:
        call.sessions.set_state(session, *wanted)
    return _accepted(call)


# -- agent leg -----------------------------------------------------------------------------------------------
async def agent_phone(call: NiceCall) -> web.Response:
    session, action = call.agent_session(), call.ids["action"].lower()
    if action in ("dial", "end", "mute", "unmute"):
        call.request[OP] = f"agent-phone/{action}"
    if action == "dial":
        api = call.api_session()
        if api.role == "bar" and not call.settings.bar_can_dial_agent_leg:
            raise NiceError(403, "Forbidden", "the agent leg is connected from MAX, not from this client")
        call.contacts.dial_leg(session)
    elif action == "end":
        call.contacts.end_leg(session)
    elif action in ("mute", "unmute"):
        if session.leg_status != "Active":
            raise NiceError(409, "NoAgentLeg", "there is no active agent leg to mute")
        session.muted = action == "mute"
        call.sessions.emit(session, "Mute", AgentMuted=session.muted)
    else:
        raise NiceError(404, "NotFound", f"no agent-phone action {action!r}")
    return _accepted(call)


# -- interactions ---------------------------------------------------------------------------------------------
async def interaction(call: NiceCall) -> web.Response:
    session, action, target = call.agent_session(), call.ids["action"].lower(), call.ids["contact"]
    if action in ("accept", "reject", "hold", "resume", "end", "disposition"):
        call.request[OP] = f"interactions/{action}"
    if action == "accept":
        call.contacts.accept(session, target, by_bar=call.api_session().role == "bar")
    elif action == "reject":
        contact = call.contacts.contact(session, target)
        if contact.status != "Incoming":
            raise NiceError(409, "InvalidState", f"contact {target} is {contact.status}, not Incoming")
        call.contacts.refuse(session, contact)
    elif action in ("hold", "resume"):
        call.contacts.hold(session, target, holding=action == "hold")
    elif action == "end":
        call.contacts.end_contact(session, call.contacts.contact(session, target))
    elif action == "disposition":
        contact = call.contacts.contact(session, target)
        disposition = str(call.params.get("primaryDispositionId") or "")
        if not disposition:
            raise NiceError(400, "InvalidParameter", "primaryDispositionId is required")
        if disposition not in call.settings.disposition_ids:
            raise NiceError(400, "InvalidParameter", f"unknown disposition {disposition}")
        if contact.status != "Disconnected" or contact.final:
            raise NiceError(409, "InvalidState", "a disposition is set during after-call work")
        call.contacts.finish(session, contact)
    else:
        raise NiceError(404, "NotFound", f"no interaction action {action!r}")
    return _accepted(call)


async def dial_phone(call: NiceCall) -> web.Response:
    session = call.agent_session()
    number = str(call.params.get("phoneNumber") or "")
    if not re.fullmatch(r"\+?[0-9*#]{1,30}", number):
        raise NiceError(400, "InvalidParameter", "phoneNumber is required: digits, * or #")
    if not str(call.params.get("skillId") or ""):
        raise NiceError(400, "InvalidParameter", "skillId is required")
    call.contacts.dial_out(session, number, str(call.params["skillId"]))
    return _accepted(call)


# -- client data (MAX settings: AutoAccept) --------------------------------------------------------------------
async def get_client_data(call: NiceCall) -> web.Response:
    agent_id = _own_agent(call)
    data = {"AutoAccept": call.accounts.auto_accept_of(agent_id), **call.accounts.client_data.get(agent_id, {})}
    return reply(call.request, {"Data": json.dumps(data)}, 200)


async def put_client_data(call: NiceCall) -> web.Response:
    agent_id = _own_agent(call)
    raw = call.params.get("dataSet")
    try:
        data = json_text.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise NiceError(400, "InvalidParameter", "dataSet must be a JSON object (as a string)")
    call.accounts.client_data.setdefault(agent_id, {}).update(data)
    session = call.sessions.by_agent.get(agent_id)
    if session is not None and "AutoAccept" in data:
        session.auto_accept = bool(data["AutoAccept"])
    return _accepted(call)


# -- what the agent SDK reads at start-up (reference §5.2) ------------------------------------------------------
async def get_business_unit(call: NiceCall) -> web.Response:
    return reply(call.request, {"businessUnits": [business_unit(call.settings)]}, 200)


async def get_agent_indicators(call: NiceCall) -> web.Response:
    """The agent's indicators (icons a script lights in MAX): ccsim's scripts light none (INFERRED)."""
    wanted = call.ids["agent"]
    if not re.fullmatch(r"[0-9]+", wanted):  # the SDK sends "undefined" before it knows the agent
        raise NiceError(400, "InvalidParameter", f"agentId must be a number, not {wanted!r}")
    if wanted != call.accounts.agent_number(call.agent_id):
        raise NiceError(403, "Forbidden", "an agent can read only its own indicators")
    return reply(call.request, {"indicators": []}, 200)


def _own_agent(call: NiceCall) -> str:
    wanted = str(call.params.get("agentId") or call.accounts.agent_number(call.agent_id))
    if wanted != call.accounts.agent_number(call.agent_id):
        raise NiceError(403, "Forbidden", "an agent can read and change only its own client data")
    return call.agent_id


# In the order they are tried (the first whose path and method match wins; a wrong method is 404).
# The face builds its RouteTable from API_ROUTES when it starts, so that a mutant may replace it.
API_ROUTES: tuple[Route, ...] = (
    Route("POST", "agent-sessions", "start-session", start_session),
    Route("POST", "agent-sessions/join", "join-session", join_session),
    Route("DELETE", "agent-sessions/{session}", "end-session", end_session),
    Route("GET", "agent-sessions/{session}/get-next-event", "get-next-event", get_next_event),
    Route("POST", "agent-sessions/{session}/state", "set-state", set_state),
    Route("POST", "agent-sessions/{session}/agent-phone/{action}", "agent-phone", agent_phone),
    Route("POST", "agent-sessions/{session}/interactions/{contact}/{action}", "interaction", interaction),
    Route("POST", "agent-sessions/{session}/dial-phone", "dial-phone", dial_phone),
    Route("GET", "agents/client-data", "get-client-data", get_client_data),
    Route("PUT", "agents/client-data", "put-client-data", put_client_data),
    Route("GET", "business-unit", "get-business-unit", get_business_unit),
    Route("GET", "agents/{agent}/indicators", "get-agent-indicators", get_agent_indicators),
)
