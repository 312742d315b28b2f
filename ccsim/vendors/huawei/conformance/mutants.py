"""Deliberately broken variants of ccsim's Huawei face: each must fail `ccsim check --face huawei`."""
from __future__ import annotations

from ....conformance.mutants import Mutant, replace
from .. import envelope
from ..model.calls import Calls
from ..model.gateway import Gateway
from ..model.session import AgentState
from ..model.states import AgentStates
from ..retcodes import HuaweiError


def _dropping(event_type: str):
    def make(emit):
        def mutated(self, session, kind, content=None):
            if kind != event_type:
                emit(self, session, kind, content)
        return mutated
    return make


def _not_signed_in_as_100_007(session_for):
    def mutated(self, workno, guid, *, allow_closed=False):
        session = self.sessions.get(workno)
        if session is None or (not session.signed_in and not allow_closed):
            raise HuaweiError("100-007")
        return session_for(self, workno, guid, allow_closed=allow_closed)
    return mutated


def _work_no_as_number(event):
    def mutated(event_type, work_no, content=None, gen_time_ms=None):
        return {**event(event_type, work_no, content, gen_time_ms), "workNo": int(work_no)}
    return mutated


def _cancel_work_as_cancel_busy(cancel_work):
    def mutated(self, session):
        if session.state is not AgentState.WORK:
            raise HuaweiError("100-009")
        self.gateway.enter(session, AgentState.IDLE, "AgentState_CancelNotReady_Success")
    return mutated


def _busy_reason_from_201(say_busy):
    def mutated(self, session, reason):
        if reason == 200:
            raise HuaweiError("000-002", "reason must be 200-250.")
        say_busy(self, session, reason)
    return mutated


def _answer_without_a_call(answer):
    def mutated(self, session, callid):
        if session.call is None:
            return
        answer(self, session, callid)
    return mutated


MUTANTS = [
    Mutant("sign-in status 5 without AgentState_Work", "huawei",
           "drops AgentState_Work, so a sign-in in wrap-up (status 5) lacks its documented event",
           "huawei sign-in events", replace(Gateway, "emit", _dropping("AgentState_Work"))),
    Mutant("not signed in answered 100-007", "huawei",
           "answers an agent that is not signed in with 100-007 (an exception) instead of 100-006",
           "huawei retcodes", replace(Gateway, "session_for", _not_signed_in_as_100_007)),
    Mutant("workNo as a number", "huawei",
           "sends an event's workNo as a JSON number; the documentation types it as a string",
           "contracts", replace(envelope, "event", _work_no_as_number)),
    Mutant("cancelwork says CancelNotReady", "huawei",
           "leaves wrap-up with AgentState_CancelNotReady_Success instead of AgentState_CancelWork_Success",
           "huawei state events", replace(AgentStates, "cancel_work", _cancel_work_as_cancel_busy)),
    Mutant("busy reason 200 refused", "huawei",
           "accepts saybusy reasons 201-250 only: off by one at the bottom of the documented 200-250",
           "huawei retcodes", replace(AgentStates, "say_busy", _busy_reason_from_201)),
    Mutant("answer without AgentEvent_Talking", "huawei",
           "connects an answered call without sending AgentEvent_Talking",
           "huawei call events", replace(Gateway, "emit", _dropping("AgentEvent_Talking"))),
    Mutant("answer with nothing ringing succeeds", "huawei",
           "answers retcode 0 to an answer when no call rings, instead of 200-002",
           "huawei retcodes", replace(Calls, "answer", _answer_without_a_call)),
]
