"""Finesse dialogs: calls, their participants, and the call commands.

A dialog is what Finesse calls a call. The customer's leg is a core contact; consult and
monitor dialogs live only here. Each agent in a dialog gets InboundCall events with its own
participant state (ALERTING, ACTIVE, HELD, DROPPED) and the dialog's participant list.
Reference §3.4, §4.4-4.6, §6.5.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...core import Contact, EndReason
from . import protocol as p
from .users import User, finesse_time

if TYPE_CHECKING:
    from .face import FinesseFace

RECLASSIFY_VALUES = ("VOICE", "FAX", "ANS_MACHINE", "INVALID", "DO_NOT_CALL", "BUSY")
DIALOG_ID_BASE = 16777216  # Finesse dialog ids are large integers


@dataclass
class Party:
    address: str  # extension or number
    _state: str  # ALERTING, INITIATED, ACTIVE, HELD, DROPPED, FAILED
    login_id: str | None = None  # an agent of this face, else an outside party
    flag: str = ""  # e.g. SUPERVISOR_BARGE_IN
    talked: bool = False  # was ever ACTIVE: only then is there wrap-up after the call

    def __post_init__(self) -> None:
        self.talked = self.talked or self._state == "ACTIVE"

    @property
    def state(self) -> str:
        return self._state

    @state.setter
    def state(self, value: str) -> None:
        self._state = value
        self.talked = self.talked or value == "ACTIVE"


@dataclass
class Dialog:
    id: str
    call_type: str  # ACD_IN, OUT, CONSULT, SUPERVISOR_MONITOR (SM), OUTBOUND_PREVIEW
    from_address: str
    to_address: str
    started: float
    contact_id: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    parties: list[Party] = field(default_factory=list)
    main: str | None = None  # a consult dialog's main dialog
    callback: dict[str, str] | None = None
    timer: Any = None

    def party(self, login_id: str) -> Party | None:
        return next((x for x in self.parties if x.login_id == login_id and x.state != "DROPPED"), None)

    def agents(self) -> list[str]:
        return [x.login_id for x in self.parties if x.login_id and x.state != "DROPPED"]


class DialogControl:
    # -- bookkeeping ---------------------------------------------------------------------------------
    def _init_dialogs(self: "FinesseFace") -> None:
        self.dialogs: dict[str, Dialog] = {}
        self._dialog_ids = itertools.count(DIALOG_ID_BASE)
        self._by_contact: dict[str, str] = {}

    def dialog_handlers(self: "FinesseFace") -> dict[str, Any]:
        return {
            "AnswerCall": self._answer, "HoldCall": self._hold, "RetrieveCall": self._retrieve,
            "ReleaseCall": self._release, "MakeCall": self._make_call, "GetDialogState": self._dialog_state,
            "ConsultCall": self._consult, "TransferCall": self._transfer, "ConferenceCall": self._conference,
            "Transfer_sst": self._transfer_sst, "RejectOutboundPreview": self._preview_end,
            "CloseOutboundPreview": self._preview_end, "SHCEDULECALLBACK": self._callback,
            "UPDATECALLBACK": self._callback, "CANCELSHCEDULECALLBACK": self._callback,
            "RECLASSIFYCALL": self._reclassify, "silentmonitor": self._silent_monitor,
            "endsilentmonitor": self._release, "bargein": self._barge_in, "dropparticipant": self._drop_participant,
        }

    def _new_dialog(self: "FinesseFace", call_type: str, from_address: str, to_address: str, **kw: Any) -> Dialog:
        dialog = Dialog(str(next(self._dialog_ids)), call_type, from_address, to_address, self.clock.now(), **kw)
        self.dialogs[dialog.id] = dialog
        if dialog.contact_id:
            self._by_contact[dialog.contact_id] = dialog.id
        return dialog

    def _user_dialog(self: "FinesseFace", user: User | None, command: p.Command, states: tuple[str, ...] = ()) -> tuple[User, Dialog, Party]:
        user = self._need(user, command)
        dialog = self.dialogs.get(command.args["dialogId"])
        party = dialog.party(user.login_id) if dialog else None
        if dialog is None or party is None:
            raise p.ProtocolError("INVALID_DIALOG_ID", f"{user.login_id} has no dialog {command.args['dialogId']}",
                                  user.login_id, command.name)
        if states and party.state not in states:
            raise p.ProtocolError("INVALID_STATE", f"{command.name} is not allowed while the call is {party.state}",
                                  user.login_id, command.name)
        return user, dialog, party

    def user_by_extension(self: "FinesseFace", extension: str) -> User | None:
        return next((u for u in self.users.values() if u.logged_in and (u.signed_extension or u.extension) == extension), None)

    # -- events ------------------------------------------------------------------------------------------------
    def send_dialog(self: "FinesseFace", dialog: Dialog, name: str = "InboundCall", only: list[str] | None = None) -> None:
        """Each agent party's view: its own participant state, the other party, all participants."""
        listing = [(x.address, x.state, x.flag) for x in dialog.parties if x.state != "DROPPED"]
        for party in dialog.parties:
            if party.login_id is None or (only is None and party.state == "DROPPED"):
                continue  # an agent that left has had its DROPPED already
            if only is not None and party.login_id not in only:
                continue
            user = self.users[party.login_id]
            others = [x for x in dialog.parties if x is not party]
            # Whoever is still on the call; once it is over, the outside party (the customer).
            other = next((x.address for x in others if x.state != "DROPPED"),
                         next((x.address for x in others if x.login_id is None), others[0].address if others else ""))
            if party.state == "FAILED":
                other = "BAD_DESTINATION"  # token [4] of a FAILED dialog is the cause (Finesse stateCause)
            if dialog.call_type == "CONSULT" and name == "InboundCall" and party.login_id == dialog.parties[0].login_id:
                self.publish(user, p.consult_call(user.login_id, dialog_state=party.state, dialog_id=dialog.id, number=other))
                continue
            self.publish(user, p.dialog_event(
                user.login_id, name, dialog_state=party.state, dialog_id=dialog.id, other_party=other,
                variables=dialog.variables, start_time=finesse_time(dialog.started), call_type=dialog.call_type,
                called=dialog.to_address, parties=listing))

    def _join(self: "FinesseFace", user: User, dialog: Dialog) -> None:
        if dialog.id not in user.dialogs:
            user.dialogs.append(dialog.id)

    def _leave(self: "FinesseFace", user: User, dialog: Dialog) -> None:
        """The agent is out of `dialog`; with no dialog left, it goes where it asked to go
        (through wrap-up after a customer call it talked on, if its wrap-up mode allows)."""
        if dialog.id in user.dialogs:
            user.dialogs.remove(dialog.id)
        if user.dialogs or not user.logged_in:
            return
        talked = any(x.login_id == user.login_id and x.talked for x in dialog.parties)
        if dialog.call_type in ("ACD_IN", "OUT") and user.wrap_up_mode != "NOT_ALLOWED" and talked:
            work = "WORK_READY" if user.after_call == "READY" and self.settings.deployment == "UCCE" else "WORK"
            user.pending = ""
            self._set_state(user, work)
            user.wrap_timer = self.clock.call_later(self.settings.wrap_up_seconds, lambda: self._wrap_up_over(user))
            return
        user.pending = ""
        self._set_state(user, user.after_call, user.after_call_reason if user.after_call == "NOT_READY" else "")

    def _wrap_up_over(self: "FinesseFace", user: User) -> None:
        user.wrap_timer = None
        if user.state in ("WORK", "WORK_READY"):
            self._set_state(user, user.after_call, user.after_call_reason if user.after_call == "NOT_READY" else "")

    def _drop_party(self: "FinesseFace", dialog: Dialog, party: Party) -> None:
        party.state = "DROPPED"
        if party.login_id:
            self.send_dialog(dialog, only=[party.login_id])
            self._leave(self.users[party.login_id], dialog)

    def _hand_over(self: "FinesseFace", dialog: Dialog) -> None:
        """The customer's contact belongs to an agent still on the call (a conference after the
        first agent left, a call after a participant was dropped)."""
        contact = self.world.contacts.get(dialog.contact_id or "")
        stays = [self.users[x].agent_id for x in dialog.agents()]
        if contact is not None and not contact.ended and stays and contact.agent not in stays:
            self.world.reassign(contact.id, stays[0])

    def _end_dialog(self: "FinesseFace", dialog: Dialog, reason: EndReason | None = EndReason.AGENT) -> None:
        """Everyone leaves; the customer's contact (if any) ends."""
        if dialog.timer is not None:
            dialog.timer.cancel()
        contact = self.world.contacts.get(dialog.contact_id or "")
        self._by_contact.pop(dialog.contact_id or "", None)  # before world.end, so customer_left ignores it
        for party in dialog.parties:  # the outside parties first: agents then see nobody left
            if party.login_id is None:
                party.state = "DROPPED"
        for party in dialog.parties:
            if party.state != "DROPPED":
                self._drop_party(dialog, party)
        for monitor in [d for d in self.dialogs.values() if d.call_type == "SM" and d.main == dialog.id]:
            if monitor.agents():  # a silent monitor ends with the call it monitors
                self._end_dialog(monitor, reason=None)
        if contact is not None and not contact.ended and reason is not None:
            self.world.end(contact.id, reason)

    # -- inbound ----------------------------------------------------------------------------------------------
    def ring(self: "FinesseFace", user: User, contact: Contact) -> None:
        """The core offered a customer to this agent: RESERVED, then the ringing dialog."""
        preview = bool(contact.data.get("preview"))
        dialog = self._new_dialog("OUTBOUND_PREVIEW" if preview else "ACD_IN", contact.caller, contact.called,
                                  contact_id=contact.id, variables={k: v for k, v in contact.data.items() if k != "preview"})
        dialog.parties = [Party(user.signed_extension or user.extension, "ALERTING", user.login_id),
                          Party(contact.caller, "ACTIVE")]
        self._join(user, dialog)
        user.after_call = user.state if user.state in ("READY", "NOT_READY") else user.after_call
        self._set_state(user, "RESERVED_OUTBOUND_PREVIEW" if preview else "RESERVED")
        self.publish(user, p.new_inbound_call(user.login_id, ani=contact.caller, variables=dialog.variables,
                                              dialog_id=dialog.id))
        dialog.timer = self.clock.call_later(self.settings.ring_timeout_seconds, lambda: self._not_answered(user, dialog))

    def _not_answered(self: "FinesseFace", user: User, dialog: Dialog) -> None:
        party = dialog.party(user.login_id)
        if party is None or party.state != "ALERTING":
            return
        contact_id = dialog.contact_id
        self._by_contact.pop(contact_id or "", None)
        user.after_call, user.after_call_reason = "NOT_READY", "32767"  # UCCE: "Call Not Answered"
        self._drop_party(dialog, party)
        if contact_id and contact_id in self.world.contacts and not self.world.contacts[contact_id].ended:
            self.world.requeue(contact_id)

    def customer_left(self: "FinesseFace", contact_id: str) -> None:
        dialog_id = self._by_contact.pop(contact_id, None)
        if dialog_id is not None:
            self._end_dialog(self.dialogs[dialog_id], reason=None)

    def drop_all(self: "FinesseFace", user: User) -> None:
        for dialog_id in list(user.dialogs):
            dialog = self.dialogs[dialog_id]
            party = dialog.party(user.login_id)
            if party is not None:
                self._release_party(dialog, party)

    def _answer(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user, dialog, party = self._user_dialog(user, command, ("ALERTING",))
        if dialog.timer is not None:
            dialog.timer.cancel()
        if dialog.contact_id:
            self.world.connect(dialog.contact_id)
        party.state = "ACTIVE"
        initiator = dialog.parties[0]
        if dialog.call_type == "CONSULT":  # the consulted agent answered: the consulting one talks to it
            initiator.state = "ACTIVE"
        self.send_dialog(dialog, only=[user.login_id])
        self._set_state(user, "TALKING")
        if dialog.call_type == "CONSULT" and initiator.login_id:
            self.send_dialog(dialog, only=[initiator.login_id])

    def _hold(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user, dialog, party = self._user_dialog(user, command, ("ACTIVE",))
        self._hold_party(user, dialog, party)

    def _hold_party(self: "FinesseFace", user: User, dialog: Dialog, party: Party) -> None:
        party.state = "HELD"
        if dialog.contact_id and self.world.contacts[dialog.contact_id].state.value == "connected":
            self.world.hold(dialog.contact_id)
        self.send_dialog(dialog, only=[user.login_id])
        if self.settings.deployment == "UCCE":  # on UCCX a held agent stays TALKING
            self._set_state(user, "HOLD")

    def _retrieve(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user, dialog, party = self._user_dialog(user, command, ("HELD",))
        party.state = "ACTIVE"
        if dialog.contact_id and self.world.contacts[dialog.contact_id].state.value == "held":
            self.world.resume(dialog.contact_id)
        self.send_dialog(dialog, only=[user.login_id])
        if user.state != "TALKING":
            self._set_state(user, "TALKING")

    def _release(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user, dialog, party = self._user_dialog(user, command, ("ALERTING", "INITIATED", "ACTIVE", "HELD"))
        self._release_party(dialog, party)

    def _release_party(self: "FinesseFace", dialog: Dialog, party: Party) -> None:
        """An agent hangs up: alone with the customer, the call ends; in a conference, it leaves."""
        remaining_agents = [x for x in dialog.agents() if x != party.login_id]
        if party.state == "ALERTING" and dialog.contact_id and dialog.call_type != "CONSULT":
            contact_id = dialog.contact_id
            self._by_contact.pop(contact_id, None)
            self._drop_party(dialog, party)
            self.world.requeue(contact_id)  # refusing a ringing call gives it back
        elif remaining_agents and dialog.call_type != "CONSULT":
            self._drop_party(dialog, party)
            self._hand_over(dialog)
            self.send_dialog(dialog)
        else:
            self._end_dialog(dialog)

    # -- outbound, consult, transfer, conference --------------------------------------------------------------------
    def _make_call(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user = self._need(user, command)
        if user.state not in ("NOT_READY", "READY") or user.dialogs:
            raise p.ProtocolError("INVALID_STATE", f"cannot make a call while {user.state}", user.login_id, command.name)
        if user.state == "READY":  # CCE 12.5+: a call from READY makes the agent NOT_READY, code 50006
            self._set_state(user, "NOT_READY", "50006")
        number = command.args["number"]
        contact = self.world.outbound(user.agent_id, number, caller=user.signed_extension or user.extension)
        dialog = self._new_dialog("OUT", contact.caller, number, contact_id=contact.id)
        dialog.parties = [Party(contact.caller, "INITIATED", user.login_id), Party(number, "ALERTING")]
        self._join(user, dialog)
        self.send_dialog(dialog)
        self._set_state(user, "TALKING")
        dialog.timer = self.clock.call_later(self.settings.far_end_answer_seconds, lambda: self._far_end_answers(dialog))

    def _far_end_answers(self: "FinesseFace", dialog: Dialog) -> None:
        """An outside party answers (or fails to) a call or consult this face placed."""
        dialog.timer = None
        initiator, far = dialog.parties[0], dialog.parties[1]
        if initiator.state == "DROPPED":
            return
        if far.address in self.settings.unreachable_numbers:
            initiator.state = "FAILED"
            self.send_dialog(dialog)
            self._end_dialog(dialog, EndReason.ABANDONED)
            return
        far.state, initiator.state = "ACTIVE", "ACTIVE"
        if dialog.contact_id:
            self.world.connect(dialog.contact_id)
        self.send_dialog(dialog)

    def _consult(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user, main, party = self._user_dialog(user, command, ("ACTIVE",))
        number = command.args["number"]
        target = self.user_by_extension(number)
        if target is not None and (target.state != "READY" or target.dialogs):
            raise p.ProtocolError("CF_RESOURCE_BUSY", f"{number} cannot take a consult call now", user.login_id, command.name)
        self._hold_party(user, main, party)
        consult = self._new_dialog("CONSULT", party.address, number, main=main.id, variables=dict(main.variables))
        consult.parties = [Party(party.address, "INITIATED", user.login_id), Party(number, "ALERTING",
                                                                                     target.login_id if target else None)]
        self._join(user, consult)
        self.send_dialog(consult, only=[user.login_id])
        if target is None:
            consult.timer = self.clock.call_later(self.settings.far_end_answer_seconds, lambda: self._far_end_answers(consult))
            return
        self._join(target, consult)
        target.after_call = "READY"
        self._set_state(target, "RESERVED")
        self.publish(target, p.new_inbound_call(target.login_id, ani=party.address, variables=consult.variables,
                                                dialog_id=consult.id))

    def _active_consult(self: "FinesseFace", user: User, main: Dialog, extension: str, command: p.Command) -> Dialog:
        consult = next((self.dialogs[d] for d in user.dialogs if self.dialogs[d].main == main.id), None)
        if consult is None or consult.parties[1].address != extension or consult.parties[1].state != "ACTIVE":
            raise p.ProtocolError("CF_GENERIC_UNSPECIFIED", f"no active consult call with {extension}", user.login_id,
                                  command.name)
        return consult

    def _transfer(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user, main, party = self._user_dialog(user, command, ("HELD",))
        consult = self._active_consult(user, main, command.args["extension"], command)
        target_party = consult.parties[1]
        # The customer now talks to the consulted party; the consulting agent is out of both calls.
        party.state = "DROPPED"
        self.send_dialog(main, only=[user.login_id])
        consult.parties[0].state = "DROPPED"
        self.send_dialog(consult, only=[user.login_id])
        main.parties.append(Party(target_party.address, "ACTIVE", target_party.login_id))
        if main.contact_id and self.world.contacts[main.contact_id].state.value == "held":
            self.world.resume(main.contact_id)
        if target_party.login_id:
            target = self.users[target_party.login_id]
            self._join(target, main)
            if main.contact_id:
                self.world.reassign(main.contact_id, target.agent_id)
            self.send_dialog(main, only=[target.login_id])
            self.send_state(target)
            target_party.state = "DROPPED"
            self.send_dialog(consult, only=[target.login_id])
            target.dialogs.remove(consult.id)
        elif main.contact_id:
            self.world.end(main.contact_id, EndReason.AGENT, transferredTo=target_party.address)
            self._by_contact.pop(main.contact_id, None)
        self._leave(user, consult)
        self._leave(user, main)

    def _conference(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user, main, party = self._user_dialog(user, command, ("HELD",))
        consult = self._active_consult(user, main, command.args["extension"], command)
        target_party = consult.parties[1]
        consult.parties[0].state = "DROPPED"
        self.send_dialog(consult, only=[user.login_id])
        user.dialogs.remove(consult.id)
        party.state = "ACTIVE"
        if main.contact_id and self.world.contacts[main.contact_id].state.value == "held":
            self.world.resume(main.contact_id)
        main.parties.append(Party(target_party.address, "ACTIVE", target_party.login_id))
        if target_party.login_id:
            target = self.users[target_party.login_id]
            self._join(target, main)
            target_party.state = "DROPPED"
            self.send_dialog(consult, only=[target.login_id])
            target.dialogs.remove(consult.id)
        self.send_dialog(main)
        self._set_state(user, "TALKING")

    def _transfer_sst(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user, dialog, party = self._user_dialog(user, command, ("ACTIVE",))
        number = command.args["number"]
        target = self.user_by_extension(number)
        if dialog.contact_id is None:
            raise p.ProtocolError("CF_GENERIC_UNSPECIFIED", "only a customer call can be transferred", user.login_id,
                                  command.name)
        if target is not None and not self.world.can_take(target.agent_id, dialog.contact_id):
            raise p.ProtocolError("CF_GENERIC_UNSPECIFIED", f"{number} cannot take the call now", user.login_id, command.name)
        contact_id = dialog.contact_id
        self._by_contact.pop(contact_id, None)
        self._drop_party(dialog, party)
        if target is not None:
            self.world.transfer_to_agent(contact_id, target.agent_id)
        else:
            self.world.end(contact_id, EndReason.AGENT, transferredTo=number)

    def _dialog_state(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user, dialog, _ = self._user_dialog(user, command)
        self.send_dialog(dialog, name="DialogState", only=[user.login_id])

    # -- preview, callbacks, reclassify -----------------------------------------------------------------------
    def _preview_dialog(self: "FinesseFace", user: User | None, command: p.Command) -> tuple[User, Dialog]:
        user = self._need(user, command)
        dialog = self.dialogs.get(command.args["dialogId"])
        if dialog is None:
            raise p.ProtocolError("INVALID_DIALOG_ID", f"no dialog {command.args['dialogId']}", user.login_id, command.name)
        if dialog.call_type != "OUTBOUND_PREVIEW":
            raise p.ProtocolError("CF_GENERIC_UNSPECIFIED", "not an outbound preview dialog", user.login_id, command.name)
        return user, dialog

    def _preview_end(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user, dialog = self._preview_dialog(user, command)
        if dialog.party(user.login_id) is None:
            raise p.ProtocolError("INVALID_STATE", "the preview is over", user.login_id, command.name)
        self._end_dialog(dialog, EndReason.AGENT)

    def _callback(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user, dialog = self._preview_dialog(user, command)
        if command.name == "SHCEDULECALLBACK" or (command.name == "UPDATECALLBACK" and dialog.callback):
            dialog.callback = {"callbackTime": command.args["callbackTime"],
                               "callbackNumber": command.args.get("callbackNumber", "") or dialog.from_address}
            kind = "CALLBACK_SCHEDULED" if command.name == "SHCEDULECALLBACK" else "CALLBACK_UPDATED"
        elif command.name == "CANCELSHCEDULECALLBACK" and dialog.callback:
            dialog.callback, kind = None, "CALLBACK_CANCELLED"
        else:
            raise p.ProtocolError("INVALID_STATE", "no callback is scheduled for this dialog", user.login_id, command.name)
        detail = f"dialogId:{dialog.id} " + " ".join(f"{k}:{v}" for k, v in (dialog.callback or {}).items())
        self.publish(user, p.control(user.login_id, kind, detail.strip()))

    def _reclassify(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user, dialog = self._preview_dialog(user, command)
        value = command.args["value"].upper()
        if value not in RECLASSIFY_VALUES:
            raise p.ProtocolError("GENERAL_ERROR", f"reclassify value must be one of {' '.join(RECLASSIFY_VALUES)}",
                                  user.login_id, command.name)
        dialog.variables["BAResponse"] = value
        self.publish(user, p.control(user.login_id, "RECLASSIFIED", f"dialogId:{dialog.id} value:{value}"))

    # -- supervisors -------------------------------------------------------------------------------------------------
    def _supervised(self: "FinesseFace", supervisor: User | None, command: p.Command, extension: str) -> tuple[User, User]:
        supervisor = self._need(supervisor, command)
        if not supervisor.supervisor or not supervisor.logged_in:
            raise p.ProtocolError("INVALID_STATE", f"{supervisor.login_id} is not a logged-in supervisor",
                                  supervisor.login_id, command.name)
        agent = self.user_by_extension(extension)
        if agent is None or agent.team not in supervisor.teams:
            raise p.ProtocolError("INVALID_STATE", f"no agent of {supervisor.login_id}'s teams at {extension}",
                                  supervisor.login_id, command.name)
        return supervisor, agent

    def _silent_monitor(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        supervisor, agent = self._supervised(user, command, command.args["extension"])
        talking = next((self.dialogs[d] for d in agent.dialogs if self.dialogs[d].party(agent.login_id)), None)
        if talking is None:
            raise p.ProtocolError("INVALID_STATE", f"{agent.login_id} is not on a call", supervisor.login_id, command.name)
        monitor = self._new_dialog("SM", supervisor.signed_extension or supervisor.extension, agent.signed_extension,
                                   main=talking.id)
        monitor.parties = [Party(monitor.from_address, "ACTIVE", supervisor.login_id),
                           Party(agent.signed_extension, "ACTIVE")]
        self._join(supervisor, monitor)
        self.send_dialog(monitor)
        self._set_state(supervisor, "TALKING")

    def _barge_in(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        supervisor = self._need(user, command)
        dialog = self.dialogs.get(command.args["dialogId"])
        if dialog is None or not dialog.agents():
            raise p.ProtocolError("INVALID_DIALOG_ID", f"no call {command.args['dialogId']}", supervisor.login_id, command.name)
        self._supervised(supervisor, command, self.users[dialog.agents()[0]].signed_extension)
        monitors = [d for d in supervisor.dialogs if self.dialogs[d].call_type == "SM"]
        dialog.parties.append(Party(command.args["extension"], "ACTIVE", supervisor.login_id, "SUPERVISOR_BARGE_IN"))
        self._join(supervisor, dialog)  # first, so that ending the monitor below is no "call over"
        for monitor_id in monitors:  # a barge-in ends the supervisor's silent monitoring
            self._end_dialog(self.dialogs[monitor_id], reason=None)
        self.send_dialog(dialog)
        if supervisor.state != "TALKING":
            self._set_state(supervisor, "TALKING")

    def _drop_participant(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user, dialog, _ = self._user_dialog(user, command, ("ACTIVE", "HELD"))
        victim = next((x for x in dialog.parties if x.address == command.args["extension"] and x.state != "DROPPED"), None)
        if victim is None:
            raise p.ProtocolError("INVALID_STATE", f"{command.args['extension']} is not in the call", user.login_id,
                                  command.name)
        if victim.login_id is None:  # the customer was dropped: the call is over for everyone
            self._end_dialog(dialog)
            return
        self.publish(self.users[victim.login_id], p.control(victim.login_id, "PARTICIPANT_DROPPED",
                                                             f"dialogId:{dialog.id} by:{user.login_id}"))
        self._drop_party(dialog, victim)
        if dialog.agents():
            self._hand_over(dialog)
            self.send_dialog(dialog)
        else:
            self._end_dialog(dialog)
