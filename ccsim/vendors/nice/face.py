"""NICE inContact / CXone Agent API (the API behind MAX), and its token service.

The platform's rules are plain objects (model/: Accounts, Sessions, Contacts), built afresh on
each reset; the wire (wire/) is two route tables tried in order, the token service's and the
Agent API's under `/inContactAPI/services/v{N}.0/` (in any case and any version), with module-level
handlers. Every answer, errors included, is JSON.
"""
from __future__ import annotations

import functools

from aiohttp import web

from ...core import Agent, Contact, Journal, World
from ...serving.face import SettingsError
from ...serving.http_face import HttpFace
from ...serving.listeners import serve_app
from ...serving.routes import RouteTable, install
from .model.accounts import Accounts, AgentNumberError
from .model.contacts import Contacts
from .model.records import AgentSession, ApiSession
from .model.sessions import Sessions
from .settings import NiceSettings
from .wire import api, token
from .wire.call import dispatch, error


class NiceAnswers:
    """No such resource, and a resource asked with another method alike: 404 NotFound."""

    def not_found(self, request: web.Request) -> web.StreamResponse:
        return error(request, 404, "NotFound", f"no Agent API resource {request.method} {request.path}")

    def method_not_allowed(self, request: web.Request, allowed: tuple[str, ...]) -> web.StreamResponse:
        return self.not_found(request)


class NiceFace(HttpFace):
    voice_needs_idle = True
    name = "nice"
    Settings = NiceSettings

    def __init__(self, world: World, journal: Journal, settings: NiceSettings):
        super().__init__(world, journal, settings)
        self.settings: NiceSettings = settings
        world.bus.subscribe("contact.ended", lambda e: self.contacts.customer_left(e.contact or ""))
        self.reset()

    def reset(self) -> None:
        if hasattr(self, "agent_sessions"):
            self.agent_sessions.end_polls()
        try:
            self.accounts = Accounts(self.world, self.settings)
        except AgentNumberError as exc:
            raise SettingsError(str(exc)) from None
        self.agent_sessions = Sessions(self.world, self.timers, self.settings, self.accounts, self.name)
        self.contacts = Contacts(self.world, self.timers, self.settings, self.agent_sessions)

    # -- listening (no "60" in the port) ---------------------------------------------------------------
    async def start(self, host: str, port: int) -> str:
        for _ in range(50):
            self._runner, self.url = await serve_app(self.build_app(), host, port, self.limits, self.name)
            if port or "60" not in self.url.rsplit(":", 1)[1]:
                return self.url
            await self._runner.cleanup()  # a free port with "60" in it: the SDK would rewrite it
        raise OSError("no free port without '60' in it")

    def routes(self, app: web.Application) -> None:
        # API_ROUTES is read now, at start, so that a mutant may replace it (conformance/nice/mutants.py).
        tables = [token.TOKEN, RouteTable(api.API_ROUTES, prefix=api.API_PREFIX, indexed=False)]
        install(app, tables, functools.partial(dispatch, self), NiceAnswers(), before=token.before)

    def internal_error_response(self, request: web.Request) -> web.StreamResponse:
        return error(request, 400, "InternalError", "the simulator failed on this request (a ccsim bug)")

    # -- the model, as the admin API, the routing policy and tests see it --------------------------------------
    def vendor_states(self) -> dict[str, dict[str, str]]:
        return self.agent_sessions.vendor_states()

    def presence_reasons(self) -> dict[str, str]:
        return self.agent_sessions.presence_reasons()

    def eligible(self, agent: Agent, contact: Contact) -> bool:
        return self.contacts.eligible(agent, contact)

    def offer(self, agent: Agent, contact: Contact) -> None:
        self.contacts.offer(agent, contact)

    @property
    def sessions(self) -> dict[str, AgentSession]:
        return self.agent_sessions.by_agent

    @property
    def api_sessions(self) -> dict[str, ApiSession]:
        return self.agent_sessions.api_sessions

    @property
    def tokens(self) -> dict[str, tuple[str, str, float]]:
        return self.accounts.tokens

    def emit(self, session: AgentSession, kind: str, **fields: object) -> None:
        self.agent_sessions.emit(session, kind, **fields)
