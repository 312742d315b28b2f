"""What every REST resource of the face shares: the journal op and authentication of a route,
who the caller is and what it may touch, the {count, rows} listing and the JSON body.

Callers: an administrator (admin Basic or ?apikey=; `caller` is None), an agent (its own Basic
credentials: it acts only on itself), or a user with role user (a supervisor: with the agents
permission it manages the agents of the queues it is enabled on, seed 001)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from ...core import json_text
from ...serving.journaling import AGENT, OP, BodyTooLarge, read_body
from . import fields as f
from .model import XAgent
from .routing import XcallyError
from .settings import CHANNELS, DIGITAL
from .staff import XUser

if TYPE_CHECKING:
    from .face import XcallyFace

USER = web.RequestKey("xcally_user", object)  # the account authenticated, None for an administrator
ADMIN_ONLY = "this resource needs an administrator (Basic admin credentials or ?apikey=)"
OUT_OF_SCOPE = "a user with role user operates only on the agents of the queues it is enabled on"


def listing(request: web.Request, rows: list[dict[str, Any]]) -> web.Response:
    """{count, rows} with attribute filters, sort, paging and field selection."""
    q = request.query
    # Any query key naming a row attribute filters on it; others (includeAll, a client's
    # globalStatusFilter=null...) are accepted and ignored, as the real API does.
    attributes = set().union(*(r.keys() for r in rows)) - {"channel"}
    for key, value in q.items():
        if key in attributes:
            rows = [r for r in rows if str(r.get(key)).lower() == value.lower()]
    if q.get("filter"):
        needle = q["filter"].lower()
        rows = [r for r in rows if any(needle in str(v).lower() for v in r.values())]
    if q.get("sort"):
        key = q["sort"].lstrip("-")
        rows = sorted(rows, key=lambda r: _sort_key(r.get(key)), reverse=q["sort"].startswith("-"))
    count = len(rows)
    if q.get("nolimit", "").lower() != "true":
        try:
            limit = int(q.get("limit", 100))
            offset = int(q["offset"]) if "offset" in q else (int(q.get("page", 1)) - 1) * limit
        except ValueError:
            raise XcallyError(400, "limit, offset and page must be whole numbers") from None
        if limit < 0 or offset < 0:
            raise XcallyError(400, "limit, offset and page must not be negative")
        rows = rows[offset:offset + limit]
    if q.get("fields"):
        wanted = [k.strip() for k in q["fields"].split(",") if k.strip()]
        rows = [{k: r[k] for k in wanted if k in r} for r in rows]  # unknown names are left out
    return web.json_response({"count": count, "rows": rows})


def _sort_key(value: Any) -> tuple[int, float, str]:
    """Numbers in order, then text, then nulls: any mix of values sorts without an error."""
    if value is None:
        return (2, 0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value))


async def json_body(request: web.Request) -> dict[str, Any]:
    try:
        raw = await read_body(request)
    except BodyTooLarge:  # with a Content-Length or chunked alike
        raise XcallyError(413, "the request body is too large") from None
    if not raw.strip():
        return {}
    try:
        body = json_text.loads(raw)
    except ValueError:
        raise XcallyError(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise XcallyError(400, "the body must be a JSON object")
    return body


def ids_in_query(request: web.Request) -> list[int]:
    """?ids=1&ids=2 (Angular $resource's DELETE, reference §1); 400 on a value that is no id."""
    values = request.query.getall("ids", [])
    ids = [f.as_id(v) for v in values]
    if None in ids:
        raise XcallyError(400, "ids must be user ids (?ids=1&ids=2)")
    return list(dict.fromkeys(ids))  # type: ignore[arg-type]


class Rest:
    """The face's access rules, shared by the resource modules."""

    def __init__(self, face: "XcallyFace"):
        self.face = face

    def op(self, name: str, auth: bool = True):
        """Label the journal entry, then authenticate (so a 401 is journaled under its op)."""
        def wrap(fn):
            async def handler(request: web.Request) -> web.StreamResponse:
                request[OP] = name
                if auth:
                    request[USER] = self.face.authenticate(request)
                return await fn(request)
            return handler
        return wrap

    @staticmethod
    def caller(request: web.Request) -> XAgent | XUser | None:
        return request.get(USER)  # type: ignore[return-value]

    def admin_only(self, request: web.Request) -> None:
        if self.caller(request) is not None:
            raise XcallyError(403, ADMIN_ONLY)

    def manager(self, request: web.Request) -> XUser | None:
        """An administrator (None) or a user with the agents permission; 403 for anyone else."""
        me = self.caller(request)
        if isinstance(me, XAgent):
            raise XcallyError(403, ADMIN_ONLY)
        if isinstance(me, XUser) and not me.agents_permission:
            raise XcallyError(403, f"{me.name} has no agents permission")
        return me

    def may_manage(self, request: web.Request, account: XAgent | XUser) -> None:
        """403 unless the caller may change this account: an administrator any, a supervisor the
        agents of its queues (and no user account, not even its own)."""
        me = self.manager(request)
        if me is not None and (not isinstance(account, XAgent) or not self.face.manages(me, account)):
            raise XcallyError(403, OUT_OF_SCOPE)

    def account_of(self, request: web.Request) -> XAgent | XUser:
        """The user in the path, if the caller may reach it: 404 if none, 403 if not its."""
        value = request.match_info["id"]
        number = f.as_id(value)
        account = self.face.agents.get(number) or self.face.supervisors.get(number)  # type: ignore[arg-type]
        if account is None:
            raise XcallyError(404, f"user {value} not found")
        if isinstance(account, XAgent):
            request[AGENT] = account.core_id
        me = self.caller(request)
        if me is None or me is account:
            return account
        if isinstance(me, XAgent):
            raise XcallyError(403, "an agent may only act on itself")
        self.may_manage(request, account)
        return account

    def agent_of(self, request: web.Request) -> XAgent:
        account = self.account_of(request)
        if not isinstance(account, XAgent):
            raise XcallyError(400, f"user {account.id} has role user, not agent")
        return account

    @staticmethod
    def channel_of(request: web.Request, voice: bool = False) -> str:
        channel = request.match_info["channel"]
        if channel not in (CHANNELS if voice else DIGITAL):
            raise XcallyError(404, f"unknown channel {channel!r}")
        return channel
