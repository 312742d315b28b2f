"""Huawei voice call control: ringing, answer, release, hold, transfer, callout, inner call, mute.

Event sequences follow reference §4.4; where the order is not documented it is marked INFERRED
in contracts/huawei/README.md. Events and state changes go through the Gateway; where an agent
goes after a call is AgentStates.after_call's.
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from ....core import Contact, EndReason
from ..envelope import is_dial_string
from ..retcodes import HuaweiError
from .session import AgentState, Call, Session

if TYPE_CHECKING:
    from .gateway import Gateway
    from .states import AgentStates

_DEVICE_SKILL, _DEVICE_AGENT = 1, 2
_DEVICE_TYPES = {1, 2, 3, 4, 5}  # skill, agent, IVR, system access code, outbound number


class Calls:
    def __init__(self, gateway: Gateway, states: AgentStates):
        self.gateway, self.states = gateway, states
        # The same objects for the face's whole life; its settings are the gateway's (a reset replaces them).
        self.world, self.clock, self.timers = gateway.world, gateway.clock, gateway.timers

    def reset(self) -> None:
        self._callids = itertools.count(1)
        self._callid_of: dict[str, str] = {}  # contact id -> callid (kept across transfers)
        self._on_contact: dict[str, list[Session]] = {}
        self._transfer_from: dict[str, str] = {}  # contact id -> workno that transferred it

    def sessions_on(self, contact_id: str) -> list[Session]:
        return list(self._on_contact.get(contact_id, ()))

    def _callid(self, contact_id: str) -> str:
        if contact_id not in self._callid_of:
            self._callid_of[contact_id] = f"{int(self.clock.now())}-{next(self._callids)}"
        return self._callid_of[contact_id]

    def _attach(self, session: Session, call: Call, presence: str) -> None:
        session.call = call
        session.state = AgentState.TALKING
        self._on_contact.setdefault(call.contact_id, []).append(session)
        self.world.set_presence(session.agent_id, presence)

    def _detach(self, session: Session) -> Call:
        call = session.call
        assert call is not None
        session.call = None
        call.cancel_timer()
        holders = self._on_contact.get(call.contact_id, [])
        if session in holders:
            holders.remove(session)
        if not holders:
            self._on_contact.pop(call.contact_id, None)
        if session.state is AgentState.TALKING:
            session.state = AgentState.BUSY  # not idle until after_call says so
        return call

    def _require_call(self, session: Session, retcode: str, phases: tuple[str, ...]) -> Call:
        if session.call is None or session.call.phase not in phases:
            raise HuaweiError(retcode)
        return session.call

    def _other_number(self, call: Call) -> str:
        return call.called if call.feature == "7" else call.caller

    def _phone_release(self, session: Session, phone_state: int) -> None:
        if self.gateway.settings.phone_events and session.params.releasephone:
            self.gateway.emit(session, "AgentOther_PhoneRelease", {"phoneState": phone_state})

    @staticmethod
    def _talking_content(call: Call) -> dict[str, Any]:
        return {"caller": call.caller, "callid": call.callid, "called": call.called,
                "feature": call.feature, "type": "main", "mediaAbility": "1"}

    # -- inbound -------------------------------------------------------------------------------
    def ring(self, session: Session, contact: Contact) -> None:
        """The core offered `contact` to this agent: occupy, alert the phone, ring or auto-answer."""
        transfer_from = self._transfer_from.pop(contact.id, "")
        call = Call(self._callid(contact.id), contact.id, "ringing", contact.caller, contact.called, "0", transfer_from)
        self._attach(session, call, "ringing")
        self.gateway.emit(session, "AgentState_Busy")
        if self.gateway.settings.phone_events:
            if session.params.releasephone:
                self.gateway.emit(session, "AgentOther_PhoneAlerting")
            self.gateway.emit(session, "AgentOther_PhoneOffhook", {"type": "main"})
        content = {"caller": call.caller, "transfer": "yes" if transfer_from else "no", "callid": call.callid,
                   "transfrom": transfer_from, "called": call.called, "type": "main", "mediaType": "5",
                   "mediaAbility": "1", "feature": call.feature}
        if session.params.autoanswer:
            self.gateway.emit(session, "AgentEvent_Auto_Answer", content)
            self._connect(session)
        else:
            self.gateway.emit(session, "AgentEvent_Ringing", content)
            call.timer = self.timers.call_later(self.gateway.settings.ring_timeout_seconds,
                                                lambda: self._no_answer(session, call))

    def answer(self, session: Session, callid: str | None) -> None:
        call = self._require_call(session, "200-002", ("ringing",))
        if callid and callid != call.callid:
            raise HuaweiError("200-002")
        self._connect(session)

    def _connect(self, session: Session) -> None:
        """Connect the contact; every party still alerting (an inner call's caller) talks too."""
        call = session.call
        assert call is not None
        self.world.connect(call.contact_id)
        for party in self.sessions_on(call.contact_id):
            assert party.call is not None
            party.call.cancel_timer()
            party.call.phase = "talking"
            self.gateway.emit(party, "AgentEvent_Talking", self._talking_content(party.call))
            self.world.set_presence(party.agent_id, "talking")

    def _no_answer(self, session: Session, call: Call) -> None:
        if session.call is not call or call.phase != "ringing":
            return
        self._detach(session)
        self.gateway.emit(session, "AgentEvent_No_Answer", call.callid)
        self._phone_release(session, 3)
        if self.gateway.settings.busy_after_no_answer:
            self.gateway.enter(session, AgentState.BUSY, "AgentState_SetNotReady_Success", {"reason": "2"})
        contact = self.world.contacts[call.contact_id]
        if contact.queue is not None:
            self.world.requeue(contact.id)
        else:
            self.world.end(contact.id, EndReason.AGENT)
        if not self.gateway.settings.busy_after_no_answer:
            self.gateway.enter(session, AgentState.IDLE, "AgentState_Ready")

    # -- release ---------------------------------------------------------------------------------
    def release_call(self, session: Session, *, by_agent: bool = True, silent_state: bool = False) -> None:
        call = self._require_call(session, "200-017", ("ringing", "dialing", "talking", "held"))
        self._detach(session)
        self.gateway.emit(session, "AgentEvent_Call_Release", call.callid)
        self.gateway.emit(session, "AgentEvent_Customer_Release",
                          {"callid": call.callid, "number": self._other_number(call)})
        self._phone_release(session, 2)
        contact = self.world.contacts.get(call.contact_id)
        if contact is not None and not contact.ended:
            if call.phase == "ringing" and contact.queue is not None:
                self.world.requeue(contact.id)  # hanging up an alerting call gives it back
            else:
                self.world.end(contact.id, EndReason.AGENT)
        if not silent_state:
            self.states.after_call(session)

    def far_end_left(self, session: Session, reason: str) -> None:
        """The contact ended elsewhere: the customer hung up or abandoned, or the other agent released."""
        call = session.call
        if call is None:
            return
        self._detach(session)
        if call.phase == "ringing":
            self.gateway.emit(session, "AgentEvent_No_Answer", call.callid)
        elif call.phase == "dialing":
            self.gateway.emit(session, "AgentEvent_Call_Out_Fail", call.callid)
        else:
            self.gateway.emit(session, "AgentEvent_Customer_Release",
                              {"callid": call.callid, "number": self._other_number(call)})
            self.gateway.emit(session, "AgentEvent_Call_Release", call.callid)
        self._phone_release(session, 3)
        if call.phase in ("ringing", "dialing") and session.pending is None:
            self.gateway.enter(session, AgentState.IDLE, "AgentState_Ready")
        else:
            self.states.after_call(session)

    # -- hold, mute --------------------------------------------------------------------------------
    def hold(self, session: Session) -> None:
        if session.call is None:
            raise HuaweiError("200-013")
        call = self._require_call(session, "200-014", ("talking",))
        self.world.hold(call.contact_id)
        call.phase = "held"
        self.gateway.emit(session, "AgentEvent_Hold", call.callid)
        self.world.set_presence(session.agent_id, "held")

    def unhold(self, session: Session, callid: str | None) -> None:
        if session.call is None or (callid and callid != session.call.callid):
            raise HuaweiError("200-015")
        call = self._require_call(session, "200-016", ("held",))
        self.world.resume(call.contact_id)
        call.phase = "talking"
        self.gateway.emit(session, "AgentEvent_Talking", self._talking_content(call))
        self.world.set_presence(session.agent_id, "talking")

    def mute(self, session: Session, on: bool) -> None:
        if session.call is None:
            raise HuaweiError("200-003" if on else "200-007")
        call = session.call
        if call.phase != "talking" or call.muted == on:
            raise HuaweiError("200-004" if on else "200-008")
        call.muted = on

    # -- transfer --------------------------------------------------------------------------------
    def transfer(self, session: Session, devicetype: int, address: str) -> None:
        call = self._require_call(session, "200-012", ("talking", "held"))
        if devicetype not in _DEVICE_TYPES or not address:
            raise HuaweiError("000-002", "devicetype must be 1-5 and address is mandatory.")
        cid = call.contact_id
        if devicetype == _DEVICE_AGENT:
            target = self.gateway.agent_of.get(address)
            if target is None:
                raise HuaweiError("000-002", f"unknown agent {address}.")
            if not self.world.can_take(target, cid):
                self.gateway.emit(session, "AgentEvent_Connect_Fail", call.callid)  # INFERRED: the agent keeps the call
                return
            self._detach(session)
            self._transfer_from[cid] = session.workno
            self.world.transfer_to_agent(cid, target)
        elif devicetype == _DEVICE_SKILL:
            queue = next((q for q in self.world.queues if self.states.skill_id(q) == address), None)
            if queue is None:
                raise HuaweiError("000-002", f"unknown skill {address}.")
            self._detach(session)
            self._transfer_from[cid] = session.workno
            self.world.requeue(cid, queue, front=False)
        else:  # IVR, access code or an outside number: the call leaves the agents
            self._detach(session)
            self.world.end(cid, EndReason.AGENT, transferredTo=address)
        self.gateway.emit(session, "AgentEvent_Call_Release", call.callid)
        self._phone_release(session, 2)
        self.states.after_call(session)

    # -- outbound and inner calls -------------------------------------------------------------------
    def _check_can_dial(self, session: Session) -> None:
        if session.call is not None or session.state not in (AgentState.IDLE, AgentState.BUSY, AgentState.WORK):
            raise HuaweiError("100-009")

    def callout(self, session: Session, called: str, caller: str) -> str:
        if not is_dial_string(called):
            raise HuaweiError("200-001", "called must be 1-24 digits, * or #.")
        self._check_can_dial(session)
        before = session.state
        contact = self.world.outbound(session.agent_id, called, caller=caller or session.params.phonenum)
        call = Call(self._callid(contact.id), contact.id, "dialing", contact.caller, called, "7")
        self._attach(session, call, "ringing")
        self.gateway.emit(session, "AgentEvent_Customer_Alerting",
                          {"callid": call.callid, "otherPhoneWorkno": "", "otherPhone": called, "type": "main"})
        if called in self.gateway.settings.unreachable_numbers:
            call.timer = self.timers.call_later(self.gateway.settings.callout_answer_seconds,
                                               lambda: self._callout_failed(session, call, before))
        else:
            call.timer = self.timers.call_later(self.gateway.settings.callout_answer_seconds,
                                               lambda: session.call is call and self._connect(session))
        return call.callid

    def _callout_failed(self, session: Session, call: Call, before: AgentState) -> None:
        if session.call is not call:
            return
        self._detach(session)
        self.gateway.emit(session, "AgentEvent_Call_Out_Fail", call.callid)
        self.world.end(call.contact_id, EndReason.ABANDONED)
        self.gateway.enter(session, before, "AgentState_Ready" if before is AgentState.IDLE else None)

    def call_inner(self, session: Session, called_workno: str) -> str:
        if not called_workno:
            raise HuaweiError("000-002", "called is mandatory.")
        self._check_can_dial(session)
        target_session = self.gateway.sessions.get(called_workno)
        target_phone = target_session.params.phonenum if target_session else ""
        contact = self.world.outbound(session.agent_id, target_phone, caller=session.params.phonenum, internal=True)
        call = Call(self._callid(contact.id), contact.id, "dialing", contact.caller, called_workno, "7")
        self._attach(session, call, "ringing")
        self.gateway.emit(session, "AgentEvent_Customer_Alerting",
                          {"callid": call.callid, "otherPhoneWorkno": called_workno, "otherPhone": target_phone,
                           "type": "main"})
        target = self.gateway.agent_of.get(called_workno)
        if target is None or target == session.agent_id or not self.world.can_take(target, contact.id):
            self._detach(session)
            self.gateway.emit(session, "AgentEvent_Inside_Call_Fail", call.callid)
            self.world.end(contact.id, EndReason.ABANDONED)
            self.gateway.enter(session, AgentState.IDLE, "AgentState_Ready")
        else:
            self.world.offer(contact.id, target)
        return call.callid
