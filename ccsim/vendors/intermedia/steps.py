"""Scenario steps for the Intermedia → HaloPSA face.

There are no agent operations: an agent who is only an Intermedia agent picks up by itself
(`answer_after_seconds`), and one who also has another face answers there. The steps act on
the webhook and read both ends back:

- `intermedia notify`: post a webhook to the Halo receiver by hand (a misconfigured WSCall;
  `expect: any` leaves the answer to invariants);
- `intermedia log ticket`: a ticket logged for a call (POST /api/CallLog with its ticket_id);
- `expect intermedia webhook`: a WSCall delivered (or failed) with these fields;
- `expect intermedia call log`: a CallLog row matched to this agent and this end user;
- `expect intermedia ticket <id>`: whether the recording link was added to the ticket.
"""
from __future__ import annotations

import base64
import json
from typing import Any

from ...clients.wire import WireResponse
from ...scenario.runner import Run
from ...scenario.steps import DEFAULT_WITHIN, Action, ParseContext, StepFailed, seconds
from .model.halo import halo_agents
from .settings import IVR_EVENTS, IntermediaSettings
from .wire.webhooks import FIELDS, event_op

DEFAULTS = IntermediaSettings()


def parse(agent: str, op: str, args: Any, ctx: ParseContext) -> Action:
    raise ctx.error("intermedia agents have no operations: an agent who is only an Intermedia agent picks up "
                    "by itself after answer_after_seconds; check the result with `expect intermedia webhook` "
                    "and `expect intermedia call log`")


def parse_face_step(op: str, args: Any, ctx: ParseContext) -> Action:
    args = {str(k): v for k, v in dict(args or {}).items()} if isinstance(args, dict) or args is None else args
    if not isinstance(args, dict):
        raise ctx.error(f"intermedia {op}: give a mapping of arguments")
    face = ctx.config.faces.get("intermedia") or {}
    if op == "notify":
        return _notify(args, face, ctx)
    if op == "log ticket":
        return _log_ticket(args, face, ctx)
    if op == "expect webhook":
        return _expect_webhook(args, ctx)
    if op == "expect call log":
        return _expect_call_log(args, face, ctx)
    if op.startswith("expect ticket ") and op.split()[-1].isdigit():
        return _expect_ticket(int(op.split()[-1]), args, face, ctx)
    known = ["intermedia notify", "intermedia log ticket", "expect intermedia webhook", "expect intermedia call log",
             "expect intermedia ticket <id>"]
    raise ctx.error(f"unknown intermedia step {op!r}; known: {'; '.join(known)}")


def _allowed(what: str, args: dict[str, Any], allowed: set[str], ctx: ParseContext) -> None:
    unknown = set(args) - allowed
    if unknown:
        raise ctx.error(f"{what}: unknown argument(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")


def _within(args: dict[str, Any], ctx: ParseContext, default: float) -> float:
    try:
        return seconds(args.get("within", default))
    except ValueError as exc:
        raise ctx.error(f"within: {exc}") from None


def _bearer(face: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {face.get('api_token', DEFAULTS.api_token)}"}


async def _halo(run: Run, method: str, path: str, face: dict[str, Any], body: Any = None) -> WireResponse:
    return await run.wire.request(method, run.urls["intermedia"] + path, json_body=body, headers=_bearer(face))


async def call_id_of(run: Run, contact: str) -> str:
    """The CallID Intermedia gave a contact, from the webhooks it sent about it."""
    cid = run.contact_id(contact)
    entries = (await run.admin.journal(since=run.journal_start, secrets=True, face="intermedia", kind="webhook"))["entries"]
    for entry in entries:
        if entry["request"].get("contact") == cid and isinstance(entry["request"]["body"], dict):
            return entry["request"]["body"]["CallID"]
    raise StepFailed(f"no webhook has been sent about contact {contact} yet (it has no CallID)")


# -- actions ------------------------------------------------------------------------------------------
def _notify(args: dict[str, Any], face: dict[str, Any], ctx: ParseContext) -> Action:
    _allowed("intermedia notify", args, {"body", "raw", "username", "password", "path", "expect"}, ctx)
    if ("body" in args) == ("raw" in args):
        raise ctx.error("intermedia notify: give either body (a mapping, sent as JSON) or raw (the exact text)")
    expect = args.get("expect", {"status": 200})
    if expect != "any" and not (isinstance(expect, dict) and set(expect) <= {"status"}):
        raise ctx.error("intermedia notify: expect: give the HTTP status to check, e.g. {status: 401}, or any")
    username = str(args.get("username", face.get("integration_username", DEFAULTS.integration_username)))
    password = str(args.get("password", face.get("integration_password", DEFAULTS.integration_password)))
    data = json.dumps(args["body"]) if "body" in args else str(args["raw"])

    async def action(run: Run) -> None:
        auth = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        resp = await run.wire.request("POST", run.urls["intermedia"] + str(args.get("path", "/api/notify/intermedia")),
                                      data=data, headers={"Authorization": auth, "Content-Type": "application/json"})
        if expect != "any" and resp.status != expect.get("status", 200):
            raise StepFailed(f"intermedia notify: expected HTTP {expect.get('status', 200)}, got {resp.status} {resp.body}",
                             expect, resp.status)

    return action


def _log_ticket(args: dict[str, Any], face: dict[str, Any], ctx: ParseContext) -> Action:
    _allowed("intermedia log ticket", args, {"contact", "ticket"}, ctx)
    if not isinstance(args.get("ticket"), int) or "contact" not in args:
        raise ctx.error("intermedia log ticket: give {contact: <name>, ticket: <ticket id>}")

    async def action(run: Run) -> None:
        call_id = await call_id_of(run, str(args["contact"]))
        rows = (await _halo(run, "GET", "/api/CallLog", face)).body
        row = next((r for r in reversed(rows) if r["third_party_id"] == call_id), None)
        if row is None:
            raise StepFailed(f"Halo has no call log row for contact {args['contact']} (CallID {call_id})")
        resp = await _halo(run, "POST", "/api/CallLog", face, [{"id": row["id"], "ticket_id": args["ticket"]}])
        if resp.status != 201:
            raise StepFailed(f"intermedia log ticket: HTTP {resp.status} {resp.body}")

    return action


# -- expectations ---------------------------------------------------------------------------------------
def _expect_webhook(args: dict[str, Any], ctx: ParseContext) -> Action:
    _allowed("expect intermedia webhook", args, {"event", "contact", "fields", "status", "error", "count", "within"}, ctx)
    event = str(args.get("event", "Agent Answers Call"))
    if event not in IVR_EVENTS:
        raise ctx.error(f"event must be one of {', '.join(IVR_EVENTS)}")
    wanted = dict(args.get("fields") or {})
    if set(wanted) - set(FIELDS):
        raise ctx.error(f"fields are some of {', '.join(FIELDS)}")
    count = args.get("count")
    within = _within(args, ctx, 0 if count is not None else DEFAULT_WITHIN)

    async def action(run: Run) -> None:
        cid = run.contact_id(str(args["contact"])) if "contact" in args else None

        def ok(entry: dict[str, Any]) -> bool:
            body, response = entry["request"]["body"], entry["response"]
            if cid is not None and entry["request"].get("contact") != cid:
                return False
            if not isinstance(body, dict) or any(body.get(k) != str(v) for k, v in wanted.items()):
                return False
            if "status" in args and response.get("status") != args["status"]:
                return False
            error = response.get("error")
            return "error" not in args or (error is None if args["error"] is None else str(args["error"]) in (error or ""))

        async def matching() -> list[dict[str, Any]]:
            entries = (await run.admin.journal(since=run.journal_start, secrets=True, face="intermedia", kind="webhook",
                                               op=event_op(event)))["entries"]
            return [e for e in entries if ok(e)]

        described = {k: v for k, v in args.items() if k not in ("within", "count")}
        if count is None:
            await run.eventually(matching, bool, within, f"{event} webhooks matching {described}", "at least one",
                                 lambda found: found)
        else:
            await run.clock.sleep(within)  # a count is only known once the time is up
            found = await matching()
            if len(found) != count:
                raise StepFailed(f"expected {count} {event} webhook(s) matching {described}, found {len(found)}",
                                 count, len(found))

    return action


def halo_agent_id(ctx: ParseContext, face: dict[str, Any], agent: str) -> int:
    """The Halo agent id of a scenario agent, from Halo's agents as the face builds them."""
    intermedia = [(str(a["id"]), str(a.get("name", "")), a["intermedia"] or {})
                  for a in ctx.config.agents if "intermedia" in a]
    found = next((h.id for h in halo_agents(intermedia, face.get("halo_agents")) if str(h.agent) == agent), None)
    if found is None:
        raise ctx.error(f"agent {agent} has no Halo agent record (give it an intermedia section, or an "
                        "entry in faces.intermedia.halo_agents with agent: {agent})")
    return found


def _expect_call_log(args: dict[str, Any], face: dict[str, Any], ctx: ParseContext) -> Action:
    _allowed("expect intermedia call log", args, {"contact", "agent", "user", "callerid", "count", "within"}, ctx)
    wanted: dict[str, Any] = {}
    if "agent" in args:
        wanted["agent_id"] = None if args["agent"] is None else halo_agent_id(ctx, face, str(args["agent"]))
    if "user" in args:
        wanted["user_id"] = args["user"]
    if "callerid" in args:
        wanted["callerid"] = str(args["callerid"])
    count = args.get("count", 1)
    within = _within(args, ctx, 0)

    async def action(run: Run) -> None:
        async def rows() -> list[dict[str, Any]]:
            found = (await _halo(run, "GET", "/api/CallLog", face)).body
            if "contact" in args:
                try:
                    call_id = await call_id_of(run, str(args["contact"]))
                except StepFailed:
                    return []  # no webhook about it yet: nothing can be logged for it
                found = [r for r in found if r["third_party_id"] == call_id]
            return [{k: r[k] for k in wanted} for r in found if all(r[k] == v for k, v in wanted.items())]

        await run.eventually(rows, lambda found: len(found) == count, within, "Halo call log rows",
                             f"{count} row(s) with {wanted}", lambda found: found)

    return action


def _expect_ticket(ticket: int, args: dict[str, Any], face: dict[str, Any], ctx: ParseContext) -> Action:
    _allowed(f"expect intermedia ticket {ticket}", args, {"recording_link", "within"}, ctx)
    if not isinstance(args.get("recording_link"), bool):
        raise ctx.error("expect intermedia ticket <id>: give {recording_link: true|false}")
    within = _within(args, ctx, 0)

    async def action(run: Run) -> None:
        async def linked() -> bool:
            body = (await _halo(run, "GET", f"/api/Actions?ticket_id={ticket}", face)).body
            return any("recording" in a["note"].lower() for a in body["actions"])

        await run.eventually(linked, lambda found: found == args["recording_link"], within,
                             f"recording link on ticket {ticket}", args["recording_link"], lambda found: found)

    return action


# -- recording (ccsim record) ---------------------------------------------------------------------------------
def recorded_events(entry: dict[str, Any], context: dict[str, Any]) -> list[str]:
    return []


def record_step(entry: dict[str, Any], context: dict[str, Any]) -> dict[str, Any] | None:
    return None
