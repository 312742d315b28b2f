"""The token service (POST /InContactAuthorizationServer/Token): password and refresh grants for
an agent, as CXone's OAuth server answers them (errors as {"error", "error_description"})."""
from __future__ import annotations

import base64
import re

from aiohttp import web

from ....serving.journaling import AGENT
from ....serving.routes import Missed, Route, RouteTable
from .call import NiceCall, oauth_error, reply, too_large

# Compared as str.lower() once did: in any case, and only the Kelvin sign K stands for a k.
TOKEN_PATH = re.compile("/incontactauthorizationserver/to[k\u212a]en", re.IGNORECASE | re.ASCII)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


async def token(call: NiceCall) -> web.Response:
    request, params, accounts = call.request, call.params, call.accounts
    client = basic_client(request)
    grant = str(params.get("grant_type", ""))
    if grant == "refresh_token":
        found = accounts.refresh_grant(str(params.get("refresh_token", "")))
        if found is None:
            return oauth_error(request, "invalid_grant", "unknown or expired refresh token")
    elif grant == "password":
        username = str(params.get("username", "")).lower()
        if not EMAIL.match(username):
            return oauth_error(request, "invalid_request", "username must be in email format")
        found = accounts.password_grant(username, str(params.get("password", "")), client)
        if found is None:
            return oauth_error(request, "invalid_grant", "unknown user or wrong password")
    else:
        return oauth_error(request, "unsupported_grant_type", "grant_type must be password or refresh_token")
    agent_id, role = found
    request[AGENT] = agent_id
    access, refresh = accounts.issue(agent_id, role)
    base = call.face.client_base(request)  # the address the client used, or public_url: never 0.0.0.0
    number = accounts.agent_number(agent_id)
    settings = call.settings
    return reply(request, {
        "access_token": access, "token_type": "bearer", "expires_in": int(settings.token_ttl_seconds),
        "refresh_token": refresh, "scope": str(params.get("scope") or "AgentApi RealTimeApi"),
        "resource_server_base_uri": f"{base}/inContactAPI/",
        "refresh_token_server_uri": f"{base}/InContactAuthorizationServer/Token",
        "agent_id": int(number) if number.isdigit() else number, "team_id": 2201,
        "bus_no": int(settings.business_unit)}, 200)


def basic_client(request: web.Request) -> str:
    """The "App@Vendor" of a token request's `Authorization: basic base64(App@Vendor:BU)`."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return ""
    try:
        return base64.b64decode(header[6:].strip()).decode("utf-8").split(":", 1)[0]
    except ValueError:
        return ""


TOKEN_ROUTES: tuple[Route, ...] = (Route("POST", TOKEN_PATH, "token", token, {"bearer": False}),)
TOKEN = RouteTable(TOKEN_ROUTES)


async def before(request: web.Request) -> web.StreamResponse | None:
    """What is answered before any routing: the token endpoint takes POST only, said before its
    body is read (journaled as unrouted, as Intermedia's 405s); then a body over the limit is 413."""
    found = TOKEN.match(request.method, request.path)
    if isinstance(found, Missed) and found.allowed:
        return oauth_error(request, "invalid_request", "the token endpoint takes POST only", 405, {"Allow": "POST"})
    return await too_large(request)
