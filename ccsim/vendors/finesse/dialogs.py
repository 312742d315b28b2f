"""Finesse dialogs: calls, their participants, and the call commands.

A dialog is what Finesse calls a call. The customer's leg is a core contact; consult and
monitor dialogs live only here. Each agent in a dialog gets InboundCall events with its own
participant state (ALERTING, ACTIVE, HELD, DROPPED) and the dialog's participant list.
Reference §3.4, §4.4-4.6, §6.5.
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from ...core import Contact, EndReason
from . import protocol as p
from .features import CallFeatures
from .model import Dialog, Party
from .users import IN_CALL, User, finesse_time

if TYPE_CHECKING:
    from .face import FinesseFace

DIALOG_ID_BASE = 16777216  # Finesse dialog ids are large integers



class DialogControl(CallFeatures):
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
        self._forget_old_dialogs()
        return dialog

    def _forget_old_dialogs(self: "FinesseFace") -> None:
        """Dialogs that are over stay known (a callback after the call names one) as long as the
        world keeps ended contacts: the newest `ended_contacts_kept`; older ones are forgotten."""
        excess = len(self.dialogs) - self.world.ended_contacts_kept
        if excess <= 0:
            return
        over = []
        for dialog_id, dialog in self.dialogs.items():  # oldest first; calls still on are kept
            if not dialog.agents() and self._by_contact.get(dialog.contact_id or "") != dialog_id:
                over.append(dialog_id)
                if len(over) == excess:
                    break
        for dialog_id in over:
            del self.dialogs[dialog_id]

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
        if user.after_call == "LOGOUT":  # a supervisor signed it out during the call: once that call is
            self.timers.call_later(0, lambda: self._calls_over(user))  # wholly over (ended, requeued, handed over)
            return
        talked = any(x.login_id == user.login_id and x.talked for x in dialog.parties)
        if dialog.call_type in ("ACD_IN", "OUT") and user.wrap_up_mode != "NOT_ALLOWED" and talked:
            work = "WORK_READY" if user.after_call == "READY" and self.settings.deployment == "UCCE" else "WORK"
            user.pending = ""
            self._set_state(user, work)
            user.wrap_timer = self.timers.call_later(self.settings.wrap_up_seconds, lambda: self._wrap_up_over(user))
            return
        user.pending = ""
        self._set_state(user, user.after_call, user.after_call_reason if user.after_call == "NOT_READY" else "")

    def _calls_over(self: "FinesseFace", user: User) -> None:
        """The sign-out a supervisor asked for during the agent's calls, now that they are over
        (unless the agent asked for another state meanwhile, or took another call)."""
        if user.dialogs or not user.logged_in or user.state not in IN_CALL:
            return
        user.pending = ""
        if user.after_call == "LOGOUT":
            self._sign_out(user, user.after_call_reason)
        else:
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
        dialog.timer = self.timers.call_later(self.settings.ring_timeout_seconds, lambda: self._not_answered(user, dialog))

    def _not_answered(self: "FinesseFace", user: User, dialog: Dialog) -> None:
        party = dialog.party(user.login_id)
        if party is None or party.state != "ALERTING":
            return
        contact_id = dialog.contact_id
        self._by_contact.pop(contact_id or "", None)
        if user.after_call != "LOGOUT":  # (a supervisor's pending LOGOUT stands)
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

    # -- outbound ------------------------------------------------------------------------------------------------
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
        dialog.timer = self.timers.call_later(self.settings.far_end_answer_seconds, lambda: self._far_end_answers(dialog))

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

    def _dialog_state(self: "FinesseFace", user: User | None, command: p.Command) -> None:
        user, dialog, _ = self._user_dialog(user, command)
        self.send_dialog(dialog, name="DialogState", only=[user.login_id])
