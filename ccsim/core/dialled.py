"""Contacts dialled straight to one agent, as a call to its extension: no queue, no routing
choice. The agent's face decides whether the phone rings (its policy's `direct_refusal`, for
the channels it lists in `direct_channels`); a refusal ends the contact `refused`."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import WorldError
from .model import Channel, Contact, Direction, EndReason

if TYPE_CHECKING:
    from .world import World


class Dialling:
    def _dial_in(self: "World", agent_id: str, channel: Channel, caller: str | None, called: str | None,
                 data: dict[str, Any] | None, route: bool) -> Contact:
        """A new contact for the agent, rung (or refused) by the next routing pass."""
        agent = self.agent(agent_id)
        if agent.face is None:
            raise WorldError(f"agent {agent_id} is not signed in on any face")
        if channel.value not in getattr(self.policies.get(agent.face), "direct_channels", ()):
            raise WorldError(f"the {agent.face} face takes no {channel.value} contact dialled straight to an agent "
                             f"(agent {agent_id} is signed in on it)")
        contact = self._new_contact(channel, Direction.INBOUND, caller or self.fake_caller(), called or agent_id, data,
                                    refusable=True)
        contact.agent = agent_id
        self._dialled[contact.id] = agent_id
        if route:
            self.route()
        return contact

    def _ring_dialled(self: "World", contact_id: str, agent_id: str) -> None:
        contact, agent = self.contacts.get(contact_id), self.agents.get(agent_id)
        if contact is None or contact.ended:
            return
        policy = self.policies.get(agent.face or "") if agent is not None else None
        if agent is None or policy is None:  # signed out since it was dialled
            refusal: str | None = f"agent {agent_id} is not signed in on any face"
        else:
            try:
                refusal = policy.direct_refusal(agent, contact)
                if refusal is None:
                    self.offer(contact_id, agent_id)
                    return
            except Exception:  # a face's bug: kept (the tests fail on it); the routing pass goes on
                self.routing_errors.record(f"{agent.face} ringing {contact_id} dialled to agent {agent_id}")
                refusal = f"the {agent.face} face failed"
        if not contact.ended:
            self.end(contact_id, EndReason.REFUSED, why=refusal)
