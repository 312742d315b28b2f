"""Huawei CC-Gateway agent face: the wire adapter between AgentGateway REST and the Gateway model.

The state rules are in model/ (Gateway, AgentStates, Calls); the routes and their handlers in
wire/routes.py, what every request goes through in wire/dispatch.py; formats in envelope.py.
"""
from __future__ import annotations

import functools
import re

from aiohttp import web

from ...core import Agent, Contact, Journal, World
from ...serving.http_face import HttpFace
from ...serving.routes import RouteTable, install
from .envelope import error_envelope
from .model.gateway import Gateway
from .retcodes import HuaweiError
from .settings import HuaweiSettings
from .wire.dispatch import HuaweiAnswers, dispatch
from .wire.routes import PREFIX, ROUTES


class HuaweiFace(HttpFace):
    voice_needs_idle = True
    name = "huawei"
    # A work number signs one agent in; the phone is the one the agent's calls ring (INFERRED).
    distinct_agent_keys = {"workno": "id", "phone": None}
    Settings = HuaweiSettings

    def __init__(self, world: World, journal: Journal, settings: HuaweiSettings):
        super().__init__(world, journal, settings)
        self.settings: HuaweiSettings = settings
        self.gateway = Gateway(world, self.clock, self.timers, settings)
        world.bus.subscribe("contact.ended", self.gateway.contact_ended)

    def routes(self, app: web.Application) -> None:
        # Paths compare without case, `//` collapses and a trailing `/` goes; the table's index by
        # (first segment, segment count) keeps the lookup off the hot path's profile.
        install(app, [RouteTable(ROUTES, prefix=PREFIX)], functools.partial(dispatch, self.gateway), HuaweiAnswers())

    def internal_error_response(self, request: web.Request) -> web.StreamResponse:
        # 100-007 is Huawei's own "exception during the agent's operation".
        return web.json_response(error_envelope(HuaweiError("100-007")), content_type="application/json")

    def fault_error_problem(self, error: str) -> str | None:
        return None if re.fullmatch(r"\d{3}-\d{3}", error) else "a Huawei retcode looks like 100-003"

    # -- the Face API: the Gateway's -----------------------------------------------------------
    def reset(self) -> None:
        self.gateway.reset(self.settings)

    def vendor_states(self) -> dict[str, dict[str, str]]:
        return self.gateway.vendor_states()

    def presence_reasons(self) -> dict[str, str]:
        return self.gateway.presence_reasons()

    def eligible(self, agent: Agent, contact: Contact) -> bool:
        return self.gateway.eligible(agent, contact)

    def offer(self, agent: Agent, contact: Contact) -> None:
        self.gateway.offer(agent, contact)
