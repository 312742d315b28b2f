"""Read-mostly resources: realtime agents, the report tables, the global settings and the
telephones an external agent with Hot Desk chooses from."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import fields as f
from .rest import Rest, json_body, listing
from .routing import XcallyError
from .settings import CHANNELS

if TYPE_CHECKING:
    from .face import XcallyFace


def install(r: web.UrlDispatcher, rest: Rest) -> None:
    face: "XcallyFace" = rest.face
    op = rest.op

    @op("realtime-agents")
    async def realtime(request):
        channel = request.query.get("channel", "voice")
        if channel not in CHANNELS:
            raise XcallyError(400, f"channel must be one of {', '.join(CHANNELS)}")
        key = f"{channel}Status"
        rows = [{"id": a.id, "name": a.name, "fullname": a.fullname, "internal": a.internal, "online": a.online,
                 key: face.status(a, channel), "pauseType": a.paused.get(channel),
                 "openTabs": face.in_tabs(a), "typology": a.typology,
                 "telephone": a.telephone if a.online else None} for a in face.agents.values()]
        return listing(request, rows)

    @op("report-queue")
    async def report_queue(request):
        channel = rest.channel_of(request)
        return listing(request, [dict(row) for row in face.reports[channel].values()])  # the rows kept (records.py)

    @op("report-member")
    async def report_member(request):
        return listing(request, [{k: v for k, v in row.items() if not k.startswith("_")} for row in face.member_report.values()])

    @op("settings")
    async def settings(request):
        if request.method == "PUT":
            rest.admin_only(request)
            body = await json_body(request)
            limit = body.get("interactionTabsLimit")
            if not f.whole(limit) or limit < 1:
                raise XcallyError(400, "interactionTabsLimit must be a whole number >= 1")
            face.settings.tab_limit = limit
            face.world.route()
        return web.json_response({"interactionTabsLimit": face.settings.tab_limit,
                                  "securitySuite": face.settings.security_suite})

    @op("list-telephones")
    async def telephones(request):
        return listing(request, face.telephones())

    r.add_get("/api/realtime/agents", realtime)
    r.add_get("/api/reports/{channel}/queue", report_queue)
    r.add_get("/api/reports/member", report_member)
    r.add_get("/api/settings", settings)
    r.add_put("/api/settings", settings)
    r.add_get("/api/telephones", telephones)
