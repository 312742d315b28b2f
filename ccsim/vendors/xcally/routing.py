"""XCALLY's routing rules for digital interactions, and the report rows they leave (seed 001).

An agent is notified of an interaction only if online, a member of the queue, not paused on
the channel, under the global tab limit and then under the channel's capacity (in that order).
Auto answer accepts after the agent's delay; an agent at a limit is not auto-answered until
the count drops by one (routing offers again then). Every queue an interaction passes through
writes one row to report_{channel}_queue: timeout, accepted (with UserId) or abandoned.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core import Agent, Channel, Contact, EndReason, Queue
from ...core.bus import CoreEvent
from .model import Interaction, XAgent

if TYPE_CHECKING:
    from .face import XcallyFace


class XcallyError(Exception):
    """Answered with `status` and {"message": ...} (XCALLY's error body carries `message`)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class Routing:
    # -- counts and the two limits -------------------------------------------------------------------------
    def in_tabs(self: "XcallyFace", agent: XAgent, channel: str | None = None,
                ignore: Interaction | None = None) -> int:
        """Interactions occupying a tab (accepted and open, or notified and not yet answered), on
        one channel or on all; `ignore` is the interaction being accepted."""
        return sum(1 for i in self.interactions.values()
                   if i.user_id == agent.id and i.status in ("offered", "open") and i is not ignore
                   and channel in (None, i.channel))

    def limit_reached(self: "XcallyFace", agent: XAgent, channel: str, ignore: Interaction | None = None) -> str | None:
        """Why the agent cannot take one more interaction: the tab limit first, then the channel
        capacity (seed 001's order); `ignore` is the interaction being accepted."""
        if self.in_tabs(agent, ignore=ignore) >= self.settings.tab_limit:
            return "the interaction tabs limit"
        capacity = agent.capacity.get(channel, 0)
        if capacity and self.in_tabs(agent, channel, ignore) >= capacity:
            return f"the {channel} capacity"
        return None

    def available(self: "XcallyFace", agent: XAgent, channel: str) -> bool:
        return agent.online and not agent.disabled and channel not in agent.paused

    def can_notify(self: "XcallyFace", agent: XAgent, interaction: Interaction | None, channel: str,
                   queue_id: int | None) -> bool:
        if not self.available(agent, channel):
            return False
        if queue_id is not None and agent.id not in self.queues[queue_id].members:
            return False
        if interaction is not None and agent.id in interaction.declined_by:
            return False
        return self.limit_reached(agent, channel) is None

    # -- the routing policy the core asks -------------------------------------------------------------------
    def claims_queue(self: "XcallyFace", queue: Queue) -> bool:
        """A queue with an `xcally` section is Motion's: only its members (XCALLY agents) take
        its contacts, never another face's agent (core/queue_owners.py). A digital interaction
        exists only in Motion (its tabs, report rows, socket.io offers); a voice queue that asks
        for `skills` is a phone line every face's agents with those skills share (as `ccsim
        load`'s one queue is), its XCALLY agents still only its members."""
        return "xcally" in queue.faces and (queue.channel is not Channel.VOICE or not queue.skills)

    def eligible(self: "XcallyFace", agent: Agent, contact: Contact) -> bool:
        """Only contacts of XCALLY queues, only to the queue's members, on XCALLY's rules."""
        xagent = self.by_core.get(agent.id)
        queue = self.queue_of_core.get(contact.queue or "")
        if xagent is None or queue is None:
            return False
        channel = contact.channel.value
        if channel == "voice":
            return self.rings_for_queue(xagent, self.queues[queue].members)
        interaction = self.by_contact.get(contact.id)
        return interaction is not None and self.can_notify(xagent, interaction, channel, queue)

    def offer(self: "XcallyFace", agent: Agent, contact: Contact) -> None:
        xagent = self.by_core[agent.id]
        if contact.channel.value == "voice":
            self.ring_phonebar(xagent, contact)
            return
        interaction = self.by_contact[contact.id]
        interaction.status, interaction.user_id = "offered", xagent.id
        queue = self.queues.get(interaction.queue) if interaction.queue is not None else None
        others = []
        if queue is not None and queue.strategy == "beepall":  # every free member hears it; first accept wins
            others = [a for a in self.agents.values() if a is not xagent and self.world.agents.get(a.core_id)
                      and self.can_notify(a, interaction, interaction.channel, queue.id)]
        interaction.offered_to = [xagent.id, *(a.id for a in others)]
        for target in (xagent, *others):
            self.notify(target, "offer", self.offer_body(interaction))
        self.arm_auto_answer(interaction, xagent)

    def arm_auto_answer(self: "XcallyFace", interaction: Interaction, agent: XAgent) -> None:
        """Auto answer, for the agent the interaction is offered to (beepall: the core's pick)."""
        if agent.autoanswer.get(interaction.channel):
            delay = agent.autoanswer_delay.get(interaction.channel, 0)
            interaction.timer = self.timers.call_later(delay, lambda: self.auto_answer(interaction, agent))

    def offer_body(self: "XcallyFace", interaction: Interaction) -> dict[str, Any]:
        return {"channel": interaction.channel, "id": interaction.id, "contact": interaction.contact,
                "queueId": interaction.queue}

    def auto_answer(self: "XcallyFace", interaction: Interaction, agent: XAgent) -> None:
        interaction.timer = None
        if interaction.status == "offered" and interaction.user_id == agent.id:
            try:
                self.accept(agent, interaction)
            except XcallyError:  # a limit was lowered meanwhile: back to the queue
                self.requeue(interaction)

    # -- what agents do ----------------------------------------------------------------------------------------
    def accept(self: "XcallyFace", agent: XAgent, interaction: Interaction) -> None:
        if interaction.status != "offered" or agent.id not in interaction.offered_to:
            raise XcallyError(409, f"interaction {interaction.id} is not offered to {agent.name}")
        limit = self.limit_reached(agent, interaction.channel, ignore=interaction)  # checked before accepting too
        if limit:
            raise XcallyError(409, f"{agent.name} has reached {limit}")
        if interaction.timer is not None:
            interaction.timer.cancel()
            interaction.timer = None
        if interaction.user_id != agent.id:  # beepall: another member answered first
            self.world.reassign(interaction.core_id, agent.core_id)
        for other in interaction.offered_to:
            if other != agent.id and other in self.agents:
                self.notify(self.agents[other], "revoked", self.offer_body(interaction))
        interaction.status, interaction.user_id, interaction.offered_to = "open", agent.id, [agent.id]
        self.world.connect(interaction.core_id)  # -> the report row: accepted, with UserId
        self.notify(agent, "accepted", self.offer_body(interaction))

    def reject(self: "XcallyFace", agent: XAgent, interaction: Interaction) -> None:
        """Declined: the other agents a beepall offer rings keep it (§4: to all until one
        responds); when nobody is left, the request moves to the next available agent."""
        if interaction.status != "offered" or agent.id not in interaction.offered_to:
            raise XcallyError(409, f"interaction {interaction.id} is not offered to {agent.name}")
        interaction.declined_by.add(agent.id)
        self.withdraw_offer(interaction, agent)

    def withdraw_offer(self: "XcallyFace", interaction: Interaction, agent: XAgent) -> None:
        """One agent's offer goes (declined, or it logged out). If the core had offered the
        interaction to that agent, the first other agent still ringing that could take it now
        takes its place, with no new popup for anybody; nobody: back to the queue."""
        interaction.offered_to.remove(agent.id)
        if interaction.user_id != agent.id:
            return  # a beepall offer of its own: it held no tab
        if interaction.timer is not None:
            interaction.timer.cancel()
            interaction.timer = None
        heir = next((self.agents[i] for i in interaction.offered_to if i in self.agents and self.can_notify(
            self.agents[i], interaction, interaction.channel, interaction.queue)), None)
        if heir is None:
            self.requeue(interaction)
            return
        interaction.user_id = heir.id
        self.world.reassign(interaction.core_id, heir.core_id)
        self.arm_auto_answer(interaction, heir)
        self.world.route()  # the tab it held is free

    def requeue(self: "XcallyFace", interaction: Interaction) -> None:
        """Back to the queue: the other offers are withdrawn and routing tries again."""
        self._revoke(interaction, "queued")
        interaction.user_id = None
        self.world.requeue(interaction.core_id)

    def close(self: "XcallyFace", interaction: Interaction, disposition: str) -> None:
        if interaction.closed:
            raise XcallyError(409, f"interaction {interaction.id} is already closed")
        was_open = interaction.status == "open"
        if interaction.status in ("queued", "offered"):  # INFERRED: closed before anyone accepted it
            self.close_row(interaction, "abandoned")
            self._revoke(interaction, "closed")
        interaction.disposition, interaction.status = disposition, "closed"
        if was_open and interaction.user_id in self.agents:
            self.notify(self.agents[interaction.user_id], "closed", self.offer_body(interaction))
        self.records.interaction(interaction)
        contact = self.world.contacts.get(interaction.core_id)
        if contact is not None and not contact.ended:
            self.world.end(contact.id, EndReason.AGENT)  # frees a tab: routing offers what waits

    def customer_message(self: "XcallyFace", interaction: Interaction, body: str) -> None:
        """A new message from the customer. On a closed interaction it is a follow-up that
        reopens it: checked against the tab limit and capacity of the agent who handled it (the
        seed's newer rule) and, when that agent cannot be notified, routed to the first free
        agent of its queue; with followups_bypass_limits, passed to that agent whatever the
        limits if available (online, not paused on the channel), as the older paragraph says."""
        interaction.messages.append({"direction": "in", "body": body, "createdAt": self.iso(self.clock.now())})
        self.records.interaction(interaction)
        if not interaction.closed:
            return
        previous = self.agents.get(interaction.user_id or -1)
        interaction.disposition, interaction.declined_by = "", set()  # reopened: queued by on_contact below
        self.reopening = interaction  # the new contact's queued event belongs to this interaction
        try:
            contact = self.world.inject(self.queues[interaction.queue].core_id, channel=interaction.channel,
                                        caller=interaction.contact, route=False)
        finally:
            self.reopening = None
        bypass = self.settings.followups_bypass_limits
        if previous is not None and (self.available(previous, interaction.channel) if bypass else
                                     self.can_notify(previous, interaction, interaction.channel, None)):
            self.world.offer(contact.id, previous.core_id)
        else:
            self.world.route()

    # -- reports ----------------------------------------------------------------------------------------------
    def on_core_event(self: "XcallyFace", event: CoreEvent) -> None:
        """Report rows from what happens to contacts in queues (one row per queue entered)."""
        if event.kind == "contact.queued":
            self.on_contact(event)  # a new digital contact becomes an interaction before routing
        elif event.kind in ("contact.ended", "contact.requeued"):  # a call ringing back to its queue, or over
            self.voice_contact_ended(event.contact or "")
        interaction = self.by_contact.get(event.contact or "")
        if interaction is None:
            return
        if event.kind == "contact.queued":
            queue = self.queue_of_core.get(event.data.get("queue", ""))
            interaction.queue = queue
            if queue is not None and interaction.core_id not in self.open_rows:  # back in the same queue: same row
                self.open_rows[interaction.core_id] = self.report_row(interaction, queue)
        elif event.kind == "contact.requeued" and interaction.status == "offered":
            self._revoke(interaction, "queued")  # taken back by the core (the agent logged out)
            interaction.user_id = None
        elif event.kind == "contact.queue_timeout":
            self.close_row(interaction, "timeout")
        elif event.kind == "contact.connected":
            self.close_row(interaction, "accepted", interaction.user_id)
        elif event.kind == "contact.ended":
            reason = event.data.get("reason")
            if reason in ("abandoned", "customer") and interaction.status in ("queued", "offered"):
                self.close_row(interaction, "abandoned")
                self._revoke(interaction, "abandoned")
            elif reason == "timed_out":
                self.close_row(interaction, "timeout")
                interaction.status = "timeout"
        self.records.interaction(interaction)  # live or done now, and what it costs

    def _revoke(self: "XcallyFace", interaction: Interaction, status: str) -> None:
        if interaction.timer is not None:
            interaction.timer.cancel()
            interaction.timer = None
        for agent_id in interaction.offered_to:
            if agent_id in self.agents:
                self.notify(self.agents[agent_id], "revoked", self.offer_body(interaction))
        interaction.status, interaction.offered_to = status, []

    def report_row(self: "XcallyFace", interaction: Interaction, queue_id: int) -> dict[str, Any]:
        row = {"id": next(self._row_ids[interaction.channel]), "uniqueid": f"{interaction.channel}-{interaction.id}",
               "interactionId": interaction.id, "queue": self.queues[queue_id].name, "queueId": queue_id,
               "reason": None, "UserId": None, "enterAt": self.iso(self.clock.now()), "exitAt": None,
               "createdAt": self.iso(self.clock.now())}
        self.reports[interaction.channel][row["id"]] = row
        self.records.queue_row(interaction.channel, row, open_=True)
        return row

    def close_row(self: "XcallyFace", interaction: Interaction, reason: str, user_id: int | None = None) -> None:
        row = self.open_rows.pop(interaction.core_id, None)
        if row is not None:
            row.update(reason=reason, UserId=user_id, exitAt=self.iso(self.clock.now()))
            self.records.queue_row(interaction.channel, row, open_=False)
