"""Contacts on CXone, from offer to the second Disconnected (FinalState), and the agent leg they
ride on: dialled for a contact or from MAX, answered by the softphone itself (auto-accept) or
accepted in MAX before the refusal timeout; and logging out, which ends them (seed 000's rules).
Every event is told through Sessions, whose ids these share."""
from __future__ import annotations

from ....core import Agent, Contact, EndReason, World
from ....core.clock import TimerScope
from ..errors import NiceError
from ..settings import NiceSettings
from .records import AgentSession, ApiSession, NiceContact
from .sessions import Sessions


class Contacts:
    def __init__(self, world: World, timers: TimerScope, settings: NiceSettings, sessions: Sessions):
        self.world, self.clock, self.timers, self.settings = world, world.clock, timers, settings
        self.sessions = sessions
        self.by_core: dict[str, tuple[str, str]] = {}  # core contact id -> (agent id, ContactID)

    # -- routing policy ------------------------------------------------------------------------------------------
    def eligible(self, agent: Agent, contact: Contact) -> bool:
        session = self.sessions.by_agent.get(agent.id)
        if session is None or session.acw or session.closing:
            return False
        if contact.channel.value == "voice":
            return session.state == "Available" and not session.in_progress() and \
                (session.leg_status != "Dialing" or self.settings.route_while_leg_dialing)
        same = sum(1 for c in session.in_progress() if c.channel == contact.channel.value)
        limit = agent.capacity_for(contact.channel)
        return session.state in ("Available", "InboundContact") and (limit == 0 or same < limit) and \
            not any(c.voice for c in session.in_progress())

    def offer(self, agent: Agent, contact: Contact) -> None:
        self.offer_contact(self.sessions.by_agent[agent.id], contact)

    # -- logging out ---------------------------------------------------------------------------------------
    def end_session(self, api: ApiSession, *, force: bool, end_contacts: bool) -> None:
        """Seed 000's logout rules. The bar logging out ends MAX too, unless a contact is in
        progress (then MAX stays as it is). MAX logging out does not log the bar out: the bar is
        told (RemoteAgentSessionEnd) and can join again later."""
        session = self.sessions.by_agent.get(api.agent_id)
        if session is None or api.detached:
            self.sessions.end_api(api)
            return
        busy = session.in_progress()
        if api.role == "bar" and session.live_contacts() and not end_contacts:
            self.sessions.end_api(api)  # handling an interaction (after-call work too): MAX stays as it is
            return
        if busy and not (force or end_contacts):
            raise NiceError(409, "ContactInProgress", "the agent is handling a contact; end it first, or pass "
                                                      "endContacts or forceLogoff")
        session.closing = True  # no after-call work, no state to go back to: the session is ending
        for contact in busy:
            self.end_contact(session, contact)
        for contact in session.live_contacts():  # the second Disconnected before the session ends
            self.finish(session, contact)
        if session.leg_status in ("Dialing", "Active"):  # the platform hangs up the agent's phone
            if session.leg_timer is not None:
                session.leg_timer.cancel()
            self.sessions.leg_event(session, "Disconnected", final=True)
        for other in list(session.api_sessions):
            if other is api or other.role == api.role or api.role == "bar":
                self.sessions.end_api(other)
            else:
                self.sessions.end_api(other, "RemoteAgentSessionEnd", "RemoteLogoff")
        self.sessions.close(session)

    # -- agent leg ----------------------------------------------------------------------------------------
    def dial_leg(self, session: AgentSession, for_contact: str | None = None) -> None:
        if session.leg_status in ("Dialing", "Active"):
            raise NiceError(409, "AgentLegActive", f"the agent leg is already {session.leg_status}")
        session.leg_id, session.leg_for = next(self.sessions.ids), for_contact
        self.sessions.leg_event(session, "Dialing")
        if session.auto_accept:  # the integrated softphone answers by itself
            session.leg_timer = self.timers.call_later(self.settings.leg_answer_seconds, lambda: self.leg_answered(session))

    def leg_answered(self, session: AgentSession) -> None:
        if session.leg_status != "Dialing" or self.sessions.by_agent.get(session.agent_id) is not session:
            return
        session.leg_timer = None
        self.sessions.leg_event(session, "Active")
        contact = session.contacts.get(session.leg_for or "")
        session.leg_for = None
        if contact is not None and contact.status == "Incoming" and not contact.manual_accept:
            self.connect(session, contact)

    def end_leg(self, session: AgentSession) -> None:
        if session.leg_status not in ("Dialing", "Active"):
            raise NiceError(409, "NoAgentLeg", "there is no agent leg to end")
        if session.leg_timer is not None:
            session.leg_timer.cancel()
        self.sessions.leg_event(session, "Disconnected", final=True)
        for contact in session.in_progress():  # no voice path: the agent drops out of its calls
            if contact.voice and contact.status in ("Active", "Holding", "Dialing"):
                self.end_contact(session, contact)

    # -- contacts ------------------------------------------------------------------------------------------
    def offer_contact(self, session: AgentSession, contact: Contact) -> None:
        queue = self.world.queues.get(contact.queue or "")
        manual = bool((queue.faces.get("nice") or {}).get("manual_accept")) if queue else False
        nc = NiceContact(next(self.sessions.ids), contact.id, contact.channel.value == "voice", contact.channel.value,
                         "Incoming", True, contact.caller, contact.called, queue.name if queue else "",
                         self.clock.now(), self.clock.now(), manual)
        session.contacts[nc.id] = nc
        self.by_core[contact.id] = (session.agent_id, nc.id)
        if session.state in ("Available", "Unavailable"):
            session.after_contact = (session.state, session.out_reason)
        self.sessions.contact_event(session, nc)
        self.sessions.set_state(session, "InboundContact")
        nc.timer = self.timers.call_later(self.settings.refusal_timeout_seconds, lambda: self.refuse(session, nc))
        if not nc.voice or session.leg_status == "Active":
            if not manual:
                self.connect(session, nc)
        elif session.leg_status == "Dialing":  # dialled from MAX, not answered yet: the contact waits for it
            session.leg_for = nc.id
        else:  # "Connecting Agent Leg": the platform dials the leg for this contact
            self.dial_leg(session, for_contact=nc.id)

    def accept(self, session: AgentSession, target: str, *, by_bar: bool = False) -> None:
        """Accept in MAX: the agent leg being dialled, or an incoming contact (answering the leg
        with it when the leg is being dialled for it). From the Media Bar, only what needs no leg:
        seed 000, with the leg not connected "the agent has to click the Accept button in the MAX"."""
        if by_bar and not self.settings.bar_can_dial_agent_leg and self._answers_the_leg(session, target):
            raise NiceError(403, "Forbidden", "the agent leg is connected from MAX, not from this client")
        if target == session.leg_id and session.leg_status == "Dialing":
            if session.leg_timer is not None:
                session.leg_timer.cancel()
            pending = session.contacts.get(session.leg_for or "")
            self.leg_answered(session)
            if pending is not None and pending.status == "Incoming":
                self.connect(session, pending)
            return
        contact = self.contact(session, target)
        if contact.status != "Incoming":
            raise NiceError(409, "InvalidState", f"contact {target} is {contact.status}, not Incoming")
        if contact.voice and session.leg_status == "Dialing" and session.leg_for == contact.id:
            self.leg_answered(session)
        if contact.status == "Incoming":
            self.connect(session, contact)

    @staticmethod
    def _answers_the_leg(session: AgentSession, target: str) -> bool:
        """Is `target` the agent leg, or a call that accepting would connect with the leg (not Active)?"""
        if target and target == session.leg_id:
            return True
        contact = session.contacts.get(target)
        return (contact is not None and contact.voice and contact.status == "Incoming"
                and session.leg_status != "Active")

    def connect(self, session: AgentSession, contact: NiceContact) -> None:
        contact.cancel_timer()
        contact.status = "Active"
        self.world.connect(contact.core_id)
        self.sessions.contact_event(session, contact)
        self.world.set_presence(session.agent_id, "talking")

    def refuse(self, session: AgentSession, contact: NiceContact) -> None:
        """Not accepted in time, or rejected: the contact goes back to the queue and the agent
        becomes Unavailable with the refused reason."""
        if contact.status != "Incoming" or self.sessions.by_agent.get(session.agent_id) is not session:
            return
        contact.cancel_timer()
        contact.status, contact.final = "Disconnected", True
        self.by_core.pop(contact.core_id, None)
        self.sessions.contact_event(session, contact)
        if session.leg_for == contact.id and session.leg_status == "Dialing":
            if session.leg_timer is not None:
                session.leg_timer.cancel()
            self.sessions.leg_event(session, "Disconnected", final=True)
            session.leg_for = None
        session.after_contact = ("Unavailable", self.settings.refused_reason)
        if not session.closing:
            self.sessions.set_state(session, "Unavailable", self.settings.refused_reason)
        core = self.world.contacts.get(contact.core_id)
        if core is not None and not core.ended:
            self.world.requeue(core.id)

    def hold(self, session: AgentSession, target: str, holding: bool) -> None:
        contact = self.contact(session, target)
        wanted = "Active" if holding else "Holding"
        if not contact.voice or contact.status != wanted:
            raise NiceError(409, "InvalidState", f"contact {target} is {contact.status}")
        (self.world.hold if holding else self.world.resume)(contact.core_id)
        contact.status = "Holding" if holding else "Active"
        self.sessions.contact_event(session, contact)

    def end_contact(self, session: AgentSession, contact: NiceContact) -> None:
        if contact.status == "Disconnected":
            raise NiceError(409, "InvalidState", f"contact {contact.id} has ended")
        if contact.status == "Incoming":
            # Ending a contact still offered declines it, as reject does (INFERRED): the agent
            # becomes Unavailable first, so that the queue does not offer it to them again.
            self.refuse(session, contact)
            return
        contact.cancel_timer()
        self.by_core.pop(contact.core_id, None)
        core = self.world.contacts.get(contact.core_id)
        if core is not None and not core.ended:
            self.world.end(core.id, EndReason.AGENT)
        self.disconnected(session, contact)

    def disconnected(self, session: AgentSession, contact: NiceContact) -> None:
        """First Disconnected (FinalState False) and after-call work; the second closes it.
        A contact that never connected (abandoned while offered) has no after-call work."""
        contact.cancel_timer()
        talked = contact.status in ("Active", "Holding")
        contact.status = "Disconnected"
        self.sessions.contact_event(session, contact)
        if talked and self.settings.acw_seconds > 0 and not session.in_progress() and not session.closing:
            self.sessions.set_state(session, "Unavailable", session.out_reason, acw=True)
            contact.timer = self.timers.call_later(self.settings.acw_seconds, lambda: self.finish(session, contact))
        else:
            self.finish(session, contact)

    def finish(self, session: AgentSession, contact: NiceContact) -> None:
        if contact.final:
            return
        contact.cancel_timer()
        contact.final = True
        self.sessions.contact_event(session, contact)
        if not session.in_progress() and self.sessions.by_agent.get(session.agent_id) is session and not session.closing:
            self.sessions.set_state(session, *session.after_contact)

    def dial_out(self, session: AgentSession, number: str, skill: str) -> None:
        """dial-phone: an outbound call over the agent leg (INFERRED: the leg must be up)."""
        if session.in_progress() or session.acw:
            raise NiceError(409, "InvalidState", "the agent is already handling a contact")
        if session.leg_status != "Active":
            raise NiceError(409, "NoAgentLeg", "connect the agent leg first (agent-phone/dial)")
        core = self.world.outbound(session.agent_id, number, caller=session.station_phone)
        now = self.clock.now()
        contact = NiceContact(next(self.sessions.ids), core.id, True, "voice", "Dialing", False, session.station_phone,
                              number, skill, now, now)
        session.contacts[contact.id] = contact
        self.by_core[core.id] = (session.agent_id, contact.id)
        session.after_contact = (session.state, session.out_reason)
        self.sessions.contact_event(session, contact)
        self.sessions.set_state(session, "OutboundContact")
        contact.timer = self.timers.call_later(self.settings.far_end_answer_seconds,
                                              lambda: contact.status == "Dialing" and self.connect(session, contact))

    def contact(self, session: AgentSession, contact_id: str) -> NiceContact:
        contact = session.contacts.get(contact_id)
        if contact is None:
            raise NiceError(404, "ContactNotFound", f"no contact {contact_id} in this session")
        return contact

    def customer_left(self, core_id: str) -> None:
        found = self.by_core.pop(core_id, None)
        if found is None:
            return
        session = self.sessions.by_agent.get(found[0])
        contact = session.contacts.get(found[1]) if session else None
        if session is not None and contact is not None and contact.status != "Disconnected":
            if session.leg_for == contact.id and session.leg_status == "Dialing":
                if session.leg_timer is not None:
                    session.leg_timer.cancel()
                self.sessions.leg_event(session, "Disconnected", final=True)
            self.disconnected(session, contact)
