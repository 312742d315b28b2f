"""Huawei HTTP routes under /agentgateway/resource: ROUTES, and a module-level handler per operation.

The face serves ROUTES through one catch-all (serving/routes.install): paths compare without case,
`//` collapses, a trailing `/` goes, unknown query parameters are ignored. Each handler gets the
request as a HuaweiCall (dispatch.py) and answers the envelope; a HuaweiError it raises becomes
the error envelope.
"""
from __future__ import annotations

from typing import Any

from ....serving.http_serving import client_gone, on_unread
from ....serving.journaling import TYPES
from ....serving.routes import Handler, Route
from ..envelope import as_bool, as_int, as_str, envelope
from ..model.session import AgentState, Session
from ..retcodes import HuaweiError
from .dispatch import HuaweiCall
from .login import parse_login

PREFIX = "/agentgateway/resource/"


# -- sign-in and sign-out ----------------------------------------------------------------------
async def _login(call: HuaweiCall, *, phone_required: bool, force: bool) -> dict[str, Any]:
    # forcelogin's releasephone defaults to false (the zh page); the others' to true.
    releasephone_default = not (force and phone_required)
    params = parse_login(call.body("100-001"), phone_required=phone_required, releasephone_default=releasephone_default)
    session = call.gateway.sign_in(call.workno, params, force=force)
    session.cookie = session.guid
    call.headers["Set-GUID"] = f"JSESSIONID={session.guid}"
    call.headers["Set-Cookie"] = f"JSESSIONID={session.cookie}; Path=/; HttpOnly"
    return call.ok(call.gateway.login_result(session))


async def login(call: HuaweiCall):
    return await _login(call, phone_required=True, force=False)


async def loginex(call: HuaweiCall):
    return await _login(call, phone_required=False, force=False)


async def forcelogin(call: HuaweiCall):
    return await _login(call, phone_required=True, force=True)


async def forceloginex(call: HuaweiCall):
    return await _login(call, phone_required=False, force=True)


def _signed_in_session(call: HuaweiCall) -> Session:
    """For sign-out: 100-008 when the session has just ended (its events not yet polled)."""
    closing = call.gateway.sessions.get(call.workno)
    if closing is not None and not closing.signed_in and closing.guid_valid(call.guid):
        raise HuaweiError("100-008")
    return call.session()


async def logout(call: HuaweiCall):
    call.gateway.sign_out(_signed_in_session(call), force=False)
    return call.ok()


async def forcelogout(call: HuaweiCall):
    call.gateway.sign_out(_signed_in_session(call), force=True)
    return call.ok()


async def forcelogout_with_reason(call: HuaweiCall):
    reason = call.params["reason"]
    if not (reason.isascii() and reason.isdigit()) or len(reason) > 3 or not 1 <= int(reason) <= 255:
        raise HuaweiError("100-005", "reason must be 1-255.")
    call.gateway.sign_out(_signed_in_session(call), force=True)
    return call.ok()


async def resetskill(call: HuaweiCall):
    session = call.session()
    ids = [s for s in call.request.query.get("skillid", "").split(";") if s]
    call.gateway.states.reset_skills(session, call.params["autoflag"].lower() == "true", ids)
    return envelope(message=call.gateway.settings.success_message, with_result=False)


# -- agent state ------------------------------------------------------------------------------
async def sayfree(call: HuaweiCall):
    call.gateway.states.say_free(call.session())
    return call.ok()


async def cancelbusy(call: HuaweiCall):
    call.gateway.states.cancel_busy(call.session())
    return call.ok()


async def cancelrest(call: HuaweiCall):
    call.gateway.states.cancel_rest(call.session())
    return call.ok()


async def work(call: HuaweiCall):
    call.gateway.states.work(call.session())
    return call.ok()


async def cancelwork(call: HuaweiCall):
    call.gateway.states.cancel_work(call.session())
    return call.ok()


async def saybusy(call: HuaweiCall):
    session = call.session()
    as_bool(dict(call.request.query), "prolong", False, "000-002")
    call.gateway.states.say_busy(session, call.query_int("reason"))
    return call.ok()


async def rest(call: HuaweiCall):
    session = call.session()
    seconds, cause = call.params["time"], call.params["restcause"]
    if not (seconds.isascii() and cause.isascii() and seconds.isdigit() and cause.isdigit()
            and len(seconds) <= 9 and len(cause) <= 9):
        raise HuaweiError("000-002", "time and restcause must be numbers.")
    call.gateway.states.rest(session, int(seconds), int(cause))
    return call.ok()


async def autoanswer(call: HuaweiCall):
    session = call.session()
    session.params.autoanswer = call.params["flag"].lower() == "true"
    return call.ok()


async def autoenteridle(call: HuaweiCall):
    session = call.session()
    session.params.autoenteridle = call.params["flag"].lower() == "true"
    return call.ok()


async def agentstatus(call: HuaweiCall):
    session = call.session()
    # INFERRED: isWorking is true in wrap-up (the sample shows false for an idle agent).
    return call.ok({"agentState": int(session.state), "isWorking": session.state is AgentState.WORK})


async def handshake(call: HuaweiCall):
    session = call.session()
    call.gateway.touch(session)
    _rotate(call, session)
    return {"message": "success", "retcode": "0"}


async def heartbeat(call: HuaweiCall):
    session = call.session()
    call.gateway.touch(session)
    return call.ok({"loginTime": str(session.login_time_ms)})


async def update_guid(call: HuaweiCall):
    # INFERRED: the page that calls it has lost its Guid but not its cookie (update_guid_auth).
    session = call.gateway.sessions.get(call.workno)
    if session is None or not session.signed_in:
        raise HuaweiError("100-006")
    if call.gateway.settings.update_guid_auth == "session" and not session.guid_valid(call.guid) \
            and call.request.cookies.get("JSESSIONID") != session.cookie:
        raise HuaweiError("000-003")
    return call.ok({"guid": session.guid})


def _rotate(call: HuaweiCall, session: Session) -> None:
    new = call.gateway.rotate_guid(session)
    if new:
        call.headers["Set-GUID"] = f"JSESSIONID={new}"


# -- events -----------------------------------------------------------------------------------
async def agentevent(call: HuaweiCall):
    session = call.gateway.session_for(call.workno, call.guid, allow_closed=True)
    event = await call.gateway.next_event(session, gone=lambda: client_gone(call.request))
    if session.signed_in:
        _rotate(call, session)
    if event is not None:
        call.request[TYPES] = (event["eventType"],)
        on_unread(call.request, lambda: session.take_back(event))
    return {"message": "", "retcode": "0", "event": event}


# -- voice --------------------------------------------------------------------------------------
async def answer(call: HuaweiCall):
    call.gateway.calls.answer(call.session(), call.request.query.get("callid"))
    return call.ok()


async def release(call: HuaweiCall):
    call.gateway.calls.release_call(call.session())
    return call.ok()


async def hold(call: HuaweiCall):
    call.gateway.calls.hold(call.session())
    return call.ok()


async def gethold(call: HuaweiCall):
    call.gateway.calls.unhold(call.session(), call.request.query.get("callid"))
    return call.ok()


async def connecthold(call: HuaweiCall):
    session = call.session()
    if session.call is None:
        raise HuaweiError("200-005")
    if session.call.callid != call.params["callid"] or session.call.phase != "held":
        raise HuaweiError("200-006")
    call.gateway.calls.unhold(session, None)
    return call.ok()


async def transfer(call: HuaweiCall):
    session = call.session()
    body = call.body()
    devicetype = as_int(body, "devicetype", None, "000-002")
    address = as_str(body, "address", max_len=24, retcode="000-002", required=True)
    as_int(body, "mode", 0, "000-002")
    call.gateway.calls.transfer(session, devicetype or 0, address)
    return call.ok()


async def callout(call: HuaweiCall):
    session = call.session()
    body = call.body()
    called = as_str(body, "called", max_len=64, retcode="000-002", required=True)
    caller = as_str(body, "caller", max_len=24, retcode="000-002")
    for name in ("skillid", "mediaability"):
        as_int(body, name, None, "000-002")
    as_str(body, "callappdata", max_len=16 * 1024, retcode="000-002")
    return call.ok(call.gateway.calls.callout(session, called, caller))


async def callinner(call: HuaweiCall):
    session = call.session()
    called = as_str(call.body(), "called", max_len=24, retcode="000-002", required=True)
    return call.ok(call.gateway.calls.call_inner(session, called))


async def beginmute(call: HuaweiCall):
    call.gateway.calls.mute(call.session(), True)
    return call.ok()


async def endmute(call: HuaweiCall):
    call.gateway.calls.mute(call.session(), False)
    return call.ok()


# -- the table ------------------------------------------------------------------------------------
def _route(method: str, template: str, op: str, handler: Handler, *, bad_param: str = "000-002",
           json_body: bool = False) -> Route:
    """`bad_param`: the retcode of a malformed agentid or body; `json_body`: the operation takes a
    JSON body (its Content-Type is checked)."""
    return Route(method, template, op, handler, {"bad_param": bad_param, "json_body": json_body})


_SIGN_IN = {"bad_param": "100-001", "json_body": True}
_SIGN_OUT = {"bad_param": "100-005"}
ROUTES = (
    _route("PUT", "onlineagent/{agentid}", "login", login, **_SIGN_IN),
    _route("PUT", "onlineagent/{agentid}/loginex", "loginex", loginex, **_SIGN_IN),
    _route("PUT", "onlineagent/{agentid}/forcelogin", "forcelogin", forcelogin, **_SIGN_IN),
    _route("PUT", "onlineagent/{agentid}/forceloginex", "forceloginex", forceloginex, **_SIGN_IN),
    _route("PUT", "onlineagent/{agentid}/forceloginexwithoutphone", "forceloginexwithoutphone", forceloginex,
           **_SIGN_IN),
    _route("DELETE", "onlineagent/{agentid}/logout", "logout", logout, **_SIGN_OUT),
    _route("DELETE", "onlineagent/{agentid}/forcelogout", "forcelogout", forcelogout, **_SIGN_OUT),
    _route("DELETE", "onlineagent/{agentid}/forcelogoutwithreason/{reason}", "forcelogoutwithreason",
           forcelogout_with_reason, **_SIGN_OUT),
    _route("POST", "onlineagent/{agentid}/resetskill/{autoflag}", "resetskill", resetskill),
    _route("POST", "onlineagent/{agentid}/sayfree", "sayfree", sayfree),
    _route("POST", "onlineagent/{agentid}/cancelbusy", "cancelbusy", cancelbusy),
    _route("POST", "onlineagent/{agentid}/cancelrest", "cancelrest", cancelrest),
    _route("POST", "onlineagent/{agentid}/work", "work", work),
    _route("POST", "onlineagent/{agentid}/cancelwork", "cancelwork", cancelwork),
    _route("POST", "onlineagent/{agentid}/saybusy", "saybusy", saybusy),
    _route("POST", "onlineagent/{agentid}/rest/{time}/{restcause}", "rest", rest),
    _route("POST", "onlineagent/{agentid}/autoanswer/{flag}", "autoanswer", autoanswer),
    _route("POST", "onlineagent/{agentid}/autoenteridle/{flag}", "autoenteridle", autoenteridle),
    _route("GET", "onlineagent/{agentid}/agentstatus", "agentstatus", agentstatus),
    _route("POST", "onlineagent/{agentid}/handshake", "handshake", handshake),
    _route("PUT", "onlineagent/{agentid}/heartbeat", "heartbeat", heartbeat),
    _route("PUT", "onlineagent/{agentid}/updateGuid", "updateGuid", update_guid),
    _route("GET", "agentevent/{agentid}", "agentevent", agentevent),
    _route("PUT", "voicecall/{agentid}/answer", "answer", answer),
    _route("DELETE", "voicecall/{agentid}/release", "release", release),
    _route("DELETE", "voicecall/{agentid}", "releaseEx", release),
    _route("POST", "voicecall/{agentid}/hold", "hold", hold),
    _route("POST", "voicecall/{agentid}/gethold", "gethold", gethold),
    _route("POST", "voicecall/{agentid}/connecthold/{callid}", "connecthold", connecthold),
    _route("POST", "voicecall/{agentid}/transfer", "transfer", transfer, json_body=True),
    _route("PUT", "voicecall/{agentid}/callout", "callout", callout, json_body=True),
    _route("PUT", "voicecall/{agentid}/callinner", "callinner", callinner, json_body=True),
    _route("POST", "voicecall/{agentid}/beginmute", "beginmute", beginmute),
    _route("POST", "voicecall/{agentid}/endmute", "endmute", endmute),
)
