"""Deliberately broken variants of ccsim's NICE CXone face: each must fail `ccsim check --face nice`."""
from __future__ import annotations

import dataclasses

from ....conformance.mutants import Mutant, replace
from ..errors import NiceError
from ..events import event as make_event
from ..model import contacts, sessions
from ..wire import api


def _unknown_session_as_ended(api_session):
    def mutated(self, session_id, agent_id):
        found = self.api_sessions.get(session_id)
        if found is None or found.agent_id != agent_id:
            raise NiceError(409, "SessionEnded", "this agent session has ended")
        return api_session(self, session_id, agent_id)
    return mutated


def _bar_not_told(end_api):
    def mutated(self, api_session, kind="AgentSessionEnd", message=""):
        if kind != "RemoteAgentSessionEnd":
            return end_api(self, api_session, kind, message)
        api_session.detached = True  # detached as before, but never told
        session = self.by_agent.get(api_session.agent_id)
        if session is not None and api_session in session.api_sessions:
            session.api_sessions.remove(api_session)
    return mutated


def _leg_id_as_number(event):
    def mutated(kind, hosts, **fields):
        body = event(kind, hosts, **fields)
        if "AgentLegId" in body:
            body["AgentLegId"] = int(body["AgentLegId"])
        return body
    return mutated


def _bar_logout_ends_the_contacts(end_session):
    def mutated(self, api_session, *, force, end_contacts):
        end_session(self, api_session, force=force, end_contacts=end_contacts or api_session.role == "bar")
    return mutated


def _softphone_always_answers(dial_leg):
    def mutated(self, session, for_contact=None):
        session.auto_accept = True
        dial_leg(self, session, for_contact)
    return mutated


def _snapshot_without_contacts(snapshot_events):
    def mutated(self, session, api_session):
        hosts = (self.settings.iis_host, self.settings.vc_host)
        api_session.push(make_event("AgentSessionStart", hosts, **self._session_start(session)))
        api_session.push(make_event("AgentState", hosts, **self._state_event(session)))
        if session.leg_status in ("Dialing", "Active"):
            api_session.push(make_event("AgentLeg", hosts, AgentLegId=session.leg_id, Status=session.leg_status,
                                        FinalState=False))
    return mutated


def _bar_may_dial(handler):
    async def mutated(call):
        allowed = call.settings.bar_can_dial_agent_leg
        call.settings.bar_can_dial_agent_leg = True
        try:
            return await handler(call)
        finally:
            call.settings.bar_can_dial_agent_leg = allowed
    return mutated


def _patch_route(handler, patch_of):
    """`api.API_ROUTES` holds the handlers themselves: replace one route's handler."""
    def make(routes):
        return tuple(dataclasses.replace(r, handler=patch_of(r.handler)) if r.handler is handler else r
                     for r in routes)
    return make


MUTANTS = [
    Mutant("poll timeout 60 refused", "nice",
           "accepts get-next-event timeouts 0-59 only: off by one at the top of the documented 0-60 (the SDK's 60)",
           "nice get-next-event answers", replace(api, "MAX_POLL_SECONDS", lambda seconds: seconds - 1)),
    Mutant("unknown session answered 409", "nice",
           "answers a session id the caller does not own 409 SessionEnded instead of 404 SessionNotFound",
           "nice error statuses", replace(sessions.Sessions, "api_session", _unknown_session_as_ended)),
    Mutant("no RemoteAgentSessionEnd for the bar", "nice",
           "detaches the Media Bar when MAX logs out without telling it (no RemoteAgentSessionEnd): the bar's next "
           "request answers 409 on a session it was never told had ended",
           "nice error statuses", replace(sessions.Sessions, "end_api", _bar_not_told)),
    Mutant("AgentLegId as a number", "nice",
           "sends AgentLeg's AgentLegId as a JSON number; get-next-event values are strings (reference §4)",
           "contracts", replace(sessions, "event", _leg_id_as_number)),
    Mutant("bar logout mid-call logs MAX out", "nice",
           "ends the interaction and MAX when the Media Bar logs out during one; seed 000: MAX stays as it is",
           "nice logout rules", replace(contacts.Contacts, "end_session", _bar_logout_ends_the_contacts)),
    Mutant("softphone answers with auto-accept off", "nice",
           "answers a dialled agent leg by itself whatever the agent's auto-accept, so no accept in MAX is needed",
           "nice auto-accept", replace(contacts.Contacts, "dial_leg", _softphone_always_answers)),
    Mutant("joiner not shown the current call", "nice",
           "leaves the live contacts out of a joining client's first events (seed 000: the bar shows the call)",
           "nice get-next-event answers", replace(sessions.Sessions, "snapshot_events", _snapshot_without_contacts)),
    Mutant("bar dials the agent leg", "nice",
           "lets the Media Bar connect the agent leg (202) instead of refusing it (403); seed 000: MAX only",
           "nice agent leg", replace(api, "API_ROUTES", _patch_route(api.agent_phone, _bar_may_dial))),
]
