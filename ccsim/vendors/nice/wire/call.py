"""One request to the face, as its handlers see it, and the answers every handler gives.

Parameters come from the query or a JSON body whatever the Content-Type (the official SDK sends
JSON as text/plain), a form body too (the token service's usual shape); every answer, errors
included, is JSON, and echoes the request's CorrelationId."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl

from aiohttp import web

from ....core.clock import Clock
from ....serving.bodies import BodyProblem, json_object
from ....serving.journaling import AGENT, OP, BodyTooLarge, read_body
from ....serving.routes import Found
from ..errors import NiceError
from ..model.accounts import Accounts
from ..model.contacts import Contacts
from ..model.records import AgentSession, ApiSession
from ..model.sessions import Sessions
from ..settings import NiceSettings


class Platform(Protocol):
    """What the handlers work on: the face's, read per request (a reset builds a new model)."""

    settings: NiceSettings
    accounts: Accounts
    agent_sessions: Sessions
    contacts: Contacts
    clock: Clock

    def client_base(self, request: web.Request) -> str: ...


@dataclass
class NiceCall:
    """One routed request: the caller (from its token), its parameters, the path's ids."""

    request: web.Request
    params: dict[str, Any]
    ids: dict[str, str]
    face: Platform
    agent_id: str = ""
    role: str = "max"

    @property
    def settings(self) -> NiceSettings:
        return self.face.settings

    @property
    def accounts(self) -> Accounts:
        return self.face.accounts

    @property
    def sessions(self) -> Sessions:
        return self.face.agent_sessions

    @property
    def contacts(self) -> Contacts:
        return self.face.contacts

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.params.get(name, default)
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false", "1", "0", ""):
            return str(value).lower() in ("true", "1")
        raise NiceError(400, "InvalidParameter", f"{name} must be true or false")

    def api_session(self) -> ApiSession:
        return self.sessions.api_session(self.ids.get("session", ""), self.agent_id)

    def agent_session(self) -> AgentSession:
        return self.sessions.agent_session(self.ids.get("session", ""), self.agent_id)


def reply(request: web.Request, body: Any, status: int = 202) -> web.Response:
    headers = {}
    if "CorrelationId" in request.headers:
        headers["CorrelationId"] = request.headers["CorrelationId"]
    if status == 304:
        return web.Response(status=304, headers=headers)
    return web.json_response(body, status=status, headers=headers)


def error(request: web.Request, status: int, error: str, message: str) -> web.Response:
    return reply(request, {"error": error, "message": message}, status)


def oauth_error(request: web.Request, error: str, description: str, status: int = 400,
                headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": error, "error_description": description}, status=status, headers=headers)


async def dispatch(face: Platform, request: web.Request, found: Found) -> web.StreamResponse:
    """A routed request: its op, its parameters, its caller (unless the route takes no bearer
    token), then its handler; a NiceError is the answer."""
    try:
        request[OP] = found.route.op
        call = NiceCall(request, parameters(request, await read_body(request)), found.params, face)
        if found.route.options.get("bearer", True):
            header = request.headers.get("Authorization", "")
            call.agent_id, call.role = face.accounts.check(header[7:].strip() if header.lower().startswith("bearer ")
                                                           else "")
            request[AGENT] = call.agent_id
        return await found.route.handler(call)
    except NiceError as exc:
        return error(request, exc.status, exc.error, exc.message)


def parameters(request: web.Request, raw: bytes) -> dict[str, Any]:
    """Query parameters and a JSON (or form) body, merged; the body wins."""
    params: dict[str, Any] = dict(request.query)
    if raw.strip():
        try:
            body: dict[str, Any] = json_object(raw, decode="utf-8-replace")
        except BodyProblem as problem:
            text = raw.decode("utf-8", errors="replace")
            if problem.kind != "not-json":
                raise NiceError(400, "InvalidBody", "the body must be a JSON object") from None
            if "=" not in text or "{" in text:
                raise NiceError(400, "InvalidBody", "the body must be JSON") from None
            body = dict(parse_qsl(text))  # a form body (the token service's usual shape)
        params.update(body)
    return params


async def too_large(request: web.Request) -> web.StreamResponse | None:
    """A body over the limit is 413 whatever the path (with a Content-Length or chunked)."""
    try:
        await read_body(request)
    except BodyTooLarge:
        return error(request, 413, "RequestTooLarge", "the request body is too large")
    return None

