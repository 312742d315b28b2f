"""XCALLY REST resources under /api, one module each: users (agents, users with role user, their
sessions, bulk delete, CSV export), teams, queues per channel, interactions per channel,
realtime/reports/settings/telephones, and password recovery. rest.py holds what they share.

Lists answer {"count", "rows"} with limit, offset, page, sort, fields, nolimit and attribute
filters; creation answers 201; errors answer {"message"}. Paths for login, pause, teams,
reports and recovery are not public and are INFERRED (contracts/xcally/README.md)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import fields as f
from . import interactions_api, queues_api, recovery_api, reports_api, teams_api, users_api
from .rest import Rest
from .routing import XcallyError

if TYPE_CHECKING:
    from .face import XcallyFace

RESOURCES = (recovery_api, users_api, teams_api, queues_api, interactions_api, reports_api)


def install(app: web.Application, face: "XcallyFace") -> None:
    @web.middleware
    async def errors(request: web.Request, handler):
        try:
            return await handler(request)
        except XcallyError as exc:
            return web.json_response({"message": exc.message}, status=exc.status)
        except f.Invalid as exc:
            return web.json_response({"message": str(exc)}, status=400)

    app.middlewares.append(errors)
    rest = Rest(face)
    for resource in RESOURCES:
        resource.install(app.router, rest)

    @rest.op("unrouted")
    async def not_found(request):
        raise XcallyError(404, f"no resource {request.method} {request.path}")

    app.router.add_route("*", "/api/{tail:.*}", not_found)
