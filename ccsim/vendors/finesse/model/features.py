"""Call features on top of the basic dialogs: consult, transfer, conference, single-step
transfer; outbound preview, callbacks and reclassify; supervisors' monitor, barge-in and
participant drop."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ....core import EndReason
from .. import protocol as p
from .connector import Connector
from .dialogs import Dialogs
from .records import Dialog, Party
from .users import User

if TYPE_CHECKING:
    from ..settings import FinesseSettings

RECLASSIFY_VALUES = ("VOICE", "FAX", "ANS_MACHINE", "INVALID", "DO_NOT_CALL", "BUSY")


class Features:
    def __init__(self, connector: Connector, dialogs: Dialogs):
        self.connector = connector
        self.dialogs = dialogs
        self.world = connector.world
        self.timers = connector.timers

    @property
    def settings(self) -> FinesseSettings:  # the connector's: a reset gives it the settings made afresh
        return self.connector.settings

    # -- consult, transfer, conference ------------------------------------------------------------------
    def consult(self, user: User | None, command: p.Command) -> None:
        user, main, party = self.dialogs.user_dialog(user, command, ("ACTIVE",))
        number = command.args["number"]
        target = self.connector.user_by_extension(number)
        if target is not None and (target.state != "READY" or target.dialogs):
            raise p.ProtocolError("CF_RESOURCE_BUSY", f"{number} cannot take a consult call now", user.login_id, command.name)
        self.dialogs.hold_party(user, main, party)
        consult = self.dialogs.new_dialog("CONSULT", party.address, number, main=main.id,
                                          variables=dict(main.variables))
        consult.parties = [Party(party.address, "INITIATED", user.login_id),
                           Party(number, "ALERTING", target.login_id if target else None)]
        self.dialogs.join(user, consult)
        self.dialogs.send_dialog(consult, only=[user.login_id])
        if target is None:
            consult.timer = self.timers.call_later(self.settings.far_end_answer_seconds,
                                                   lambda: self.dialogs.far_end_answers(consult))
            return
        self.dialogs.join(target, consult)
        target.after_call = "READY"
        self.connector.set_state(target, "RESERVED")
        self.connector.publish(target, p.new_inbound_call(target.login_id, ani=party.address,
                                                          variables=consult.variables, dialog_id=consult.id))

    def _active_consult(self, user: User, main: Dialog, extension: str, command: p.Command) -> Dialog:
        calls = self.dialogs.by_id
        consult = next((calls[d] for d in user.dialogs if calls[d].main == main.id), None)
        if consult is None or consult.parties[1].address != extension or consult.parties[1].state != "ACTIVE":
            raise p.ProtocolError("CF_GENERIC_UNSPECIFIED", f"no active consult call with {extension}", user.login_id,
                                  command.name)
        return consult

    def transfer(self, user: User | None, command: p.Command) -> None:
        user, main, party = self.dialogs.user_dialog(user, command, ("HELD",))
        consult = self._active_consult(user, main, command.args["extension"], command)
        target_party = consult.parties[1]
        # The customer now talks to the consulted party; the consulting agent is out of both calls.
        party.state = "DROPPED"
        self.dialogs.send_dialog(main, only=[user.login_id])
        consult.parties[0].state = "DROPPED"
        self.dialogs.send_dialog(consult, only=[user.login_id])
        main.parties.append(Party(target_party.address, "ACTIVE", target_party.login_id))
        if main.contact_id and self.world.contacts[main.contact_id].state.value == "held":
            self.world.resume(main.contact_id)
        if target_party.login_id:
            target = self.connector.users[target_party.login_id]
            self.dialogs.join(target, main)
            if main.contact_id:
                self.world.reassign(main.contact_id, target.agent_id)
            self.dialogs.send_dialog(main, only=[target.login_id])
            self.connector.send_state(target)
            target_party.state = "DROPPED"
            self.dialogs.send_dialog(consult, only=[target.login_id])
            target.dialogs.remove(consult.id)
        elif main.contact_id:
            self.world.end(main.contact_id, EndReason.AGENT, transferredTo=target_party.address)
            self.dialogs.by_contact.pop(main.contact_id, None)
        self.dialogs.leave(user, consult)
        self.dialogs.leave(user, main)

    def conference(self, user: User | None, command: p.Command) -> None:
        user, main, party = self.dialogs.user_dialog(user, command, ("HELD",))
        consult = self._active_consult(user, main, command.args["extension"], command)
        target_party = consult.parties[1]
        consult.parties[0].state = "DROPPED"
        self.dialogs.send_dialog(consult, only=[user.login_id])
        user.dialogs.remove(consult.id)
        party.state = "ACTIVE"
        if main.contact_id and self.world.contacts[main.contact_id].state.value == "held":
            self.world.resume(main.contact_id)
        main.parties.append(Party(target_party.address, "ACTIVE", target_party.login_id))
        if target_party.login_id:
            target = self.connector.users[target_party.login_id]
            self.dialogs.join(target, main)
            target_party.state = "DROPPED"
            self.dialogs.send_dialog(consult, only=[target.login_id])
            target.dialogs.remove(consult.id)
        self.dialogs.send_dialog(main)
        self.connector.set_state(user, "TALKING")

    def transfer_sst(self, user: User | None, command: p.Command) -> None:
        user, dialog, party = self.dialogs.user_dialog(user, command, ("ACTIVE",))
        number = command.args["number"]
        target = self.connector.user_by_extension(number)
        if dialog.contact_id is None:
            raise p.ProtocolError("CF_GENERIC_UNSPECIFIED", "only a customer call can be transferred", user.login_id,
                                  command.name)
        if target is not None and not self.world.can_take(target.agent_id, dialog.contact_id):
            raise p.ProtocolError("CF_GENERIC_UNSPECIFIED", f"{number} cannot take the call now", user.login_id, command.name)
        contact_id = dialog.contact_id
        self.dialogs.by_contact.pop(contact_id, None)
        self.dialogs.drop_party(dialog, party)
        if target is not None:
            self.world.transfer_to_agent(contact_id, target.agent_id)
        else:
            self.world.end(contact_id, EndReason.AGENT, transferredTo=number)

    # -- preview, callbacks, reclassify -----------------------------------------------------------------------
    def _preview_dialog(self, user: User | None, command: p.Command) -> tuple[User, Dialog]:
        user = self.connector.need(user, command)
        dialog = self.dialogs.by_id.get(command.args["dialogId"])
        if dialog is None:
            raise p.ProtocolError("INVALID_DIALOG_ID", f"no dialog {command.args['dialogId']}", user.login_id, command.name)
        if dialog.call_type != "OUTBOUND_PREVIEW":
            raise p.ProtocolError("CF_GENERIC_UNSPECIFIED", "not an outbound preview dialog", user.login_id, command.name)
        return user, dialog

    def preview_end(self, user: User | None, command: p.Command) -> None:
        user, dialog = self._preview_dialog(user, command)
        if dialog.party(user.login_id) is None:
            raise p.ProtocolError("INVALID_STATE", "the preview is over", user.login_id, command.name)
        self.dialogs.end_dialog(dialog, EndReason.AGENT)

    def _dealt_with(self, user: User | None, command: p.Command) -> tuple[User, Dialog]:
        """The preview dialog of a callback or reclassify command, if the sender is the agent who
        dealt with it (seed 002: "Only an agent who dealt with the original call can set a
        personal callback"): on it now, or on it earlier and answered it. `targetMediaAddress`
        is "the extension of the agent who is making the request": the sender's own."""
        user = self.connector.need(user, command)
        dialog = self.dialogs.by_id.get(command.args["dialogId"])
        if dialog is None or not any(x.login_id == user.login_id and (x.state != "DROPPED" or x.talked)
                                     for x in dialog.parties):
            raise p.ProtocolError("INVALID_DIALOG_ID", f"{user.login_id} did not deal with dialog "
                                  f"{command.args['dialogId']}", user.login_id, command.name)
        user, dialog = self._preview_dialog(user, command)
        extension = user.signed_extension or user.extension
        if command.args["extension"] != extension:
            raise p.ProtocolError("WRONG_EXTENSION", f"{command.args['extension']} is not the extension of "
                                  f"{user.login_id} ({extension})", user.login_id, command.name)
        return user, dialog

    def callback(self, user: User | None, command: p.Command) -> None:
        user, dialog = self._dealt_with(user, command)
        if command.name == "SHCEDULECALLBACK" or (command.name == "UPDATECALLBACK" and dialog.callback):
            dialog.callback = {"callbackTime": command.args["callbackTime"],
                               "callbackNumber": command.args.get("callbackNumber", "") or dialog.from_address}
            kind = "CALLBACK_SCHEDULED" if command.name == "SHCEDULECALLBACK" else "CALLBACK_UPDATED"
        elif command.name == "CANCELSHCEDULECALLBACK" and dialog.callback:
            dialog.callback, kind = None, "CALLBACK_CANCELLED"
        else:
            raise p.ProtocolError("INVALID_STATE", "no callback is scheduled for this dialog", user.login_id, command.name)
        detail = f"dialogId:{dialog.id} " + " ".join(f"{k}:{v}" for k, v in (dialog.callback or {}).items())
        self.connector.publish(user, p.control(user.login_id, kind, detail.strip()))

    def reclassify(self, user: User | None, command: p.Command) -> None:
        user, dialog = self._dealt_with(user, command)
        value = command.args["value"].upper()
        if value not in RECLASSIFY_VALUES:
            raise p.ProtocolError("GENERAL_ERROR", f"reclassify value must be one of {' '.join(RECLASSIFY_VALUES)}",
                                  user.login_id, command.name)
        dialog.variables["BAResponse"] = value
        self.connector.publish(user, p.control(user.login_id, "RECLASSIFIED", f"dialogId:{dialog.id} value:{value}"))

    # -- supervisors -------------------------------------------------------------------------------------------------
    def _supervised(self, supervisor: User | None, command: p.Command, extension: str) -> tuple[User, User]:
        supervisor = self.connector.need(supervisor, command)
        if not supervisor.supervisor or not supervisor.logged_in:
            raise p.ProtocolError("INVALID_STATE", f"{supervisor.login_id} is not a logged-in supervisor",
                                  supervisor.login_id, command.name)
        agent = self.connector.user_by_extension(extension)
        if agent is None or agent.team not in supervisor.teams:
            raise p.ProtocolError("INVALID_STATE", f"no agent of {supervisor.login_id}'s teams at {extension}",
                                  supervisor.login_id, command.name)
        return supervisor, agent

    def silent_monitor(self, user: User | None, command: p.Command) -> None:
        supervisor, agent = self._supervised(user, command, command.args["extension"])
        calls = self.dialogs.by_id
        talking = next((calls[d] for d in agent.dialogs if calls[d].party(agent.login_id)), None)
        if talking is None:
            raise p.ProtocolError("INVALID_STATE", f"{agent.login_id} is not on a call", supervisor.login_id, command.name)
        monitor = self.dialogs.new_dialog("SM", supervisor.signed_extension or supervisor.extension,
                                          agent.signed_extension, main=talking.id)
        monitor.parties = [Party(monitor.from_address, "ACTIVE", supervisor.login_id),
                           Party(agent.signed_extension, "ACTIVE")]
        self.dialogs.join(supervisor, monitor)
        self.dialogs.send_dialog(monitor)
        self.connector.set_state(supervisor, "TALKING")

    def barge_in(self, user: User | None, command: p.Command) -> None:
        supervisor = self.connector.need(user, command)
        dialog = self.dialogs.by_id.get(command.args["dialogId"])
        if dialog is None or not dialog.agents():
            raise p.ProtocolError("INVALID_DIALOG_ID", f"no call {command.args['dialogId']}", supervisor.login_id, command.name)
        self._supervised(supervisor, command, self.connector.users[dialog.agents()[0]].signed_extension)
        monitors = [d for d in supervisor.dialogs if self.dialogs.by_id[d].call_type == "SM"]
        dialog.parties.append(Party(command.args["extension"], "ACTIVE", supervisor.login_id, "SUPERVISOR_BARGE_IN"))
        self.dialogs.join(supervisor, dialog)  # first, so that ending the monitor below is no "call over"
        for monitor_id in monitors:  # a barge-in ends the supervisor's silent monitoring
            self.dialogs.end_dialog(self.dialogs.by_id[monitor_id], reason=None)
        self.dialogs.send_dialog(dialog)
        if supervisor.state != "TALKING":
            self.connector.set_state(supervisor, "TALKING")

    def drop_participant(self, user: User | None, command: p.Command) -> None:
        user, dialog, _ = self.dialogs.user_dialog(user, command, ("ACTIVE", "HELD"))
        victim = next((x for x in dialog.parties if x.address == command.args["extension"] and x.state != "DROPPED"), None)
        if victim is None:
            raise p.ProtocolError("INVALID_STATE", f"{command.args['extension']} is not in the call", user.login_id,
                                  command.name)
        if victim.login_id is None:  # the customer was dropped: the call is over for everyone
            self.dialogs.end_dialog(dialog)
            return
        self.connector.publish(self.connector.users[victim.login_id], p.control(victim.login_id, "PARTICIPANT_DROPPED",
                                                             f"dialogId:{dialog.id} by:{user.login_id}"))
        self.dialogs.drop_party(dialog, victim)
        if dialog.agents():
            self.dialogs.hand_over(dialog)
            self.dialogs.send_dialog(dialog)
        else:
            self.dialogs.end_dialog(dialog)
