"""The walk of the journal that judges the Finesse invariants registered in invariants.py.

The journal holds every command the connector received and every event it published, in order.
One replay walks it as each agent application would live it: a desk per agent, bound to its
topic by a right Connect, knowing its state from its State events and its calls from its dialog
events. A command's answer is the agent's events up to the next command or admin action (the
connector answers commands one at a time). From what the desk knew when it sent a command, the
rules say which answer the command must get. An agent that sent commands before binding its
topic heard nothing of them: it is blind until a State event tells it its state again (and
judged on its calls only from the next sign-in).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from ....conformance.invariants import View

# Cisco Finesse UCCE user-state transitions (reference finesse.md §6.1); staying in a state
# (a GetState, a reason-code change, a pending NOT_READY) is always allowed.
ALLOWED = {
    "LOGOUT": {"NOT_READY"},
    "NOT_READY": {"LOGOUT", "READY", "TALKING"},  # TALKING: the agent places a call
    "READY": {"RESERVED", "RESERVED_OUTBOUND", "RESERVED_OUTBOUND_PREVIEW", "NOT_READY"},
    "RESERVED": {"READY", "NOT_READY", "TALKING"},  # not taken: back, or NOT_READY 32767
    "TALKING": {"READY", "NOT_READY", "WORK", "WORK_READY", "HOLD"},
    "HOLD": {"TALKING", "READY", "NOT_READY", "WORK", "WORK_READY"},
    "WORK": {"READY", "NOT_READY"},
    "WORK_READY": {"READY", "NOT_READY"},
    # A preview not taken: back to READY, or NOT_READY (asked for, pending; 32767); taken: TALKING.
    "RESERVED_OUTBOUND_PREVIEW": {"READY", "NOT_READY", "TALKING"},
}
IN_CALL = ("RESERVED", "RESERVED_OUTBOUND_PREVIEW", "TALKING", "HOLD")
# Participant states of a dialog, as one agent sees them (reference §6.5); a repeat is an update.
NEXT_PARTY_STATE = {
    None: {"ALERTING", "INITIATED"}, "ALERTING": {"ACTIVE", "DROPPED"}, "INITIATED": {"ACTIVE", "FAILED", "DROPPED"},
    "ACTIVE": {"HELD", "DROPPED"}, "HELD": {"ACTIVE", "DROPPED"}, "FAILED": {"DROPPED"}, "DROPPED": set(),
}
# A call command -> the participant state it needs, and the state its dialog event then shows.
CALL_COMMANDS = {"AnswerCall": (("ALERTING",), "ACTIVE"), "HoldCall": (("ACTIVE",), "HELD"),
                 "RetrieveCall": (("HELD",), "ACTIVE"),
                 "ReleaseCall": (("ALERTING", "INITIATED", "ACTIVE", "HELD"), "DROPPED"),
                 "GetDialogState": ((), None)}
STATE_COMMANDS = {"MakeReady", "MakeNotReady", "MakeNotReadyWithReason", "Logout", "logoutwithreason",
                  "force_logout", "GetState", "MakeCall"}
OPEN_COMMANDS = ("Hello", "Beat", "Connect")  # anyone may send them (they name a destination or carry the password)
BY_ANOTHER = " by another client"  # a desk's last command, when another client sent it (a supervisor's, or refused)


@dataclass
class Desk:
    """One agent application, as its own events show it."""

    agent: str
    bound: bool = False
    sender: str | None = None  # the client connection of its right Connect (journal request "sender")
    state: str | None = "LOGOUT"  # None: blind (it acted while it heard nothing)
    complete: bool = True  # it has heard of every call it is on
    dialogs: dict[str, str] = field(default_factory=dict)  # live dialog id -> its participant state
    talked: set[str] = field(default_factory=set)
    call_types: dict[str, str] = field(default_factory=dict)
    after: str = "READY"  # where its calls leave it: the last READY or NOT_READY it was in or asked for,
    # or LOGOUT when a supervisor signed it out during the call (pendingState LOGOUT)
    last_command: str = ""
    expected_state: tuple[set[str], str] | None = None  # the next State it must get, and why


@dataclass
class Replay:
    """Violations per invariant name, found walking the journal once."""

    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, name: str, text: str) -> None:
        self.problems[name].append(text)


def event_tokens(entry: dict[str, Any]) -> list[str]:
    return list(entry["response"].get("tokens") or [])


def is_command(entry: dict[str, Any]) -> bool:
    return entry["face"] == "finesse" and entry["kind"] == "jms" and "command" in (entry.get("types") or ())


def sender_of(entry: dict[str, Any]) -> str | None:
    """The client connection that sent a command (None in a journal from before senders were kept)."""
    return (entry.get("request") or {}).get("sender")


def is_event(entry: dict[str, Any]) -> bool:
    return entry["face"] == "finesse" and entry["kind"] == "jms" and "tokens" in entry["response"]


def dialog_id_of(tokens: list[str]) -> str | None:
    return next((t.split(":", 1)[1] for t in tokens[2:] if t.startswith("dialogId:")), None)


def field_of(tokens: list[str], key: str) -> str:
    return next((t.split(":", 1)[1] for t in tokens if t.startswith(key + ":")), "")


def answer_window(entries: list[dict[str, Any]], index: int, final: bool) -> tuple[list[dict[str, Any]], bool]:
    """The events that answer the command at `index` (the connector answers commands one at a
    time: up to the next command or admin action), and whether that answer is complete."""
    window = []
    for later in entries[index + 1:]:
        if is_command(later) or later["face"] == "admin":
            return window, True
        if is_event(later):
            window.append(later)
    return window, final


class _Judge:
    def __init__(self, view: View):
        self.view, self.replay = view, Replay()
        cfg = {str(a["id"]): a["finesse"] or {} for a in view.agents("finesse")}
        self.config = cfg
        face = view.config.faces.get("finesse", {})
        self.topic_prefix = str(face.get("topic_prefix", "/topic/"))
        self.deployment = str(face.get("deployment", "UCCE"))
        self.default_wrap_up = str(face.get("wrap_up_mode", "NOT_ALLOWED"))
        codes = face.get("reason_codes") or {"NOT_READY": [{"code": c} for c in (1, 2, 3)],
                                             "LOGOUT": [{"code": c} for c in (11, 12)]}
        self.codes = {cat: {str(c["code"]) for c in codes.get(cat, [])} for cat in ("NOT_READY", "LOGOUT")}
        self.desks = {agent: Desk(agent) for agent in cfg}

    # -- the walk ----------------------------------------------------------------------------------
    def run(self) -> Replay:
        entries = self.view.entries
        for index, entry in enumerate(entries):
            if is_command(entry) and entry.get("agent") in self.desks:
                desk = self.desks[entry["agent"]]
                if desk.bound and entry["op"] not in OPEN_COMMANDS and sender_of(entry) != desk.sender:
                    desk.last_command = entry["op"] + BY_ANOTHER  # judged in authority.py; its events tell
                    continue
                window, closed = self._window(entries, index)
                self._command(desk, entry, window, closed)
            elif is_event(entry) and entry.get("agent") in self.desks:
                self._event(self.desks[entry["agent"]], entry)
        if self.view.final:
            for desk in self.desks.values():
                if desk.expected_state is not None:
                    self.replay.add("finesse call states", f"{desk.agent}: no State after {desk.expected_state[1]}; "
                                    f"expected {' or '.join(sorted(desk.expected_state[0]))}")
        return self.replay

    def _window(self, entries: list[dict[str, Any]], index: int) -> tuple[list[dict[str, Any]], bool]:
        return answer_window(entries, index, self.view.final)

    def _event(self, desk: Desk, entry: dict[str, Any]) -> None:
        tokens = event_tokens(entry)
        if len(tokens) < 3 or tokens[0] != desk.agent:
            return  # a team member's State reaching a supervisor, or an Error with no subject
        kind, seq = tokens[1], entry["seq"]
        if kind == "State":
            self._state_event(desk, tokens, seq)
        elif kind == "NewInboundCall" or kind in ("InboundCall", "DialogState"):
            self._dialog_event(desk, kind, tokens, seq)

    def _state_event(self, desk: Desk, tokens: list[str], seq: int) -> None:
        old, new = desk.state, tokens[2]
        if old is not None and new != old and new not in ALLOWED.get(old, set()) and not self._signed_out(desk, new):
            self.replay.add("finesse state transitions", f"#{seq} {desk.agent}: State {old} -> {new}, a transition "
                            f"UCCE does not have (from {old}: {', '.join(sorted(ALLOWED.get(old, ())))})")
        if desk.expected_state is not None and desk.complete:
            wanted, why = desk.expected_state
            if new not in wanted:
                self.replay.add("finesse call states", f"#{seq} {desk.agent}: State {new} after {why}; expected "
                                f"{' or '.join(sorted(wanted))}")
        desk.expected_state = None
        if old is None and new == "LOGOUT":
            desk.complete = True  # signed out: from the next sign-in it hears of all its calls
        desk.state = new
        if new in ("READY", "NOT_READY"):
            desk.after = new
        if tokens[5:6] == ["LOGOUT"]:
            desk.after = "LOGOUT"
        if new == "LOGOUT":
            desk.dialogs.clear()

    @staticmethod
    def _signed_out(desk: Desk, new: str) -> bool:
        """LOGOUT from any state: by force_logout, by a supervisor (Finesse: from any signed-in
        state), or when the call of an agent a supervisor signed out during it ends."""
        return new == "LOGOUT" and (desk.last_command in ("force_logout", "Logout" + BY_ANOTHER) or desk.after == "LOGOUT")

    def _dialog_event(self, desk: Desk, kind: str, tokens: list[str], seq: int) -> None:
        dialog = dialog_id_of(tokens)
        if dialog is None:
            return
        state = "ALERTING" if kind == "NewInboundCall" else tokens[2]
        if kind == "NewInboundCall":
            desk.call_types[dialog] = "OUTBOUND_PREVIEW" if desk.state == "RESERVED_OUTBOUND_PREVIEW" else "ACD_IN"
            if desk.complete and desk.state not in ("RESERVED", "RESERVED_OUTBOUND_PREVIEW"):
                self.replay.add("finesse call states", f"#{seq} {desk.agent}: NewInboundCall {dialog} while "
                                f"{desk.state}; a ringing agent is RESERVED (or RESERVED_OUTBOUND_PREVIEW) first")
        else:
            desk.call_types[dialog] = field_of(tokens, "callType") or desk.call_types.get(dialog, "")
        old = desk.dialogs.get(dialog)
        if kind == "DialogState":
            if desk.complete and old is not None and state != old:
                self.replay.add("finesse dialog events", f"#{seq} {desk.agent}: DialogState {state} for {dialog}, "
                                f"which is {old}")
            return
        if desk.complete and state != old and state not in NEXT_PARTY_STATE.get(old, set()):
            self.replay.add("finesse dialog events", f"#{seq} {desk.agent}: {kind} {state} for dialog {dialog} "
                            f"after {old or 'nothing'}")
        if state == "ACTIVE":
            desk.talked.add(dialog)
        if state == "DROPPED":
            desk.dialogs.pop(dialog, None)
            # (Signed out by force, it goes where the connector takes it: any state UCCE allows.)
            if old is not None and not desk.dialogs and desk.state != "LOGOUT" and \
                    desk.last_command not in ("force_logout", "Logout" + BY_ANOTHER):
                desk.expected_state = (self._after_call(desk, dialog), f"its last call {dialog} dropped")
        elif desk.complete or old is not None:
            desk.dialogs[dialog] = state

    def _after_call(self, desk: Desk, dialog: str) -> set[str]:
        if desk.after == "LOGOUT":
            return {"LOGOUT"}
        mode = str(self.config[desk.agent].get("wrap_up_mode", self.default_wrap_up))
        if desk.call_types.get(dialog) in ("ACD_IN", "OUT") and dialog in desk.talked and mode != "NOT_ALLOWED":
            return {"WORK_READY" if desk.after == "READY" and self.deployment == "UCCE" else "WORK"}
        return {desk.after}

    # -- commands ------------------------------------------------------------------------------------
    def _command(self, desk: Desk, entry: dict[str, Any], window: list[dict[str, Any]], closed: bool) -> None:
        name = entry["op"]
        values = [v.strip() for v in (entry["request"].get("body") or "").split(",")]
        seq, before = entry["seq"], desk.state
        if name == "Connect":
            self._connect(desk, entry, values, window, closed)
            return
        if not desk.bound:  # it hears nothing of what this does
            desk.state, desk.complete, desk.last_command = None, False, name
            return
        mine = [e for e in window if event_tokens(e)[:1] == [desk.agent]]
        errors = [event_tokens(e)[3] for e in mine if event_tokens(e)[1:2] == ["Error"] and len(event_tokens(e)) > 3]
        rule = self._expected_error(desk, name, values)
        label = f"#{seq} {name} by {desk.agent} ({before or 'state unknown'})"
        if rule is not None and (closed or errors):
            codes, why = rule
            if codes and not (errors and errors[0] in codes):
                self.replay.add("finesse errors", f"{label}: {'Error ' + errors[0] if errors else 'no Error'} for "
                                f"{why}; expected Error {' or '.join(sorted(codes))}")
            elif not codes and errors:
                self.replay.add("finesse errors", f"{label}: Error {errors[0]}, but {why} is allowed")
        desk.last_command = name
        if errors or rule is None or rule[0]:
            return
        states = [event_tokens(e) for e in mine if event_tokens(e)[1:2] == ["State"]]
        if name == "Login":
            self._sign_in_answer(label, mine, closed)
        elif name in STATE_COMMANDS and name != "MakeCall":
            self._state_answer(desk, name, values, label, states, closed)
        elif name in CALL_COMMANDS:
            self._call_answer(desk, name, values[0], label, mine, states, closed)
        if name == "MakeCall" and closed and not any(event_tokens(e)[1:3] == ["InboundCall", "INITIATED"] for e in mine):
            self.replay.add("finesse dialog events", f"{label}: no InboundCall INITIATED for the new call")
        if before in IN_CALL and name in ("MakeReady", "MakeNotReady", "MakeNotReadyWithReason"):
            desk.after = "READY" if name == "MakeReady" else "NOT_READY"

    def _connect(self, desk: Desk, entry: dict[str, Any], values: list[str], window: list[dict[str, Any]],
                 closed: bool) -> None:
        destination, password = (values + ["", ""])[:2]
        right = password == str(self.config[desk.agent].get("password", ""))
        topic = self.topic_prefix + destination
        errors = [event_tokens(e)[3] for e in window if e["response"].get("destination") == topic
                  and event_tokens(e)[1:2] == ["Error"] and len(event_tokens(e)) > 3]
        label = f"#{entry['seq']} Connect by {desk.agent}"
        if not right and closed and errors[:1] != ["SUBSCRIPTION_FAILED"]:
            self.replay.add("finesse errors", f"{label} with a wrong password: "
                            f"{'Error ' + errors[0] if errors else 'no Error'}; expected Error SUBSCRIPTION_FAILED")
        elif right and errors:
            self.replay.add("finesse errors", f"{label}: Error {errors[0]} for a right password")
        if right:  # the face takes the agent's commands from this connection only, from now on
            desk.bound, desk.sender = destination == f"ccsim-{desk.agent}", sender_of(entry)

    def _expected_error(self, desk: Desk, name: str, values: list[str]) -> tuple[set[str], str] | None:
        """The Error codes the rules require (an empty set: no Error allowed), and why; None when
        the desk does not know enough to say."""
        cfg, state = self.config[desk.agent], desk.state
        if name not in STATE_COMMANDS and name not in CALL_COMMANDS and name != "Login":
            return None  # callbacks and the like: authority.py
        if name == "Login":
            codes = set()
            if values[0] != str(cfg.get("password", "")):
                codes.add("CF_INVALID_PASSWORD_SPECIFIED")
            if state not in (None, "LOGOUT"):
                codes.add("CF_SPECIFIED_AGENT_ALREADY_SIGNED_ON")
            if cfg.get("extension") and values[1:2] != [str(cfg["extension"])]:
                codes.add("WRONG_EXTENSION")
            if codes and state is None:  # it may be signed in already, unknown to it
                codes.add("CF_SPECIFIED_AGENT_ALREADY_SIGNED_ON")
            return (codes, "a wrong sign-in") if codes else (set(), "a sign-in") if state == "LOGOUT" else None
        if state is None:
            return None
        if name in CALL_COMMANDS:
            return self._call_error(desk, name, values[0])
        if name == "GetState":
            return set(), "GetState"
        if state == "LOGOUT":
            return {"INVALID_STATE"}, f"{name} of an agent not signed in"
        if name in ("Logout", "logoutwithreason") and state != "NOT_READY" and self.deployment == "UCCE":
            return {"INVALID_STATE"}, f"LOGOUT from {state} (UCCE: only from NOT_READY)"
        if name == "MakeReady" and state == "READY":
            return {"INVALID_STATE"}, "READY while READY"
        category = {"MakeNotReadyWithReason": "NOT_READY", "logoutwithreason": "LOGOUT"}.get(name)
        if category and values[0] not in self.codes[category]:
            return {"CF_INVALID_AGENT_REASON_CODE"}, f"{category} reason code {values[0]}, not configured"
        if name == "MakeCall":
            if not desk.complete:
                return None
            if state not in ("READY", "NOT_READY") or desk.dialogs:
                return {"INVALID_STATE"}, f"a call made while {state}"
        return set(), f"{name} from {state}"

    def _call_error(self, desk: Desk, name: str, dialog: str) -> tuple[set[str], str] | None:
        if not desk.complete:
            return None
        party = desk.dialogs.get(dialog)
        if party is None:
            return {"INVALID_DIALOG_ID"}, f"dialog {dialog}, not the agent's"
        needs = CALL_COMMANDS[name][0]
        if needs and party not in needs:
            return {"INVALID_STATE"}, f"{name} of a call {party}"
        return set(), f"{name} of a call {party}"

    # -- what a successful command must produce ----------------------------------------------------------
    def _sign_in_answer(self, label: str, mine: list[dict[str, Any]], closed: bool) -> None:
        got = [event_tokens(e)[1:4] for e in mine[:2]]
        kinds = [t[0] for t in got]
        if (kinds != ["AgentInfo", "State"][:len(kinds)] or (len(got) == 2 and got[1][1:] != ["NOT_READY", "-1"])
                or (closed and len(got) < 2)):
            self.replay.add("finesse sign-in events", f"{label}: events {['#'.join(t) for t in got]}; expected "
                            "AgentInfo, then State NOT_READY with reason code -1")

    def _state_answer(self, desk: Desk, name: str, values: list[str], label: str, states: list[list[str]],
                      closed: bool) -> None:
        before = desk.state if desk.state is not None else ""
        code = values[0] if name in ("MakeNotReadyWithReason", "logoutwithreason") else "-1"
        in_call = before in IN_CALL
        wanted: tuple[str, str | None, str | None] = {  # (state, reason code, pendingState); None: not judged
            "MakeReady": (before, None, "") if in_call else ("READY", None, None),
            "MakeNotReady": (before, None, "NOT_READY") if in_call else ("NOT_READY", code, None),
            "Logout": ("LOGOUT", code, None), "force_logout": ("LOGOUT", "20002", None),
            "GetState": (before, None, None),
        }.get("MakeNotReady" if name == "MakeNotReadyWithReason" else "Logout" if name == "logoutwithreason"
              else name, (before, None, None))
        got = states[-1] if name == "force_logout" else states[0] if states else None
        if got is None:
            if closed:
                self.replay.add("finesse state answers", f"{label}: no State; expected {wanted[0]}")
            return
        state, reason, pending = got[2], got[3] if len(got) > 3 else "", got[5] if len(got) > 5 else ""
        if state != wanted[0] or (wanted[1] is not None and reason != wanted[1]) or \
                (wanted[2] is not None and pending != wanted[2]):
            self.replay.add("finesse state answers", f"{label}: State {state} reason {reason!r} pending {pending!r}; "
                            f"expected {wanted[0]}" + (f" reason {wanted[1]!r}" if wanted[1] is not None else "")
                            + (f" pending {wanted[2]!r}" if wanted[2] is not None else ""))

    def _call_answer(self, desk: Desk, name: str, dialog: str, label: str, mine: list[dict[str, Any]],
                     states: list[list[str]], closed: bool) -> None:
        shows = CALL_COMMANDS[name][1]
        events = [event_tokens(e) for e in mine if dialog_id_of(event_tokens(e)) == dialog]
        if name == "GetDialogState":
            if closed and not any(t[1] == "DialogState" for t in events):
                self.replay.add("finesse dialog events", f"{label}: no DialogState for dialog {dialog}")
            return
        if closed and not any(t[1] in ("InboundCall", "ConsultCall") and t[2] == shows for t in events):
            self.replay.add("finesse dialog events", f"{label}: no InboundCall {shows} for dialog {dialog}")
        agent_state = {"AnswerCall": "TALKING", "RetrieveCall": "TALKING",
                       "HoldCall": "HOLD" if self.deployment == "UCCE" else "TALKING"}.get(name)
        if agent_state and closed and (not states or states[0][2] != agent_state):
            self.replay.add("finesse call states", f"{label}: State {states[0][2] if states else 'none'}; expected "
                            f"{agent_state}")


def judged(view: View) -> Replay:
    cached = getattr(view, "_finesse_replay", None)  # one walk serves every Finesse invariant of a check
    if cached is None:
        cached = _Judge(view).run()
        setattr(view, "_finesse_replay", cached)
    return cached
