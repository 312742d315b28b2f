"""The CXone platform's rules for an agent: sessions and who shares them, agent state, the
agent leg and auto-accept, contacts from offer to the second Disconnected (FinalState).

Seed 000 and reference §3 ("Model for the fake"): a contact for an Available agent with an
active leg connects; with no leg, the platform dials it and either the softphone answers by
itself (auto-accept) or the agent accepts in MAX before the refusal timeout.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...core import Contact, EndReason
from .events import event, iso
from .model import AgentSession, ApiSession, NiceContact

if TYPE_CHECKING:
    from .face import NiceFace


class NiceError(Exception):
    """Answered with `status` and a JSON body {"error", "message"} (the body shape is INFERRED)."""

    def __init__(self, status: int, error: str, message: str):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


class Platform:
    # -- events ------------------------------------------------------------------------------------
    def emit(self: "NiceFace", session: AgentSession, kind: str, **fields: Any) -> None:
        """One event to every client sharing the agent's session."""
        body = event(kind, (self.settings.iis_host, self.settings.vc_host), **fields)
        for api in session.api_sessions:
            if not api.ended and not api.detached:
                api.push(body)

    def _state_event(self: "NiceFace", session: AgentSession) -> dict[str, Any]:
        codes = [{"State": "Unavailable", "OutReason": c} for c in self.settings.unavailable_codes]
        return {"CurrentState": session.state, "CurrentOutReason": session.out_reason,
                "StartTimeUTC": iso(session.state_since), "IsAcw": session.acw,
                "AcwTimeout": int(self.settings.acw_seconds) if session.acw else "",
                "NextStates": [{"State": "Available", "OutReason": ""}, *codes], "NextIsAcw": False}

    def set_state(self: "NiceFace", session: AgentSession, state: str, reason: str = "", acw: bool = False) -> None:
        session.state, session.out_reason, session.acw = state, reason, acw
        session.state_since = self.clock.now()
        self.emit(session, "AgentState", **self._state_event(session))
        offered = any(c.status in ("Incoming", "Dialing") for c in session.in_progress())
        presence = {"Available": "idle", "InboundContact": "ringing" if offered else "talking",
                    "OutboundContact": "ringing" if offered else "talking"}.get(state)
        self.world.set_presence(session.agent_id, presence or ("wrapup" if acw else "busy"))

    def _leg_event(self: "NiceFace", session: AgentSession, status: str, final: bool = False) -> None:
        dialing, session.leg_status = session.leg_status == "Dialing", status
        self.emit(session, "AgentLeg", AgentLegId=session.leg_id, Status=status, FinalState=final)
        if dialing and not self.settings.route_while_leg_dialing:
            self.world.route()  # the agent, left out while its leg dialled, may take a call again

    def contact_event(self: "NiceFace", session: AgentSession, contact: NiceContact) -> None:
        contact.changed = self.clock.now()
        kind, fields = self._contact_fields(session, contact)
        self.emit(session, kind, **fields)

    def _contact_fields(self: "NiceFace", session: AgentSession, contact: NiceContact) -> tuple[str, dict[str, Any]]:
        if not contact.voice:
            return "WorkItemContactEvent", dict(
                ContactID=contact.id, MasterID=contact.id, Status=contact.status, WorkItemType=contact.channel,
                SkillId=contact.skill, StartTimeUTC=iso(contact.started), LastStateChangeTimeUTC=iso(contact.changed),
                RefusalTimeout=int(self.settings.refusal_timeout_seconds), FinalState=contact.final,
                AgentId=self.agent_number(session.agent_id), InFocus=contact.status == "Active")
        return "CallContactEvent", dict(
            # OriginalState: the SDK reads it as a boolean (CallContactEventYup), so "False" (INFERRED meaning).
            ContactID=contact.id, MasterID=contact.id, Status=contact.status, OriginalState=False,
            CallType="Regular", DNIS=contact.dnis, ANI=contact.ani, Skill=contact.skill, IsInbound=contact.inbound,
            StartTimeUTC=iso(contact.started), LastStateChangeTimeUTC=iso(contact.changed), DisconnectCode="",
            IsLogging=False, Timeout=int(self.settings.refusal_timeout_seconds), AllowDispositions=True, Label="",
            IsLinked=False, FinalState=contact.final, IsRequireManualAccept=contact.manual_accept)

    def snapshot_events(self: "NiceFace", session: AgentSession, api: ApiSession) -> None:
        """What a client joining now is told: the session, the state, the leg, every contact."""
        api.push(event("AgentSessionStart", (self.settings.iis_host, self.settings.vc_host),
                       **self._session_start(session)))
        api.push(event("AgentState", (self.settings.iis_host, self.settings.vc_host), **self._state_event(session)))
        if session.leg_status in ("Dialing", "Active"):
            api.push(event("AgentLeg", (self.settings.iis_host, self.settings.vc_host), AgentLegId=session.leg_id,
                           Status=session.leg_status, FinalState=False))
        for contact in session.live_contacts():
            kind, fields = self._contact_fields(session, contact)
            api.push(event(kind, (self.settings.iis_host, self.settings.vc_host), **fields))

    def _session_start(self: "NiceFace", session: AgentSession) -> dict[str, Any]:
        return {"BusNo": self.settings.business_unit, "AgentId": self.agent_number(session.agent_id),
                "SessionId": session.platform_id, "StationId": session.station_id,
                "StationPhoneNumber": session.station_phone, "StationCallerId": session.station_phone,
                "DialerCampaign": "", "SupervisorPermissionLevel": 0,  # no dialer campaign: its start time is omitted
                "CanMask": True, "AgentSchedulePermission": False, "ScoreRecordingsPermission": False,
                "HideAgentStatePermission": False, "CanMultiPartyConference": True}

    # -- sessions -------------------------------------------------------------------------------------
    def start_session(self: "NiceFace", agent_id: str, role: str, station_id: str, station_phone: str) -> ApiSession:
        session = self.sessions.get(agent_id)
        if session is None:
            agent = self.world.agents[agent_id]
            if agent.face not in (None, self.name):
                raise NiceError(409, "AgentBusy", f"agent {agent_id} is signed in on {agent.face}")
            session = AgentSession(agent_id, next(self._ids), station_id, station_phone, self.clock.now(),
                                   self.auto_accept_of(agent_id), state_since=self.clock.now())
            self.sessions[agent_id] = session
            self.world.sign_in(agent_id, self.name)
            self.world.set_presence(agent_id, "busy")
        api = ApiSession(next(self._ids), agent_id, role)
        session.api_sessions.append(api)
        self.api_sessions[api.id] = api
        self.snapshot_events(session, api)
        return api

    def end_api(self: "NiceFace", api: ApiSession, kind: str = "AgentSessionEnd", message: str = "") -> None:
        fields = {"Success": True, "Message": message} if kind == "AgentSessionEnd" else {"Message": message}
        api.push(event(kind, (self.settings.iis_host, self.settings.vc_host), **fields))
        if kind == "AgentSessionEnd":
            api.ended = True
        else:
            api.detached = True  # told, not logged out: it can join again when MAX is back
        session = self.sessions.get(api.agent_id)
        if session is not None and api in session.api_sessions:
            session.api_sessions.remove(api)

    def end_session(self: "NiceFace", api: ApiSession, *, force: bool, end_contacts: bool) -> None:
        """Seed 000's logout rules. The bar logging out ends MAX too, unless a contact is in
        progress (then MAX stays as it is). MAX logging out does not log the bar out: the bar is
        told (RemoteAgentSessionEnd) and can join again later."""
        session = self.sessions.get(api.agent_id)
        if session is None or api.detached:
            self.end_api(api)
            return
        busy = session.in_progress()
        if api.role == "bar" and session.live_contacts() and not end_contacts:
            self.end_api(api)  # handling an interaction (after-call work too): MAX stays as it is
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
            self._leg_event(session, "Disconnected", final=True)
        for other in list(session.api_sessions):
            if other is api or other.role == api.role or api.role == "bar":
                self.end_api(other)
            else:
                self.end_api(other, "RemoteAgentSessionEnd", "RemoteLogoff")
        self._close(session)

    def _close(self: "NiceFace", session: AgentSession) -> None:
        for contact in session.contacts.values():
            contact.cancel_timer()
        if session.leg_timer is not None:
            session.leg_timer.cancel()
        self.sessions.pop(session.agent_id, None)
        self.world.sign_out(session.agent_id)

    # -- agent leg ----------------------------------------------------------------------------------------
    def dial_leg(self: "NiceFace", session: AgentSession, for_contact: str | None = None) -> None:
        if session.leg_status in ("Dialing", "Active"):
            raise NiceError(409, "AgentLegActive", f"the agent leg is already {session.leg_status}")
        session.leg_id, session.leg_for = next(self._ids), for_contact
        self._leg_event(session, "Dialing")
        if session.auto_accept:  # the integrated softphone answers by itself
            session.leg_timer = self.timers.call_later(self.settings.leg_answer_seconds, lambda: self.leg_answered(session))

    def leg_answered(self: "NiceFace", session: AgentSession) -> None:
        if session.leg_status != "Dialing" or self.sessions.get(session.agent_id) is not session:
            return
        session.leg_timer = None
        self._leg_event(session, "Active")
        contact = session.contacts.get(session.leg_for or "")
        session.leg_for = None
        if contact is not None and contact.status == "Incoming" and not contact.manual_accept:
            self.connect(session, contact)

    def end_leg(self: "NiceFace", session: AgentSession) -> None:
        if session.leg_status not in ("Dialing", "Active"):
            raise NiceError(409, "NoAgentLeg", "there is no agent leg to end")
        if session.leg_timer is not None:
            session.leg_timer.cancel()
        self._leg_event(session, "Disconnected", final=True)
        for contact in session.in_progress():  # no voice path: the agent drops out of its calls
            if contact.voice and contact.status in ("Active", "Holding", "Dialing"):
                self.end_contact(session, contact)

    # -- contacts ------------------------------------------------------------------------------------------
    def offer_contact(self: "NiceFace", session: AgentSession, contact: Contact) -> None:
        queue = self.world.queues.get(contact.queue or "")
        manual = bool((queue.faces.get("nice") or {}).get("manual_accept")) if queue else False
        nc = NiceContact(next(self._ids), contact.id, contact.channel.value == "voice", contact.channel.value,
                         "Incoming", True, contact.caller, contact.called, queue.name if queue else "",
                         self.clock.now(), self.clock.now(), manual)
        session.contacts[nc.id] = nc
        self.by_core[contact.id] = (session.agent_id, nc.id)
        if session.state in ("Available", "Unavailable"):
            session.after_contact = (session.state, session.out_reason)
        self.contact_event(session, nc)
        self.set_state(session, "InboundContact")
        nc.timer = self.timers.call_later(self.settings.refusal_timeout_seconds, lambda: self.refuse(session, nc))
        if not nc.voice or session.leg_status == "Active":
            if not manual:
                self.connect(session, nc)
        elif session.leg_status == "Dialing":  # dialled from MAX, not answered yet: the contact waits for it
            session.leg_for = nc.id
        else:  # "Connecting Agent Leg": the platform dials the leg for this contact
            self.dial_leg(session, for_contact=nc.id)

    def accept(self: "NiceFace", session: AgentSession, target: str, *, by_bar: bool = False) -> None:
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
        contact = self._contact(session, target)
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

    def connect(self: "NiceFace", session: AgentSession, contact: NiceContact) -> None:
        contact.cancel_timer()
        contact.status = "Active"
        self.world.connect(contact.core_id)
        self.contact_event(session, contact)
        self.world.set_presence(session.agent_id, "talking")

    def refuse(self: "NiceFace", session: AgentSession, contact: NiceContact) -> None:
        """Not accepted in time, or rejected: the contact goes back to the queue and the agent
        becomes Unavailable with the refused reason."""
        if contact.status != "Incoming" or self.sessions.get(session.agent_id) is not session:
            return
        contact.cancel_timer()
        contact.status, contact.final = "Disconnected", True
        self.by_core.pop(contact.core_id, None)
        self.contact_event(session, contact)
        if session.leg_for == contact.id and session.leg_status == "Dialing":
            if session.leg_timer is not None:
                session.leg_timer.cancel()
            self._leg_event(session, "Disconnected", final=True)
            session.leg_for = None
        session.after_contact = ("Unavailable", self.settings.refused_reason)
        if not session.closing:
            self.set_state(session, "Unavailable", self.settings.refused_reason)
        core = self.world.contacts.get(contact.core_id)
        if core is not None and not core.ended:
            self.world.requeue(core.id)

    def hold(self: "NiceFace", session: AgentSession, target: str, holding: bool) -> None:
        contact = self._contact(session, target)
        wanted = "Active" if holding else "Holding"
        if not contact.voice or contact.status != wanted:
            raise NiceError(409, "InvalidState", f"contact {target} is {contact.status}")
        (self.world.hold if holding else self.world.resume)(contact.core_id)
        contact.status = "Holding" if holding else "Active"
        self.contact_event(session, contact)

    def end_contact(self: "NiceFace", session: AgentSession, contact: NiceContact) -> None:
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

    def disconnected(self: "NiceFace", session: AgentSession, contact: NiceContact) -> None:
        """First Disconnected (FinalState False) and after-call work; the second closes it.
        A contact that never connected (abandoned while offered) has no after-call work."""
        contact.cancel_timer()
        talked = contact.status in ("Active", "Holding")
        contact.status = "Disconnected"
        self.contact_event(session, contact)
        if talked and self.settings.acw_seconds > 0 and not session.in_progress() and not session.closing:
            self.set_state(session, "Unavailable", session.out_reason, acw=True)
            contact.timer = self.timers.call_later(self.settings.acw_seconds, lambda: self.finish(session, contact))
        else:
            self.finish(session, contact)

    def finish(self: "NiceFace", session: AgentSession, contact: NiceContact) -> None:
        if contact.final:
            return
        contact.cancel_timer()
        contact.final = True
        self.contact_event(session, contact)
        if not session.in_progress() and self.sessions.get(session.agent_id) is session and not session.closing:
            self.set_state(session, *session.after_contact)

    def dial_out(self: "NiceFace", session: AgentSession, number: str, skill: str) -> None:
        """dial-phone: an outbound call over the agent leg (INFERRED: the leg must be up)."""
        if session.in_progress() or session.acw:
            raise NiceError(409, "InvalidState", "the agent is already handling a contact")
        if session.leg_status != "Active":
            raise NiceError(409, "NoAgentLeg", "connect the agent leg first (agent-phone/dial)")
        core = self.world.outbound(session.agent_id, number, caller=session.station_phone)
        now = self.clock.now()
        contact = NiceContact(next(self._ids), core.id, True, "voice", "Dialing", False, session.station_phone,
                              number, skill, now, now)
        session.contacts[contact.id] = contact
        self.by_core[core.id] = (session.agent_id, contact.id)
        session.after_contact = (session.state, session.out_reason)
        self.contact_event(session, contact)
        self.set_state(session, "OutboundContact")
        contact.timer = self.timers.call_later(self.settings.far_end_answer_seconds,
                                              lambda: contact.status == "Dialing" and self.connect(session, contact))

    def _contact(self: "NiceFace", session: AgentSession, contact_id: str) -> NiceContact:
        contact = session.contacts.get(contact_id)
        if contact is None:
            raise NiceError(404, "ContactNotFound", f"no contact {contact_id} in this session")
        return contact

    def customer_left(self: "NiceFace", core_id: str) -> None:
        found = self.by_core.pop(core_id, None)
        if found is None:
            return
        session = self.sessions.get(found[0])
        contact = session.contacts.get(found[1]) if session else None
        if session is not None and contact is not None and contact.status != "Disconnected":
            if session.leg_for == contact.id and session.leg_status == "Dialing":
                if session.leg_timer is not None:
                    session.leg_timer.cancel()
                self._leg_event(session, "Disconnected", final=True)
            self.disconnected(session, contact)
