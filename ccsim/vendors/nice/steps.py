"""Scenario steps for the NICE CXone face: `agent <id> nice <operation>: {...}`.

A scenario plays a CXone client over the real REST API: it gets a token, starts or joins the
agent session, and polls get-next-event in the background. One agent may have several clients
(MAX and the Media Bar): `client: bar` plays a trusted client (username only) whose events are
expected with `expect events for <id>/bar`; the default client is MAX (`expect events for <id>`).
Expectations take `Type:Detail`: `AgentState:Available`, `AgentLeg:Dialing`,
`CallContactEvent:Incoming`.
"""
from __future__ import annotations

import base64
import difflib
import json
from typing import Any

from ...clients.wire import WireResponse
from ...scenario.runner import AgentDriver, Run
from ...scenario.steps import Action, ParseContext, StepFailed

BAR_CLIENT = "MediaBar@OpenMethods"
_DETAIL = {"AgentState": "CurrentState", "AgentLeg": "Status", "CallContactEvent": "Status",
           "WorkItemContactEvent": "Status", "RemoteAgentSessionEnd": "Message"}
# operation -> (method, path under the session, or None for session-less calls; arguments)
OPS: dict[str, tuple[str, str, set[str]]] = {
    "start-session": ("POST", "agent-sessions", {"stationId", "stationPhoneNumber", "inactivityTimeout"}),
    "join-session": ("POST", "agent-sessions/join", {"asAgentId"}),
    "end-session": ("DELETE", "agent-sessions/{session}", {"forceLogoff", "endContacts", "ignorePersonalQueue"}),
    "set-state": ("POST", "agent-sessions/{session}/state", {"state", "reason"}),
    "dial-agent-leg": ("POST", "agent-sessions/{session}/agent-phone/dial", set()),
    "end-agent-leg": ("POST", "agent-sessions/{session}/agent-phone/end", set()),
    "mute": ("POST", "agent-sessions/{session}/agent-phone/mute", set()),
    "unmute": ("POST", "agent-sessions/{session}/agent-phone/unmute", set()),
    "accept": ("POST", "agent-sessions/{session}/interactions/{contact}/accept", {"contact"}),
    "reject": ("POST", "agent-sessions/{session}/interactions/{contact}/reject", {"contact"}),
    "hold": ("POST", "agent-sessions/{session}/interactions/{contact}/hold", {"contact"}),
    "resume": ("POST", "agent-sessions/{session}/interactions/{contact}/resume", {"contact"}),
    "end": ("POST", "agent-sessions/{session}/interactions/{contact}/end", {"contact"}),
    "disposition": ("POST", "agent-sessions/{session}/interactions/{contact}/disposition",
                    {"contact", "primaryDispositionId", "primaryDispositionNotes"}),
    "dial-phone": ("POST", "agent-sessions/{session}/dial-phone", {"phoneNumber", "skillId"}),
    "set-auto-accept": ("PUT", "agents/client-data", {"enabled"}),
    # A poll of the client's own (or `session`'s) queue, besides the background poller: timeout
    # 0 by default, so that it answers at once (a conformance check holds the virtual clock).
    "get-next-event": ("GET", "agent-sessions/{session}/get-next-event", {"timeout"}),
    # A token request of its own, e.g. with a wrong password (the client keeps a token it had).
    "sign-in": ("POST", "", {"username", "password"}),
}
# Arguments any operation takes, to send what a client should not (`expect: any` form):
# `session: <id>` another API session id in the path, `token: <text>` another bearer token,
# `raw: <text>` a body sent as it is instead of the JSON of the arguments.
WRONG_INPUTS = {"session", "token", "raw"}


class NiceDriver(AgentDriver):
    """One CXone client of one agent: its token, its API session, its poller."""

    def __init__(self, run: Run, agent_id: str):
        super().__init__(run, agent_id)
        self.token: str | None = None
        self.api_base = ""
        self.session_id: str | None = None

    @staticmethod
    def event_type(event: dict[str, Any]) -> str:
        return event.get("Type", "")

    @staticmethod
    def event_detail(event: dict[str, Any]) -> str | None:
        key = _DETAIL.get(event.get("Type", ""))
        return event.get(key) if key else None

    def latest(self, key: str) -> str | None:
        for event in reversed(self.events):
            if event.get(key):
                return event[key]
        return None

    async def sign_in(self, username: str, password: str, bar: bool, *, check: bool = True) -> WireResponse:
        url = self.run.urls["nice"] + "/InContactAuthorizationServer/Token"
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if bar:
            headers["Authorization"] = "basic " + base64.b64encode(f"{BAR_CLIENT}:ccsim".encode()).decode()
        form = f"grant_type=password&username={username}" + ("" if bar else f"&password={password}")
        resp = await self.run.wire.request("POST", url, data=form, headers=headers)
        if resp.status != 200:
            if not check:
                return resp
            raise StepFailed(f"nice token for {username}: HTTP {resp.status} {resp.body}", 200, resp.status)
        self.token = resp.body["access_token"]
        self.api_base = resp.body["resource_server_base_uri"] + "services/v23.0/"
        return resp

    async def request(self, method: str, path: str, params: dict[str, Any], *, token: str | None = None,
                      raw: str | None = None) -> WireResponse:
        headers = {"Authorization": f"Bearer {self.token if token is None else token}",
                   "Content-Type": "text/plain;charset=UTF-8"}
        body = json.dumps(params) if params else None  # as the official SDK does: JSON as text/plain
        return await self.run.wire.request(method, self.api_base + path, data=body if raw is None else raw,
                                           headers=headers)

    def start_polling(self, session_id: str) -> None:
        self.session_id = session_id
        self.run_task(self._poll(session_id))

    async def _poll(self, session_id: str) -> None:
        while True:
            resp = await self.request("GET", f"agent-sessions/{session_id}/get-next-event?timeout=60", {})
            if resp.status == 200:
                for event in resp.body["events"]:
                    self.received(event)
            elif resp.status != 304:
                return  # 409: the session is over (a real client stops polling too)


def parse(agent: str, op: str, args: Any, ctx: ParseContext) -> Action:
    if op not in OPS:
        hint = difflib.get_close_matches(op, list(OPS), n=1)
        raise ctx.error(f"nice has no operation {op!r}" + (f"; did you mean {hint[0]!r}?" if hint else
                                                             f"; operations: {', '.join(OPS)}"))
    args = {str(k): v for k, v in dict(args or {}).items()}  # YAML reads a bare `on:` as True
    expect = args.pop("expect", {"status": 200 if op in ("get-next-event", "sign-in") else 202})
    if expect == "any":  # the answer is not checked (a conformance check's invariants judge it)
        expect = {}
    wrong = {k: str(args.pop(k)) for k in WRONG_INPUTS & set(args)}
    client = str(args.pop("client", "max"))
    if client not in ("max", "bar"):
        raise ctx.error("client is max or bar")
    method, template, allowed = OPS[op]
    unknown = set(args) - allowed
    if unknown:
        raise ctx.error(f"nice {op}: unknown argument(s) {', '.join(sorted(unknown))} "
                        f"(allowed: {', '.join(sorted(allowed)) or 'none'}, client, expect, "
                        f"{', '.join(sorted(WRONG_INPUTS))})")
    if not isinstance(expect, dict) or set(expect) - {"status"}:
        raise ctx.error("expect: give the HTTP status to check, e.g. {status: 409}, or any")
    credentials = next(a for a in ctx.config.agents if str(a["id"]) == agent)["nice"] or {}
    username = str(credentials.get("username", f"{agent}@example.com"))
    key = agent if client == "max" else f"{agent}/bar"

    async def action(run: Run) -> None:
        driver = run.driver("nice", key, NiceDriver)
        if op == "sign-in":
            resp = await driver.sign_in(str(args.get("username", username)),
                                        str(args.get("password", credentials.get("password", ""))),
                                        bar=client == "bar", check=False)
            if "status" in expect and resp.status != expect["status"]:
                raise StepFailed(f"nice sign-in: expected HTTP {expect['status']}, got {resp.status} {resp.body}",
                                 expect, resp.body)
            return
        if driver.token is None:
            await driver.sign_in(username, str(credentials.get("password", "")), bar=client == "bar")
        params, where = dict(args), template
        if op == "get-next-event":
            where = f"{template}?timeout={params.pop('timeout', 0)}"
        if op == "start-session" and not params.get("stationId"):
            params.setdefault("stationPhoneNumber", "WebRTC")
        if op == "set-auto-accept":
            params = {"dataSet": json.dumps({"AutoAccept": bool(params.get("enabled", True))})}
        contact = str(params.pop("contact", "current"))
        if "{contact}" in template:
            contact = _contact(driver, contact, op, missing="unknown" if not expect else None)
        session = wrong.get("session", driver.session_id or (None if expect else "unknown"))
        if "{session}" in template and session is None:
            raise StepFailed(f"nice {op}: client {key} has no session (start-session or join-session first)")
        path = where.format(session=session, contact=contact)
        resp = await driver.request(method, path, params, token=wrong.get("token"), raw=wrong.get("raw"))
        if "status" in expect and resp.status != expect["status"]:
            raise StepFailed(f"nice {op}: expected HTTP {expect['status']}, got {resp.status} {resp.body}",
                             expect, resp.body)
        if op in ("start-session", "join-session") and resp.status == 202:
            driver.start_polling(resp.body["sessionId"])

    return action


def _contact(driver: NiceDriver, which: str, op: str, missing: str | None = None) -> str:
    """`current`: the newest contact the client heard of; `leg`: the agent leg; else an id.
    With `expect: any`, one not heard of is sent as `missing` (an id the session does not know)."""
    if which == "leg":
        found = driver.latest("AgentLegId")
    elif which == "current":
        found = driver.latest("ContactID")
    else:
        return which
    if found is None and missing is not None:
        return missing
    if found is None:
        raise StepFailed(f"nice {op}: client has seen no {which} contact yet")
    return found


# -- recording (ccsim record) ---------------------------------------------------------------------------
# Not supported yet for NICE sessions: a recording leaves them out rather than half-replaying them.
def recorded_events(entry: dict[str, Any], context: dict[str, Any]) -> list[str]:
    return []


def record_step(entry: dict[str, Any], context: dict[str, Any]) -> dict[str, Any] | None:
    return None
