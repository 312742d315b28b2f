"""The Expertflow Generic Connector JMS protocol, as pure functions.

Commands arrive as JMS TextMessages: JMSType `<Command>#<param>` and a comma-separated body.
Events leave as `#`-delimited text: `<agent>#<EventName>#<field>#...`. Layouts follow the seed
document (the connector's command tables) and the reference's reading of the public client;
token positions marked INFERRED in contracts/finesse/README.md are our choices.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

RESERVED = ",#|"  # delimiters of the protocol: never inside a value


class ProtocolError(Exception):
    """A command that cannot be carried out; answered with an Error event carrying `code`."""

    def __init__(self, code: str, message: str, agent: str | None = None, command: str = ""):
        super().__init__(f"{code}: {message}")
        self.code, self.message, self.agent, self.command = code, message, agent, command


@dataclass(frozen=True)
class Spec:
    name: str  # canonical spelling (the connector's documents mix cases)
    fields: tuple[str, ...]  # body fields, in order
    required: int  # how many leading fields must be present and non-empty
    missing: tuple[str, ...] = ()  # error code per required field when it is empty


def _spec(name: str, fields: str = "", required: int | None = None, missing: str = "") -> Spec:
    names = tuple(f for f in fields.split() if f)
    codes = tuple(missing.split())
    return Spec(name, names, len(names) if required is None else required, codes)


_DIALOG = "MISSING_DIALOG_ID"
COMMANDS: dict[str, Spec] = {s.name.lower(): s for s in (
    _spec("Hello"), _spec("Beat"),
    _spec("Connect", "destination password sso", 2, "GENERAL_ERROR MISSING_PASSWORD"),
    _spec("Login", "password extension", missing="MISSING_PASSWORD MISSING_EXTENSION"),
    _spec("MobileAgentLogin", "password extension dialNumber connectionMode",
          missing="MISSING_PASSWORD MISSING_EXTENSION GENERAL_ERROR GENERAL_ERROR"),
    _spec("Logout"), _spec("logoutwithreason", "reasonCode", missing="GENERAL_ERROR"),
    _spec("MakeReady"), _spec("MakeNotReady"),
    _spec("MakeNotReadyWithReason", "reasonCode", missing="GENERAL_ERROR"),
    _spec("GetState"), _spec("force_logout"),
    _spec("wrapupreasoncode"), _spec("reasoncodelogout"), _spec("reasoncodenotready"),
    _spec("MakeCall", "number", missing="GENERAL_ERROR"),
    _spec("AnswerCall", "dialogId", missing=_DIALOG), _spec("HoldCall", "dialogId", missing=_DIALOG),
    _spec("RetrieveCall", "dialogId", missing=_DIALOG), _spec("ReleaseCall", "dialogId", missing=_DIALOG),
    _spec("GetDialogState", "dialogId", missing=_DIALOG),
    _spec("Transfer_sst", "number dialogId", missing=f"MISSING_EXTENSION {_DIALOG}"),
    _spec("ConsultCall", "number dialogId", missing=f"MISSING_EXTENSION {_DIALOG}"),
    _spec("TransferCall", "extension dialogId", missing=f"MISSING_EXTENSION {_DIALOG}"),
    _spec("ConferenceCall", "extension dialogId", missing=f"MISSING_EXTENSION {_DIALOG}"),
    _spec("RejectOutboundPreview", "dialogId action", 1, _DIALOG),
    _spec("CloseOutboundPreview", "dialogId action", 1, _DIALOG),
    _spec("SHCEDULECALLBACK", "extension dialogId callbackTime callbackNumber", 3,
          f"MISSING_EXTENSION {_DIALOG} GENERAL_ERROR"),
    _spec("UPDATECALLBACK", "extension dialogId callbackTime callbackNumber", 3,
          f"MISSING_EXTENSION {_DIALOG} GENERAL_ERROR"),
    _spec("CANCELSHCEDULECALLBACK", "extension dialogId", missing=f"MISSING_EXTENSION {_DIALOG}"),
    _spec("RECLASSIFYCALL", "extension dialogId value", missing=f"MISSING_EXTENSION {_DIALOG} GENERAL_ERROR"),
    _spec("GETSKILLGROPU"), _spec("GETSUPERVISOR"),
    _spec("getteamusers", "teamId flag", 1, "GENERAL_ERROR"),
    _spec("getqueuelist"), _spec("GetPhonebooks"),
    _spec("GetTeamPhonebooks", "teamId", missing="GENERAL_ERROR"),
    _spec("GetPhonebookContacts", "phonebookId", missing="GENERAL_ERROR"),
    _spec("silentmonitor", "extension", missing="MISSING_EXTENSION"),
    _spec("endsilentmonitor", "dialogId", missing=_DIALOG),
    _spec("bargein", "extension dialogId", missing=f"MISSING_EXTENSION {_DIALOG}"),
    _spec("dropparticipant", "extension dialogId", missing=f"MISSING_EXTENSION {_DIALOG}"),
)}


@dataclass(frozen=True)
class Command:
    name: str  # canonical
    param: str  # after the '#': usually the acting agent's login id (a destination for Hello/Beat)
    args: dict[str, str]


def parse_command(jms_type: str | None, body: str | None) -> Command:
    """Parse one command; ProtocolError (with the agent when known) if it cannot be run."""
    if not jms_type or "#" not in jms_type:
        raise ProtocolError("GENERAL_ERROR", f"JMSType must be <Command>#<agent>, not {jms_type!r}")
    raw_name, param = jms_type.split("#", 1)
    param = param.strip()
    spec = COMMANDS.get(raw_name.strip().lower())
    if spec is None:
        raise ProtocolError("GENERAL_ERROR", f"unknown command {raw_name!r}", param or None, raw_name)
    if not param:
        raise ProtocolError("GENERAL_ERROR", f"{spec.name}: no agent id after '#'", None, spec.name)
    values = [v.strip() for v in (body or "").split(",")] if (body or "").strip() else []
    if len(values) > max(len(spec.fields), 1) and spec.fields:
        raise ProtocolError("GENERAL_ERROR", f"{spec.name}: expected {','.join(spec.fields)}, got {len(values)} fields",
                            param, spec.name)
    for index in range(spec.required):
        if index >= len(values) or not values[index]:
            code = spec.missing[index] if index < len(spec.missing) else "GENERAL_ERROR"
            raise ProtocolError(code, f"{spec.name}: {spec.fields[index]} is missing", param, spec.name)
    return Command(spec.name, param, dict(zip(spec.fields, values)))


# -- events ---------------------------------------------------------------------------------------
def clean(value: object) -> str:
    """A value as a token: the protocol's delimiters cannot appear inside one."""
    text = "" if value is None else str(value)
    return "".join(" " if ch in RESERVED else ch for ch in text)


def event(subject: str, name: str, *tokens: object) -> str:
    return "#".join([clean(subject), name, *(clean(t) if not isinstance(t, Raw) else t.text for t in tokens)])


@dataclass(frozen=True)
class Raw:
    """A token that is itself structured (k:v,k:v or a|b lists) and already cleaned."""

    text: str


def pairs(items: Iterable[tuple[str, object]], sep: str = ",") -> Raw:
    return Raw(sep.join(f"{clean(k)}:{clean(v)}" for k, v in items))


def call_variables(data: dict[str, object]) -> Raw:
    return Raw("|".join(f"{clean(k)}={clean(v)}" for k, v in data.items()))


def system_status(destination: str, in_service: bool) -> str:
    # Token [1] is what the client reads; token [0] is the client destination (INFERRED).
    return event(destination, "IN_SERVICE" if in_service else "OUT_OF_SERVICE")


def state(agent: str, *, state_name: str, reason_code: str, change_time: str, pending: str, full_name: str,
          extension: str, reason_label: str, login_name: str) -> str:
    """State: id#State#state#reasonCodeId#changeTimeString#pendingState#changeTime#fullName#loginId#
    extension#reasonLabel#fullName#loginName (the seed's layout)."""
    return event(agent, "State", state_name, reason_code, change_time, pending, change_time,
                 full_name, agent, extension, reason_label, full_name, login_name)


def agent_info(agent: str, *, first: str, last: str, supervisor: bool, wrap_up_mode: str, team_id: str,
               full_name: str, login_name: str, teams: list[tuple[str, str]] | None = None) -> str:
    if not supervisor:
        return event(agent, "AgentInfo", first, last, "False", wrap_up_mode, team_id, full_name, login_name)
    team_list = Raw("|".join(f"{clean(tid)},{clean(name)}" for tid, name in teams or []))
    return event(agent, "AgentInfo", first, last, "True", wrap_up_mode, f"TotalNumberOfTeams:{len(teams or [])}",
                 team_list, team_id, full_name, login_name)


def reason_codes(agent: str, category: str, codes: list[tuple[str, str]]) -> str:
    return event(agent, "ReasonCodes", category, Raw(",".join(clean(c) for c, _ in codes)),
                 Raw(",".join(clean(label) for _, label in codes)))


def new_inbound_call(agent: str, *, ani: str, variables: dict[str, object], dialog_id: str) -> str:
    return event(agent, "NewInboundCall", ani, call_variables(variables), f"dialogId:{dialog_id}")


def participants(parties: list[tuple[str, str, str]]) -> Raw:
    """extension,state,COUNTED,<flag>|...  The client reads "NULL" in the third field as "not
    counted"; every party we list is counted (INFERRED). The flag is NONE or SUPERVISOR_BARGE_IN."""
    return Raw("participants:" + "|".join(f"{clean(ext)},{clean(st)},{'COUNTED'},{clean(flag) or 'NONE'}"
                                          for ext, st, flag in parties))


def dialog_event(agent: str, name: str, *, dialog_state: str, dialog_id: str, other_party: str,
                 variables: dict[str, object], start_time: str, call_type: str, called: str,
                 parties: list[tuple[str, str, str]]) -> str:
    """InboundCall / DialogState: id#Name#state#dialogId:x#otherParty#vars#startTime#callType:x#dnis:x#participants:..."""
    return event(agent, name, dialog_state, f"dialogId:{dialog_id}", other_party, call_variables(variables),
                 start_time, f"callType:{call_type}", f"dnis:{called}", participants(parties))


def consult_call(agent: str, *, dialog_state: str, dialog_id: str, number: str) -> str:
    return event(agent, "ConsultCall", dialog_state, f"dialogId:{dialog_id}", number)


def error(agent: str, command: str, code: str, message: str) -> str:
    """Error: id#Error#<command>#<CODE>#<message> — the client shows token [3], the code."""
    return event(agent, "Error", command, code, message)


def control(agent: str, kind: str, message: str) -> str:
    return event(agent, "Control", kind, message)


def listing(agent: str, name: str, entries: list[Raw], empty_token: str | None = None) -> str:
    if not entries and empty_token:
        return event(agent, name, empty_token)
    return event(agent, name, *entries)
