"""Scenario steps for the XCALLY Motion face.

`agent <id> xcally <op>` plays the agent's client over the real REST API with the agent's own
HTTP Basic credentials (the agent's `xcally: {name, password}`): login, logout, pause and
unpause per channel, accept, reject and close interactions, and the phonebar's remote control.
What the agent's web client is pushed over socket.io (offer, accepted, revoked, closed) is
read back from the journal, so `expect events for <id>` takes `offer:chat`, `accepted:chat`.

`xcally <op>` acts as an administrator (?apikey=): create-agent, settings, and a customer's
message on an interaction (`xcally customer writes`). `expect xcally report <channel>`,
`expect xcally interaction <contact>` and `expect xcally agent <id>` read the API back.
"""
from __future__ import annotations

import base64
import difflib
from typing import Any

from ...clients.wire import WireResponse
from ...clients.admin import MAX_WAIT_SECONDS
from ...scenario.runner import AgentDriver, Run
from ...scenario.steps import DEFAULT_WITHIN, Action, ParseContext, StepFailed, seconds
from .settings import CHANNELS, DIGITAL, XcallySettings

API_KEY = XcallySettings().api_keys[0]
PUSHED = ("offer", "accepted", "revoked", "closed")  # journal ops of what the agent's client is sent
# op -> the arguments it takes (besides `expect`)
AGENT_OPS: dict[str, set[str]] = {
    "login": set(), "logout": set(), "pause": {"channel", "type"}, "unpause": {"channel"},
    "accept": {"interaction"}, "reject": {"interaction"}, "close": {"interaction", "disposition"},
    "phonebar-calls": set(), "phonebar-answer": set(), "phonebar-originate": {"number"},
    "phonebar-hangup": set(), "phonebar-hold": set(),
}


class XcallyDriver(AgentDriver):
    """One agent's Motion client: its credentials, its user id, the notifications it was sent."""

    def __init__(self, run: Run, agent_id: str):
        super().__init__(run, agent_id)
        self.username, self.password = credentials(run, agent_id)
        self.user_id: int | None = None
        self.listening = False

    @staticmethod
    def event_type(event: dict[str, Any]) -> str:
        return event["Type"]

    @staticmethod
    def event_detail(event: dict[str, Any]) -> str | None:
        return event.get("channel")

    def auth(self) -> dict[str, str]:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    async def ensure_ready(self) -> None:
        if self.user_id is None:
            self.user_id = await user_id(self.run, self.username)
        if not self.listening:
            self.listening = True
            self.run_task(self._listen())

    async def _listen(self) -> None:
        """Follow the notifications journaled for this agent, from the start of the run."""
        since = self.run.journal_start
        while True:
            entry = await self.run.admin.journal_wait(MAX_WAIT_SECONDS, since=since, face="xcally", kind="socketio",
                                                      agent=self.agent_id)
            if entry is None:
                continue
            since = entry["seq"] + 1
            if entry["op"] in PUSHED:
                self.received({"Type": entry["op"], **entry["response"]["body"]})

    def latest_offer(self) -> dict[str, Any]:
        for event in reversed(self.events):
            if event["Type"] == "offer":
                return event
        raise StepFailed(f"agent {self.agent_id} has been offered no interaction yet")


def credentials(run: Run, agent_id: str) -> tuple[str, str]:
    entry = next(a for a in run.scenario.config.agents if str(a["id"]) == agent_id)
    section = entry.get("xcally") or {}
    return str(section.get("name", agent_id)), str(section.get("password", "Passw0rd!"))


async def api(run: Run, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
              **query: str) -> WireResponse:
    """A REST call under /api; as the administrator (?apikey=) unless headers authenticate."""
    if headers is None:
        query["apikey"] = API_KEY
    return await run.wire.request(method, run.urls["xcally"] + "/api" + path, json_body=body, headers=headers,
                                  params=query or None)


async def user_id(run: Run, username: str) -> int:
    resp = await api(run, "GET", "/users", name=username, fields="id")
    if resp.status != 200 or not resp.body["rows"]:
        raise StepFailed(f"xcally: no user named {username!r} ({resp.status} {resp.body})")
    return resp.body["rows"][0]["id"]


async def interaction_of(run: Run, driver: XcallyDriver | None, which: Any) -> tuple[str, int]:
    """(channel, id) of `current` (the agent's latest offer) or of a named contact."""
    if which in (None, "current"):
        if driver is None:
            raise StepFailed("`current` needs an agent; name the contact (`as:` in `customer calls`)")
        offer = driver.latest_offer()
        return offer["channel"], offer["id"]
    contact = await run.admin.contact(run.contact_id(str(which)))
    channel = contact["channel"]
    if channel not in DIGITAL:
        raise StepFailed(f"contact {which} is a {channel} contact, not an XCALLY interaction")
    resp = await api(run, "GET", f"/{channel}/interactions", contact=contact["caller"], sort="-id", limit="1")
    if not resp.body["rows"]:
        raise StepFailed(f"no {channel} interaction for contact {which} ({contact['caller']})")
    return channel, resp.body["rows"][0]["id"]


def check_response(what: str, resp: WireResponse, expect: dict[str, Any] | None) -> None:
    """The status, and `body` as a subset (a `message` is matched as a substring)."""
    if expect is None:
        return
    if resp.status != expect.get("status", 200):
        raise StepFailed(f"{what}: expected HTTP {expect.get('status', 200)}, got {resp.status} {resp.body}",
                         expect, {"status": resp.status, "body": resp.body})
    if "body" in expect and not subset(expect["body"], resp.body):
        raise StepFailed(f"{what}: the body does not match", expect["body"], resp.body)


def subset(expected: Any, actual: Any, key: str = "") -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and subset(v, actual[k], k) for k, v in expected.items())
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(subset(e, a) for e, a in zip(expected, actual)))
    if key == "message" and isinstance(expected, str) and isinstance(actual, str):
        return expected in actual
    return expected == actual


def _expect_of(args: dict[str, Any], ctx: ParseContext, default: int) -> dict[str, Any] | None:
    """`expect: any` takes whatever the face answers (`ccsim check`: its invariants judge it)."""
    expect = args.pop("expect", {"status": default})
    if expect == "any":
        return None
    if not isinstance(expect, dict) or set(expect) - {"status", "body"}:
        raise ctx.error("expect: give {status: <HTTP status>} and optionally {body: <a subset of the JSON>}")
    return {"status": default, **expect}


def _check_args(what: str, args: dict[str, Any], allowed: set[str], ctx: ParseContext) -> None:
    unknown = set(args) - allowed
    if unknown:
        raise ctx.error(f"{what}: unknown argument(s) {', '.join(sorted(unknown))} "
                        f"(allowed: {', '.join(sorted(allowed)) or 'none'}, expect)")
    if "channel" in args and args["channel"] not in CHANNELS:
        raise ctx.error(f"{what}: channel must be one of {', '.join(CHANNELS)}")


# -- agent steps --------------------------------------------------------------------------------------
def parse(agent: str, op: str, args: Any, ctx: ParseContext) -> Action:
    if op not in AGENT_OPS:
        hint = difflib.get_close_matches(op, list(AGENT_OPS), n=1)
        raise ctx.error(f"xcally has no agent operation {op!r}" + (f"; did you mean {hint[0]!r}?" if hint else
                                                                   f"; operations: {', '.join(AGENT_OPS)}"))
    args = {str(k): v for k, v in dict(args or {}).items()}
    expect = _expect_of(args, ctx, 200)
    _check_args(f"xcally {op}", args, AGENT_OPS[op], ctx)

    async def action(run: Run) -> None:
        driver = run.driver("xcally", agent, XcallyDriver)
        await driver.ensure_ready()
        if op.startswith("phonebar-"):
            resp = await phonebar(run, driver, op.removeprefix("phonebar-"), args)
        elif op in ("accept", "reject", "close"):
            channel, number = await interaction_of(run, driver, args.get("interaction"))
            if op == "close":
                resp = await api(run, "PUT", f"/{channel}/interactions/{number}",
                                 {"closed": True, "disposition": str(args.get("disposition", ""))}, driver.auth())
            else:
                resp = await api(run, "POST", f"/{channel}/interactions/{number}/{op}", {}, driver.auth())
        else:
            body = {"channel": args.get("channel", "voice")} if op in ("pause", "unpause") else {}
            if "type" in args:
                body["pauseType"] = str(args["type"])
            resp = await api(run, "POST", f"/users/{driver.user_id}/{op}", body, driver.auth())
        check_response(f"xcally {op}", resp, expect)

    return action


async def phonebar(run: Run, driver: XcallyDriver, verb: str, args: dict[str, Any]) -> WireResponse:
    """A GET on the agent's remote-control port (read from the agent, on the face's host)."""
    agent = (await api(run, "GET", f"/users/{driver.user_id}")).body
    if not agent.get("phoneBarRemoteControl"):
        raise StepFailed(f"agent {driver.agent_id} has the phonebar's remote control off")
    host = run.urls["xcally"].rsplit(":", 1)[0]
    path = f"/api/{verb}" + (f"/{args['number']}" if verb == "originate" else "")
    return await run.wire.request("GET", f"{host}:{agent['phoneBarRemoteControlPort']}{path}")


# -- administrator steps and expectations -------------------------------------------------------------------
def parse_face_step(op: str, args: Any, ctx: ParseContext) -> Action:
    words = op.split()
    if op == "create-agent":
        return _create_agent(args, ctx)
    if op == "settings":
        return _settings(args, ctx)
    if op == "customer writes":
        return _customer_writes(args, ctx)
    if len(words) == 3 and words[:2] == ["expect", "report"]:
        return _expect_report(words[2], args, ctx)
    if len(words) == 3 and words[:2] == ["expect", "interaction"]:
        return _expect_interaction(words[2], args, ctx)
    if len(words) == 3 and words[:2] == ["expect", "agent"]:
        return _expect_agent(words[2], args, ctx)
    known = ["xcally create-agent", "xcally settings", "xcally customer writes", "expect xcally report <channel>",
             "expect xcally interaction <contact>", "expect xcally agent <agent>"]
    raise ctx.error(f"unknown xcally step {op!r}; known: {'; '.join(known)}")


def _create_agent(args: Any, ctx: ParseContext) -> Action:
    if not isinstance(args, dict):
        raise ctx.error("xcally create-agent: give the agent's fields ({name, password, ...}) and optional expect")
    body = {str(k): v for k, v in args.items()}
    expect = _expect_of(body, ctx, 201)

    async def action(run: Run) -> None:
        check_response("xcally create-agent", await api(run, "POST", "/users", body), expect)

    return action


def _settings(args: Any, ctx: ParseContext) -> Action:
    if not isinstance(args, dict) or set(args) - {"interactionTabsLimit", "expect"}:
        raise ctx.error("xcally settings: give {interactionTabsLimit: N}")
    body = dict(args)
    expect = _expect_of(body, ctx, 200)

    async def action(run: Run) -> None:
        check_response("xcally settings", await api(run, "PUT", "/settings", body), expect)

    return action


def _customer_writes(args: Any, ctx: ParseContext) -> Action:
    if not isinstance(args, dict) or "contact" not in args or set(args) - {"contact", "body"}:
        raise ctx.error("xcally customer writes: give {contact: <name>, body: <text>}")

    async def action(run: Run) -> None:
        channel, number = await interaction_of(run, None, args["contact"])
        resp = await api(run, "POST", f"/{channel}/interactions/{number}/messages",
                         {"direction": "in", "body": str(args.get("body", "hello again"))})
        check_response("xcally customer writes", resp, {"status": 201})

    return action


def _within(args: dict[str, Any], ctx: ParseContext) -> float:
    try:
        return seconds(args.pop("within", DEFAULT_WITHIN))
    except ValueError as exc:
        raise ctx.error(f"within: {exc}") from None


def _expect_report(channel: str, args: Any, ctx: ParseContext) -> Action:
    """The rows of report_<channel>_queue (of one contact's interaction with `contact:`), in
    order: each {queue, reason, agent}; `agent` is a scenario agent id (its UserId)."""
    if channel not in DIGITAL:
        raise ctx.error(f"expect xcally report: channel must be one of {', '.join(DIGITAL)}")
    args = {"rows": args} if isinstance(args, list) else dict(args or {})
    if "rows" not in args or set(args) - {"rows", "contact", "within"} or not isinstance(args["rows"], list):
        raise ctx.error("expect xcally report <channel>: give a list of rows {queue, reason, agent}, or "
                        "{rows: [...], contact: <name>, within: <duration>}")
    within = _within(args, ctx)
    for row in args["rows"]:
        if not isinstance(row, dict) or set(row) - {"queue", "reason", "agent"}:
            raise ctx.error("each report row gives some of queue, reason, agent")
        if row.get("reason") not in (None, "timeout", "accepted", "abandoned"):
            raise ctx.error("reason is timeout, accepted or abandoned")
    queue_names = {str(q["id"]): str((q.get("xcally") or {}).get("name", q.get("name", q["id"])))
                   for q in ctx.config.queues}

    async def action(run: Run) -> None:
        wanted = []
        for row in args["rows"]:
            item = {k: v for k, v in row.items() if k != "agent"}
            if "queue" in row:
                item["queue"] = queue_names.get(str(row["queue"]), str(row["queue"]))
            if "agent" in row:
                item["UserId"] = await user_id(run, credentials(run, str(row["agent"]))[0])
            wanted.append(item)

        async def rows() -> list[dict[str, Any]]:
            query = {"nolimit": "true", "sort": "id"}
            if "contact" in args:
                query["interactionId"] = str((await interaction_of(run, None, args["contact"]))[1])
            resp = await api(run, "GET", f"/reports/{channel}/queue", **query)
            return [{k: r[k] for k in ("queue", "reason", "UserId")} for r in resp.body["rows"]]

        def ok(found: list[dict[str, Any]]) -> bool:
            return len(found) == len(wanted) and all(subset(w, f) for w, f in zip(wanted, found))

        await run.eventually(rows, ok, within, f"report_{channel}_queue", wanted, lambda found: found)

    return action


def _expect_interaction(contact: str, args: Any, ctx: ParseContext) -> Action:
    fields = {"status", "closed", "disposition", "agent"}
    if not isinstance(args, dict) or not set(args) <= fields | {"within"}:
        raise ctx.error(f"expect xcally interaction <contact>: give some of {', '.join(sorted(fields))}")
    args = dict(args)
    within = _within(args, ctx) if "within" in args else 0.0

    async def action(run: Run) -> None:
        wanted = {k: v for k, v in args.items() if k != "agent"}
        if "agent" in args:
            wanted["UserId"] = None if args["agent"] is None else await user_id(run, credentials(run, str(args["agent"]))[0])

        async def fetch() -> dict[str, Any]:
            channel, number = await interaction_of(run, None, contact)
            return (await api(run, "GET", f"/{channel}/interactions/{number}")).body

        await run.eventually(fetch, lambda found: subset(wanted, found), within, f"interaction of {contact}", wanted,
                             lambda found: {k: found.get(k) for k in wanted})

    return action


def _expect_agent(agent: str, args: Any, ctx: ParseContext) -> Action:
    """The realtime view of an agent: `<channel>: <status>` for any channels, online, openTabs."""
    if not isinstance(args, dict) or not set(args) <= {*CHANNELS, "online", "openTabs", "within"}:
        raise ctx.error("expect xcally agent <id>: give channel statuses (chat: pause), online or openTabs")
    args = dict(args)
    within = _within(args, ctx) if "within" in args else 0.0

    async def action(run: Run) -> None:
        name = credentials(run, agent)[0]

        async def fetch() -> dict[str, Any]:
            found: dict[str, Any] = {}
            for channel in [c for c in CHANNELS if c in args] or ["voice"]:
                row = (await api(run, "GET", "/realtime/agents", channel=channel, name=name)).body["rows"][0]
                found.update({channel: row[f"{channel}Status"], "online": row["online"], "openTabs": row["openTabs"]})
            return {k: found[k] for k in args}

        await run.eventually(fetch, lambda found: found == args, within, f"xcally agent {agent}", args, lambda f: f)

    return action


# -- recording (ccsim record) ---------------------------------------------------------------------------
# Not supported yet for XCALLY: a recording leaves its exchanges out rather than half-replaying them.
def recorded_events(entry: dict[str, Any], context: dict[str, Any]) -> list[str]:
    return []


def record_step(entry: dict[str, Any], context: dict[str, Any]) -> dict[str, Any] | None:
    return None
