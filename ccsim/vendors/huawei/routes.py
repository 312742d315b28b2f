"""Huawei HTTP routes under /agentgateway/resource.

One catch-all aiohttp route feeds our own table, so that `//` in paths collapses, unknown
query parameters are ignored, and every answer (404 and 405 included) is the Huawei envelope.
Business failures are HTTP 200 with a non-zero retcode (reference §0, INFERRED from clients).
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ...serving.http_serving import client_gone, on_unread
from ...serving.journaling import AGENT, OP, TYPES, BodyTooLarge, read_body
from . import wire
from .retcodes import HuaweiError
from .session import AgentState, Session

if TYPE_CHECKING:
    from .face import HuaweiFace

PREFIX = "/agentgateway/resource/"


@dataclass
class Req:
    face: "HuaweiFace"
    request: web.Request
    params: dict[str, str]
    raw: bytes
    workno: str
    headers: dict[str, str]  # extra response headers (Set-GUID)

    @property
    def guid(self) -> str | None:
        value = self.request.headers.get("Guid")
        return value.split("=", 1)[1] if value and value.startswith("JSESSIONID=") else value

    def session(self) -> Session:
        return self.face.session_for(self.workno, self.guid)

    def body(self, retcode: str = "000-002") -> dict[str, Any]:
        return wire.parse_json_body(self.raw, retcode)

    def query_int(self, name: str, default: int | None = None) -> int | None:
        return wire.as_int(dict(self.request.query), name, default, "000-002")


Handler = Callable[[Req], Awaitable[Any]]
# method, path pattern, op, handler, retcode of a bad agentid or body, takes a JSON body
Route = tuple[str, re.Pattern[str], str, Handler, str, bool]
# By the path's first segment (lower case) and its number of segments: a request tries only the
# routes that can match it (every template starts with a literal segment).
_ROUTES: dict[tuple[str, int], list[Route]] = {}


def _route_key(path: str) -> tuple[str, int]:
    return path.split("/", 1)[0].lower(), path.count("/") + 1


def route(method: str, template: str, op: str, *, bad_param: str = "000-002", json_body: bool = False):
    """Register a handler for METHOD template; `bad_param` is the retcode for a malformed agentid or
    body; `json_body`: the operation takes a JSON body (its Content-Type is checked)."""
    pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$", re.IGNORECASE)
    key = _route_key(template)

    def register(fn: Handler) -> Handler:
        _ROUTES.setdefault(key, []).append((method, pattern, op, fn, bad_param, json_body))
        return fn

    return register


def _ok(face: "HuaweiFace", result: Any = None) -> dict[str, Any]:
    return wire.envelope(result, message=face.settings.success_message)


# -- sign-in and sign-out ----------------------------------------------------------------------
async def _login(r: Req, *, phone_required: bool, force: bool) -> dict[str, Any]:
    # forcelogin's releasephone defaults to false (the zh page); the others' to true.
    releasephone_default = not (force and phone_required)
    params = r.face.parse_login(r.body("100-001"), phone_required=phone_required,
                                releasephone_default=releasephone_default)
    session = r.face.sign_in(r.workno, params, force=force)
    session.cookie = session.guid
    r.headers["Set-GUID"] = f"JSESSIONID={session.guid}"
    r.headers["Set-Cookie"] = f"JSESSIONID={session.cookie}; Path=/; HttpOnly"
    return _ok(r.face, r.face.login_result(session))


for _method, _path, _op, _phone, _force in (
    ("PUT", "onlineagent/{agentid}", "login", True, False),
    ("PUT", "onlineagent/{agentid}/loginex", "loginex", False, False),
    ("PUT", "onlineagent/{agentid}/forcelogin", "forcelogin", True, True),
    ("PUT", "onlineagent/{agentid}/forceloginex", "forceloginex", False, True),
    ("PUT", "onlineagent/{agentid}/forceloginexwithoutphone", "forceloginexwithoutphone", False, True),
):
    route(_method, _path, _op, bad_param="100-001", json_body=True)(
        lambda r, _p=_phone, _f=_force: _login(r, phone_required=_p, force=_f))


def _signed_in_session(r: Req) -> Session:
    """For sign-out: 100-008 when the session has just ended (its events not yet polled)."""
    closing = r.face.sessions.get(r.workno)
    if closing is not None and not closing.signed_in and closing.guid_valid(r.guid):
        raise HuaweiError("100-008")
    return r.session()


@route("DELETE", "onlineagent/{agentid}/logout", "logout", bad_param="100-005")
async def _logout(r: Req):
    r.face.sign_out(_signed_in_session(r), force=False)
    return _ok(r.face)


@route("DELETE", "onlineagent/{agentid}/forcelogout", "forcelogout", bad_param="100-005")
async def _forcelogout(r: Req):
    r.face.sign_out(_signed_in_session(r), force=True)
    return _ok(r.face)


@route("DELETE", "onlineagent/{agentid}/forcelogoutwithreason/{reason}", "forcelogoutwithreason", bad_param="100-005")
async def _forcelogout_reason(r: Req):
    reason = r.params["reason"]
    if not (reason.isascii() and reason.isdigit()) or len(reason) > 3 or not 1 <= int(reason) <= 255:
        raise HuaweiError("100-005", "reason must be 1-255.")
    r.face.sign_out(_signed_in_session(r), force=True)
    return _ok(r.face)


@route("POST", "onlineagent/{agentid}/resetskill/{autoflag}", "resetskill")
async def _resetskill(r: Req):
    session = r.session()
    ids = [s for s in r.request.query.get("skillid", "").split(";") if s]
    r.face.reset_skills(session, r.params["autoflag"].lower() == "true", ids)
    return wire.envelope(message=r.face.settings.success_message, with_result=False)


# -- agent state ------------------------------------------------------------------------------
def _state_op(method: str, template: str, op: str, action: Callable[["HuaweiFace", Session], None]) -> None:
    async def handler(r: Req):
        action(r.face, r.session())
        return _ok(r.face)

    route(method, template, op)(handler)


_state_op("POST", "onlineagent/{agentid}/sayfree", "sayfree", lambda f, s: f.say_free(s))
_state_op("POST", "onlineagent/{agentid}/cancelbusy", "cancelbusy", lambda f, s: f.cancel_busy(s))
_state_op("POST", "onlineagent/{agentid}/cancelrest", "cancelrest", lambda f, s: f.cancel_rest(s))
_state_op("POST", "onlineagent/{agentid}/work", "work", lambda f, s: f.work(s))
_state_op("POST", "onlineagent/{agentid}/cancelwork", "cancelwork", lambda f, s: f.cancel_work(s))


@route("POST", "onlineagent/{agentid}/saybusy", "saybusy")
async def _saybusy(r: Req):
    session = r.session()
    wire.as_bool(dict(r.request.query), "prolong", False, "000-002")
    r.face.say_busy(session, r.query_int("reason"))
    return _ok(r.face)


@route("POST", "onlineagent/{agentid}/rest/{time}/{restcause}", "rest")
async def _rest(r: Req):
    session = r.session()
    seconds, cause = r.params["time"], r.params["restcause"]
    if not (seconds.isascii() and cause.isascii() and seconds.isdigit() and cause.isdigit() and len(seconds) <= 9 and len(cause) <= 9):
        raise HuaweiError("000-002", "time and restcause must be numbers.")
    r.face.rest(session, int(seconds), int(cause))
    return _ok(r.face)


def _flag_op(name: str) -> None:
    async def handler(r: Req):
        session = r.session()
        setattr(session.params, name, r.params["flag"].lower() == "true")
        return _ok(r.face)

    route("POST", f"onlineagent/{{agentid}}/{name}/{{flag}}", name)(handler)


_flag_op("autoanswer")
_flag_op("autoenteridle")


@route("GET", "onlineagent/{agentid}/agentstatus", "agentstatus")
async def _agentstatus(r: Req):
    session = r.session()
    # INFERRED: isWorking is true in wrap-up (the sample shows false for an idle agent).
    return _ok(r.face, {"agentState": int(session.state), "isWorking": session.state is AgentState.WORK})


@route("POST", "onlineagent/{agentid}/handshake", "handshake")
async def _handshake(r: Req):
    session = r.session()
    r.face.touch(session)
    _rotate(r, session)
    return {"message": "success", "retcode": "0"}


@route("PUT", "onlineagent/{agentid}/heartbeat", "heartbeat")
async def _heartbeat(r: Req):
    session = r.session()
    r.face.touch(session)
    return _ok(r.face, {"loginTime": str(session.login_time_ms)})


@route("PUT", "onlineagent/{agentid}/updateGuid", "updateGuid")
async def _update_guid(r: Req):
    # INFERRED: the page that calls it has lost its Guid but not its cookie (update_guid_auth).
    session = r.face.sessions.get(r.workno)
    if session is None or not session.signed_in:
        raise HuaweiError("100-006")
    if r.face.settings.update_guid_auth == "session" and not session.guid_valid(r.guid) \
            and r.request.cookies.get("JSESSIONID") != session.cookie:
        raise HuaweiError("000-003")
    return _ok(r.face, {"guid": session.guid})


def _rotate(r: Req, session: Session) -> None:
    new = r.face.rotate_guid(session)
    if new:
        r.headers["Set-GUID"] = f"JSESSIONID={new}"


# -- events -----------------------------------------------------------------------------------
@route("GET", "agentevent/{agentid}", "agentevent")
async def _agentevent(r: Req):
    session = r.face.session_for(r.workno, r.guid, allow_closed=True)
    event = await r.face.next_event(session, gone=lambda: client_gone(r.request))
    if session.signed_in:
        _rotate(r, session)
    if event is not None:
        r.request[TYPES] = (event["eventType"],)
        on_unread(r.request, lambda: session.take_back(event))
    return {"message": "", "retcode": "0", "event": event}


# -- voice --------------------------------------------------------------------------------------
@route("PUT", "voicecall/{agentid}/answer", "answer")
async def _answer(r: Req):
    r.face.answer(r.session(), r.request.query.get("callid"))
    return _ok(r.face)


async def _release(r: Req):
    r.face.release_call(r.session())
    return _ok(r.face)


route("DELETE", "voicecall/{agentid}/release", "release")(_release)
route("DELETE", "voicecall/{agentid}", "releaseEx")(_release)


@route("POST", "voicecall/{agentid}/hold", "hold")
async def _hold(r: Req):
    r.face.hold(r.session())
    return _ok(r.face)


@route("POST", "voicecall/{agentid}/gethold", "gethold")
async def _gethold(r: Req):
    r.face.unhold(r.session(), r.request.query.get("callid"))
    return _ok(r.face)


@route("POST", "voicecall/{agentid}/connecthold/{callid}", "connecthold")
async def _connecthold(r: Req):
    session = r.session()
    if session.call is None:
        raise HuaweiError("200-005")
    if session.call.callid != r.params["callid"] or session.call.phase != "held":
        raise HuaweiError("200-006")
    r.face.unhold(session, None)
    return _ok(r.face)


@route("POST", "voicecall/{agentid}/transfer", "transfer", json_body=True)
async def _transfer(r: Req):
    session = r.session()
    body = r.body()
    devicetype = wire.as_int(body, "devicetype", None, "000-002")
    address = wire.as_str(body, "address", max_len=24, retcode="000-002", required=True)
    wire.as_int(body, "mode", 0, "000-002")
    r.face.transfer(session, devicetype or 0, address)
    return _ok(r.face)


@route("PUT", "voicecall/{agentid}/callout", "callout", json_body=True)
async def _callout(r: Req):
    session = r.session()
    body = r.body()
    called = wire.as_str(body, "called", max_len=64, retcode="000-002", required=True)
    caller = wire.as_str(body, "caller", max_len=24, retcode="000-002")
    for name in ("skillid", "mediaability"):
        wire.as_int(body, name, None, "000-002")
    wire.as_str(body, "callappdata", max_len=16 * 1024, retcode="000-002")
    return _ok(r.face, r.face.callout(session, called, caller))


@route("PUT", "voicecall/{agentid}/callinner", "callinner", json_body=True)
async def _callinner(r: Req):
    session = r.session()
    called = wire.as_str(r.body(), "called", max_len=24, retcode="000-002", required=True)
    return _ok(r.face, r.face.call_inner(session, called))


@route("POST", "voicecall/{agentid}/beginmute", "beginmute")
async def _beginmute(r: Req):
    r.face.mute(r.session(), True)
    return _ok(r.face)


@route("POST", "voicecall/{agentid}/endmute", "endmute")
async def _endmute(r: Req):
    r.face.mute(r.session(), False)
    return _ok(r.face)


# -- dispatch -------------------------------------------------------------------------------------
def _json(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers, content_type="application/json")


async def dispatch(face: "HuaweiFace", request: web.Request) -> web.StreamResponse:
    path = request.path
    if "//" in path:
        path = re.sub(r"/{2,}", "/", path)
    if not path.lower().startswith(PREFIX):
        return _json({"message": "Not found.", "retcode": "000-002"}, 404)
    tail = path[len(PREFIX):].rstrip("/")
    matched = [(m, p.match(tail), op, fn, bad, js) for m, p, op, fn, bad, js in _ROUTES.get(_route_key(tail), ())]
    matched = [x for x in matched if x[1]]
    if not matched:
        return _json({"message": "Not found.", "retcode": "000-002"}, 404)
    hit = next((x for x in matched if x[0] == request.method), None)
    if hit is None:
        allow = ", ".join(sorted({x[0] for x in matched}))
        return _json({"message": f"Method not allowed; use {allow}.", "retcode": "000-002"}, 405, {"Allow": allow})
    _, found, op, handler, bad_param, json_body = hit
    params = found.groupdict()
    request[OP] = op
    workno = params.get("agentid", "")
    request[AGENT] = face.agent_of.get(workno, workno or None)
    content_type = request.headers.get("Content-Type")
    if json_body and face.settings.require_content_type and not wire.is_json_media_type(content_type):
        # Refused when the request is matched, before the operation runs (JAX-RS: 415).
        sent = repr(content_type[:40]) if content_type else "none"
        error = HuaweiError("000-002", f"The Content-Type must be application/json (sent: {sent}).")
        return _json(wire.error_envelope(error), 415)
    r = Req(face, request, params, b"", workno, {})
    try:
        r.raw = await _body(request, bad_param)
        wire.parse_agent_id(workno, face.settings.max_agent_id, bad_param)
        fault = face.world.faults.take(face.name, op, request[AGENT])
        if fault is not None:
            await face.clock.sleep(fault.delay)
            if fault.error:
                raise HuaweiError(fault.error, "(injected fault)")
        body = await handler(r)
    except HuaweiError as exc:
        body = wire.error_envelope(exc)
    return _json(body, headers=r.headers)


async def _body(request: web.Request, retcode: str) -> bytes:
    try:
        return await read_body(request)
    except BodyTooLarge:  # with a Content-Length or chunked alike: the operation's own retcode
        raise HuaweiError(retcode, "The message body is too large.") from None


def install(app: web.Application, face: "HuaweiFace") -> None:
    async def handle(request: web.Request) -> web.StreamResponse:
        return await dispatch(face, request)

    app.router.add_route("*", r"/{tail:[\s\S]*}", handle)
