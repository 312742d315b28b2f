"""Where steps run: an in-process simulator (virtual clock by default) or a running `ccsim serve`.

A Session serves many runs (a scenario, each example of an exploration or of `ccsim check`):
each run starts from a reset target, and after each step the declared invariants are checked
over the journal of that run. A driver in another thread (Hypothesis) calls in through a
Portal; the session then holds the virtual clock between steps, so that the driver's thinking
time is not mistaken for a quiescent system.
"""
from __future__ import annotations

import asyncio
import random
from collections.abc import Coroutine
from typing import Any, TypeVar

from ..app import Simulator
from ..clients.wire import WireClient
from ..config import Config
from ..conformance.invariants import View, Violation, violations
from ..clients.admin import AdminClient
from ..core import Clock, RealClock, VirtualClock
from .loader import Scenario
from .runner import Run, format_entry
from .steps import Step

T = TypeVar("T")

# On a real clock, how long after a step the agents' clients get to receive what it caused
# before invariants look (a virtual clock needs no such wait: it settles when quiescent).
REAL_SETTLE_SECONDS = 0.05


class InvariantBroken(AssertionError):
    def __init__(self, broken: list[Violation], excerpt: list[str]):
        self.broken, self.excerpt = broken, excerpt
        first = broken[0]
        lines = [f"invariant {v.invariant!r} broken after {v.step}:" + "".join(f"\n  - {m}" for m in v.messages[:5])
                 for v in broken]
        super().__init__("\n".join(lines))
        self.message, self.expected, self.actual = str(self), first.invariant, first.messages


class Session:
    def __init__(self, config: Config, clock: Clock, wire: WireClient, admin: AdminClient, urls: dict[str, str],
                 sim: Simulator | None):
        self.config, self.clock, self.wire, self.admin, self.urls, self.sim = config, clock, wire, admin, urls, sim
        self.held = False
        self._dicts: dict[int, dict[str, Any]] = {}

    @classmethod
    async def open(cls, config: Config, *, target: str | None = None, speed: float | None = None,
                   clock: Clock | None = None, token: str | None = None) -> "Session":
        """`target`: the admin URL of a running ccsim serve (`token`: its admin token, else
        $CCSIM_ADMIN_TOKEN); else a simulator in this process."""
        if clock is None:
            clock = RealClock(speed or 1.0) if target or speed is not None else VirtualClock()
        wire = WireClient(None if target else clock)
        sim = None
        try:
            if target:
                admin = AdminClient(wire, target, token=token)
                urls = {"admin": target, **{name: face["url"] for name, face in (await admin.health())["faces"].items()}}
            else:
                sim = Simulator(config, clock)
                urls = await sim.start()
                admin = AdminClient(wire, urls["admin"], token=config.admin_token)
        except BaseException:
            if sim is not None:
                await sim.stop()
            await wire.close()
            raise
        return cls(config, clock, wire, admin, urls, sim)

    def hold(self) -> None:
        """From now on a driver in another thread calls in: time stands still between its steps."""
        self.clock.hold()
        self.held = True

    def unhold(self) -> None:
        if self.held:
            self.clock.release()
            self.held = False

    async def close(self) -> None:
        self.unhold()
        if self.sim is not None:
            await self.sim.stop()
        await self.wire.close()

    async def new_run(self, scenario: Scenario, *, reset: bool) -> Run:
        if reset:
            if self.sim is not None:
                self.sim.reset()
            else:
                await self.admin.reset()
        run = Run(scenario, self.clock, self.wire, self.admin, self.urls, random.Random(scenario.seed),
                  world=self.sim.world if self.sim is not None else None)
        run.journal_start = (await self.admin.journal(limit=0))["lastSeq"] + 1
        self._dicts = {}
        return run

    async def end_run(self, run: Run) -> None:
        for driver in run.drivers.values():
            driver.stop()
        await asyncio.gather(*(t for d in run.drivers.values() for t in d.tasks), return_exceptions=True)

    # -- steps and invariants ------------------------------------------------------------------------------
    async def step(self, run: Run, step: Step, invariants: list[str]) -> None:
        """Run one step; then, if there are invariants, let what it caused arrive and check them
        (InvariantBroken names each one broken)."""
        if self.held:
            self.clock.release()
        try:
            run.current = step
            await step.action(run)
            if invariants:
                await self.settle()
                await self.check(run, invariants, step.describe())
        finally:
            if self.held:
                self.clock.hold()

    async def settle(self) -> None:
        if isinstance(self.clock, VirtualClock):
            await self.clock.settle()
        else:
            await self.clock.sleep(REAL_SETTLE_SECONDS)

    async def check(self, run: Run, invariants: list[str], after: str, *, final: bool = False) -> None:
        view = View(self.config, await self.entries(run), self.admin, self.urls, final=final)
        broken = await violations(invariants, view)
        if broken:
            for v in broken:
                v.step = after
            raise InvariantBroken(broken, await self.excerpt(run))

    async def finish(self, run: Run, invariants: list[str]) -> None:
        """The check at the end of a run: expectations still open now count as violations."""
        if not invariants:
            return
        if self.held:
            self.clock.release()
        try:
            await self.settle()
            await self.check(run, invariants, "the last step (end of run)", final=True)
        finally:
            if self.held:
                self.clock.hold()

    async def entries(self, run: Run) -> list[dict[str, Any]]:
        """The run's journal, its entries numbered from 1 at the run's start (so that what an
        invariant says of `#seq` is the same in every run of the same steps)."""
        if self.sim is None:
            found = (await self.admin.journal(since=run.journal_start, secrets=True))["entries"]
            return [{**e, "seq": e["seq"] - run.journal_start + 1} for e in found]
        found = []
        for entry in self.sim.journal.query(since=run.journal_start):
            d = self._dicts.get(entry.seq)
            if d is None:
                d = self._dicts[entry.seq] = {**entry.to_dict(), "seq": entry.seq - run.journal_start + 1}
            found.append(d)
        return found

    async def excerpt(self, run: Run, limit: int = 12) -> list[str]:
        entries = (await self.admin.journal(since=run.journal_start, limit=limit))["entries"]
        return [format_entry(e, entries[0]["at"] if entries else 0.0) for e in entries]


class Portal:
    """Calls into a session's event loop from another thread (Hypothesis runs there)."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop

    def call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()
