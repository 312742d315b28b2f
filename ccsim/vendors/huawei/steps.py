"""Scenario steps for the Huawei face: `agent <id> huawei <op>: {...}`.

The scenario plays the agent's desktop over the real REST protocol: each op is one request
(checked against `expect`, by default retcode "0"); after a sign-in a background poller
collects the agent's events, as a real client does, for `expect events for <id>`. The
`works` step adds an agent that answers, talks and releases on its own, for long shifts.
"""
from __future__ import annotations

import difflib
import re
from typing import Any

from ...scenario.runner import AgentDriver, Run
from ...scenario.steps import Action, ParseContext, StepFailed, seconds
from .client import OPS, SIGN_IN_OPS, HuaweiAgentClient, PollFailed

_LOGIN_FIELDS = {"password", "phonenum", "autoanswer", "autoenteridle", "releasephone", "agenttype", "status", "ip",
                 "entryIp", "phonelinkage", "checkInWebm", "checkInMailm", "vcPhoneNumber", "listenStatus"}
# op -> (body fields, path/query fields). Ops absent here take no arguments.
_ARGS: dict[str, tuple[set[str], set[str]]] = {
    **{op: (_LOGIN_FIELDS, set()) for op in SIGN_IN_OPS},
    "forcelogoutwithreason": (set(), {"reason"}),
    "resetskill": (set(), {"autoflag", "skillid"}),
    "saybusy": (set(), {"reason", "prolong"}),
    "rest": (set(), {"time", "restcause"}),
    "autoanswer": (set(), {"flag"}),
    "autoenteridle": (set(), {"flag"}),
    "answer": (set(), {"callid"}),
    "gethold": (set(), {"callid"}),
    "connecthold": (set(), {"callid"}),
    "transfer": ({"devicetype", "address", "mode", "callappdata", "mediaability"}, set()),
    "callout": ({"called", "caller", "skillid", "callappdata", "mediaability"}, set()),
    "callinner": ({"called"}, set()),
}
_WORKS = {"answer_after", "talk", "wrap_up", "calls"}


class HuaweiDriver(AgentDriver):
    def __init__(self, run: Run, agent_id: str):
        super().__init__(run, agent_id)
        self.client = HuaweiAgentClient(run.wire, run.urls["huawei"], agent_id)
        self._generation = 0  # one per sign-in

    @staticmethod
    def event_type(event: dict[str, Any]) -> str:
        return event["eventType"]

    def start_polling(self) -> None:
        """After each sign-in, a poller for the new session. An older poller finishes the poll it
        has in flight (delivering, say, the old session's AgentOther_ShutdownService) and stops."""
        self._generation += 1
        self.run_task(self._poll(self._generation))

    async def _poll(self, generation: int) -> None:
        while True:
            try:
                event = await self.client.next_event()
            except PollFailed:
                return  # signed out, or the session was taken over: a real client stops too
            if event is not None:
                self.received(event)
            if generation != self._generation:
                return

    def current_callid(self) -> str | None:
        """The callid of the latest call event the agent received (`callid: current`)."""
        for event in reversed(self.events):
            if event["eventType"].startswith("AgentEvent_") and _callid(event):
                return _callid(event)
        return None

    async def request(self, op: str, args: dict[str, Any]) -> Any:
        if args.get("callid") == "current":
            args = {**args, "callid": self.current_callid() or ""}
        body_fields = _ARGS.get(op, (set(), set()))[0]
        in_path, in_query = _path_names(op), query_names(op)
        body = {k: v for k, v in args.items() if k in body_fields} if body_fields else None
        query = {k: _text(v) for k, v in args.items() if k in in_query}
        path = {k: _text(v) for k, v in args.items() if k in in_path}
        resp = await self.client.call(op, body, query=query or None, **path)
        if not isinstance(resp.body, dict):
            raise StepFailed(f"huawei {op}: HTTP {resp.status} with a body that is not JSON", "JSON envelope", resp.body)
        return resp.body


def _path_names(op: str) -> set[str]:
    """The arguments that go in the op's path (the rest of its URL arguments go in the query)."""
    return set(re.findall(r"\{(\w+)\}", OPS[op][1])) - {"agentid"}


def query_names(op: str) -> list[str]:
    """The arguments of `op` that go in the query string (its other URL arguments are in the path)."""
    return sorted(_ARGS.get(op, (set(), set()))[1] - _path_names(op))


def _text(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def parse(agent: str, op: str, args: Any, ctx: ParseContext) -> Action:
    args = dict(args or {})
    if op == "works":
        return _parse_works(agent, args, ctx)
    if op == "agentevent":
        raise ctx.error("the agent's events are polled in the background after sign-in; "
                        "check them with `expect events for <agent>`")
    if op not in OPS:
        hint = difflib.get_close_matches(op, [*OPS, "works"], n=1)
        raise ctx.error(f"huawei has no operation {op!r}" + (f"; did you mean {hint[0]!r}?" if hint else ""))
    expect = args.pop("expect", {"retcode": "0"})
    if expect == "any":  # the answer is not checked (a conformance check's invariants judge it)
        expect = {}
    if not isinstance(expect, dict):
        raise ctx.error("expect: give the response fields to check, e.g. {retcode: \"100-002\"}, or any")
    body_fields, path_fields = _ARGS.get(op, (set(), set()))
    unknown = set(args) - body_fields - path_fields
    if unknown:
        allowed = ", ".join(sorted(body_fields | path_fields)) or "none"
        raise ctx.error(f"huawei {op}: unknown argument(s) {', '.join(sorted(unknown))} (allowed: {allowed}, expect)")
    missing = _path_names(op) - set(args)
    if missing:
        raise ctx.error(f"huawei {op}: missing argument(s) {', '.join(sorted(missing))}")
    if op in SIGN_IN_OPS:
        credentials = next(a for a in ctx.config.agents if str(a["id"]) == agent)["huawei"] or {}
        args.setdefault("password", str(credentials.get("password", "")))
        if "phone" in credentials:
            args.setdefault("phonenum", str(credentials["phone"]))

    async def action(run: Run) -> None:
        driver = run.driver("huawei", agent, HuaweiDriver)
        body = await driver.request(op, args)
        _check(op, expect, body)
        if op in SIGN_IN_OPS and body.get("retcode") == "0":
            driver.start_polling()

    return action


def _check(op: str, expect: dict[str, Any], body: dict[str, Any]) -> None:
    for key, wanted in expect.items():
        got = body.get(key, (body.get("result") or {}).get(key) if isinstance(body.get("result"), dict) else None)
        if _text(got) != _text(wanted):
            raise StepFailed(f"huawei {op}: expected {key} {wanted!r}, got {got!r} ({body.get('message', '')})",
                             {key: wanted}, body)


def _parse_works(agent: str, args: dict[str, Any], ctx: ParseContext) -> Action:
    unknown = set(args) - _WORKS
    if unknown:
        raise ctx.error(f"huawei works: unknown argument(s) {', '.join(sorted(unknown))} (allowed: {', '.join(sorted(_WORKS))})")
    try:
        answer_after = seconds(args.get("answer_after", 2))
        talk = [seconds(t) for t in args["talk"]] if isinstance(args.get("talk"), list) else [seconds(args.get("talk", 60))] * 2
        wrap_up = seconds(args["wrap_up"]) if "wrap_up" in args else None
    except (ValueError, TypeError) as exc:
        raise ctx.error(f"huawei works: {exc}") from None
    if len(talk) != 2 or talk[0] > talk[1]:
        raise ctx.error("huawei works: talk is a duration or [shortest, longest]")

    async def action(run: Run) -> None:
        driver = run.driver_for(agent)
        if not isinstance(driver, HuaweiDriver):
            raise StepFailed(f"agent {agent} is not signed in on huawei")
        driver.run_task(_work(driver, answer_after, talk, wrap_up, args.get("calls")))

    return action


async def _work(driver: HuaweiDriver, answer_after: float, talk: list[float], wrap_up: float | None,
                calls: int | None) -> None:
    """Answer what rings, talk, release, finish wrap-up: an agent at work, in the background."""
    clock, seen, handled = driver.run.clock, len(driver.events), 0
    while calls is None or handled < calls:
        if not await driver.wait_beyond(seen, None):
            return
        event = driver.events[seen]
        seen += 1
        kind = event["eventType"]
        if kind == "AgentEvent_Ringing":
            await clock.sleep(answer_after)
            await driver.request("answer", {})
        elif kind == "AgentEvent_Talking":
            callid = event["content"]["callid"]
            await clock.sleep(driver.run.rng.uniform(*talk))
            still_on = not any(e["eventType"] in ("AgentEvent_Customer_Release", "AgentEvent_Call_Release")
                               and _callid(e) == callid for e in driver.events[seen:])
            if still_on:
                await driver.request("release", {})
            handled += 1
        elif kind == "AgentState_Work" and wrap_up is not None:
            await clock.sleep(wrap_up)
            await driver.request("cancelwork", {})


def _callid(event: dict[str, Any]) -> str | None:
    content = event.get("content")
    return content.get("callid") if isinstance(content, dict) else content


# -- recording (ccsim record) -------------------------------------------------------------------
def recorded_events(entry: dict[str, Any], context: dict[str, Any]) -> list[str]:
    """The event types a journaled poll delivered (and, in `context`, each agent's call)."""
    body = entry["response"].get("body")
    if entry["op"] == "agentevent" and isinstance(body, dict) and isinstance(body.get("event"), dict):
        event = body["event"]
        if event["eventType"].startswith("AgentEvent_") and _callid(event):
            context[entry["agent"]] = _callid(event)
        return [event["eventType"]]
    return []


def record_step(entry: dict[str, Any], context: dict[str, Any]) -> dict[str, Any] | None:
    """A journaled request as the step that sends it again and expects the same retcode."""
    op, request = entry["op"], entry["request"]
    if op not in OPS or op == "agentevent" or not entry.get("agent"):
        return None
    body = request.get("body")
    if body is not None and not isinstance(body, dict):
        return None  # a malformed body cannot be written as step arguments
    body_fields, path_fields = _ARGS.get(op, (set(), set()))
    args: dict[str, Any] = {k: v for k, v in (body or {}).items() if k in body_fields}
    template = OPS[op][1].replace("{agentid}", r"[^/]+")
    found = re.search(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$", re.sub("/{2,}", "/", request["path"]))
    args.update({k: v for k, v in (found.groupdict() if found else {}).items() if k in path_fields})
    args.update({k: v for k, v in request.get("query", {}).items() if k in path_fields})
    if "callid" in args and args["callid"] == context.get(entry["agent"]):
        args["callid"] = "current"  # callids differ between runs: name the call in progress
    response = entry["response"].get("body")
    if isinstance(response, dict) and "retcode" in response:
        args["expect"] = {"retcode": response["retcode"]}
    return {f"agent {entry['agent']} huawei {op}": args}
