"""The Intermedia side of a call: who the Intermedia agents are, the desk of those who are only
Intermedia agents, and the IVR events a call raises.

An agent with an `intermedia` section ({number, email}) may answer on any face; one who is only an
Intermedia agent is signed in by this face, takes calls of queues with an `intermedia` section,
picks up by itself after `answer_after_seconds` and hangs up after `talk_seconds`. When such a
call is answered, ended by the agent, or ended, the desk hands the event and the IVR variables
(call_values) to its Webhooks, which send the WSCalls (wire/webhooks.py).
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Protocol

from ....core import Agent, Channel, Contact, World
from ....core.bus import CoreEvent
from ....core.clock import TimerHandle, TimerScope
from ..settings import IntermediaSettings
from .records import CallRecords


class Webhooks(Protocol):
    def fire(self, event: str, values: dict[str, str], agent: str | None, contact: str) -> None:
        """Every webhook configured for `event`, sent in the background."""


def intermedia_agents(world: World) -> list[tuple[Agent, dict[str, Any]]]:
    return [(a, a.faces["intermedia"]) for a in world.agents.values() if "intermedia" in a.faces]


class Desk:
    """The desk's state since the last reset (the face makes a new one at each)."""

    def __init__(self, world: World, timers: TimerScope, face: str, settings: IntermediaSettings,
                 records: CallRecords, webhooks: Webhooks, base_url: Callable[[], str | None]):
        self.world, self.timers, self.face, self.settings = world, timers, face, settings
        self.records, self.webhooks, self.base_url = records, webhooks, base_url
        self.answered: dict[str, str] = {}  # live contact id -> the agent who answered it
        self.desk_timers: dict[str, TimerHandle] = {}  # contact id -> pick-up or hang-up of a desk agent

    # -- agents ----------------------------------------------------------------------------------------
    def intermedia_agents(self) -> list[tuple[Agent, dict[str, Any]]]:
        return intermedia_agents(self.world)

    def desk_agents(self) -> list[Agent]:
        """Agents who are only Intermedia agents: this face signs them in and plays their desk."""
        return [a for a, _ in self.intermedia_agents() if set(a.faces) == {"intermedia"}]

    def sign_in_desk_agents(self) -> None:
        for agent in self.desk_agents():
            if agent.face is None:
                self.world.sign_in(agent.id, self.face)
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

    def _later(self, contact_id: str, delay: float, action: Callable[[], None]) -> None:
        def fire() -> None:
            self.desk_timers.pop(contact_id, None)
            action()

        self.desk_timers[contact_id] = self.timers.call_later(delay, fire)

    # -- call events -> IVR events ---------------------------------------------------------------------------
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
                self.webhooks.fire("Agent Answers Call", self.call_values(contact, agent), agent.id, contact.id)
        elif event.kind == "contact.ended":
            timer = self.desk_timers.pop(contact.id, None)
            if timer is not None:
                timer.cancel()
            self._free_desk_agent(contact)
            agent = self.world.agents.get(self.answered.pop(contact.id, ""))
            if agent is not None:
                values = self.call_values(contact, agent)
                if event.data.get("reason") == "agent":
                    self.webhooks.fire("Agent Hangs Up", values, agent.id, contact.id)
                self.webhooks.fire("Call Ended", values, agent.id, contact.id)
            self.records.call_ended(contact.id)

    def _free_desk_agent(self, contact: Contact) -> None:
        agent = self.world.agents.get(contact.agent or "")
        if agent is not None and agent.face == self.face and not agent.contacts:
            self.world.set_presence(agent.id, "idle")

    def call_values(self, contact: Contact, agent: Agent) -> dict[str, str]:
        """The IVR variables CallID, AgentNumber, AgentEmail, UserNumber, RecordingUrl (as strings)."""
        cfg = agent.faces["intermedia"]
        call_id = self.records.call_id(contact.id, self._new_call_id)
        return {"CallID": call_id, "AgentNumber": str(cfg.get("number", "")), "AgentEmail": str(cfg.get("email", "")),
                "UserNumber": contact.caller,
                "RecordingUrl": self.settings.recording_url.format(base=self.base_url() or "", CallID=call_id)}

    def _new_call_id(self) -> str:
        """A UUID from the face's own random stream: CallIDs repeat no other face's ids."""
        return str(uuid.UUID(int=self.world.rng_for(self.face).getrandbits(128), version=4))
