"""Huawei rules as invariants over the journal."""
from __future__ import annotations

from ..invariants import View, invariant

SIGN_IN_OPS = {"login", "loginex", "forcelogin", "forceloginex"}
AFTER_STATUS = {3: ["AgentState_SetNotReady_Success"], 4: [], 5: ["AgentState_Work"]}


def delivered(entry):
    body = entry["response"].get("body")
    event = body.get("event") if isinstance(body, dict) else None
    return event["eventType"] if isinstance(event, dict) else None


@invariant("huawei sign-in events", face="huawei", source="seed 004 (loginex status table)")
async def sign_in_events(view: View) -> list[str]:
    """After a successful sign-in with status 3, 4 or 5 the agent's first events are AgentOther_InService,
    AgentState_Ready, then the status's own event."""
    problems = []
    entries = view.of(face="huawei")
    for i, e in enumerate(entries):
        body = e["response"].get("body")
        if e["op"] not in SIGN_IN_OPS or not isinstance(body, dict) or body.get("retcode") != "0":
            continue
        status = int((e["request"].get("body") or {}).get("status", 4))
        wanted = ["AgentOther_InService", "AgentState_Ready", *AFTER_STATUS.get(status, [])]
        got = [t for later in entries[i + 1:] if later["agent"] == e["agent"] and later["op"] == "agentevent"
               for t in [delivered(later)] if t][:len(wanted)]
        if got != wanted[:len(got)] or (view.final and len(got) < len(wanted)):
            problems.append(f"#{e['seq']} {e['op']} status {status} by {e['agent']}: events {got}, expected {wanted}")
    return problems
