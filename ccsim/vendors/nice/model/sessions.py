"""CXone agent sessions: one per agent, shared by any number of API sessions (MAX, a Media Bar
that joined), each told every event; the agent state; what a client joining now is told.

Seed 000 and reference §3 ("Model for the fake"): a contact for an Available agent with an
active leg connects; with no leg, the platform dials it and either the softphone answers by
itself (auto-accept) or the agent accepts in MAX before the refusal timeout (model/contacts.py).
"""
from __future__ import annotations

from typing import Any

from ....core import World
from ....core.clock import TimerScope
from ..errors import NiceError
from ..events import event, iso
from ..settings import NiceSettings
from .accounts import Accounts
from .records import AgentSession, ApiSession, NiceContact, ids_without_60


class Sessions:
    def __init__(self, world: World, timers: TimerScope, settings: NiceSettings, accounts: Accounts, face: str):
        self.world, self.clock, self.timers, self.settings = world, world.clock, timers, settings
        self.accounts = accounts
        self.face = face  # the face's name: where the world signs its agents in
        self.by_agent: dict[str, AgentSession] = {}
        self.api_sessions: dict[str, ApiSession] = {}
        self.ids = ids_without_60(1_001_001)  # every id the platform hands out: sessions, legs, contacts

    # -- events ------------------------------------------------------------------------------------
    def emit(self, session: AgentSession, kind: str, **fields: Any) -> None:
        """One event to every client sharing the agent's session."""
        body = event(kind, (self.settings.iis_host, self.settings.vc_host), **fields)
        for api in session.api_sessions:
            if not api.ended and not api.detached:
                api.push(body)

    def _state_event(self, session: AgentSession) -> dict[str, Any]:
        codes = [{"State": "Unavailable", "OutReason": c} for c in self.settings.unavailable_codes]
        return {"CurrentState": session.state, "CurrentOutReason": session.out_reason,
                "StartTimeUTC": iso(session.state_since), "IsAcw": session.acw,
                "AcwTimeout": int(self.settings.acw_seconds) if session.acw else "",
                "NextStates": [{"State": "Available", "OutReason": ""}, *codes], "NextIsAcw": False}

    def set_state(self, session: AgentSession, state: str, reason: str = "", acw: bool = False) -> None:
        session.state, session.out_reason, session.acw = state, reason, acw
        session.state_since = self.clock.now()
        self.emit(session, "AgentState", **self._state_event(session))
        offered = any(c.status in ("Incoming", "Dialing") for c in session.in_progress())
        presence = {"Available": "idle", "InboundContact": "ringing" if offered else "talking",
                    "OutboundContact": "ringing" if offered else "talking"}.get(state)
        self.world.set_presence(session.agent_id, presence or ("wrapup" if acw else "busy"))

    def leg_event(self, session: AgentSession, status: str, final: bool = False) -> None:
        dialing, session.leg_status = session.leg_status == "Dialing", status
        self.emit(session, "AgentLeg", AgentLegId=session.leg_id, Status=status, FinalState=final)
        if dialing and not self.settings.route_while_leg_dialing:
            self.world.route()  # the agent, left out while its leg dialled, may take a call again

    def contact_event(self, session: AgentSession, contact: NiceContact) -> None:
        contact.changed = self.clock.now()
        kind, fields = self._contact_fields(session, contact)
        self.emit(session, kind, **fields)

    def _contact_fields(self, session: AgentSession, contact: NiceContact) -> tuple[str, dict[str, Any]]:
        if not contact.voice:
            return "WorkItemContactEvent", dict(
                ContactID=contact.id, MasterID=contact.id, Status=contact.status, WorkItemType=contact.channel,
                SkillId=contact.skill, StartTimeUTC=iso(contact.started), LastStateChangeTimeUTC=iso(contact.changed),
                RefusalTimeout=int(self.settings.refusal_timeout_seconds), FinalState=contact.final,
                AgentId=self.accounts.agent_number(session.agent_id), InFocus=contact.status == "Active")
        return "CallContactEvent", dict(
            # OriginalState: the SDK reads it as a boolean (CallContactEventYup), so "False" (INFERRED meaning).
            ContactID=contact.id, MasterID=contact.id, Status=contact.status, OriginalState=False,
            CallType="Regular", DNIS=contact.dnis, ANI=contact.ani, Skill=contact.skill, IsInbound=contact.inbound,
            StartTimeUTC=iso(contact.started), LastStateChangeTimeUTC=iso(contact.changed), DisconnectCode="",
            IsLogging=False, Timeout=int(self.settings.refusal_timeout_seconds), AllowDispositions=True, Label="",
            IsLinked=False, FinalState=contact.final, IsRequireManualAccept=contact.manual_accept)

    def snapshot_events(self, session: AgentSession, api: ApiSession) -> None:
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

    def _session_start(self, session: AgentSession) -> dict[str, Any]:
        return {"BusNo": self.settings.business_unit, "AgentId": self.accounts.agent_number(session.agent_id),
                "SessionId": session.platform_id, "StationId": session.station_id,
                "StationPhoneNumber": session.station_phone, "StationCallerId": session.station_phone,
                "DialerCampaign": "", "SupervisorPermissionLevel": 0,  # no dialer campaign: its start time is omitted
                "CanMask": True, "AgentSchedulePermission": False, "ScoreRecordingsPermission": False,
                "HideAgentStatePermission": False, "CanMultiPartyConference": True}

    # -- sessions -------------------------------------------------------------------------------------
    def start_session(self, agent_id: str, role: str, station_id: str, station_phone: str) -> ApiSession:
        session = self.by_agent.get(agent_id)
        if session is None:
            agent = self.world.agents[agent_id]
            if agent.face not in (None, self.face):
                raise NiceError(409, "AgentBusy", f"agent {agent_id} is signed in on {agent.face}")
            session = AgentSession(agent_id, next(self.ids), station_id, station_phone, self.clock.now(),
                                   self.accounts.auto_accept_of(agent_id), state_since=self.clock.now())
            self.by_agent[agent_id] = session
            self.world.sign_in(agent_id, self.face)
            self.world.set_presence(agent_id, "busy")
        api = ApiSession(next(self.ids), agent_id, role)
        session.api_sessions.append(api)
        self.api_sessions[api.id] = api
        self.snapshot_events(session, api)
        return api

    def api_session(self, session_id: str, agent_id: str) -> ApiSession:
        """The caller's own API session (any other is unknown to them)."""
        api = self.api_sessions.get(session_id)
        if api is None or api.agent_id != agent_id:
            raise NiceError(404, "SessionNotFound", f"no agent session {session_id}")
        return api

    def agent_session(self, session_id: str, agent_id: str) -> AgentSession:
        """The agent session behind the caller's API session, while it lasts."""
        api = self.api_session(session_id, agent_id)
        session = self.by_agent.get(api.agent_id)
        if api.ended or api.detached or session is None:
            raise NiceError(409, "SessionEnded", "this agent session has ended")
        return session

    def end_api(self, api: ApiSession, kind: str = "AgentSessionEnd", message: str = "") -> None:
        fields = {"Success": True, "Message": message} if kind == "AgentSessionEnd" else {"Message": message}
        api.push(event(kind, (self.settings.iis_host, self.settings.vc_host), **fields))
        if kind == "AgentSessionEnd":
            api.ended = True
        else:
            api.detached = True  # told, not logged out: it can join again when MAX is back
        session = self.by_agent.get(api.agent_id)
        if session is not None and api in session.api_sessions:
            session.api_sessions.remove(api)

    def close(self, session: AgentSession) -> None:
        for contact in session.contacts.values():
            contact.cancel_timer()
        if session.leg_timer is not None:
            session.leg_timer.cancel()
        self.by_agent.pop(session.agent_id, None)
        self.world.sign_out(session.agent_id)

    def end_polls(self) -> None:
        """A reset: every client's poll ends now (with no event; its session is gone)."""
        for session in list(self.by_agent.values()):
            for api in session.api_sessions:
                api.ended = True
                api.wake.set()

    # -- what the admin API shows ------------------------------------------------------------------------------
    def vendor_states(self) -> dict[str, dict[str, str]]:
        states = {}
        for agent_id, number in self.accounts.numbers.items():
            session = self.by_agent.get(agent_id)
            if session is None:
                states[agent_id] = {"agentId": number, "session": "none"}
                continue
            state = session.state + (f" ({session.out_reason})" if session.out_reason else "")
            shown = {"agentId": number, "state": state + (" ACW" if session.acw else ""),
                     "agentLeg": session.leg_status or "none", "clients": str(len(session.api_sessions))}
            contacts = [f"{c.id} {c.status}" for c in session.live_contacts()]
            if contacts:
                shown["contacts"] = ", ".join(contacts)
            states[agent_id] = shown
        return states

    def presence_reasons(self) -> dict[str, str]:
        """Unavailable, with its out-state (OutReason) when it has one."""
        return {agent_id: "Unavailable" + (f": {session.out_reason}" if session.out_reason else "")
                for agent_id, session in self.by_agent.items() if session.state == "Unavailable" and not session.acw}
