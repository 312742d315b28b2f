"""Deliberately broken variants of ccsim's Finesse face: each must fail `ccsim check --face finesse`."""
from __future__ import annotations

from ....conformance.mutants import Mutant, replace
from .. import protocol
from ..model import connector as connector_module
from ..model.access import CommandAccess
from ..model.connector import Connector
from ..model.dialogs import Dialogs
from ..model.features import Features
from ..model.supervisor import SupervisorActions


def _logout_from_ready(check):
    def mutated(user, target, deployment):
        if not (target == "LOGOUT" and user.state == "READY"):
            check(user, target, deployment)
    return mutated


def _last_code_refused(check_code):
    def mutated(self, user, category, code, command):
        if code not in {c for c, _ in self.settings.codes(category)[:-1]}:
            raise protocol.ProtocolError("CF_INVALID_AGENT_REASON_CODE", f"{code} is not a {category} reason code",
                                         user.login_id, command)
    return mutated


def _dropping(name, state=None):
    def make(publish):
        def mutated(self, user, text):
            tokens = text.split("#")
            if not (tokens[1:2] == [name] and (state is None or tokens[2:3] == [state])):
                publish(self, user, text)
        return mutated
    return make


def _no_reason_as_none(state):
    def mutated(agent, *, reason_code, **fields):
        return state(agent, reason_code="NONE" if reason_code == "-1" else reason_code, **fields)
    return mutated


def _hold_stays_talking(hold_party):
    def mutated(self, user, dialog, party):
        deployment = self.settings.deployment
        self.settings.deployment = "UCCX"  # on UCCX a held agent stays TALKING: wrong for UCCE
        try:
            hold_party(self, user, dialog, party)
        finally:
            self.settings.deployment = deployment
    return mutated


def _unknown_dialog_as_missing(user_dialog):
    def mutated(self, user, command, states=()):
        if command.args["dialogId"] not in self.by_id:
            raise protocol.ProtocolError("MISSING_DIALOG_ID", "no such dialog", command.param, command.name)
        return user_dialog(self, user, command, states)
    return mutated


def _supervisor_code_none(supervisor_code):
    return lambda self: "-1"


def _callbacks_from_anyone(dealt_with):
    return Features._preview_dialog  # any agent, any extension: the face before ownership was checked


def _commands_from_anyone(acting_supervisor):
    def mutated(self, user, command, sender):
        try:
            return acting_supervisor(self, user, command, sender)
        except protocol.ProtocolError as exc:
            if exc.code == "AUTHORIZATION_FAILURE":
                return None  # taken as the agent's own
            raise
    return mutated


MUTANTS = [
    Mutant("LOGOUT from READY on UCCE", "finesse",
           "lets an agent sign out from READY, a transition only Unified CCX has (UCCE: only from NOT_READY)",
           "finesse state transitions", replace(connector_module, "check_user_transition", _logout_from_ready)),
    Mutant("last reason code refused", "finesse",
           "checks reason codes against all but the last configured one: off by one at the end of the list",
           "finesse errors", replace(Connector, "check_code", _last_code_refused)),
    Mutant("sign-in without AgentInfo", "finesse",
           "answers a Login with its State only, without the AgentInfo event",
           "finesse sign-in events", replace(Connector, "publish", _dropping("AgentInfo"))),
    Mutant("reason code -1 as NONE", "finesse",
           "writes the State's 'no reason code' as NONE instead of -1: not a reasonCodeId",
           "contracts", replace(protocol, "state", _no_reason_as_none)),
    Mutant("hold stays TALKING on UCCE", "finesse",
           "keeps a held agent TALKING (UCCX behaviour) instead of HOLD on Unified CCE",
           "finesse call states", replace(Dialogs, "hold_party", _hold_stays_talking)),
    Mutant("answer without InboundCall ACTIVE", "finesse",
           "connects an answered or retrieved call without sending the agent its InboundCall ACTIVE",
           "finesse dialog events", replace(Connector, "publish", _dropping("InboundCall", "ACTIVE"))),
    Mutant("unknown dialog answered MISSING_DIALOG_ID", "finesse",
           "answers a call command naming a dialog that does not exist with MISSING_DIALOG_ID (the code for an "
           "empty dialog id) instead of INVALID_DIALOG_ID",
           "finesse errors", replace(Dialogs, "user_dialog", _unknown_dialog_as_missing)),
    Mutant("supervisor NOT_READY with -1", "finesse",
           "applies the agent's 'no reason code' -1 to a supervisor's NOT_READY and LOGOUT instead of Finesse's "
           "hard-coded 999 (Unified CCE)",
           "finesse supervisor reason codes", replace(SupervisorActions, "supervisor_code", _supervisor_code_none)),
    Mutant("callbacks from any agent", "finesse",
           "takes SHCEDULECALLBACK, UPDATECALLBACK, CANCELSHCEDULECALLBACK and RECLASSIFYCALL from an agent who did "
           "not deal with the call, naming any extension",
           "finesse callback ownership", replace(Features, "_dealt_with", _callbacks_from_anyone)),
    Mutant("commands from any client", "finesse",
           "carries out an agent's commands sent by a desktop bound to another agent, or to none",
           "finesse command senders", replace(CommandAccess, "acting_supervisor", _commands_from_anyone)),
]
