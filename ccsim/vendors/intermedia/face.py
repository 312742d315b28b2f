"""Intermedia Contact Center → HaloPSA: the "Agent Answers Call" webhook, both ends.

ccsim plays Intermedia: when an agent with an `intermedia` section ({number, email}) answers a
call (on any face; an agent who is only an Intermedia agent is signed in here, takes calls of
queues with an `intermedia` section and picks up by itself after `answer_after_seconds`), IVR
Studio's REST WSCall posts the seed's body to every webhook configured for that event (the
Desk, model/desk.py, raises the events; the WebhookSender, wire/webhooks.py, posts them). And
ccsim plays HaloPSA: the receiver at /api/notify/intermedia matches the agent and the end user
and logs the call (model/halo.py, wire/halo_api.py). By default the webhook points at the
receiver: a closed loop.
"""
from __future__ import annotations

import functools

from aiohttp import web

from ...core import Agent, Contact, Journal, World
from ...core.bus import CoreEvent
from ...serving.face import SettingsError
from ...serving.http_face import HttpFace
from ...serving.routes import RouteTable, install
from .model.desk import Desk, intermedia_agents
from .model.halo import build_halo
from .model.records import CallRecords
from .settings import IntermediaSettings
from .wire import halo_api
from .wire.webhooks import WebhookSender

AGENT_KEYS = {"number", "email"}


class IntermediaFace(HttpFace):
    voice_needs_idle = True
    name = "intermedia"
    # Halo matches the answering agent by this number first: two agents with one would be one.
    distinct_agent_keys = {"number": None}
    Settings = IntermediaSettings

    def __init__(self, world: World, journal: Journal, settings: IntermediaSettings):
        super().__init__(world, journal, settings)
        self.settings: IntermediaSettings = settings
        for agent, cfg in intermedia_agents(world):
            unknown = set(cfg) - AGENT_KEYS
            if unknown or not all(isinstance(v, str) for v in cfg.values()):
                raise SettingsError(f"agent {agent.id}, intermedia section: give number and email as strings"
                                    + (f" (unknown: {', '.join(sorted(unknown))})" if unknown else ""))
        # Kept across resets: its HTTP client session and the deliveries still out.
        self.webhooks = WebhookSender(self.name, settings, journal, self.clock, lambda: self.url)
        world.bus.subscribe("*", self.on_core_event)
        self.reset()
        self.desk.sign_in_desk_agents()

    def reset(self) -> None:
        self.webhooks.settings = self.settings  # the Simulator's reset makes the settings again
        self.records = CallRecords(self.world.memory.budget.records_bytes)  # CallIDs and Halo's rows
        self.world.memory.register(f"{self.name}.records", self.records.ledger)
        self.desk = Desk(self.world, self.timers, self.name, self.settings, self.records, self.webhooks,
                         self.advertised_url)
        self.halo = build_halo(self.desk.intermedia_agents(), self.settings, self.records)

    def on_core_event(self, event: CoreEvent) -> None:
        self.desk.on_core_event(event)

    def vendor_states(self) -> dict[str, dict[str, str]]:
        return self.desk.vendor_states()

    def eligible(self, agent: Agent, contact: Contact) -> bool:
        return self.desk.eligible(agent, contact)

    def offer(self, agent: Agent, contact: Contact) -> None:
        self.desk.offer(agent, contact)

    # -- HTTP ------------------------------------------------------------------------------------------------
    def routes(self, app: web.Application) -> None:
        # HALO_ROUTES is read now, at start, so that a mutant may replace it (conformance/intermedia/mutants.py).
        table = RouteTable(halo_api.HALO_ROUTES, collapse_slashes=False, strip_trailing_slash=False)
        install(app, [table], functools.partial(halo_api.dispatch, self), halo_api.HaloAnswers())

    def internal_error_response(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=500)

    async def stop(self) -> None:
        await self.webhooks.close()
        await super().stop()
