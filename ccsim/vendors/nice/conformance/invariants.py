"""NICE CXone rules (seed 000, reference nice.md) as invariants over the journal, judged
against what each client knows (clients.py)."""
from __future__ import annotations

import re
from typing import Any

from ....conformance.invariants import View, invariant
from .clients import (CONTACT_EVENTS, CONTACT_IN_PATH, FACE, MAX_POLL_SECONDS, SESSION_OPS, Api, World, body_of,
                      caller, events_of, flag, kind, label, later_events, params, replay, session_of, settings,
                      status, token_client)

# -- get-next-event ---------------------------------------------------------------------------------------
@invariant("nice get-next-event answers", face=FACE,
           source="reference nice.md §2 (Poll events), §2.1 (200/304/409), §3 (session sharing); seed 000 (Login)")
async def get_next_event_answers(view: View) -> list[str]:
    """A poll of the client's own API session with a timeout of 0 to 60 s answers 200 with
    {sessionId: that session, events: [at least one]} or 304 with nothing, and never 409 before the session's
    AgentSessionEnd has been delivered; once it has, every poll answers 409. A timeout outside 0-60 answers
    400. AgentSessionEnd is the last event of its batch. A started or joined session's first events are
    AgentSessionStart then AgentState, followed by every contact the agent's other open sessions know is
    still live (seed 000: a Media Bar logging in during a call "will show the current interaction")."""
    problems = []
    for world, e, api in replay(view):
        if e["op"] != "get-next-event" or api is None:
            continue
        got, where = status(e), f"#{e['seq']} get-next-event on {api.role} session {api.id} of {api.agent}"
        raw = (e["request"].get("query") or {}).get("timeout", str(MAX_POLL_SECONDS))
        if not (re.fullmatch(r"\d+", str(raw)) and int(raw) <= MAX_POLL_SECONDS):
            if got != 400:
                problems.append(f"{where}: HTTP {got} for timeout {raw!r}; expected 400 (0 to 60 s)")
            continue
        if api.ended:
            if got != 409:
                problems.append(f"{where}: HTTP {got} after AgentSessionEnd was delivered; expected 409")
            continue
        if got not in (200, 304):
            problems.append(f"{where}: HTTP {got} on a session not ended; expected 200 or 304")
            continue
        if got == 304:
            continue
        body, events = body_of(e), events_of(e)
        if not events or not isinstance(body, dict) or str(body.get("sessionId")) != api.id:
            problems.append(f"{where}: 200 without events or with sessionId {body.get('sessionId') if isinstance(body, dict) else None}")
            continue
        types = [ev.get("Type") for ev in events]
        if "AgentSessionEnd" in types and types.index("AgentSessionEnd") != len(types) - 1:
            problems.append(f"{where}: events {types} go on after AgentSessionEnd")
        if not api.polled:
            if types[:2] != ["AgentSessionStart", "AgentState"]:
                problems.append(f"{where}: first events {types[:2]}, expected AgentSessionStart, AgentState")
            live = {c for other in world.of(api.agent) if other is not api and not other.over
                    and other.seq < api.seq for c in other.live()}
            told = {ev.get("ContactID") for ev in events if ev.get("Type") in CONTACT_EVENTS}
            if live - told:
                problems.append(f"{where}: the first events do not show the live contact(s) "
                                f"{', '.join(sorted(live - told))}")
    return problems


# -- error statuses ---------------------------------------------------------------------------------------
def expected_status(world: World, e: dict[str, Any], api: Api | None, view: View) -> tuple[set[int], str] | None:
    """The statuses the rules allow for this request, and why; None when they do not decide it."""
    op = e["op"]
    if op == "unrouted":
        return None
    p = params(e)
    if op == "token":
        if p is None or str(p.get("grant_type")) != "password":
            return None
        username = str(p.get("username", "")).lower()
        accounts = {str((a["nice"] or {}).get("username", f"{a['id']}@example.com")).lower(): a
                    for a in view.agents(FACE)}
        account = accounts.get(username)
        if account is None:
            return {400}, f"a token for {username or 'no username'} (no such agent)"
        if token_client(e) in set(settings(view)["trusted_clients"]):
            return {200}, "a trusted client's token by username alone (seed 000: no password for the Media Bar)"
        if str(p.get("password", "")) != str((account["nice"] or {}).get("password", "")):
            return {400}, "a token with a wrong password"
        return {200}, "a token with the right password"
    if p is None:
        return {400}, "a body that is not a JSON object"
    found = caller(world, e)
    if found is None:
        return {401}, "a bearer token the token service never issued"
    if kind(e) not in SESSION_OPS:
        return None
    if api is None:
        return {404}, f"session {session_of(e)}, not one of {found[0]}'s"
    if op == "get-next-event" or (op == "end-session" and api.detached):
        return None  # judged by `nice get-next-event answers`; a detached bar may still log out
    if api.over:
        return {409}, f"a request on session {api.id}, which has ended"
    if op == "set-state" and str(p.get("state", "")) not in ("Available", "Unavailable"):
        return {400}, f"state {p.get('state')!r} (Available or Unavailable)"
    if kind(e) == "interaction":
        target = CONTACT_IN_PATH.search(e["request"].get("path", ""))
        target_id = target.group(1) if target else ""
        known = {c for other in world.of(api.agent) for c in [*other.contacts, other.leg_id]}
        if target_id not in known:
            return {404}, f"contact {target_id}, which no session of {api.agent} ever heard of"
    return None


@invariant("nice error statuses", face=FACE,
           source="reference nice.md §1.1 (token), §2.1 (401, 404, 409, 400); seed 000 (Media Bar Login)")
async def error_statuses(view: View) -> list[str]:
    """Each request gets the status its situation calls for: a password token for a username no agent has
    or with a wrong password answers 400 (invalid_grant), a trusted client's (the Media Bar's) by username
    alone answers 200; a body that is not a JSON object answers 400; a bearer token never issued answers
    401; a session id that is not one of the caller's answers 404; a request on a session whose
    AgentSessionEnd or RemoteAgentSessionEnd was delivered answers 409; a state other than Available or
    Unavailable answers 400; an interaction on a contact none of the agent's sessions ever heard of answers
    404."""
    problems = []
    for world, e, api in replay(view):
        rule = expected_status(world, e, api, view)
        if rule is not None and status(e) not in rule[0]:
            problems.append(f"#{e['seq']} {e['op']}: HTTP {status(e)} for {rule[1]}; expected "
                            f"{' or '.join(map(str, sorted(rule[0])))}")
    return problems


# -- logout ----------------------------------------------------------------------------------------------------
def _until(view: View, agent: str, after: int) -> int:
    """The seq of the agent's next successful end-session after `after` (or the end of the run)."""
    return next((e["seq"] for e in view.of(face=FACE, op="end-session", agent=agent)
                 if e["seq"] > after and status(e) == 202), 1 << 62)


def _ends(events: list[dict[str, Any]]) -> list[str]:
    return [ev["Type"] for ev in events if ev.get("Type") in ("AgentSessionEnd", "RemoteAgentSessionEnd")]


@invariant("nice logout rules", face=FACE, source="seed 000 (Media Bar Logout); reference nice.md §A10, §A11")
async def logout_rules(view: View) -> list[str]:
    """A successful end-session ends the client's own session (AgentSessionEnd). When the Media Bar logs
    out, MAX is logged out too (AgentSessionEnd on every open MAX session), unless the bar shows an
    interaction in progress (not ended with endContacts): then MAX stays as it is (no session end). When
    MAX logs out, the bar is not logged out: it gets no AgentSessionEnd, and is told RemoteAgentSessionEnd
    (INFERRED)."""
    problems = []
    entries = view.of(face=FACE, op="get-next-event")
    for world, e, api in replay(view):
        if e["op"] != "end-session" or api is None or status(e) != 202 or api.ended:
            continue
        where = f"#{e['seq']} end-session by {api.role} session {api.id} of {api.agent}"
        own = _ends(later_events(api, view, e["seq"]))
        if (own and own[0] != "AgentSessionEnd") or (view.final and not own):
            problems.append(f"{where}: its own session ends with {own[:1] or 'nothing'}, expected AgentSessionEnd")
        if api.detached:
            continue
        p = params(e) or {}
        handling = api.live() and not flag(p.get("endContacts"))
        until = _until(view, api.agent, e["seq"])
        for other in world.of(api.agent):
            if other is api or other.over:
                continue
            told = _ends([ev for later in entries if e["seq"] < later["seq"] < until and session_of(later) == other.id
                          for ev in events_of(later)])
            if api.role == "bar" and other.role == "max":
                if handling and told:
                    problems.append(f"{where} while handling {', '.join(api.live())}: MAX session {other.id} got "
                                    f"{told[0]}; MAX stays as it is")
                elif not handling and ((told and told[0] != "AgentSessionEnd") or (view.final and not told)):
                    problems.append(f"{where}: MAX session {other.id} got {told[:1] or 'nothing'}, expected "
                                    f"AgentSessionEnd (the bar logs MAX out)")
            elif api.role == "max" and other.role == "bar":
                if "AgentSessionEnd" in told or (told and told[0] != "RemoteAgentSessionEnd") \
                        or (view.final and not told):
                    problems.append(f"{where}: bar session {other.id} got {told[:1] or 'nothing'}, expected "
                                    f"RemoteAgentSessionEnd (MAX logging out does not log the bar out)")
    return problems


# -- the agent leg ---------------------------------------------------------------------------------------------
@invariant("nice agent leg", face=FACE,
           source="seed 000 (Agent Leg Connect, Agent Leg Disconnect); reference nice.md §3 (model), §A6")
async def agent_leg(view: View) -> list[str]:
    """The agent leg is connected from MAX only: agent-phone/dial from the Media Bar answers 403, and so
    does the bar accepting the leg it heard of ("the agent has to click the Accept button in the MAX"). From
    MAX, with no leg Dialing or Active, it answers 202 and the next AgentLeg event is Dialing (with one,
    409, INFERRED). agent-phone/end (allowed from the bar too) with a leg answers 202 and the next AgentLeg
    event is Disconnected (without one, 409, INFERRED). In each session's events an AgentLeg goes Dialing
    -> Active -> Disconnected: Active only for the leg that was Dialing (or in a joiner's first events)."""
    problems = []
    bar_dials = settings(view)["bar_can_dial_agent_leg"]
    for world, e, api in replay(view):
        if api is None or api.over:
            continue
        where = f"#{e['seq']} {e['op']} by {api.role} session {api.id}"
        if e["op"] == "get-next-event":
            leg, leg_id, first = api.leg, api.leg_id, not api.polled
            for ev in events_of(e):
                if ev.get("Type") != "AgentLeg":
                    continue
                new, new_id = ev.get("Status"), ev.get("AgentLegId")
                if new == "Dialing" and leg in ("Dialing", "Active"):
                    problems.append(f"{where}: AgentLeg {new_id} Dialing while leg {leg_id} is {leg}")
                if new == "Active" and not first and (leg != "Dialing" or new_id != leg_id):
                    problems.append(f"{where}: AgentLeg {new_id} Active, but the leg was {leg or 'none'} {leg_id}")
                if new == "Disconnected" and (leg not in ("Dialing", "Active") or new_id != leg_id):
                    problems.append(f"{where}: AgentLeg {new_id} Disconnected, but the leg was {leg or 'none'}")
                leg, leg_id = new, new_id
            continue
        if e["op"] == "interactions/accept" and api.role == "bar" and not bar_dials:
            target = CONTACT_IN_PATH.search(e["request"].get("path", ""))
            if target and target.group(1) == api.leg_id and status(e) == 202:
                problems.append(f"{where}: HTTP 202 for the bar accepting agent leg {api.leg_id}, expected 403")
            continue
        if e["op"] not in ("agent-phone/dial", "agent-phone/end"):
            continue
        up = api.leg in ("Dialing", "Active")
        if e["op"] == "agent-phone/dial" and api.role == "bar" and not bar_dials:
            wanted, then = {403}, None
        elif e["op"] == "agent-phone/dial":
            wanted, then = ({409}, None) if up else ({202}, "Dialing")
        else:
            wanted, then = ({202}, "Disconnected") if up else ({409}, None)
        if status(e) not in wanted:
            problems.append(f"{where} (leg {api.leg or 'none'}): HTTP {status(e)}, expected {min(wanted)}")
        elif then:
            legs = [ev.get("Status") for ev in later_events(api, view, e["seq"]) if ev.get("Type") == "AgentLeg"]
            if (legs and legs[0] != then) or (view.final and not legs):
                problems.append(f"{where}: next AgentLeg {legs[0] if legs else 'none'}, expected {then}")
    return problems


# -- auto-accept -------------------------------------------------------------------------------------------------
def auto_accept(view: View, world: World, agent: str) -> bool:
    if agent in world.auto_accept:
        return world.auto_accept[agent]
    configured = next((a for a in view.agents(FACE) if str(a["id"]) == agent), None)
    own = (configured or {}).get("nice") or {}
    return bool(own.get("auto_accept", settings(view)["auto_accept"]))


@invariant("nice auto-accept", face=FACE,
           source="seed 000 (Auto-Accept & Agent Leg); reference nice.md §3 (Model for the fake), §A7-A9")
async def auto_accept_rules(view: View) -> list[str]:
    """A call routed to an agent (CallContactEvent Incoming, no manual accept) connects as the agent leg
    and auto-accept say. Leg Active: the call goes Active with no leg events. No leg and auto-accept on:
    AgentLeg Dialing, AgentLeg Active, then the call Active, by themselves. No leg and auto-accept off
    ("Connecting Agent Leg"): AgentLeg Dialing, and neither the leg nor the call goes Active until the
    agent accepts in MAX (the call waits; the Media Bar cannot accept for it). A leg already Dialing (dialled
    from MAX) is the one the call waits for: no second Dialing (INFERRED, route_while_leg_dialing). A call
    that ends first ends the sequence."""
    problems = []
    accepts = [e for _, e, api in replay(view) if e["op"] == "interactions/accept" and status(e) == 202
               and api is not None and api.role == "max"]
    for world, e, api in replay(view):
        if e["op"] != "get-next-event" or api is None or api.role != "max" or not api.polled:
            continue
        leg = api.leg
        for n, ev in enumerate(events_of(e)):
            if ev.get("Type") == "AgentLeg":
                leg = ev.get("Status")
            if ev.get("Type") != "CallContactEvent" or ev.get("Status") != "Incoming" \
                    or ev.get("IsRequireManualAccept") == "True" or ev.get("ContactID") in api.contacts:
                continue
            contact, auto = ev["ContactID"], auto_accept(view, world, api.agent)
            after = [(later["seq"], x) for later in view.of(face=FACE, op="get-next-event")
                     if later["seq"] >= e["seq"] and session_of(later) == api.id
                     for i, x in enumerate(events_of(later)) if later["seq"] > e["seq"] or i > n]
            seen: list[tuple[int, str]] = []
            for seq, x in after:
                if x.get("Type") == "AgentLeg" or (x.get("Type") == "CallContactEvent" and x.get("ContactID") == contact):
                    seen.append((seq, label(x)))
            ended = next((i for i, (_, lab) in enumerate(seen)
                          if lab in ("CallContactEvent:Disconnected", "AgentLeg:Disconnected")), None)
            path = [lab for _, lab in seen[:ended]]
            where = f"#{e['seq']} contact {contact} to {api.agent} (leg {leg or 'none'}, auto-accept {'on' if auto else 'off'})"
            if leg == "Active":
                wanted = ["CallContactEvent:Active"]
            elif leg == "Dialing":  # dialled from MAX before the call came: the call waits for that leg
                wanted = ["AgentLeg:Active", "CallContactEvent:Active"]
            else:
                wanted = ["AgentLeg:Dialing", "AgentLeg:Active", "CallContactEvent:Active"]
            if leg != "Active" and not auto:
                early = next(((seq, lab) for seq, lab in seen[:ended] if lab != "AgentLeg:Dialing"), None)
                if early and not any(e["seq"] < a["seq"] < early[0] and a.get("agent") == api.agent for a in accepts):
                    problems.append(f"{where}: {early[1]} with no accept (the call waits for the agent)")
                    continue
            if path[:len(wanted)] != wanted[:len(path)] or \
                    (view.final and ended is None and auto and len(path) < len(wanted)):
                problems.append(f"{where}: then {path}, expected {wanted}")
    return problems
