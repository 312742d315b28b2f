"""Finesse dialogs: calls, their participants, and the call commands.

A dialog is what Finesse calls a call. The customer's leg is a core contact; consult and
monitor dialogs live only here. Each agent in a dialog gets InboundCall events with its own
participant state (ALERTING, ACTIVE, HELD, DROPPED) and the dialog's participant list.
Reference §3.4, §4.4-4.6, §6.5.
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from ....core import Agent, Contact, EndReason
from .. import protocol as p
from .connector import Connector
from .records import Dialog, Party
from .users import IN_CALL, User, finesse_time

if TYPE_CHECKING:
    from ..settings import FinesseSettings

DIALOG_ID_BASE = 16777216  # Finesse dialog ids are large integers


class Dialogs:
    def __init__(self, connector: Connector):
        self.connector = connector
        self.world = connector.world
        self.clock = connector.clock
        self.timers = connector.timers
        self.reset()

    @property
    def settings(self) -> FinesseSettings:  # the connector's: a reset gives it the settings made afresh
        return self.connector.settings

    # -- bookkeeping ---------------------------------------------------------------------------------
    def reset(self) -> None:
        self.by_id: dict[str, Dialog] = {}
        self._dialog_ids = itertools.count(DIALOG_ID_BASE)
        self.by_contact: dict[str, str] = {}  # customer contact id -> its dialog's id

    def new_dialog(self, call_type: str, from_address: str, to_address: str, **kw: Any) -> Dialog:
        dialog = Dialog(str(next(self._dialog_ids)), call_type, from_address, to_address, self.clock.now(), **kw)
        self.by_id[dialog.id] = dialog
        if dialog.contact_id:
            self.by_contact[dialog.contact_id] = dialog.id
        self._forget_old_dialogs()
        return dialog

    def _forget_old_dialogs(self) -> None:
        """Dialogs that are over stay known (a callback after the call names one) as long as the
        world keeps ended contacts: the newest `ended_contacts_kept`; older ones are forgotten."""
        excess = len(self.by_id) - self.world.ended_contacts_kept
        if excess <= 0:
            return
        over = []
        for dialog_id, dialog in self.by_id.items():  # oldest first; calls still on are kept
            if not dialog.agents() and self.by_contact.get(dialog.contact_id or "") != dialog_id:
                over.append(dialog_id)
                if len(over) == excess:
                    break
        for dialog_id in over:
            del self.by_id[dialog_id]

    def user_dialog(self, user: User | None, command: p.Command,
                    states: tuple[str, ...] = ()) -> tuple[User, Dialog, Party]:
        user = self.connector.need(user, command)
        dialog = self.by_id.get(command.args["dialogId"])
        party = dialog.party(user.login_id) if dialog else None
        if dialog is None or party is None:
            raise p.ProtocolError("INVALID_DIALOG_ID", f"{user.login_id} has no dialog {command.args['dialogId']}",
                                  user.login_id, command.name)
        if states and party.state not in states:
            raise p.ProtocolError("INVALID_STATE", f"{command.name} is not allowed while the call is {party.state}",
                                  user.login_id, command.name)
        return user, dialog, party

    # -- events ------------------------------------------------------------------------------------------------
    def send_dialog(self, dialog: Dialog, name: str = "InboundCall", only: list[str] | None = None) -> None:
        """Each agent party's view: its own participant state, the other party, all participants."""
        listing = [(x.address, x.state, x.flag) for x in dialog.parties if x.state != "DROPPED"]
        for party in dialog.parties:
            if party.login_id is None or (only is None and party.state == "DROPPED"):
                continue  # an agent that left has had its DROPPED already
            if only is not None and party.login_id not in only:
                continue
            user = self.connector.users[party.login_id]
            others = [x for x in dialog.parties if x is not party]
            # Whoever is still on the call; once it is over, the outside party (the customer).
            other = next((x.address for x in others if x.state != "DROPPED"),
                         next((x.address for x in others if x.login_id is None), others[0].address if others else ""))
            if party.state == "FAILED":
                other = "BAD_DESTINATION"  # token [4] of a FAILED dialog is the cause (Finesse stateCause)
            if dialog.call_type == "CONSULT" and name == "InboundCall" and party.login_id == dialog.parties[0].login_id:
                self.connector.publish(user, p.consult_call(user.login_id, dialog_state=party.state, dialog_id=dialog.id,
                                                            number=other))
                continue
            self.connector.publish(user, p.dialog_event(
                user.login_id, name, dialog_state=party.state, dialog_id=dialog.id, other_party=other,
                variables=dialog.variables, start_time=finesse_time(dialog.started), call_type=dialog.call_type,
                called=dialog.to_address, parties=listing))

    def join(self, user: User, dialog: Dialog) -> None:
        if dialog.id not in user.dialogs:
            user.dialogs.append(dialog.id)

    def leave(self, user: User, dialog: Dialog) -> None:
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
            self.connector.set_state(user, work)
            user.wrap_timer = self.timers.call_later(self.settings.wrap_up_seconds, lambda: self._wrap_up_over(user))
            return
        user.pending = ""
        self.connector.set_state(user, user.after_call,
                                 user.after_call_reason if user.after_call == "NOT_READY" else "")

    def _calls_over(self, user: User) -> None:
        """The sign-out a supervisor asked for during the agent's calls, now that they are over
        (unless the agent asked for another state meanwhile, or took another call)."""
        if user.dialogs or not user.logged_in or user.state not in IN_CALL:
            return
        user.pending = ""
        if user.after_call == "LOGOUT":
            self.connector.sign_out(user, user.after_call_reason)
        else:
            self.connector.set_state(user, user.after_call,
                                     user.after_call_reason if user.after_call == "NOT_READY" else "")

    def _wrap_up_over(self, user: User) -> None:
        user.wrap_timer = None
        if user.state in ("WORK", "WORK_READY"):
            self.connector.set_state(user, user.after_call,
                                     user.after_call_reason if user.after_call == "NOT_READY" else "")

    def drop_party(self, dialog: Dialog, party: Party) -> None:
        party.state = "DROPPED"
        if party.login_id:
            self.send_dialog(dialog, only=[party.login_id])
            self.leave(self.connector.users[party.login_id], dialog)

    def hand_over(self, dialog: Dialog) -> None:
        """The customer's contact belongs to an agent still on the call (a conference after the
        first agent left, a call after a participant was dropped)."""
        contact = self.world.contacts.get(dialog.contact_id or "")
        stays = [self.connector.users[x].agent_id for x in dialog.agents()]
        if contact is not None and not contact.ended and stays and contact.agent not in stays:
            self.world.reassign(contact.id, stays[0])

    def end_dialog(self, dialog: Dialog, reason: EndReason | None = EndReason.AGENT) -> None:
        """Everyone leaves; the customer's contact (if any) ends."""
        if dialog.timer is not None:
            dialog.timer.cancel()
        contact = self.world.contacts.get(dialog.contact_id or "")
        self.by_contact.pop(dialog.contact_id or "", None)  # before world.end, so customer_left ignores it
        for party in dialog.parties:  # the outside parties first: agents then see nobody left
            if party.login_id is None:
                party.state = "DROPPED"
        for party in dialog.parties:
            if party.state != "DROPPED":
                self.drop_party(dialog, party)
        for monitor in [d for d in self.by_id.values() if d.call_type == "SM" and d.main == dialog.id]:
            if monitor.agents():  # a silent monitor ends with the call it monitors
                self.end_dialog(monitor, reason=None)
        if contact is not None and not contact.ended and reason is not None:
            self.world.end(contact.id, reason)

    # -- inbound ----------------------------------------------------------------------------------------------
    def ring(self, user: User, contact: Contact) -> None:
        """The core offered a customer to this agent: RESERVED, then the ringing dialog."""
        preview = bool(contact.data.get("preview"))
        dialog = self.new_dialog("OUTBOUND_PREVIEW" if preview else "ACD_IN", contact.caller, contact.called,
                                 contact_id=contact.id, variables={k: v for k, v in contact.data.items() if k != "preview"})
        dialog.parties = [Party(user.signed_extension or user.extension, "ALERTING", user.login_id),
                          Party(contact.caller, "ACTIVE")]
        self.join(user, dialog)
        user.after_call = user.state if user.state in ("READY", "NOT_READY") else user.after_call
        self.connector.set_state(user, "RESERVED_OUTBOUND_PREVIEW" if preview else "RESERVED")
        self.connector.publish(user, p.new_inbound_call(user.login_id, ani=contact.caller, variables=dialog.variables,
                                                        dialog_id=dialog.id))
        dialog.timer = self.timers.call_later(self.settings.ring_timeout_seconds,
                                              lambda: self._not_answered(user, dialog))

    def _not_answered(self, user: User, dialog: Dialog) -> None:
        party = dialog.party(user.login_id)
        if party is None or party.state != "ALERTING":
            return
        contact_id = dialog.contact_id
        self.by_contact.pop(contact_id or "", None)
        if user.after_call != "LOGOUT":  # (a supervisor's pending LOGOUT stands)
            user.after_call, user.after_call_reason = "NOT_READY", "32767"  # UCCE: "Call Not Answered"
        self.drop_party(dialog, party)
        if contact_id and contact_id in self.world.contacts and not self.world.contacts[contact_id].ended:
            self.world.requeue(contact_id)

    def customer_left(self, contact_id: str) -> None:
        dialog_id = self.by_contact.pop(contact_id, None)
        if dialog_id is not None:
            self.end_dialog(self.by_id[dialog_id], reason=None)

    def offer(self, agent: Agent, contact: Contact) -> None:
        self.ring(self.connector.by_agent[agent.id], contact)

    def drop_all(self, user: User) -> None:
        for dialog_id in list(user.dialogs):
            dialog = self.by_id[dialog_id]
            party = dialog.party(user.login_id)
            if party is not None:
                self.release_party(dialog, party)

    def sign_out_now(self, user: User, reason: str) -> None:
        """Its calls end first; it must not be offered the one it was ringing with on the way out."""
        user.after_call, user.after_call_reason = "NOT_READY", "-1"
        self.drop_all(user)
        self.connector.sign_out(user, reason)

    def force_logout(self, user: User | None, command: p.Command) -> None:
        user = self.connector.need(user, command)
        if not user.logged_in:
            raise p.ProtocolError("INVALID_STATE", "not logged in", user.login_id, command.name)
        self.sign_out_now(user, "20002")  # UCCE system code "Force Logout"

    def answer(self, user: User | None, command: p.Command) -> None:
        user, dialog, party = self.user_dialog(user, command, ("ALERTING",))
        if dialog.timer is not None:
            dialog.timer.cancel()
        if dialog.contact_id:
            self.world.connect(dialog.contact_id)
        party.state = "ACTIVE"
        initiator = dialog.parties[0]
        if dialog.call_type == "CONSULT":  # the consulted agent answered: the consulting one talks to it
            initiator.state = "ACTIVE"
        self.send_dialog(dialog, only=[user.login_id])
        self.connector.set_state(user, "TALKING")
        if dialog.call_type == "CONSULT" and initiator.login_id:
            self.send_dialog(dialog, only=[initiator.login_id])

    def hold(self, user: User | None, command: p.Command) -> None:
        user, dialog, party = self.user_dialog(user, command, ("ACTIVE",))
        self.hold_party(user, dialog, party)

    def hold_party(self, user: User, dialog: Dialog, party: Party) -> None:
        party.state = "HELD"
        if dialog.contact_id and self.world.contacts[dialog.contact_id].state.value == "connected":
            self.world.hold(dialog.contact_id)
        self.send_dialog(dialog, only=[user.login_id])
        if self.settings.deployment == "UCCE":  # on UCCX a held agent stays TALKING
            self.connector.set_state(user, "HOLD")

    def retrieve(self, user: User | None, command: p.Command) -> None:
        user, dialog, party = self.user_dialog(user, command, ("HELD",))
        party.state = "ACTIVE"
        if dialog.contact_id and self.world.contacts[dialog.contact_id].state.value == "held":
            self.world.resume(dialog.contact_id)
        self.send_dialog(dialog, only=[user.login_id])
        if user.state != "TALKING":
            self.connector.set_state(user, "TALKING")

    def release(self, user: User | None, command: p.Command) -> None:
        user, dialog, party = self.user_dialog(user, command, ("ALERTING", "INITIATED", "ACTIVE", "HELD"))
        self.release_party(dialog, party)

    def release_party(self, dialog: Dialog, party: Party) -> None:
        """An agent hangs up: alone with the customer, the call ends; in a conference, it leaves."""
        remaining_agents = [x for x in dialog.agents() if x != party.login_id]
        if party.state == "ALERTING" and dialog.contact_id and dialog.call_type != "CONSULT":
            contact_id = dialog.contact_id
            self.by_contact.pop(contact_id, None)
            self.drop_party(dialog, party)
            self.world.requeue(contact_id)  # refusing a ringing call gives it back
        elif remaining_agents and dialog.call_type != "CONSULT":
            self.drop_party(dialog, party)
            self.hand_over(dialog)
            self.send_dialog(dialog)
        else:
            self.end_dialog(dialog)

    # -- outbound ------------------------------------------------------------------------------------------------
    def make_call(self, user: User | None, command: p.Command) -> None:
        user = self.connector.need(user, command)
        if user.state not in ("NOT_READY", "READY") or user.dialogs:
            raise p.ProtocolError("INVALID_STATE", f"cannot make a call while {user.state}", user.login_id, command.name)
        if user.state == "READY":  # CCE 12.5+: a call from READY makes the agent NOT_READY, code 50006
            self.connector.set_state(user, "NOT_READY", "50006")
        number = command.args["number"]
        contact = self.world.outbound(user.agent_id, number, caller=user.signed_extension or user.extension)
        dialog = self.new_dialog("OUT", contact.caller, number, contact_id=contact.id)
        dialog.parties = [Party(contact.caller, "INITIATED", user.login_id), Party(number, "ALERTING")]
        self.join(user, dialog)
        self.send_dialog(dialog)
        self.connector.set_state(user, "TALKING")
        dialog.timer = self.timers.call_later(self.settings.far_end_answer_seconds,
                                              lambda: self.far_end_answers(dialog))

    def far_end_answers(self, dialog: Dialog) -> None:
        """An outside party answers (or fails to) a call or consult this face placed."""
        dialog.timer = None
        initiator, far = dialog.parties[0], dialog.parties[1]
        if initiator.state == "DROPPED":
            return
        if far.address in self.settings.unreachable_numbers:
            initiator.state = "FAILED"
            self.send_dialog(dialog)
            self.end_dialog(dialog, EndReason.ABANDONED)
            return
        far.state, initiator.state = "ACTIVE", "ACTIVE"
        if dialog.contact_id:
            self.world.connect(dialog.contact_id)
        self.send_dialog(dialog)

    def dialog_state(self, user: User | None, command: p.Command) -> None:
        user, dialog, _ = self.user_dialog(user, command)
        self.send_dialog(dialog, name="DialogState", only=[user.login_id])
