"""Intermedia Contact Center → HaloPSA: the "Agent Answers Call" webhook, both ends.

ccsim plays Intermedia: when an agent with an `intermedia` section ({number, email}) answers a
call (on any face; an agent who is only an Intermedia agent is signed in here, takes calls of
queues with an `intermedia` section and picks up by itself after `answer_after_seconds`), IVR
Studio's REST WSCall posts the seed's body to every
webhook configured for that event (wscall.py). And ccsim plays HaloPSA: the receiver at
/api/notify/intermedia matches the agent and the end user and logs the call (halo.py, api.py).
By default the webhook points at the receiver: a closed loop.
"""
from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from ...core import Agent, Channel, Contact, Journal, World
from ...core.bus import CoreEvent
from ...core.clock import TimerHandle
from ...serving.face import SettingsError
from ...serving.http_face import HttpFace
from .api import install
from .halo import build_halo
from .records import CallRecords
from .settings import IntermediaSettings
from .wscall import WsCalls

AGENT_KEYS = {"number", "email"}


class IntermediaFace(WsCalls, HttpFace):
    voice_needs_idle = True
    name = "intermedia"
    # Halo matches the answering agent by this number first: two agents with one would be one.
    distinct_agent_keys = {"number": None}
    Settings = IntermediaSettings

    def __init__(self, world: World, journal: Journal, settings: IntermediaSettings):
        super().__init__(world, journal, settings)
        self.settings: IntermediaSettings = settings
        for agent, cfg in self.intermedia_agents():
            unknown = set(cfg) - AGENT_KEYS
            if unknown or not all(isinstance(v, str) for v in cfg.values()):
                raise SettingsError(f"agent {agent.id}, intermedia section: give number and email as strings"
                                    + (f" (unknown: {', '.join(sorted(unknown))})" if unknown else ""))
        world.bus.subscribe("*", self.on_core_event)
        self.reset()
        self.sign_in_desk_agents()

    def reset(self) -> None:
        self._init_wscalls()
        self.records = CallRecords(self.world.memory.budget.records_bytes)  # CallIDs and Halo's rows
        self.world.memory.register(f"{self.name}.records", self.records.ledger)
        self.answered: dict[str, str] = {}  # live contact id -> the agent who answered it
        self.desk_timers: dict[str, TimerHandle] = {}  # contact id -> pick-up or hang-up of a desk agent
        self.halo = build_halo(self)

    # -- agents ----------------------------------------------------------------------------------------
    def intermedia_agents(self) -> list[tuple[Agent, dict[str, Any]]]:
        return [(a, a.faces["intermedia"]) for a in self.world.agents.values() if "intermedia" in a.faces]

    def desk_agents(self) -> list[Agent]:
        """Agents who are only Intermedia agents: this face signs them in and plays their desk."""
        return [a for a, _ in self.intermedia_agents() if set(a.faces) == {"intermedia"}]

    def sign_in_desk_agents(self) -> None:
        for agent in self.desk_agents():
            if agent.face is None:
                self.world.sign_in(agent.id, self.name)
                self.world.set_presence(agent.id, "idle")

    def vendor_states(self) -> dict[str, dict[str, str]]:
        states = {}
        for agent, cfg in self.intermedia_agents():
            shown = {"number": str(cfg.get("number", "")), "email": str(cfg.get("email", ""))}
            answered = [c for c, a in self.answered.items() if a == agent.id and c in agent.contacts]
            if answered:
                shown["answered"] = ", ".join(answered)  # the calls whose webhook has gone out
            states[agent.id] = shown
        return states

    def eligible(self, agent: Agent, contact: Contact) -> bool:
        """Calls of queues with an `intermedia` section, to a free desk agent."""
        queue = self.world.queues.get(contact.queue or "")
        return (queue is not None and "intermedia" in queue.faces and contact.channel is Channel.VOICE
                and agent.presence == "idle" and not agent.contacts)

    def offer(self, agent: Agent, contact: Contact) -> None:
        self.world.set_presence(agent.id, "ringing")
        if self.settings.answer_after_seconds is not None:
            self._later(contact.id, self.settings.answer_after_seconds, lambda: self._pick_up(contact.id, agent.id))

    def _pick_up(self, contact_id: str, agent_id: str) -> None:
        contact = self.world.contacts.get(contact_id)
        if contact is None or contact.ended or contact.agent != agent_id:
            return
        self.world.connect(contact_id)
        self.world.set_presence(agent_id, "talking")
        if self.settings.talk_seconds is not None:
            self._later(contact_id, self.settings.talk_seconds, lambda: self._hang_up(contact_id))

    def _hang_up(self, contact_id: str) -> None:
        contact = self.world.contacts.get(contact_id)
        if contact is not None and not contact.ended:
            self.world.end(contact_id, "agent")

    def _later(self, contact_id: str, delay: float, action) -> None:
        def fire() -> None:
            self.desk_timers.pop(contact_id, None)
            action()

        self.desk_timers[contact_id] = self.timers.call_later(delay, fire)

    # -- call events -> WSCalls ------------------------------------------------------------------------------
    def on_core_event(self, event: CoreEvent) -> None:
        if event.kind == "world.reset":
            self.sign_in_desk_agents()
            return
        contact = self.world.contacts.get(event.contact or "")
        if contact is None or contact.channel is not Channel.VOICE:
            return
        if event.kind == "contact.connected" and contact.id not in self.answered:
            agent = self.world.agents.get(event.agent or "")
            if agent is not None and "intermedia" in agent.faces:
                self.answered[contact.id] = agent.id
                self.fire("Agent Answers Call", self.call_values(contact, agent), agent.id, contact.id)
        elif event.kind == "contact.ended":
            timer = self.desk_timers.pop(contact.id, None)
            if timer is not None:
                timer.cancel()
            self._free_desk_agent(contact)
            agent = self.world.agents.get(self.answered.pop(contact.id, ""))
            if agent is not None:
                values = self.call_values(contact, agent)
                if event.data.get("reason") == "agent":
                    self.fire("Agent Hangs Up", values, agent.id, contact.id)
                self.fire("Call Ended", values, agent.id, contact.id)
            self.records.call_ended(contact.id)

    def _free_desk_agent(self, contact: Contact) -> None:
        agent = self.world.agents.get(contact.agent or "")
        if agent is not None and agent.face == self.name and not agent.contacts:
            self.world.set_presence(agent.id, "idle")

    def call_values(self, contact: Contact, agent: Agent) -> dict[str, str]:
        """The IVR variables CallID, AgentNumber, AgentEmail, UserNumber, RecordingUrl (as strings)."""
        cfg = agent.faces["intermedia"]
        call_id = self.records.call_id(contact.id, lambda: str(uuid.UUID(int=self.rng.getrandbits(128), version=4)))
        return {"CallID": call_id, "AgentNumber": str(cfg.get("number", "")), "AgentEmail": str(cfg.get("email", "")),
                "UserNumber": contact.caller,
                "RecordingUrl": self.settings.recording_url.format(base=self.advertised_url() or "", CallID=call_id)}

    # -- HTTP ------------------------------------------------------------------------------------------------
    def routes(self, app: web.Application) -> None:
        install(app, self)

    def internal_error_response(self, request: web.Request) -> web.StreamResponse:
        return web.Response(status=500)

    async def stop(self) -> None:
        await self.close_wscalls()
        await super().stop()
