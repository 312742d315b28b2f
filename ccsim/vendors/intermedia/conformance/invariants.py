"""Intermedia → HaloPSA rules (seed 003) as invariants over the journal and Halo's own API.

The emitter's side: every call an Intermedia agent answers causes one "Agent Answers Call"
WSCall with the seed's five values. The receiver's side: a webhook with the integration's
credentials and the seed's body is logged as one call, its agent matched by Intermedia number
and then (setting on) by email, its end user by any phone field as an exact string; anything
else is refused and logged nowhere; a ticket logged for a call gets its recording link once.
What Halo holds is read over its API (GET /api/CallLog, /api/Actions), as a Halo user would.
"""
from __future__ import annotations

import base64
from typing import Any

from ....conformance.invariants import View, invariant

# Halo's end-user phone fields (reference intermedia.md §3.2): "All Phone numbers will be checked."
PHONE_FIELDS = ("phonenumber_preferred", "phonenumber", "homenumber", "mobilenumber", "mobilenumber2",
                "sitephonenumber")
REQUIRED = ("CallID", "AgentNumber", "UserNumber")
OPTIONAL = ("AgentEmail", "RecordingUrl")
# The receiver's settings as ccsim names them (config faces.intermedia), with ccsim's defaults.
DEFAULTS = {"integration_username": "intermedia", "integration_password": "ccsim-halo-webhook",
            "api_token": "ccsim-halo-token", "match_agent_email": False, "add_recording_link": True,
            "success_status": 200, "answered_response": "open_call_screen"}


def settings(view: View) -> dict[str, Any]:
    return {**DEFAULTS, **(view.config.faces.get("intermedia") or {})}


def halo_agents(view: View) -> list[dict[str, Any]]:
    """Halo's agents: as configured, else one per Intermedia agent with its number and email."""
    configured = settings(view).get("halo_agents")
    if configured is not None:
        return configured
    return [{"id": n, "agent": str(a["id"]), "intermedia_number": str((a["intermedia"] or {}).get("number", "")),
             "email": str((a["intermedia"] or {}).get("email", ""))} for n, a in enumerate(view.agents("intermedia"), 1)]


def expected_agent(view: View, number: str, email: str) -> int | None:
    """Seed 003: "Phone numbers will be checked first, if no number can be matched email addresses will be checked"."""
    agents = halo_agents(view)
    found = next((a for a in agents if number and a.get("intermedia_number") == number), None)
    if found is None and settings(view)["match_agent_email"] and email:
        found = next((a for a in agents if a.get("email") and a["email"].lower() == email.lower()), None)
    return found["id"] if found else None


def expected_user(view: View, number: str) -> int | None:
    """Seed 003: numbers "in the exact format as they appear in Intermedia"; every phone field is checked."""
    users = settings(view).get("halo_users") or []
    found = next((u for u in users if any(u.get(f) == number for f in PHONE_FIELDS)), None)
    return found["id"] if found else None


def credentials(entry: dict[str, Any]) -> tuple[str, str] | None:
    auth = next((v for k, v in (entry["request"].get("headers") or {}).items() if k.lower() == "authorization"), "")
    if not auth.lower().startswith("basic "):
        return None
    try:
        user, sep, password = base64.b64decode(auth[6:].strip(), validate=True).decode().partition(":")
    except ValueError:
        return None
    return (user, password) if sep else None


def body_problem(body: Any) -> str | None:
    """Why a webhook body is not the seed's (None: it is): an object, the three ids present and
    non-empty, every value a string (the WSCall body quotes every value)."""
    if not isinstance(body, dict):
        return "not a JSON object"
    for name in (*REQUIRED, *OPTIONAL):
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            return f"{name} is not a string"
        if name in REQUIRED and not (value or "").strip():
            return f"{name} is missing"
    return None


def notifies(view: View) -> list[dict[str, Any]]:
    return view.of("intermedia", "http", "notify")


async def halo_get(view: View, path: str) -> Any:
    resp = await view.admin.wire.request("GET", view.urls["intermedia"] + path,
                                         headers={"Authorization": f"Bearer {settings(view)['api_token']}"})
    return resp.body if resp.status == 200 else None


# -- the emitter ---------------------------------------------------------------------------------------
@invariant("intermedia answered-call webhook", face="intermedia",
           source="seed 003 (Create Webhook in Intermedia: the Agent Answers Call event, its variables and body); "
                  "reference intermedia.md §1")
async def _answered_call_webhook(view: View) -> list[str]:
    """Every call an Intermedia agent answers causes exactly one "Agent Answers Call" WSCall per configured
    webhook (none for a call never answered), with the integration's Basic credentials and the call's own
    values: one CallID per call, the answering agent's number and email, the caller's number as dialled."""
    problems = []
    agents = {str(a["id"]): a["intermedia"] or {} for a in view.agents("intermedia")}
    face = settings(view)
    hooks = [w for w in face.get("webhooks") or [{}] if w.get("event", "Agent Answers Call") == "Agent Answers Call"]
    sent: dict[str, list[dict[str, Any]]] = {}
    for entry in view.of("intermedia", "webhook", "agent-answers-call"):
        sent.setdefault(entry["request"].get("contact"), []).append(entry)
    contacts = {c["id"]: c for c in (await view.admin.state())["contacts"]}
    call_ids: dict[str, str] = {}
    for cid, contact in contacts.items():
        answered = any(h["state"] == "connected" for h in contact["history"]) and contact["agent"] in agents
        got = sent.get(cid, [])
        if len(got) > len(hooks) or (got and not answered):
            problems.append(f"contact {cid} ({'answered' if answered else 'never answered'}) caused {len(got)} "
                            f"Agent Answers Call WSCall(s); {len(hooks) if answered else 0} configured")
        elif answered and view.final and len(got) < len(hooks):
            problems.append(f"contact {cid}, answered by {contact['agent']}, caused no Agent Answers Call WSCall")
        for entry in got:
            body, agent = entry["request"]["body"], agents.get(contact["agent"], {})
            want = {"AgentNumber": agent.get("number", ""), "AgentEmail": agent.get("email", ""),
                    "UserNumber": contact["caller"]}
            if not isinstance(body, dict):
                problems.append(f"#{entry['seq']}: the WSCall body is not JSON: {entry['request'].get('raw')!r}")
                continue
            wrong = {k: body.get(k) for k, v in want.items() if body.get(k) != v}
            if wrong:
                problems.append(f"#{entry['seq']}: contact {cid}'s WSCall says {wrong}; the call is {want}")
            if not body.get("CallID") or call_ids.setdefault(body["CallID"], cid) != cid:
                problems.append(f"#{entry['seq']}: CallID {body.get('CallID')!r} is not contact {cid}'s own")
            hook = hooks[0] if hooks else {}
            creds = (hook.get("username") or face["integration_username"],
                     hook.get("password") or face["integration_password"])
            if credentials(entry) != creds:
                problems.append(f"#{entry['seq']}: the WSCall does not carry the integration's Basic credentials")
    return problems


# -- the receiver --------------------------------------------------------------------------------------
@invariant("halo webhook answers", face="intermedia",
           source="seed 003 (Obtain Connection Details: Basic username and password; the body variable); "
                  "reference intermedia.md §2.3")
async def _webhook_answers(view: View) -> list[str]:
    """Halo answers a webhook without the integration's Basic credentials 401, one whose body is not the
    seed's (not JSON, an id missing or empty, a value that is not a string) 400, and a good one with its
    success status."""
    face = settings(view)
    creds = (face["integration_username"], face["integration_password"])
    problems = []
    for entry in notifies(view):
        body = entry["request"].get("body")
        if credentials(entry) != creds:
            want, why = 401, "wrong credentials"
        else:
            why = "not JSON" if isinstance(body, str) else body_problem(body)
            want = 400 if why else face["success_status"]
        status = entry["response"].get("status")
        if status != want:
            problems.append(f"#{entry['seq']}: a webhook with {why or 'a good body'} was answered {status}, not {want}")
    return problems


@invariant("halo call log", face="intermedia",
           source="seed 003 (Enable Intermedia for each Agent; Integration settings: match on email; User Matching; "
                  "Tracking Calls); reference intermedia.md §3")
async def _call_log(view: View) -> list[str]:
    """Each webhook Halo accepted is one row of its call log, in order, and nothing else is: the call's
    CallID and numbers, the agent whose Intermedia number is the AgentNumber (else, with "Also match on the
    Agents email", the one with that email in any case), the end user with the UserNumber in any phone field
    exactly as sent; the matched agent is shown the call (call screen or notification)."""
    face = settings(view)
    accepted = [e for e in notifies(view) if e["response"].get("status") == face["success_status"]]
    rows = await halo_get(view, "/api/CallLog")
    if rows is None:
        return ["GET /api/CallLog with the API token did not answer 200"]
    problems = []
    if len(rows) < len(accepted) or (view.final and len(rows) > len(accepted)):
        problems.append(f"Halo accepted {len(accepted)} webhook(s) and its call log has {len(rows)} row(s)")
    shown = {e["response"]["body"].get("calllog_id"): e for e in view.of("intermedia", "halo-ui")}
    for entry, row in zip(accepted, rows):
        body = entry["request"]["body"]
        agent = expected_agent(view, body["AgentNumber"], body.get("AgentEmail") or "")
        want = {"third_party_id": body["CallID"], "callerid": body["UserNumber"], "agent_id": agent,
                "user_id": expected_user(view, body["UserNumber"])}
        wrong = {k: row.get(k) for k, v in want.items() if row.get(k) != v}
        if wrong:
            problems.append(f"#{entry['seq']}: call log row {row.get('id')} has {wrong}; the webhook {body} makes {want}")
        screen = shown.get(row.get("id"))
        if agent is not None and (screen is None or screen["response"]["body"].get("agent_id") != agent):
            problems.append(f"#{entry['seq']}: Halo agent {agent} was not shown call {row.get('id')} "
                            f"({face['answered_response']})")
        if agent is None and screen is not None:
            problems.append(f"#{entry['seq']}: call {row.get('id')} matched no agent but was shown to one")
    return problems


@invariant("halo recording link", face="intermedia",
           source="seed 003 (Add link to call recording once a Ticket/Action is logged); reference intermedia.md §5; "
                  "once per call, on the first ticket: INFERRED (contracts/intermedia/README.md, row 20)")
async def _recording_link(view: View) -> list[str]:
    """With "Add link to call recording" on, a call that has a recording gets its link once, on the first
    ticket it is logged to, however often it is logged again; with it off, never."""
    face = settings(view)
    rows = {r["id"]: r for r in await halo_get(view, "/api/CallLog") or []}
    first_ticket: dict[int, int] = {}  # call -> the first ticket logged for it
    for entry in view.of("intermedia", "http", "calllog-update"):
        if entry["response"].get("status") == 201:
            for item in entry["request"].get("body") or []:
                if isinstance(item, dict) and isinstance(item.get("ticket_id"), int):
                    first_ticket.setdefault(item.get("id"), item["ticket_id"])
    actions = {}
    for ticket in sorted(set(first_ticket.values())):
        actions[ticket] = (await halo_get(view, f"/api/Actions?ticket_id={ticket}") or {}).get("actions", [])
    problems = []
    for call, ticket in sorted(first_ticket.items()):
        url = recording_of(view, rows[call]) if call in rows else None
        links = [(t, a) for t, found in actions.items() for a in found if a.get("calllog_id") == call]
        want = [ticket] if face["add_recording_link"] and url else []
        if [t for t, _ in links] != want or any(url not in a.get("note", "") for _, a in links):
            problems.append(f"call {call} (first logged to ticket {ticket}) has recording links on tickets "
                            f"{[t for t, _ in links]}, not {want}")
    return problems


def recording_of(view: View, row: dict[str, Any]) -> str | None:
    """The RecordingUrl of the accepted webhook that made this row."""
    for entry in notifies(view):
        body = entry["request"].get("body")
        if isinstance(body, dict) and body.get("CallID") == row["third_party_id"]:
            return body.get("RecordingUrl") or None
    return None
