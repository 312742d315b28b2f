"""HaloPSA's HTTP side as the integration sees it. Halo is ASP.NET: paths match in any case.

- POST /api/notify/intermedia   the webhook (Basic auth with the integration credentials)
- GET  /api/CallLog[/{id}]      the Calls tab's rows (Bearer api_token; INFERRED auth)
- POST /api/CallLog             [{id, ticket_id, summary, note}]: a ticket logged for a call
- GET  /api/Actions?ticket_id=  the ticket's actions (the recording link)
- GET  /recordings/{CallID}.wav the Intermedia side's recording (a short silent WAV)

Refusals: 401 and 404 with an empty body (ASP.NET's defaults), 400 with a ProblemDetails-style
body naming each wrong field, 413 over the size limit (INFERRED: Halo's are not documented).
"""
from __future__ import annotations

import base64
import io
import re
import wave
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from aiohttp import web

from ....core import Journal
from ....core.clock import Clock
from ....serving.bodies import BodyProblem, json_value
from ....serving.journaling import AGENT, OP, BodyTooLarge, read_body
from ....serving.routes import Found, Route
from ..model.halo import Halo, HaloAgent, Invalid, check_body
from ..model.records import CallRecords
from ..settings import IntermediaSettings


class Receiver(Protocol):
    """What Halo's handlers work on: the face's, read per request (a reset makes new records)."""

    name: str
    settings: IntermediaSettings
    halo: Halo
    records: CallRecords
    clock: Clock
    journal: Journal


@dataclass(frozen=True)
class HaloCall:
    """One routed request: the handler's one argument."""

    request: web.Request
    params: dict[str, str]  # the route's named groups
    face: Receiver


def problem(errors: dict[str, list[str]], title: str = "One or more validation errors occurred.") -> web.Response:
    return web.json_response({"type": "https://tools.ietf.org/html/rfc7231#section-6.5.1", "title": title,
                              "status": 400, "errors": errors}, status=400)


def unauthorized(scheme: str) -> web.Response:
    return web.Response(status=401, headers={"WWW-Authenticate": f'{scheme} realm="Halo"'})


def basic_credentials(request: web.Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        user, sep, password = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8").partition(":")
    except ValueError:
        return None
    return (user, password) if sep else None


async def json_of(request: web.Request) -> Any:
    """The body's JSON value (strict UTF-8; an empty body is no JSON): BodyProblem if none."""
    try:
        raw = await read_body(request)
    except BodyTooLarge:  # with or without a Content-Length (chunked)
        raise TooLarge() from None
    return json_value(raw, decode="utf-8")


def query_problem(request: web.Request, *, flags: tuple[str, ...] = (), ids: tuple[str, ...] = ()) -> web.Response | None:
    """Query parameters bound as ASP.NET binds `bool?` and `[Range(1, int.MaxValue)] int?` ones
    (the types contracts/intermedia/openapi.json gives them): 400 naming each wrong one, else None.
    An empty value is no value."""
    errors: dict[str, list[str]] = {}
    for name in flags:
        value = request.query.get(name, "")
        if value and value.lower() not in ("true", "false"):
            errors[name] = [f"The value '{value[:100]}' is not valid."]
    for name in ids:
        value = request.query.get(name, "")
        if not value:
            continue
        if not re.fullmatch(r"-?[0-9]{1,10}", value) or int(value) > 2147483647:
            errors[name] = [f"The value '{value[:100]}' is not valid."]
        elif int(value) < 1:
            errors[name] = [f"The field {name} must be between 1 and 2147483647."]
    return problem(errors) if errors else None


class TooLarge(Exception):
    pass


# -- the webhook ------------------------------------------------------------------------------------
async def notify(call: HaloCall) -> web.StreamResponse:
    face, request = call.face, call.request
    if basic_credentials(request) != (face.settings.integration_username, face.settings.integration_password):
        return unauthorized("Basic")
    try:
        fields = check_body(await json_of(request))
    except BodyProblem:
        return problem({"$": ["The body is not valid JSON."]})
    except Invalid as exc:
        return problem(exc.errors)
    halo = face.halo
    agent = halo.match_agent(fields["AgentNumber"], fields["AgentEmail"], face.settings.match_agent_email)
    user = halo.match_user(fields["UserNumber"])
    row = halo.log_call(fields, agent, user, face.clock.now_iso())
    if agent is not None:
        if agent.agent:
            request[AGENT] = agent.agent
        answered_event(face, row, agent)
    return web.Response(status=face.settings.success_status)


# -- the Halo API the integration writes to ------------------------------------------------------------
def bearer_ok(face: Receiver, request: web.Request) -> bool:
    return request.headers.get("Authorization", "") == f"Bearer {face.settings.api_token}"


async def calllog_list(call: HaloCall) -> web.StreamResponse:
    face, request = call.face, call.request
    if not bearer_ok(face, request):
        return unauthorized("Bearer")
    # The rows kept (memory.records_bytes).
    return query_problem(request, flags=("showall",)) or web.json_response(list(face.halo.calls.values()))


async def calllog_get(call: HaloCall) -> web.StreamResponse:
    face, request = call.face, call.request
    if not bearer_ok(face, request):
        return unauthorized("Bearer")
    refused = query_problem(request, flags=("includedetails",))
    if refused is not None:
        return refused
    row = face.halo.calls.get(int(call.params["id"]))
    return web.json_response(row) if row is not None else web.Response(status=404)


async def calllog_update(call: HaloCall) -> web.StreamResponse:
    """Halo's POST takes an array; an item with an id updates that row (ticket_id, summary, note)."""
    face, request = call.face, call.request
    if not bearer_ok(face, request):
        return unauthorized("Bearer")
    try:
        items = await json_of(request)
    except BodyProblem:
        return problem({"$": ["The body is not valid JSON."]})
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        return problem({"$": ["The body must be a non-empty array of CallLog objects."]})
    rows = face.halo.calls
    errors: dict[str, list[str]] = {}
    for n, item in enumerate(items):
        ident = item.get("id")
        if not (isinstance(ident, int) and not isinstance(ident, bool) and ident in rows):
            errors[f"[{n}].id"] = [f"No CallLog with id {item.get('id')!r} (this simulator only updates rows)."]
        ticket = item.get("ticket_id")
        if ticket is not None and (not isinstance(ticket, int) or isinstance(ticket, bool) or ticket < 1):
            errors[f"[{n}].ticket_id"] = ["The ticket_id field must be a whole number > 0."]
        for text in ("summary", "note"):
            if text in item and not isinstance(item[text], str):
                errors[f"[{n}].{text}"] = [f"The {text} field must be a string."]
    if errors:
        return problem(errors)
    saved = []
    for item in items:
        row = rows[item["id"]]
        row.update({k: item[k] for k in ("summary", "note") if k in item})
        if item.get("ticket_id") is not None:
            face.halo.link_ticket(row, item["ticket_id"], face.settings.add_recording_link, face.clock.now_iso())
        face.halo.changed(row)
        saved.append(row)
    return web.json_response(saved[0] if len(saved) == 1 else saved, status=201)


async def actions_list(call: HaloCall) -> web.StreamResponse:
    face, request = call.face, call.request
    if not bearer_ok(face, request):
        return unauthorized("Bearer")
    refused = query_problem(request, ids=("ticket_id",))
    if refused is not None:
        return refused
    ticket = int(request.query["ticket_id"]) if request.query.get("ticket_id") else None
    actions = [a for a in face.halo.actions.values() if ticket is None or a["ticket_id"] == ticket]
    return web.json_response({"record_count": len(actions), "actions": actions})


def answered_event(face: Receiver, row: dict[str, Any], agent: HaloAgent) -> None:
    """What the matched agent sees in Halo: the new call screen, or a notification to open it."""
    kind = face.settings.answered_response.replace("_", "-")
    face.journal.record(face.name, "halo-ui", kind, agent=agent.agent,
                        response={"body": {"agent_id": agent.id, "calllog_id": row["id"],
                                           "response": face.settings.answered_response,
                                           "callerid": row["callerid"], "user_id": row["user_id"]}})


# -- the Intermedia side's recordings ----------------------------------------------------------------------
async def recording(call: HaloCall) -> web.StreamResponse:
    if not call.face.records.gave(call.params["call"]):
        return web.Response(status=404)
    return web.Response(body=silent_wav(), content_type="audio/wav")


@lru_cache(maxsize=1)
def silent_wav(seconds: float = 1.0, rate: int = 8000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * int(rate * seconds))
    return buffer.getvalue()


# Regexes matched in full against the path as it came (no `//` collapsed; each carries its own `/?`).
# The face builds its RouteTable from HALO_ROUTES when it starts.
HALO_ROUTES: tuple[Route, ...] = tuple(
    Route(method, re.compile(pattern, re.I), op, handler) for method, pattern, op, handler in (
        ("POST", r"/api/notify/intermedia/?", "notify", notify),
        ("GET", r"/api/calllog/?", "calllog-list", calllog_list),
        ("POST", r"/api/calllog/?", "calllog-update", calllog_update),
        ("GET", r"/api/calllog/(?P<id>[0-9]{1,18})/?", "calllog-get", calllog_get),
        ("GET", r"/api/actions/?", "actions-list", actions_list),
        ("GET", r"/recordings/(?P<call>[^/]+)\.wav", "recording", recording),
    ))


async def dispatch(face: Receiver, request: web.Request, found: Found) -> web.StreamResponse:
    request[OP] = found.route.op
    try:
        return await found.route.handler(HaloCall(request, found.params, face))
    except TooLarge:
        return web.Response(status=413)


class HaloAnswers:
    """When no route is the request's: an empty 404, or (ASP.NET routing: the path exists, not with
    this method; INFERRED) an empty 405 with Allow."""

    def not_found(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=404)

    def method_not_allowed(self, request: web.Request, allowed: tuple[str, ...]) -> web.StreamResponse:
        return web.Response(status=405, headers={"Allow": ", ".join(allowed)})
