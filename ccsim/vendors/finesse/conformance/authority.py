"""The walk of the journal that judges who may send what (invariants registered in invariants.py):
an agent's commands from clients other than the one that bound it, a supervisor's state changes
for its team, and personal callbacks. It follows the journal's senders: each command records the
client connection that sent it (`request.sender`), and a right `Connect#<agent>` makes that
connection the agent's. A journal without senders (an older target) is not judged here.

Rules (reference finesse.md §6.1 from the Finesse developer guide, "User—Change Agent State";
seed 002, personal callbacks):

* another client's command for an agent is refused: AUTHORIZATION_FAILURE, or INVALID_SUPERVISOR
  for a supervisor outside the agent's team; nothing reaches the agent;
* a supervisor of the agent's team may set READY, NOT_READY and LOGOUT; a NOT_READY or LOGOUT it
  causes carries 999 (Unified CCE) or 33 (Unified CCX), never the agent's -1, including a LOGOUT
  that waited for the agent's call to end; a reason code from a supervisor is INVALID_INPUT;
* a callback or reclassify command names a preview call the agent dealt with (is on, or answered)
  and the agent's own extension; otherwise it is refused, and no Control event answers it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ....conformance.invariants import View
from .replay import OPEN_COMMANDS, answer_window, dialog_id_of, event_tokens, field_of, is_command, is_event, sender_of

SUPERVISOR_CODE = {"UCCE": "999", "UCCX": "33"}
SUPERVISOR_STATE_COMMANDS = {"MakeReady", "MakeNotReady", "MakeNotReadyWithReason", "Logout", "logoutwithreason",
                             "GetState"}
WITH_A_CODE = {"MakeNotReadyWithReason", "logoutwithreason"}
CALLBACK_COMMANDS = {"SHCEDULECALLBACK", "UPDATECALLBACK", "CANCELSHCEDULECALLBACK", "RECLASSIFYCALL"}
IN_CALL = ("RESERVED", "RESERVED_OUTBOUND_PREVIEW", "TALKING", "HOLD")
SENDERS, SUPERVISOR_CODES, CALLBACKS = "finesse command senders", "finesse supervisor reason codes", \
    "finesse callback ownership"


@dataclass
class Call:
    state: str
    talked: bool = False
    call_type: str = ""


@dataclass
class Judgement:
    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


class _Authority:
    def __init__(self, view: View):
        self.view, self.judgement = view, Judgement()
        self.config = {str(a["id"]): a["finesse"] or {} for a in view.agents("finesse")}
        face = view.config.faces.get("finesse", {})
        self.code = SUPERVISOR_CODE.get(str(face.get("deployment", "UCCE")), "999")
        self.check_senders = face.get("commands_from", "bound_connection") == "bound_connection"
        self.logout_now = face.get("supervisor_logout_in_call") == "now"
        self.owner: dict[str, str] = {}  # agent -> the connection of its right Connect
        self.state: dict[str, str] = {}  # agent -> its state, from the State events on its own topic
        self.calls: dict[str, dict[str, Call]] = defaultdict(dict)
        self.extension = {agent: str(cfg.get("extension", "")) for agent, cfg in self.config.items()}
        self.pending_logout: set[str] = set()  # signed out by a supervisor when its call ends

    def add(self, name: str, text: str) -> None:
        self.judgement.problems[name].append(text)

    def run(self) -> Judgement:
        entries = self.view.entries
        for index, entry in enumerate(entries):
            if is_command(entry) and entry.get("agent") in self.config and sender_of(entry) is not None:
                window, closed = answer_window(entries, index, self.view.final)
                self._command(entry, window, closed)
            elif is_event(entry):
                self._event(entry)
        return self.judgement

    # -- what the agents' own topics show ------------------------------------------------------------
    def _event(self, entry: dict[str, Any]) -> None:
        tokens, agent = event_tokens(entry), entry.get("agent")
        if agent not in self.config or tokens[:1] != [agent] or len(tokens) < 3:
            return
        if tokens[1] == "State":
            self.state[agent] = tokens[2]
            if tokens[2] == "LOGOUT" and agent in self.pending_logout:
                self.pending_logout.discard(agent)
                if tokens[3] != self.code:
                    self.add(SUPERVISOR_CODES, f"#{entry['seq']} {agent}: State LOGOUT with reason code {tokens[3]!r} "
                             f"after the call it was signed out during by its supervisor; expected {self.code}")
            elif tokens[5:6] != ["LOGOUT"]:
                self.pending_logout.discard(agent)  # it asked for another state meanwhile
            return
        dialog = dialog_id_of(tokens)
        if dialog is None or tokens[1] not in ("NewInboundCall", "InboundCall", "DialogState", "ConsultCall"):
            return
        state = "ALERTING" if tokens[1] == "NewInboundCall" else tokens[2]
        call = self.calls[agent].setdefault(dialog, Call(state))
        call.state, call.talked = state, call.talked or state == "ACTIVE"
        if tokens[1] == "NewInboundCall":
            call.call_type = "OUTBOUND_PREVIEW" if self.state.get(agent) == "RESERVED_OUTBOUND_PREVIEW" else "ACD_IN"
        call.call_type = field_of(tokens, "callType") or call.call_type

    # -- commands --------------------------------------------------------------------------------------
    def _command(self, entry: dict[str, Any], window: list[dict[str, Any]], closed: bool) -> None:
        name, agent, sender = entry["op"], entry["agent"], sender_of(entry)
        values = [v.strip() for v in (entry["request"].get("body") or "").split(",")]
        if name in OPEN_COMMANDS:
            if name == "Connect" and values[1:2] == [str(self.config[agent].get("password", ""))]:
                self.owner[agent] = sender
            return
        label = f"#{entry['seq']} {name}#{agent}"
        if self.owner.get(agent) == sender:
            if name in SUPERVISOR_STATE_COMMANDS or name == "force_logout":
                self.pending_logout.discard(agent)  # its own state command overrides its supervisor's pending LOGOUT
            if name == "Login" and len(values) > 1 and not self.config[agent].get("extension"):
                self.extension[agent] = values[1]
            if name in CALLBACK_COMMANDS:
                self._callback(agent, name, values, label, window, closed)
            return
        supervisor = next((s for s, cfg in self.config.items() if cfg.get("supervisor") and self.owner.get(s) == sender),
                          None)
        if supervisor is not None and name in SUPERVISOR_STATE_COMMANDS:
            teams = {str(t) for t in self.config[supervisor].get("teams", [self.config[supervisor].get("team", "1")])}
            if str(self.config[agent].get("team", "1")) in teams:
                self._supervised(agent, name, f"{label} from supervisor {supervisor}", window, closed)
                return
            expected = {"INVALID_SUPERVISOR"}
        else:
            expected = {"AUTHORIZATION_FAILURE"}
        if self.check_senders:
            self._refused(agent, label + " from a client that did not bind it", expected, window, closed)

    def _errors(self, agent: str, window: list[dict[str, Any]]) -> list[str]:
        return [t[3] for t in map(event_tokens, window) if t[:2] == [agent, "Error"] and len(t) > 3]

    def _refused(self, agent: str, label: str, expected: set[str], window: list[dict[str, Any]], closed: bool) -> None:
        errors = self._errors(agent, window)
        if (closed or errors) and not (errors and errors[0] in expected):
            self.add(SENDERS, f"{label}: {'Error ' + errors[0] if errors else 'no Error'}; expected Error "
                     f"{' or '.join(sorted(expected))}")
        acted = [t for t in map(event_tokens, window) if t[:1] == [agent] and t[1:2] != ["Error"]]
        if acted:
            self.add(SENDERS, f"{label}: it took effect ({'#'.join(acted[0][:4])})")

    def _supervised(self, agent: str, name: str, label: str, window: list[dict[str, Any]], closed: bool) -> None:
        before = self.state.get(agent)
        states = [t for t in map(event_tokens, window) if t[:2] == [agent, "State"]]
        if name in WITH_A_CODE:
            errors = self._errors(agent, window)
            if closed and errors[:1] != ["INVALID_INPUT"]:
                self.add(SUPERVISOR_CODES, f"{label} with a reason code: {'Error ' + errors[0] if errors else 'no Error'}"
                         "; a supervisor sends none (Finesse: 400 Invalid Input): expected Error INVALID_INPUT")
            if any(t[2] != before for t in states):
                self.add(SUPERVISOR_CODES, f"{label} with a reason code: it took effect (State {states[0][2]})")
            return
        if name not in ("MakeNotReady", "Logout"):
            return
        target = "NOT_READY" if name == "MakeNotReady" else "LOGOUT"
        for tokens in states:
            if tokens[2] == target and tokens[2] != before and tokens[3] != self.code:
                self.add(SUPERVISOR_CODES, f"{label}: State {tokens[2]} with reason code {tokens[3]!r}; a supervisor's "
                         f"change carries {self.code}")
        allowed = ("READY", "WORK", "WORK_READY") if target == "NOT_READY" else ("NOT_READY", "READY", "WORK",
                                                                                 "WORK_READY", *IN_CALL)
        if before not in allowed or self._errors(agent, window):
            return
        if target == "LOGOUT" and before in IN_CALL and not self.logout_now:
            if closed and not any(t[5:6] == ["LOGOUT"] for t in states):
                self.add(SUPERVISOR_CODES, f"{label} during a call: no State with pendingState LOGOUT")
            self.pending_logout.add(agent)
        elif closed and not any(t[2] == target for t in states):
            self.add(SUPERVISOR_CODES, f"{label} from {before}: no State {target}")

    def _callback(self, agent: str, name: str, values: list[str], label: str, window: list[dict[str, Any]],
                  closed: bool) -> None:
        extension, dialog = (values + ["", ""])[:2]
        call = self.calls[agent].get(dialog)
        if call is None or (call.state == "DROPPED" and not call.talked):
            expected, why = {"INVALID_DIALOG_ID"}, f"dialog {dialog}, a call it did not deal with"
        elif call.call_type and call.call_type != "OUTBOUND_PREVIEW":
            return  # not a preview: refused for that (reference §6.5), not judged here
        elif extension != self.extension[agent]:
            expected, why = {"WRONG_EXTENSION"}, f"extension {extension}, not its own ({self.extension[agent]})"
        else:
            return
        errors = self._errors(agent, window)
        if (closed or errors) and not (errors and errors[0] in expected):
            self.add(CALLBACKS, f"{label} for {why}: {'Error ' + errors[0] if errors else 'no Error'}; expected Error "
                     f"{' or '.join(sorted(expected))}")
        if any(t[:2] == [agent, "Control"] for t in map(event_tokens, window)):
            self.add(CALLBACKS, f"{label} for {why}: answered by a Control event, as if it were allowed")


def judged(view: View) -> Judgement:
    cached = getattr(view, "_finesse_authority", None)  # one walk serves the three invariants of a check
    if cached is None:
        cached = _Authority(view).run()
        setattr(view, "_finesse_authority", cached)
    return cached
