"""The step library: what each step sentence means.

A step is a one-key mapping. Parsing (at load time) turns it into a Step whose `action` runs
against a Run (runner.py). Parsers reject bad arguments with the file and line, so a scenario
fails before it starts rather than halfway. Faces contribute `agent <id> <face> <op>` steps
through the steps module their declaration names (see ccsim/registry.py).
"""
from __future__ import annotations

import asyncio
import difflib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import registry
from ..config import Config
from ..core.durations import seconds
from .loader import ScenarioError, unknown_step

if TYPE_CHECKING:
    from .runner import Run

Action = Callable[["Run"], Awaitable[None]]


class StepFailed(AssertionError):
    """An expectation did not hold: what was expected and what came instead."""

    def __init__(self, message: str, expected: Any = None, actual: Any = None):
        super().__init__(message)
        self.message, self.expected, self.actual = message, expected, actual


@dataclass
class Step:
    text: str
    line: int
    action: Action

    def describe(self) -> str:
        return f"line {self.line}: {self.text}"


@dataclass
class ParseContext:
    path: str
    line: int
    config: Config

    def error(self, message: str) -> ScenarioError:
        return ScenarioError(self.path, self.line, message)


Parser = Callable[[re.Match[str], Any, ParseContext], Action]
Guard = Callable[[re.Match[str]], bool]
_PARSERS: list[tuple[re.Pattern[str], Guard | None, Parser]] = []


def step(pattern: str, *, when: Guard | None = None) -> Callable[[Parser], Parser]:
    """Register a parser for the sentences `pattern` matches whole (and `when` accepts, if given)."""
    def register(parser: Parser) -> Parser:
        _PARSERS.append((re.compile(pattern), when, parser))
        return parser

    return register


def parse_steps(items: list[Any], path: str, config: Config) -> list[Step]:
    lines = getattr(items, "item_lines", [])
    return [parse_step(item, path, config, lines[i] if i < len(lines) else 0) for i, item in enumerate(items)]


def parse_step(item: Any, path: str, config: Config, line: int = 0) -> Step:
    line = getattr(item, "line", None) or line
    [(text, args)] = item.items() if isinstance(item, dict) else [(item, None)]
    ctx = ParseContext(path, line, config)
    for pattern, when, parser in _PARSERS:
        found = pattern.fullmatch(text)
        if found and (when is None or when(found)):
            return Step(text, line, parser(found, args, ctx))
    raise ctx.error(unknown_step(text))


# -- durations ---------------------------------------------------------------------------------
# seconds() is core/durations.py's; the faces' steps import it from here.
def _duration(ctx: ParseContext, value: Any, what: str) -> float:
    try:
        return seconds(value)
    except ValueError as exc:
        raise ctx.error(f"{what}: {exc}") from None


DEFAULT_WITHIN = 30.0  # seconds of scenario time an expectation waits by default


# -- world steps ---------------------------------------------------------------------------------
@step(r"customer calls")
def _customer_calls(m: re.Match[str], args: dict[str, Any], ctx: ParseContext) -> Action:
    """A customer calls a queue, or one agent straight (`agent:`, as its extension: the agent's
    face rings it or refuses it; a face that takes no such call fails the step with why)."""
    if "agent" in args:
        if str(args["agent"]) not in {str(a["id"]) for a in ctx.config.agents}:
            raise ctx.error(f"customer calls: unknown agent {args['agent']!r}")
    elif args["queue"] not in {str(q["id"]) for q in ctx.config.queues}:
        raise ctx.error(f"customer calls: unknown queue {args['queue']!r}")
    fields = {k: str(v) if k == "agent" else v for k, v in args.items() if k != "as"}

    async def action(run: "Run") -> None:
        contact = await run.admin.inject(**fields)
        run.remember_contact(contact["id"], args.get("as"))

    return action


@step(r"customer (hangs up|abandons)")
def _customer_leaves(m: re.Match[str], args: dict[str, Any] | None, ctx: ParseContext) -> Action:
    verb = "hangup" if m.group(1) == "hangs up" else "abandon"
    name = (args or {}).get("contact")

    async def action(run: "Run") -> None:
        await run.admin.contact_action(run.contact_id(name), verb)

    return action


@step(r"calls arrive")
def _calls_arrive(m: re.Match[str], args: dict[str, Any], ctx: ParseContext) -> Action:
    every = _duration(ctx, args["every"], "every")
    fixed = args.get("pattern", "poisson") == "fixed"
    extra = {"channel": args["channel"]} if "channel" in args else {}

    async def action(run: "Run") -> None:
        for _ in range(args["count"]):
            contact = await run.admin.inject(queue=args["queue"], **extra)
            run.remember_contact(contact["id"], None)
            await run.clock.sleep(every if fixed else run.rng.expovariate(1 / every))

    return action


@step(r"customers call")
def _customers_call(m: re.Match[str], args: dict[str, Any], ctx: ParseContext) -> Action:
    from ..load.step import parse_customers_call

    return parse_customers_call(args, ctx)


@step(r"wait")
def _wait(m: re.Match[str], args: Any, ctx: ParseContext) -> Action:
    delay = _duration(ctx, args, "wait")
    return lambda run: run.clock.sleep(delay)


@step(r"repeat")
def _repeat(m: re.Match[str], args: dict[str, Any], ctx: ParseContext) -> Action:
    body = parse_steps(args["steps"], ctx.path, ctx.config)

    async def action(run: "Run") -> None:
        for _ in range(args["times"]):
            await run.run_steps(body)

    return action


@step(r"concurrently")
def _concurrently(m: re.Match[str], args: list[list[Any]], ctx: ParseContext) -> Action:
    blocks = [parse_steps(block, ctx.path, ctx.config) for block in args]

    async def action(run: "Run") -> None:
        await asyncio.gather(*(run.run_steps(block) for block in blocks))

    return action


# -- agent steps (from the faces) -------------------------------------------------------------------
@step(r"agent (\S+) (\S+) (.+)")
def _agent_step(m: re.Match[str], args: Any, ctx: ParseContext) -> Action:
    agent, face, op = m.groups()
    if face not in registry.names():
        raise ctx.error(f"agent step: unknown face {face!r}; known: {', '.join(registry.names())}")
    entry = next((a for a in ctx.config.agents if str(a["id"]) == agent), None)
    if entry is None:
        raise ctx.error(f"agent {agent} is not in the scenario's agents")
    if face not in entry:
        raise ctx.error(f"agent {agent} has no {face} section (credentials) in the scenario's agents")
    return registry.get(face).steps_module().parse(agent, op, args, ctx)


# A face's name is one word; RESERVED keeps the library's own first words out of it (registry.py).
@step(r"(expect )?([a-z][a-z0-9_]*) (.+)", when=lambda m: m.group(2) in registry.names())
def _face_step(m: re.Match[str], args: Any, ctx: ParseContext) -> Action:
    """`<face> <op>` and `expect <face> <what>`: steps of a face not played by one agent (an
    administrator's action, a report read back), from its steps module's parse_face_step."""
    expect, face, op = m.groups()
    parse_face = getattr(registry.get(face).steps_module(), "parse_face_step", None)
    if parse_face is None:
        raise ctx.error(f"{face} has no face steps; its steps are `agent <id> {face} <op>`")
    return parse_face(f"expect {op}" if expect else op, args, ctx)


# -- expectations ------------------------------------------------------------------------------------
def _expect_args(args: Any, ctx: ParseContext, listed: str) -> tuple[list[str], float]:
    """`[A, B]` or `{<listed>: [A, B], within: 10s}`."""
    if isinstance(args, dict):
        unknown = set(args) - {listed, "within"}
        if unknown or listed not in args:
            raise ctx.error(f"expected a list, or a mapping with {listed!r} and optional 'within'")
        items, within = args[listed], _duration(ctx, args.get("within", DEFAULT_WITHIN), "within")
    else:
        items, within = args, DEFAULT_WITHIN
    if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
        raise ctx.error(f"expected a non-empty list of {listed}")
    return list(items), within


@step(r"expect events for (\S+)( to include)?")
def _expect_events(m: re.Match[str], args: Any, ctx: ParseContext) -> Action:
    agent, include = m.group(1), bool(m.group(2))
    types, within = _expect_args(args, ctx, "events")

    async def action(run: "Run") -> None:
        driver = run.driver_for(agent)
        if include:
            await driver.expect_included(types, within)
        else:
            await driver.expect_sequence(types, within)

    return action


@step(r"expect agent (\S+) state")
def _expect_agent_state(m: re.Match[str], args: Any, ctx: ParseContext) -> Action:
    from ..core.model import PRESENCES

    agent = m.group(1)
    wanted, within = (args.get("state"), _duration(ctx, args.get("within", 0), "within")) if isinstance(args, dict) else (args, 0.0)
    if wanted not in PRESENCES:
        raise ctx.error(f"agent state must be one of {', '.join(PRESENCES)}, not {wanted!r}")

    async def action(run: "Run") -> None:
        await run.eventually(lambda: run.admin.agent(agent), lambda a: a["presence"] == wanted, within,
                             f"agent {agent} state", wanted, lambda a: a["presence"])

    return action


@step(r"expect queue (\S+)")
def _expect_queue(m: re.Match[str], args: Any, ctx: ParseContext) -> Action:
    queue = m.group(1)
    if not isinstance(args, dict) or set(args) - {"waiting", "within"} or "waiting" not in args:
        raise ctx.error("expect queue: give {waiting: <number>} (and optional within)")
    within = _duration(ctx, args.get("within", 0), "within")

    async def action(run: "Run") -> None:
        async def waiting() -> int:
            state = await run.admin.state()
            found = next((q for q in state["queues"] if q["id"] == queue), None)
            if found is None:
                raise StepFailed(f"no queue {queue!r}")
            return len(found["waiting"])

        await run.eventually(waiting, lambda n: n == args["waiting"], within, f"contacts waiting in {queue}",
                             args["waiting"], lambda n: n)

    return action


_CONTACT_FIELDS = {"state", "endReason", "agent", "queue", "channel", "caller"}


@step(r"expect contact (\S+)")
def _expect_contact(m: re.Match[str], args: Any, ctx: ParseContext) -> Action:
    name = m.group(1)
    if not isinstance(args, dict) or not set(args) <= _CONTACT_FIELDS | {"within"}:
        raise ctx.error(f"expect contact: give some of {', '.join(sorted(_CONTACT_FIELDS))}")
    within = _duration(ctx, args.get("within", 0), "within")
    wanted = {k: v for k, v in args.items() if k != "within"}

    async def action(run: "Run") -> None:
        cid = run.contact_id(None if name == "last" else name)
        await run.eventually(lambda: run.admin.contact(cid), lambda c: all(c.get(k) == v for k, v in wanted.items()),
                             within, f"contact {name}", wanted, lambda c: {k: c.get(k) for k in wanted})

    return action


@step(r"expect contacts")
def _expect_contacts(m: re.Match[str], args: Any, ctx: ParseContext) -> Action:
    if not isinstance(args, dict) or "count" not in args or not set(args) <= _CONTACT_FIELDS | {"count", "within"}:
        raise ctx.error("expect contacts: give {count: N} and filters such as state or endReason")
    within = _duration(ctx, args.get("within", 0), "within")
    filters = {k: v for k, v in args.items() if k not in ("count", "within")}

    async def action(run: "Run") -> None:
        async def count() -> int:
            contacts = (await run.admin.state())["contacts"]
            return sum(all(c.get(k) == v for k, v in filters.items()) for c in contacts)

        await run.eventually(count, lambda n: n == args["count"], within, f"contacts {filters or ''}".strip(),
                             args["count"], lambda n: n)

    return action


@step(r"expect (a|an|no|one|\d+) (\S+) for agent (\S+)(?: within (\S+))?")
def _expect_request_sentence(m: re.Match[str], args: Any, ctx: ParseContext) -> Action:
    count_word, op, agent, within = m.groups()
    count = {"a": None, "an": None, "one": 1, "no": 0}.get(count_word, None if not count_word.isdigit() else int(count_word))
    match = {"op": op, "agent": agent, **(args or {})}
    return _request_action(match, count, _duration(ctx, within or DEFAULT_WITHIN, "within"))


@step(r"expect request")
def _expect_request(m: re.Match[str], args: Any, ctx: ParseContext) -> Action:
    if not isinstance(args, dict):
        raise ctx.error("expect request: give journal fields (face, op, agent, path, method, type), count, within")
    known = {"face", "kind", "op", "agent", "path", "method", "type", "count", "within"}
    if set(args) - known:
        raise ctx.error(f"expect request: unknown field(s) {', '.join(sorted(set(args) - known))}")
    match = {k: str(v) for k, v in args.items() if k not in ("count", "within")}
    return _request_action(match, args.get("count"), _duration(ctx, args.get("within", DEFAULT_WITHIN), "within"))


def _request_action(match: dict[str, Any], count: int | None, within: float) -> Action:
    async def action(run: "Run") -> None:
        await run.expect_requests(match, count, within)

    return action


@step(r"expect .*")
def _unknown_expectation(m: re.Match[str], args: Any, ctx: ParseContext) -> Action:
    known = ["expect events for <agent>", "expect events for <agent> to include", "expect agent <agent> state",
             "expect queue <queue>", "expect contact <name>", "expect contacts", "expect request",
             "expect a <op> for agent <agent> within <duration>", "expect <face> <what>"]
    hint = difflib.get_close_matches(m.group(0), known, n=1, cutoff=0.5)
    raise ctx.error(f"unknown expectation {m.group(0)!r}" + (f"; did you mean {hint[0]!r}?" if hint else f"; known: {'; '.join(known)}"))

