"""The dashboard on the admin listener: the page under /_ccsim/ui/, its push stream, playback
and the clock's speed. The page's actions use the admin API itself (inject, hang up, faults,
reset, pause), so the page can do nothing a script could not."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ..control.admin import BadRequest, checked_body
from ..core import UnknownId
from . import PAGES, STREAM_PATH, UI_PREFIX
from .feed import Feed
from .playback import Playback
from .view import DashboardView

if TYPE_CHECKING:
    from ..control.admin import AdminApi

STATIC = Path(__file__).parent / "static"
CONTENT_TYPES = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}


class Dashboard:
    def __init__(self, admin: "AdminApi"):
        sim = admin.sim
        folder = Path(sim.config.scenarios_dir) if sim.config.scenarios_dir else None
        self.playback = Playback(sim, folder, changed=lambda: self.feed.changed())
        self.view = DashboardView(sim, admin.shown, self.playback)
        self.feed = Feed(self.view)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get(UI_PREFIX.rstrip("/"), self.redirect)
        router.add_get(STREAM_PATH, self.feed.stream)
        router.add_get(UI_PREFIX + "{name:[a-z.]*}", self.page)
        router.add_get("/_ccsim/playback", self.status)
        router.add_post("/_ccsim/playback", self.play)
        router.add_post("/_ccsim/playback/{action}", self.control)
        router.add_get("/_ccsim/clock", self.clock)
        router.add_post("/_ccsim/clock", self.set_clock)

    async def redirect(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(UI_PREFIX)

    async def page(self, request: web.Request) -> web.Response:
        name = PAGES.get(request.match_info["name"])
        if name is None:
            raise UnknownId(f"no dashboard file {request.match_info['name']!r}")
        path = STATIC / name
        return web.Response(body=path.read_bytes(), content_type=CONTENT_TYPES[path.suffix], charset="utf-8",
                            headers={"Cache-Control": "no-cache"})

    async def status(self, request: web.Request) -> web.Response:
        self.playback.scenarios(refresh=True)
        return web.json_response(self.playback.status())

    async def play(self, request: web.Request) -> web.Response:
        body = await checked_body(request, "admin/playback.schema.json")
        try:
            await self.playback.play(body["scenario"], body.get("speed"), paused=body.get("paused", False))
        except LookupError as exc:
            raise UnknownId(str(exc)) from None
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        return web.json_response(self.playback.status(), status=201)

    async def control(self, request: web.Request) -> web.Response:
        action = request.match_info["action"]
        if action == "pause":
            self.playback.pause()
        elif action == "resume":
            self.playback.resume()
        elif action == "step":
            self.playback.step()
        elif action == "restart":
            await self.playback.restart()
        elif action == "stop":
            await self.playback.stop()
        else:
            raise UnknownId(f"no playback action {action!r}: pause, resume, step, restart or stop")
        return web.json_response(self.playback.status())

    async def clock(self, request: web.Request) -> web.Response:
        return web.json_response(self.view.clock())

    async def set_clock(self, request: web.Request) -> web.Response:
        body = await checked_body(request, "admin/clock.schema.json")
        try:
            self.playback.set_speed(float(body["speed"]))
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        return web.json_response(self.view.clock())
