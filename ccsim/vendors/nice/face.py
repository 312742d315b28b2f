"""NICE inContact / CXone Agent API (the API behind MAX), and its token service.

Routes are matched by hand so that `/inContactAPI/services/v{N}.0/` matches in any case and any
version, parameters come from the query or a JSON body whatever the Content-Type (the official
SDK sends JSON as text/plain), and every answer, errors included, is JSON. The platform rules
live in platform.py.
"""
from __future__ import annotations

import base64
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ...core import Agent, Contact, Journal, World
from ...core.credentials import CredentialStream
from ...serving.face import SettingsError
from ...serving.http_face import HttpFace
from ...serving.journaling import AGENT, OP, BodyTooLarge, read_body
from ...serving.listeners import serve_app
from .model import ApiSession, ids_without_60
from .platform import NiceError, Platform
from .settings import NiceSettings
from ...core import json_text

# ASCII only: "v٢٣.0" is no version, and no "ſ" stands for an "s" (re's Unicode case folding).
API_PREFIX = re.compile(r"^/incontactapi/services/v[0-9]+(?:\.[0-9]+)?/", re.IGNORECASE | re.ASCII)
TOKEN_PATH = "/incontactauthorizationserver/token"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

Handler = Callable[["NiceFace", "Call"], Awaitable[web.StreamResponse]]


class Call:
    """One Agent API request: the caller (from its token), its parameters, the path's ids."""

    def __init__(self, request: web.Request, params: dict[str, Any], ids: dict[str, str]):
        self.request, self.params, self.ids = request, params, ids
        self.agent_id: str = ""
        self.role: str = "max"

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.params.get(name, default)
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "false", "1", "0", ""):
            return str(value).lower() in ("true", "1")
        raise NiceError(400, "InvalidParameter", f"{name} must be true or false")


class NiceFace(Platform, HttpFace):
    voice_needs_idle = True
    name = "nice"
    Settings = NiceSettings

    def __init__(self, world: World, journal: Journal, settings: NiceSettings):
        super().__init__(world, journal, settings)
        self.settings: NiceSettings = settings
        self.client_data: dict[str, dict[str, Any]] = {}
        world.bus.subscribe("contact.ended", lambda e: self.customer_left(e.contact or ""))
        self.reset()

    def _index_agents(self) -> None:
        """The world's CXone agents by username, and their agent numbers (from the configuration)."""
        self.accounts: dict[str, str] = {}  # username (lower case) -> core agent id
        numbers = ids_without_60(70001)
        self.numbers: dict[str, str] = {}
        for agent in self.world.agents.values():
            cfg = agent.faces.get("nice")
            if cfg is not None:
                username = str((cfg or {}).get("username", f"{agent.id}@example.com")).lower()
                self.accounts[username] = agent.id
                configured = str((cfg or {}).get("agent_id", ""))
                if configured and (not configured.isdigit() or "60" in configured):
                    raise SettingsError(f"agents[{agent.id}].nice.agent_id must be digits without \"60\" "
                                        f"(the CXone SDK rewrites \"60\" in URLs), not {configured!r}")
                self.numbers[agent.id] = configured or (agent.id if agent.id.isdigit() and "60" not in agent.id
                                                        else next(numbers))

    def reset(self) -> None:
        for session in list(getattr(self, "sessions", {}).values()):
            for api in session.api_sessions:
                api.ended = True
                api.wake.set()
        self._index_agents()
        self.sessions: dict[str, Any] = {}
        self.api_sessions: dict[str, ApiSession] = {}
        self.by_core: dict[str, tuple[str, str]] = {}
        self.tokens: dict[str, tuple[str, str, float]] = {}  # token -> (agent id, role, expiry)
        self.client_data = {}
        self._ids = ids_without_60(1_001_001)
        self._tokens = CredentialStream(self.world.seed, "nice token")  # a reset replays the same tokens

    def vendor_states(self) -> dict[str, dict[str, str]]:
        states = {}
        for agent_id in self.numbers:
            session = self.sessions.get(agent_id)
            if session is None:
                states[agent_id] = {"agentId": self.numbers[agent_id], "session": "none"}
                continue
            state = session.state + (f" ({session.out_reason})" if session.out_reason else "")
            shown = {"agentId": self.numbers[agent_id], "state": state + (" ACW" if session.acw else ""),
                     "agentLeg": session.leg_status or "none", "clients": str(len(session.api_sessions))}
            contacts = [f"{c.id} {c.status}" for c in session.live_contacts()]
            if contacts:
                shown["contacts"] = ", ".join(contacts)
            states[agent_id] = shown
        return states

    def presence_reasons(self) -> dict[str, str]:
        """Unavailable, with its out-state (OutReason) when it has one."""
        return {agent_id: "Unavailable" + (f": {session.out_reason}" if session.out_reason else "")
                for agent_id, session in self.sessions.items() if session.state == "Unavailable" and not session.acw}

    def agent_number(self, agent_id: str) -> str:
        return self.numbers.get(agent_id, agent_id)

    def auto_accept_of(self, agent_id: str) -> bool:
        data = self.client_data.get(agent_id, {})
        if "AutoAccept" in data:
            return bool(data["AutoAccept"])
        cfg = self.world.agents[agent_id].faces.get("nice") or {}
        return bool(cfg.get("auto_accept", self.settings.auto_accept))

    # -- listening (no "60" in the port) ---------------------------------------------------------------
    async def start(self, host: str, port: int) -> str:
        for _ in range(50):
            self._runner, self.url = await serve_app(self.build_app(), host, port, self.limits, self.name)
            if port or "60" not in self.url.rsplit(":", 1)[1]:
                return self.url
            await self._runner.cleanup()  # a free port with "60" in it: the SDK would rewrite it
        raise OSError("no free port without '60' in it")

    def routes(self, app: web.Application) -> None:
        async def handle(request: web.Request) -> web.StreamResponse:
            return await self.dispatch(request)

        app.router.add_route("*", r"/{tail:[\s\S]*}", handle)

    def internal_error_response(self, request: web.Request) -> web.StreamResponse:
        return self.error(request, 400, "InternalError", "the simulator failed on this request (a ccsim bug)")

    @staticmethod
    def error(request: web.Request, status: int, error: str, message: str) -> web.Response:
        return NiceFace.reply(request, {"error": error, "message": message}, status)

    @staticmethod
    def reply(request: web.Request, body: Any, status: int = 202) -> web.Response:
        headers = {}
        if "CorrelationId" in request.headers:
            headers["CorrelationId"] = request.headers["CorrelationId"]
        if status == 304:
            return web.Response(status=304, headers=headers)
        return web.json_response(body, status=status, headers=headers)

    # -- dispatch -------------------------------------------------------------------------------------------
    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        path = re.sub("/{2,}", "/", request.path)
        try:
            is_token = path.lower().rstrip("/") == TOKEN_PATH
            if is_token and request.method != "POST":  # journaled as unrouted, as Intermedia's 405s
                return self._oauth_error(request, "invalid_request", "the token endpoint takes POST only", 405,
                                         {"Allow": "POST"})
            raw = await _read(request)
            if is_token:
                request[OP] = "token"
                return await self.token(request, _parameters(request, raw))
            found = API_PREFIX.match(path)
            route = _route(request.method, path[found.end():].strip("/")) if found else None
            if route is None:
                request[OP] = "unrouted"
                raise NiceError(404, "NotFound", f"no Agent API resource {request.method} {request.path}")
            op, handler, ids = route
            request[OP] = op
            call = Call(request, _parameters(request, raw), ids)
            self._authorize(call)
            request[AGENT] = call.agent_id
            return await handler(self, call)
        except NiceError as exc:
            return self.error(request, exc.status, exc.error, exc.message)

    def _authorize(self, call: Call) -> None:
        header = call.request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        found = self.tokens.get(token)
        if found is None or found[2] <= self.clock.now():
            raise NiceError(401, "Unauthorized", "a valid bearer token is required (it may have expired)")
        call.agent_id, call.role = found[0], found[1]

    def api_session(self, call: Call) -> ApiSession:
        api = self.api_sessions.get(call.ids.get("session", ""))
        if api is None or api.agent_id != call.agent_id:
            raise NiceError(404, "SessionNotFound", f"no agent session {call.ids.get('session')}")
        return api

    def agent_session(self, call: Call):
        api = self.api_session(call)
        session = self.sessions.get(api.agent_id)
        if api.ended or api.detached or session is None:
            raise NiceError(409, "SessionEnded", "this agent session has ended")
        return session

    # -- token service ----------------------------------------------------------------------------------------
    async def token(self, request: web.Request, params: dict[str, Any]) -> web.Response:
        client = _basic_client(request)
        grant = str(params.get("grant_type", ""))
        if grant == "refresh_token":
            found = self.tokens.get("r:" + str(params.get("refresh_token", "")))
            if found is None or found[2] <= self.clock.now():
                return self._oauth_error(request, "invalid_grant", "unknown or expired refresh token")
            agent_id, role = found[0], found[1]
        elif grant == "password":
            username = str(params.get("username", "")).lower()
            if not EMAIL.match(username):
                return self._oauth_error(request, "invalid_request", "username must be in email format")
            agent_id = self.accounts.get(username)
            role = "bar" if client in self.settings.trusted_clients else "max"
            expected = str((self.world.agents[agent_id].faces.get("nice") or {}).get("password", "")) if agent_id else None
            if agent_id is None or (role == "max" and str(params.get("password", "")) != expected):
                return self._oauth_error(request, "invalid_grant", "unknown user or wrong password")
        else:
            return self._oauth_error(request, "unsupported_grant_type", "grant_type must be password or refresh_token")
        request[AGENT] = agent_id
        access, refresh = self._tokens.token(), self._tokens.token()  # none guessable from another
        expires = self.clock.now() + self.settings.token_ttl_seconds
        self.tokens[access] = (agent_id, role, expires)
        self.tokens["r:" + refresh] = (agent_id, role, expires + 3600)
        base = self.client_base(request)  # the address the client used, or public_url: never 0.0.0.0
        number = self.agent_number(agent_id)
        return self.reply(request, {
            "access_token": access, "token_type": "bearer", "expires_in": int(self.settings.token_ttl_seconds),
            "refresh_token": refresh, "scope": str(params.get("scope") or "AgentApi RealTimeApi"),
            "resource_server_base_uri": f"{base}/inContactAPI/",
            "refresh_token_server_uri": f"{base}/InContactAuthorizationServer/Token",
            "agent_id": int(number) if number.isdigit() else number, "team_id": 2201,
            "bus_no": int(self.settings.business_unit)}, 200)

    @staticmethod
    def _oauth_error(request: web.Request, error: str, description: str, status: int = 400,
                     headers: dict[str, str] | None = None) -> web.Response:
        return web.json_response({"error": error, "error_description": description}, status=status, headers=headers)

    # -- routing policy ------------------------------------------------------------------------------------------
    def eligible(self, agent: Agent, contact: Contact) -> bool:
        session = self.sessions.get(agent.id)
        if session is None or session.acw or session.closing:
            return False
        if contact.channel.value == "voice":
            return session.state == "Available" and not session.in_progress() and \
                (session.leg_status != "Dialing" or self.settings.route_while_leg_dialing)
        same = sum(1 for c in session.in_progress() if c.channel == contact.channel.value)
        limit = agent.capacity_for(contact.channel)
        return session.state in ("Available", "InboundContact") and (limit == 0 or same < limit) and \
            not any(c.voice for c in session.in_progress())

    def offer(self, agent: Agent, contact: Contact) -> None:
        self.offer_contact(self.sessions[agent.id], contact)


def _route(method: str, tail: str) -> tuple[str, Handler, dict[str, str]] | None:
    from .api import ROUTES

    for route_method, pattern, op, handler in ROUTES:
        found = pattern.match(tail)
        if found and route_method == method:
            return op, handler, found.groupdict()
    return None


async def _read(request: web.Request) -> bytes:
    try:
        return await read_body(request)
    except BodyTooLarge:  # with a Content-Length or without one (chunked)
        raise NiceError(413, "RequestTooLarge", "the request body is too large") from None


def _parameters(request: web.Request, raw: bytes) -> dict[str, Any]:
    """Query parameters and a JSON (or form) body, merged; the body wins."""
    params: dict[str, Any] = dict(request.query)
    if raw.strip():
        text = raw.decode("utf-8", errors="replace")
        try:
            body = json_text.loads(text)
        except ValueError:
            if "=" in text and "{" not in text:  # a form body (the token service's usual shape)
                from urllib.parse import parse_qsl

                body = dict(parse_qsl(text))
            else:
                raise NiceError(400, "InvalidBody", "the body must be JSON") from None
        if not isinstance(body, dict):
            raise NiceError(400, "InvalidBody", "the body must be a JSON object")
        params.update(body)
    return params


def _basic_client(request: web.Request) -> str:
    """The "App@Vendor" of a token request's `Authorization: basic base64(App@Vendor:BU)`."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return ""
    try:
        return base64.b64decode(header[6:].strip()).decode("utf-8").split(":", 1)[0]
    except ValueError:
        return ""

