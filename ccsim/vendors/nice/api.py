"""The Agent API's resources: each (method, path under /services/vN.0/) and its handler.

Success is 202 for the asynchronous actions (their outcome arrives as events) and for start
and join (with {"sessionId"}); get-next-event answers 200 with events, 304 after its timeout,
409 once the session is over (reference §2.1; the 202s are INFERRED there)."""
from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ...serving.http_serving import client_gone, on_unread
from ...serving.journaling import OP, TYPES
from .business_unit import business_unit
from .platform import NiceError
from ...core import json_text

if TYPE_CHECKING:
    from .face import Call, NiceFace

MAX_POLL_SECONDS = 60
ROUTES: list[tuple[str, re.Pattern[str], str, Any]] = []


def route(method: str, template: str, op: str):
    pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$", re.IGNORECASE)

    def register(fn):
        ROUTES.append((method, pattern, op, fn))
        return fn

    return register


def _accepted(face: "NiceFace", call: "Call", body: Any = None) -> web.Response:
    return face.reply(call.request, {} if body is None else body, 202)


# -- sessions ------------------------------------------------------------------------------------------
@route("POST", "agent-sessions", "start-session")
async def start_session(face: "NiceFace", call: "Call") -> web.Response:
    station_id = str(call.params.get("stationId") or "")
    station_phone = str(call.params.get("stationPhoneNumber") or "")
    if not station_id and not station_phone:
        raise NiceError(400, "InvalidParameter", "stationId or stationPhoneNumber is required")
    api = face.start_session(call.agent_id, call.role, station_id, station_phone)
    return _accepted(face, call, {"sessionId": api.id})


@route("POST", "agent-sessions/join", "join-session")
async def join_session(face: "NiceFace", call: "Call") -> web.Response:
    as_agent = str(call.params.get("asAgentId") or "")
    if as_agent and as_agent != face.agent_number(call.agent_id):
        raise NiceError(403, "Forbidden", "an agent can join only its own session")
    session = face.sessions.get(call.agent_id)
    if session is None:
        raise NiceError(409, "NoSession", "the agent has no session to join (start one first)")
    api = face.start_session(call.agent_id, call.role, session.station_id, session.station_phone)
    return _accepted(face, call, {"sessionId": api.id})


@route("DELETE", "agent-sessions/{session}", "end-session")
async def end_session(face: "NiceFace", call: "Call") -> web.Response:
    api = face.api_session(call)
    if api.ended:
        raise NiceError(409, "SessionEnded", "this agent session has already ended")
    call.flag("ignorePersonalQueue")
    face.end_session(api, force=call.flag("forceLogoff") or call.flag("forceLogOff"), end_contacts=call.flag("endContacts"))
    return _accepted(face, call)


@route("GET", "agent-sessions/{session}/get-next-event", "get-next-event")
async def get_next_event(face: "NiceFace", call: "Call") -> web.StreamResponse:
    api = face.api_session(call)
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
            await face.clock.wait_for(api.wake.wait(), timeout)
        except TimeoutError:
            pass
    if not api.events or client_gone(call.request):  # nobody to hand them to: they wait for the next poll
        return face.reply(call.request, None, 304)
    events, api.events = api.events, []
    call.request[TYPES] = tuple(e["Type"] for e in events)
    on_unread(call.request, lambda: api.take_back(events))
    return face.reply(call.request, {"sessionId": api.id, "events": events}, 200)


# -- agent state -------------------------------------------------------------------------------------------
@route("POST", "agent-sessions/{session}/state", "set-state")
async def set_state(face: "NiceFace", call: "Call") -> web.Response:
    session = face.agent_session(call)
    state, reason = str(call.params.get("state", "")), str(call.params.get("reason") or "")
    if state not in ("Available", "Unavailable"):
        raise NiceError(400, "InvalidParameter", "state must be Available or Unavailable")
    if state == "Unavailable" and reason and reason not in face.settings.unavailable_codes:
        raise NiceError(400, "InvalidParameter", f"{reason!r} is not an unavailable code "
                                                 f"({', '.join(face.settings.unavailable_codes)})")
    wanted = (state, reason if state == "Unavailable" else "")
    if session.in_progress() or session.acw:
        session.after_contact = wanted  # takes effect when the contacts are over
    else:
        face.set_state(session, *wanted)
    return _accepted(face, call)


# -- agent leg -----------------------------------------------------------------------------------------------
@route("POST", "agent-sessions/{session}/agent-phone/{action}", "agent-phone")
async def agent_phone(face: "NiceFace", call: "Call") -> web.Response:
    session, action = face.agent_session(call), call.ids["action"].lower()
    if action in ("dial", "end", "mute", "unmute"):
        call.request[OP] = f"agent-phone/{action}"
    if action == "dial":
        api = face.api_session(call)
        if api.role == "bar" and not face.settings.bar_can_dial_agent_leg:
            raise NiceError(403, "Forbidden", "the agent leg is connected from MAX, not from this client")
        face.dial_leg(session)
    elif action == "end":
        face.end_leg(session)
    elif action in ("mute", "unmute"):
        if session.leg_status != "Active":
            raise NiceError(409, "NoAgentLeg", "there is no active agent leg to mute")
        session.muted = action == "mute"
        face.emit(session, "Mute", AgentMuted=session.muted)
    else:
        raise NiceError(404, "NotFound", f"no agent-phone action {action!r}")
    return _accepted(face, call)


# -- interactions ---------------------------------------------------------------------------------------------
@route("POST", "agent-sessions/{session}/interactions/{contact}/{action}", "interaction")
async def interaction(face: "NiceFace", call: "Call") -> web.Response:
    session, action, target = face.agent_session(call), call.ids["action"].lower(), call.ids["contact"]
    if action in ("accept", "reject", "hold", "resume", "end", "disposition"):
        call.request[OP] = f"interactions/{action}"
    if action == "accept":
        face.accept(session, target, by_bar=face.api_session(call).role == "bar")
    elif action == "reject":
        contact = face._contact(session, target)
        if contact.status != "Incoming":
            raise NiceError(409, "InvalidState", f"contact {target} is {contact.status}, not Incoming")
        face.refuse(session, contact)
    elif action in ("hold", "resume"):
        face.hold(session, target, holding=action == "hold")
    elif action == "end":
        face.end_contact(session, face._contact(session, target))
    elif action == "disposition":
        contact = face._contact(session, target)
        disposition = str(call.params.get("primaryDispositionId") or "")
        if not disposition:
            raise NiceError(400, "InvalidParameter", "primaryDispositionId is required")
        if disposition not in face.settings.disposition_ids:
            raise NiceError(400, "InvalidParameter", f"unknown disposition {disposition}")
        if contact.status != "Disconnected" or contact.final:
            raise NiceError(409, "InvalidState", "a disposition is set during after-call work")
        face.finish(session, contact)
    else:
        raise NiceError(404, "NotFound", f"no interaction action {action!r}")
    return _accepted(face, call)


@route("POST", "agent-sessions/{session}/dial-phone", "dial-phone")
async def dial_phone(face: "NiceFace", call: "Call") -> web.Response:
    session = face.agent_session(call)
    number = str(call.params.get("phoneNumber") or "")
    if not re.fullmatch(r"\+?[0-9*#]{1,30}", number):
        raise NiceError(400, "InvalidParameter", "phoneNumber is required: digits, * or #")
    if not str(call.params.get("skillId") or ""):
        raise NiceError(400, "InvalidParameter", "skillId is required")
    face.dial_out(session, number, str(call.params["skillId"]))
    return _accepted(face, call)


# -- client data (MAX settings: AutoAccept) --------------------------------------------------------------------
@route("GET", "agents/client-data", "get-client-data")
async def get_client_data(face: "NiceFace", call: "Call") -> web.Response:
    agent_id = _own_agent(face, call)
    data = {"AutoAccept": face.auto_accept_of(agent_id), **face.client_data.get(agent_id, {})}
    return face.reply(call.request, {"Data": json.dumps(data)}, 200)


@route("PUT", "agents/client-data", "put-client-data")
async def put_client_data(face: "NiceFace", call: "Call") -> web.Response:
    agent_id = _own_agent(face, call)
    raw = call.params.get("dataSet")
    try:
        data = json_text.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise NiceError(400, "InvalidParameter", "dataSet must be a JSON object (as a string)")
    face.client_data.setdefault(agent_id, {}).update(data)
    session = face.sessions.get(agent_id)
    if session is not None and "AutoAccept" in data:
        session.auto_accept = bool(data["AutoAccept"])
    return _accepted(face, call)


# -- what the agent SDK reads at start-up (reference §5.2) ------------------------------------------------------
@route("GET", "business-unit", "get-business-unit")
async def get_business_unit(face: "NiceFace", call: "Call") -> web.Response:
    return face.reply(call.request, {"businessUnits": [business_unit(face.settings)]}, 200)


@route("GET", "agents/{agent}/indicators", "get-agent-indicators")
async def get_agent_indicators(face: "NiceFace", call: "Call") -> web.Response:
    """The agent's indicators (icons a script lights in MAX): ccsim's scripts light none (INFERRED)."""
    wanted = call.ids["agent"]
    if not re.fullmatch(r"[0-9]+", wanted):  # the SDK sends "undefined" before it knows the agent
        raise NiceError(400, "InvalidParameter", f"agentId must be a number, not {wanted!r}")
    if wanted != face.agent_number(call.agent_id):
        raise NiceError(403, "Forbidden", "an agent can read only its own indicators")
    return face.reply(call.request, {"indicators": []}, 200)


def _own_agent(face: "NiceFace", call: "Call") -> str:
    wanted = str(call.params.get("agentId") or face.agent_number(call.agent_id))
    if wanted != face.agent_number(call.agent_id):
        raise NiceError(403, "Forbidden", "an agent can read and change only its own client data")
    return call.agent_id
