"""Huawei CC-Gateway rules as invariants over the journal.

Each agent's history is replayed from the journal: its requests with their retcodes, and the
events its desktop polled (`agentevent` answers), in the order they happened. From the events
alone a desktop knows whether it is signed in, its state and its call; the rules below say
what each request must then answer and which events must follow.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ....conformance.invariants import View, invariant

SIGN_IN_OPS = {"login", "loginex", "forcelogin", "forceloginex"}
SIGN_OUT_OPS = {"logout", "forcelogout", "forcelogoutwithreason"}
# Sign-in status -> the events after AgentOther_InService, AgentState_Ready (seed 004's table).
AFTER_STATUS = {3: ["AgentState_SetNotReady_Success"], 4: [], 5: ["AgentState_Work"]}
# A successful state request (no call in progress) -> the event it must produce, by state left.
STATE_EVENTS = {
    ("saybusy", "idle"): "AgentState_SetNotReady_Success", ("saybusy", "work"): "AgentState_SetNotReady_Success",
    ("sayfree", "busy"): "AgentState_CancelNotReady_Success", ("sayfree", "work"): "AgentState_CancelWork_Success",
    ("cancelbusy", "busy"): "AgentState_CancelNotReady_Success", ("work", "idle"): "AgentState_SetWork_Success",
    ("work", "busy"): "AgentState_SetWork_Success", ("cancelwork", "work"): "AgentState_CancelWork_Success",
}
# What an event says of the agent's state.
STATE_OF = {"AgentState_Ready": "idle", "AgentState_CancelNotReady_Success": "idle",
            "AgentState_CancelWork_Success": "idle", "AgentState_CancelRest_Success": "idle",
            "AgentState_SetNotReady_Success": "busy", "AgentState_SetWork_Success": "work", "AgentState_Work": "work",
            "AgentState_SetRest_Success": "rest", "AgentState_Busy": "busy"}
CALL_ENDS = {"AgentEvent_Customer_Release", "AgentEvent_Call_Release", "AgentEvent_No_Answer"}


def _body(entry: dict[str, Any]) -> dict[str, Any]:
    body = entry["response"].get("body")
    return body if isinstance(body, dict) else {}


def _event(entry: dict[str, Any]) -> dict[str, Any] | None:
    event = _body(entry).get("event")
    return event if isinstance(event, dict) else None


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name.lower()), None)


def session_guid(sign_in: dict[str, Any]) -> str | None:
    """The GUID a successful sign-in gave (Set-GUID: JSESSIONID=<guid>)."""
    value = _header(sign_in["response"].get("headers") or {}, "Set-GUID") or ""
    return value.partition("JSESSIONID=")[2] or None


def polled_with(entry: dict[str, Any]) -> str | None:
    return _header(entry["request"].get("headers") or {}, "Guid")


def _callid(event: dict[str, Any]) -> str | None:
    content = event.get("content")
    return content.get("callid") if isinstance(content, dict) else content


@dataclass
class Desk:
    """One agent's desktop as its own history shows it, request by request."""

    agent: str
    guid: str | None = None  # the current session's: a previous session's last events are not ours
    signed_in: bool = False
    state: str = "out"
    call: str | None = None  # callid of the call it has
    call_phase: str | None = None  # ringing, talking, held
    events: list[tuple[int, str]] = field(default_factory=list)  # (seq, eventType) polled so far

    def see(self, event: dict[str, Any]) -> None:
        kind = event["eventType"]
        if kind == "AgentOther_ShutdownService":
            self.signed_in, self.state, self.call, self.call_phase = False, "out", None, None
        elif kind in ("AgentEvent_Ringing", "AgentEvent_Auto_Answer"):
            self.call, self.call_phase = _callid(event), "ringing"
        elif kind == "AgentEvent_Talking":
            self.call, self.call_phase = _callid(event), "talking"
        elif kind == "AgentEvent_Hold":
            self.call_phase = "held"
        elif kind in CALL_ENDS and _callid(event) == self.call:
            self.call, self.call_phase = None, None
        if kind in STATE_OF and self.signed_in:
            self.state = STATE_OF[kind]


def histories(view: View) -> Iterator[tuple[Desk, dict[str, Any]]]:
    """(the agent's desk before this entry, the entry) for each Huawei request, in journal order;
    the desk has seen every event polled before the request was answered."""
    desks: dict[str, Desk] = {}
    for entry in view.of(face="huawei", kind="http"):
        agent = entry.get("agent")
        if not agent:
            continue
        desk = desks.setdefault(agent, Desk(agent))
        if entry["op"] == "agentevent":
            event = _event(entry)
            if event is not None and polled_with(entry) == desk.guid:
                desk.events.append((entry["seq"], event["eventType"]))
                desk.see(event)
            continue
        yield desk, entry
        if _body(entry).get("retcode") == "0":
            if entry["op"] in SIGN_IN_OPS:
                desk.signed_in, desk.state, desk.call, desk.call_phase = True, "idle", None, None
                desk.guid = session_guid(entry)
            elif entry["op"] in SIGN_OUT_OPS:
                desk.signed_in = False


def _events_after(entries: list[dict[str, Any]], desk: Desk, seq: int) -> list[str]:
    """The event types the agent's current session polled after journal entry `seq`."""
    return [e["eventType"] for later in entries if later["seq"] > seq and later.get("agent") == desk.agent
            and later["op"] == "agentevent" and polled_with(later) == desk.guid for e in [_event(later)] if e]


@invariant("huawei sign-in events", face="huawei", source="seed 004 (loginex: status 3, 4, 5 and their events)")
async def sign_in_events(view: View) -> list[str]:
    """After a successful sign-in with status 3, 4 or 5 the agent's first events are AgentOther_InService,
    AgentState_Ready, then the status's own: AgentState_SetNotReady_Success for 3 (busy), AgentState_Work for
    5 (wrap-up), none for 4 (idle)."""
    problems = []
    entries = view.of(face="huawei")
    for desk, e in histories(view):
        if e["op"] not in SIGN_IN_OPS or _body(e).get("retcode") != "0":
            continue
        status = int((e["request"].get("body") or {}).get("status", 4))
        wanted = ["AgentOther_InService", "AgentState_Ready", *AFTER_STATUS.get(status, [])]
        got = _events_after(entries, Desk(e["agent"], guid=session_guid(e)), e["seq"])[:len(wanted)]
        if got != wanted[:len(got)] or (view.final and len(got) < len(wanted)):
            problems.append(f"#{e['seq']} {e['op']} status {status} by {e['agent']}: events {got}, expected {wanted}")
    return problems


def expected_retcode(desk: Desk, entry: dict[str, Any], view: View) -> tuple[set[str], str] | None:
    """The retcodes the documented rules allow for this request from this desk, and why; None
    when the rules here do not decide it."""
    op, request = entry["op"], entry["request"]
    if op in SIGN_IN_OPS:
        password = str((request.get("body") or {}).get("password", ""))
        configured = next((a for a in view.agents("huawei") if str(a["id"]) == desk.agent), None)
        if configured is not None and password != str((configured["huawei"] or {}).get("password", "")):
            return {"100-004"}, "a wrong password"
        if desk.signed_in and op in ("login", "loginex"):
            return {"100-002"}, "a sign-in of an agent already signed in"
        return None
    if op in ("forcelogout", "forcelogoutwithreason"):
        return None  # a supervisor's request: any agent, signed in or not
    if not desk.signed_in:
        # A second logout may say "already signed out" (100-008); everything else "not signed in".
        return ({"100-006", "100-008"} if op == "logout" else {"100-006"}), "a request of an agent not signed in"
    if op == "saybusy":
        reason = request.get("query", {}).get("reason")
        if reason not in (None, "", "0") and not (reason.isdigit() and 200 <= int(reason) <= 250):
            return {"000-002"}, f"saybusy reason {reason} (documented: 0 or 200-250)"
        if reason not in (None, "", "0") and desk.call is None and desk.state in ("idle", "busy", "work"):
            return {"0"}, f"saybusy reason {reason} (in the documented range)"
    if op == "answer":
        return ({"0"}, "answering a ringing call") if desk.call_phase == "ringing" else \
            ({"200-002"}, "answer with no call ringing")
    if op == "release" and desk.call is None:
        return {"200-017"}, "release with no call"
    if op == "hold" and desk.call is None:
        return {"200-013"}, "hold with no call"
    return None


@invariant("huawei retcodes", face="huawei", source="reference huawei.md §3 (retcodes), §2.2 and §2.4 (operations)")
async def retcodes(view: View) -> list[str]:
    """Each request gets the documented retcode for the desk's situation: 100-004 for a wrong password,
    100-002 for a second sign-in, 100-006 for any request of an agent not signed in (100-008 allowed for a
    second logout), 000-002 for a saybusy reason outside 0 and 200-250 (and success inside it), 200-002 for
    answer with nothing ringing (success when something rings), 200-017 for release and 200-013 for hold
    with no call."""
    problems = []
    for desk, e in histories(view):
        rule = expected_retcode(desk, e, view)
        got = _body(e).get("retcode")
        if rule is not None and got not in rule[0]:
            problems.append(f"#{e['seq']} {e['op']} by {e['agent']}: retcode {got!r} for {rule[1]}; expected "
                            f"{' or '.join(sorted(rule[0]))}")
    return problems


@invariant("huawei state events", face="huawei", source="reference huawei.md §4.1 (agent state events), §2.2")
async def state_events(view: View) -> list[str]:
    """A successful state request made with no call in progress is answered, in the agent's events, by its
    own event first: saybusy -> AgentState_SetNotReady_Success, sayfree or cancelbusy from busy ->
    AgentState_CancelNotReady_Success, sayfree or cancelwork from wrap-up -> AgentState_CancelWork_Success,
    work -> AgentState_SetWork_Success."""
    problems = []
    entries = view.of(face="huawei")
    for desk, e in histories(view):
        wanted = STATE_EVENTS.get((e["op"], desk.state))
        if wanted is None or desk.call is not None or _body(e).get("retcode") != "0":
            continue
        got = _events_after(entries, desk, e["seq"])[:1]
        if (got and got[0] != wanted) or (view.final and not got):
            problems.append(f"#{e['seq']} {e['op']} by {e['agent']} (was {desk.state}): first event "
                            f"{got[0] if got else 'none'}, expected {wanted}")
    return problems


@invariant("huawei call events", face="huawei", source="reference huawei.md §4.2 (voice call events), §4.4 (typical sequences)")
async def call_events(view: View) -> list[str]:
    """A call's events come in the documented order: AgentEvent_Talking only for a call that rang
    (AgentEvent_Ringing or AgentEvent_Auto_Answer) or was held; release events only for a call the agent
    had; and a successful answer is followed by AgentEvent_Talking for that call."""
    problems = []
    entries = view.of(face="huawei")
    desks: dict[str, Desk] = {}
    ended: dict[str, set[str]] = {}  # per agent, calls already ended (a release comes as a pair of events)
    for entry in entries:
        agent = entry.get("agent")
        event = _event(entry) if entry["op"] == "agentevent" else None
        if not agent or event is None:
            continue
        desk = desks.setdefault(agent, Desk(agent, signed_in=True))
        kind, callid = event["eventType"], _callid(event)
        if kind == "AgentEvent_Talking" and (desk.call != callid or desk.call_phase not in ("ringing", "held", "talking")):
            problems.append(f"#{entry['seq']} {agent}: AgentEvent_Talking for call {callid} that never rang")
        if kind in CALL_ENDS:
            seen_ended = ended.setdefault(agent, set())
            if desk.call != callid and callid not in seen_ended:
                problems.append(f"#{entry['seq']} {agent}: {kind} for call {callid} the agent does not have")
            seen_ended.add(callid)
        desk.see(event)
    for desk, e in histories(view):
        if e["op"] == "answer" and _body(e).get("retcode") == "0" and desk.call:
            after = [ev for later in entries if later["seq"] > e["seq"] and later.get("agent") == e["agent"]
                     and polled_with(later) == desk.guid for ev in [_event(later)] if ev]
            if after and (after[0]["eventType"], _callid(after[0])) != ("AgentEvent_Talking", desk.call) \
                    or (view.final and not after):
                problems.append(f"#{e['seq']} answer by {e['agent']}: next event "
                                f"{after[0]['eventType'] if after else 'none'}, expected AgentEvent_Talking")
    return problems

