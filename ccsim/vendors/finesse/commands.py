"""The connector's commands, as data: each command name (as protocol.COMMANDS spells it) and the
handler that carries it out on the model. Connect, which needs the sending connection, and a
supervisor's commands for an agent of its team are the face's own dispatch (face.on_message)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .protocol import Command

if TYPE_CHECKING:
    from .model import FinesseModel
    from .model.users import User

Handler = Callable[["FinesseModel", "User | None", Command], None]


# -- session and state ----------------------------------------------------------------------------------
def hello(model: FinesseModel, user: User | None, command: Command) -> None:
    model.connector.hello(user, command)


def login(model: FinesseModel, user: User | None, command: Command) -> None:
    model.connector.login(user, command)


def logout(model: FinesseModel, user: User | None, command: Command) -> None:
    model.connector.logout(user, command)


def force_logout(model: FinesseModel, user: User | None, command: Command) -> None:
    model.dialogs.force_logout(user, command)


def make_ready(model: FinesseModel, user: User | None, command: Command) -> None:
    model.connector.make_ready(user, command)


def make_not_ready(model: FinesseModel, user: User | None, command: Command) -> None:
    model.connector.make_not_ready(user, command)


def get_state(model: FinesseModel, user: User | None, command: Command) -> None:
    model.connector.get_state(user, command)


# -- calls ------------------------------------------------------------------------------------------------
def answer(model: FinesseModel, user: User | None, command: Command) -> None:
    model.dialogs.answer(user, command)


def hold(model: FinesseModel, user: User | None, command: Command) -> None:
    model.dialogs.hold(user, command)


def retrieve(model: FinesseModel, user: User | None, command: Command) -> None:
    model.dialogs.retrieve(user, command)


def release(model: FinesseModel, user: User | None, command: Command) -> None:
    model.dialogs.release(user, command)


def make_call(model: FinesseModel, user: User | None, command: Command) -> None:
    model.dialogs.make_call(user, command)


def dialog_state(model: FinesseModel, user: User | None, command: Command) -> None:
    model.dialogs.dialog_state(user, command)


def consult(model: FinesseModel, user: User | None, command: Command) -> None:
    model.features.consult(user, command)


def transfer(model: FinesseModel, user: User | None, command: Command) -> None:
    model.features.transfer(user, command)


def conference(model: FinesseModel, user: User | None, command: Command) -> None:
    model.features.conference(user, command)


def transfer_sst(model: FinesseModel, user: User | None, command: Command) -> None:
    model.features.transfer_sst(user, command)


def preview_end(model: FinesseModel, user: User | None, command: Command) -> None:
    model.features.preview_end(user, command)


def callback(model: FinesseModel, user: User | None, command: Command) -> None:
    model.features.callback(user, command)


def reclassify(model: FinesseModel, user: User | None, command: Command) -> None:
    model.features.reclassify(user, command)


def silent_monitor(model: FinesseModel, user: User | None, command: Command) -> None:
    model.features.silent_monitor(user, command)


def barge_in(model: FinesseModel, user: User | None, command: Command) -> None:
    model.features.barge_in(user, command)


def drop_participant(model: FinesseModel, user: User | None, command: Command) -> None:
    model.features.drop_participant(user, command)


# -- information ------------------------------------------------------------------------------------------
def reason_codes(model: FinesseModel, user: User | None, command: Command) -> None:
    model.queries.reason_codes(user, command)


def queue_list(model: FinesseModel, user: User | None, command: Command) -> None:
    model.queries.queue_list(user, command)


def team_users(model: FinesseModel, user: User | None, command: Command) -> None:
    model.queries.team_users(user, command)


def phonebooks(model: FinesseModel, user: User | None, command: Command) -> None:
    model.queries.phonebooks(user, command)


def phonebook_contacts(model: FinesseModel, user: User | None, command: Command) -> None:
    model.queries.phonebook_contacts(user, command)


def skill_groups(model: FinesseModel, user: User | None, command: Command) -> None:
    model.queries.skill_groups(user, command)


def supervisors(model: FinesseModel, user: User | None, command: Command) -> None:
    model.queries.supervisors(user, command)


COMMANDS: dict[str, Handler] = {
    "Hello": hello, "Beat": hello,
    "Login": login, "MobileAgentLogin": login,
    "Logout": logout, "logoutwithreason": logout, "force_logout": force_logout,
    "MakeReady": make_ready, "MakeNotReady": make_not_ready, "MakeNotReadyWithReason": make_not_ready,
    "GetState": get_state,
    "AnswerCall": answer, "HoldCall": hold, "RetrieveCall": retrieve, "ReleaseCall": release,
    "MakeCall": make_call, "GetDialogState": dialog_state,
    "ConsultCall": consult, "TransferCall": transfer, "ConferenceCall": conference, "Transfer_sst": transfer_sst,
    "RejectOutboundPreview": preview_end, "CloseOutboundPreview": preview_end,
    "SHCEDULECALLBACK": callback, "UPDATECALLBACK": callback, "CANCELSHCEDULECALLBACK": callback,
    "RECLASSIFYCALL": reclassify,
    "silentmonitor": silent_monitor, "endsilentmonitor": release, "bargein": barge_in,
    "dropparticipant": drop_participant,
    "wrapupreasoncode": reason_codes, "reasoncodelogout": reason_codes, "reasoncodenotready": reason_codes,
    "getqueuelist": queue_list, "getteamusers": team_users,
    "GetPhonebooks": phonebooks, "GetTeamPhonebooks": phonebooks, "GetPhonebookContacts": phonebook_contacts,
    "GETSKILLGROPU": skill_groups, "GETSUPERVISOR": supervisors,
}
