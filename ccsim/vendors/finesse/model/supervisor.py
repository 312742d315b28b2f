"""A supervisor changing the state of an agent of its team (reference finesse.md §6.1, from the
Finesse developer guide 12.5, "User—Change Agent State"):

* only READY, NOT_READY and LOGOUT, and only for users on the supervisor's team (access.py);
* LOGOUT from any signed-in state; NOT_READY only from READY, WORK or WORK_READY (and, INFERRED,
  READY likewise only off a call: from NOT_READY, WORK or WORK_READY);
* no reason code: one sent is refused with 400 Invalid Input (INVALID_INPUT here); Finesse applies
  a hard-coded code instead, 999 on Unified CCE ("Supervisor Initiated"), 33 on Unified CCX.

A LOGOUT of an agent on a call (setting `supervisor_logout_in_call`): "after_call", pending
(pendingState LOGOUT) until its calls end; "now", its calls are dropped and it is signed out.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import protocol as p
from .connector import Connector
from .dialogs import Dialogs
from .users import IN_CALL, User

if TYPE_CHECKING:
    from ..settings import FinesseSettings

SUPERVISOR_REASON_CODE = {"UCCE": "999", "UCCX": "33"}
OFF_CALL = ("NOT_READY", "READY", "WORK", "WORK_READY")


class SupervisorActions:
    def __init__(self, connector: Connector, dialogs: Dialogs):
        self.connector = connector
        self.dialogs = dialogs

    @property
    def settings(self) -> FinesseSettings:  # the connector's: a reset gives it the settings made afresh
        return self.connector.settings

    def supervisor_code(self) -> str:
        return SUPERVISOR_REASON_CODE[self.settings.deployment]

    def supervise(self, supervisor: User, user: User, command: p.Command) -> None:
        """`supervisor` sent `command` for `user`, an agent of its team."""
        name = command.name
        if name in ("MakeNotReadyWithReason", "logoutwithreason"):
            raise p.ProtocolError("INVALID_INPUT", "a supervisor sends no reason code: Finesse applies "
                                  f"{self.supervisor_code()}", user.login_id, name)
        if name == "GetState":
            self.connector.send_state(user)
            return
        target = {"MakeReady": "READY", "MakeNotReady": "NOT_READY", "Logout": "LOGOUT"}[name]
        allowed = {"READY": ("NOT_READY", "WORK", "WORK_READY"), "NOT_READY": ("READY", "WORK", "WORK_READY"),
                   "LOGOUT": OFF_CALL + IN_CALL}[target]
        if user.state not in allowed:
            raise p.ProtocolError("INVALID_STATE", f"a supervisor may not set {user.login_id} {target} from "
                                  f"{user.state}", user.login_id, name)
        code = self.supervisor_code()
        if target == "LOGOUT" and user.state in IN_CALL:
            self._logout_in_call(user, code)
            return
        user.cancel_wrap_timer()
        if target == "LOGOUT":
            self.connector.sign_out(user, code)
        else:
            self.connector.set_state(user, target, code if target == "NOT_READY" else "")

    def _logout_in_call(self, user: User, code: str) -> None:
        if self.settings.supervisor_logout_in_call == "now":
            self.dialogs.sign_out_now(user, code)  # not offered its ringing call again
            return
        user.after_call, user.after_call_reason, user.pending = "LOGOUT", code, "LOGOUT"
        self.connector.send_state(user)  # signed out when its calls end (dialogs.py, leave)
