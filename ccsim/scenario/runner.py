"""Running a scenario: against an in-process simulator (virtual clock by default) or a running
`ccsim serve` (`target`). World steps and state checks go through the admin API in both cases,
agent steps through the faces' real wire protocols."""
from __future__ import annotations

import asyncio
import random
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ..clients.wire import WireClient
from ..contracts.emitted import journal_violations
from ..clients.admin import MAX_WAIT_SECONDS, AdminClient, AdminError
from ..core import Clock
from ..core.clock import wall_seconds
from .loader import Scenario
from .steps import Step, StepFailed


class AgentDriver:
    """One agent's client on one face during a run: the face subclass polls or subscribes and
    appends what the agent receives to `events`; expectations consume them from `cursor`."""

    def __init__(self, run: "Run", agent_id: str):
        self.run, self.agent_id = run, agent_id
        self.events: list[dict[str, Any]] = []
        self.cursor = 0
        self._waiters: list[asyncio.Future] = []
        self.tasks: list[asyncio.Task] = []

    @staticmethod
    def event_type(event: dict[str, Any]) -> str:
        raise NotImplementedError

    @staticmethod
    def event_detail(event: dict[str, Any]) -> str | None:
        """What `Type:Detail` in an expectation compares with (a state, an error code); None if the
        face has no such thing."""
        return None

    def label(self, event: dict[str, Any]) -> str:
        detail = self.event_detail(event)
        return self.event_type(event) + (f":{detail}" if detail is not None else "")

    def matches(self, event: dict[str, Any], wanted: str) -> bool:
        """`wanted` is an event type, or `Type:Detail` to check the detail too."""
        kind, _, detail = wanted.partition(":")
        return self.event_type(event) == kind and (not detail or self.event_detail(event) == detail)

    def run_task(self, coro: Any) -> asyncio.Task:
        """Run a background activity of this agent's client; stopped with the scenario."""
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.append(task)
        return task

    def received(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def pending_types(self) -> list[str]:
        return [self.label(e) for e in self.events[self.cursor:]]

    async def wait_beyond(self, count: int, timeout: float | None) -> bool:
        """Wait until more than `count` events have arrived; False when `timeout` passes first."""
        if len(self.events) > count:
            return True
        if timeout is not None and timeout <= 0:
            return False
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await self.run.clock.wait_for(waiter, timeout)
            return True
        except TimeoutError:
            return False

    async def _wait_more(self, deadline: float) -> bool:
        return await self.wait_beyond(len(self.events), deadline - self.run.clock.now())

    async def expect_sequence(self, types: list[str], within: float) -> None:
        """The next events are exactly `types`, in order."""
        deadline = self.run.clock.now() + within
        while len(self.events) - self.cursor < len(types):
            if not self._prefix_matches(types):
                break  # already wrong: no need to wait
            if not await self._wait_more(deadline):
                break
        if len(self.events) - self.cursor < len(types) or not self._prefix_matches(types):
            got = self.pending_types()[:len(types)]
            raise StepFailed(f"events for {self.agent_id}: expected exactly {types}", types, got)
        self.cursor += len(types)

    def _prefix_matches(self, types: list[str]) -> bool:
        pending = self.events[self.cursor:self.cursor + len(types)]
        return all(self.matches(event, wanted) for event, wanted in zip(pending, types))

    async def expect_included(self, types: list[str], within: float) -> None:
        """`types` arrive in this order, possibly with others between; consumed up to the last."""
        deadline = self.run.clock.now() + within
        while True:
            position, matched = self.cursor, 0
            for index in range(self.cursor, len(self.events)):
                if matched < len(types) and self.matches(self.events[index], types[matched]):
                    matched += 1
                    position = index + 1
            if matched == len(types):
                self.cursor = position
                return
            if not await self._wait_more(deadline):
                raise StepFailed(f"events for {self.agent_id}: expected to include {types}", types, self.pending_types())

    def stop(self) -> None:
        for task in self.tasks:
            task.cancel()


@dataclass
class Run:
    scenario: Scenario
    clock: Clock
    wire: WireClient
    admin: AdminClient
    urls: dict[str, str]
    rng: random.Random
    contacts: dict[str, str] = field(default_factory=dict)
    last_contact: str | None = None
    drivers: dict[tuple[str, str], AgentDriver] = field(default_factory=dict)
    journal_start: int = 0
    current: Step | None = None
    world: Any = None  # the in-process simulator's World (None against a --target)

    def remember_contact(self, contact_id: str, name: str | None) -> None:
        self.last_contact = contact_id
        if name:
            self.contacts[name] = contact_id

    def contact_id(self, name: str | None) -> str:
        if name is None:
            if self.last_contact is None:
                raise StepFailed("no contact has arrived yet")
            return self.last_contact
        if name not in self.contacts:
            raise StepFailed(f"no contact named {name!r} (name one with `as:` in `customer calls`)")
        return self.contacts[name]

    def driver(self, face: str, agent_id: str, factory: Callable[["Run", str], AgentDriver]) -> AgentDriver:
        key = (face, agent_id)
        if key not in self.drivers:
            self.drivers[key] = factory(self, agent_id)
        return self.drivers[key]

    def driver_for(self, agent_id: str) -> AgentDriver:
        found = [d for (_, a), d in self.drivers.items() if a == agent_id]
        if not found:
            raise StepFailed(f"agent {agent_id} has not signed in on any face in this scenario")
        return found[-1]

    async def run_steps(self, steps: list[Step]) -> None:
        for step in steps:
            self.current = step
            await step.action(self)

    async def eventually(self, fetch: Callable[[], Awaitable[Any]], ok: Callable[[Any], bool], within: float,
                         what: str, expected: Any, shown: Callable[[Any], Any]) -> None:
        """Check now; if not yet true, re-check every second of scenario time until `within`."""
        deadline = self.clock.now() + within
        while True:
            value = await fetch()
            if ok(value):
                return
            if self.clock.now() >= deadline:
                raise StepFailed(f"{what}: expected {expected!r}, got {shown(value)!r}", expected, shown(value))
            await self.clock.sleep(min(1.0, deadline - self.clock.now()))

    async def expect_requests(self, match: dict[str, Any], count: int | None, within: float) -> None:
        described = " ".join(f"{k}={v}" for k, v in match.items())
        if count is None:
            deadline = self.clock.now() + within
            while True:  # the admin API holds a wait for at most MAX_WAIT_SECONDS: ask again
                left = deadline - self.clock.now()
                entry = await self.admin.journal_wait(min(left, MAX_WAIT_SECONDS), since=self.journal_start, **match)
                if entry is not None:
                    return
                if left <= MAX_WAIT_SECONDS:
                    raise StepFailed(f"expected a request matching {described} within {within:g}s", match, None)
        await self.clock.sleep(within)
        found = (await self.admin.journal(since=self.journal_start, secrets=True, **match))["entries"]
        if len(found) != count:
            raise StepFailed(f"expected {count} request(s) matching {described}, got {len(found)}", count, len(found))


@dataclass
class ScenarioResult:
    name: str
    path: str
    passed: bool
    steps_run: int = 0
    wall_seconds: float = 0.0
    simulated_seconds: float = 0.0
    failed_step: str | None = None
    message: str | None = None
    expected: Any = None
    actual: Any = None
    journal_excerpt: list[str] = field(default_factory=list)
    explored_steps: list[Any] | None = None  # with `explore`: the minimal failing sequence
    journal: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {k: v for k, v in self.__dict__.items() if k != "journal"}
        return d


def describe_entry(entry: dict[str, Any]) -> str:
    """One journal entry (as the admin API shows it) in one line: the exchange, or the message."""
    request, response = entry.get("request", {}), entry.get("response", {})
    if entry.get("kind") == "control":
        contact = response.get("body") or {}
        return f"{entry['op']} {contact.get('id', '')} ({contact.get('queue', '')})"
    if entry.get("kind") != "http":  # a message: what was received (type, body) or sent (body)
        if request:
            text = f"<- {request.get('type') or entry['op']} {request.get('body') or ''}"
        else:
            text = f"-> {response.get('destination') or ''} {response.get('body') or ''}"
        return f"{entry['kind']} {text}"[:180].rstrip()
    body = response.get("body")
    outcome = body.get("retcode", "") if isinstance(body, dict) else ""
    types = f" [{', '.join(entry['types'])}]" if entry.get("types") else ""
    return f"{request.get('method', '')} {request.get('path', '')} -> {response.get('status', '')} {outcome}{types}".rstrip()


def format_entry(entry: dict[str, Any], origin: float) -> str:
    return f"+{entry['at'] - origin:10.3f}s {entry['face']:<8} {describe_entry(entry)}"


async def run_scenario(scenario: Scenario, *, target: str | None = None, speed: float | None = None,
                       keep_journal: bool = False, check_contracts: bool = True) -> ScenarioResult:
    """Run one scenario. `target`: admin URL of a running ccsim serve; `speed`: play on a real
    clock at that speed instead of the virtual clock. In process, what the simulator emitted is
    then checked against contracts/ (`check_contracts`; off only to time the engine alone).
    The scenario's `invariants` are checked after every step and at the end; with `explore`,
    Hypothesis then plays sequences drawn from its steps (see explore.py)."""
    from .explore import explore
    from .session import Session

    wall = wall_seconds()
    if speed is None and scenario.clock == "real" and not target:
        speed = scenario.speed
    result = ScenarioResult(scenario.name, scenario.path, passed=False)
    try:
        session = await Session.open(scenario.config, target=target, speed=speed)
    except (OSError, AdminError, ValueError) as exc:  # ValueError: settings this run cannot use
        result.message = f"cannot run: {exc}"
        result.wall_seconds = wall_seconds() - wall
        return result
    clock, sim = session.clock, session.sim
    start_time = clock.now()
    try:
        run = await session.new_run(scenario, reset=bool(target))
        try:
            for index, step in enumerate(scenario.steps):
                await session.step(run, step, scenario.invariants)
                result.steps_run = index + 1
            await session.finish(run, scenario.invariants)
            if scenario.explore is not None:
                await session.end_run(run)
                run = await explore(session, scenario, result)
            for error in getattr(clock, "callback_errors", [])[:1]:
                raise RuntimeError(f"a simulator timer failed:\n{error}")
            for error in list(sim.world.routing_errors if sim is not None else ())[:1]:
                raise RuntimeError(f"a face failed inside routing:\n{error}")
            problems = journal_violations(sim.journal) if sim is not None and check_contracts else []
            if problems:  # what the simulator said must match contracts/, in every run
                raise RuntimeError("the simulator broke contracts/:\n" + "\n".join(problems[:10]))
            result.passed = True
        except (StepFailed, AdminError, Exception) as exc:
            failed = getattr(exc, "steps", None)
            if failed is not None:  # an exploration: the shrunk sequence that failed
                result.explored_steps = failed
            result.failed_step = run.current.describe() if run.current else None
            result.message = getattr(exc, "message", None) or (str(exc) if isinstance(exc, AdminError) else
                                                               f"ccsim internal error (please report):\n{traceback.format_exc()}")
            result.expected = getattr(exc, "expected", None)
            result.actual = getattr(exc, "actual", None)
            excerpt = getattr(exc, "excerpt", None)
            result.journal_excerpt = excerpt if excerpt is not None else await session.excerpt(run)
        finally:
            await session.end_run(run)
        if keep_journal and sim is not None:
            result.journal = [e.to_dict() for e in sim.journal.query()]
    except (OSError, AdminError) as exc:
        result.message = f"cannot run: {exc}"
    finally:
        result.simulated_seconds = clock.now() - start_time
        await session.close()
    result.wall_seconds = wall_seconds() - wall
    return result
