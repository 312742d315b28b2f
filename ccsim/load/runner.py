"""One load run: the agents sign in over their faces' wire protocols, customers call at the
profile's rate (Poisson arrivals, with the ramps), talk for a drawn time and hang up, or give up
when their patience runs out; the meter measures the window; the report judges it by Erlang A."""
from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import yaml

from ..core import Clock, ContactState, StoreFull, World
from ..core.clock import wall_seconds
from ..scenario import loader
from ..scenario.session import Session
from .agents import QUEUE, Bots, scenario_data
from ..traffic.measure import Measures, Meter
from ..traffic.profile import LoadProfile
from .report import LoadReport

Progress = Callable[[str], None]


class Customers:
    """The callers: arrivals at the profile's rate (a Poisson process thinned to follow the
    ramps), each with a patience and, once answered, a talk time."""

    def __init__(self, world: World, clock: Clock, profile: LoadProfile, rng: random.Random, meter: Meter,
                 queue: str = QUEUE):
        self.world, self.clock, self.profile, self.rng, self.meter = world, clock, profile, rng, meter
        self.queue = queue
        self.patience: dict[str, Any] = {}  # contact -> its give-up timer (None: never), while it waits
        self.live: set[str] = set()
        self.refused = 0  # callers refused because the live contacts filled their memory budget
        self.started = clock.now()
        world.bus.subscribe("contact.connected", self._connected)
        world.bus.subscribe("contact.ended", self._ended)

    async def call(self) -> None:
        t, peak = 0.0, self.profile.cps
        while True:
            t += self.rng.expovariate(peak)
            if t >= self.profile.calling_until:
                return
            if self.rng.random() * peak > self.profile.rate_at(t):
                continue
            await self.clock.sleep(max(0.0, self.started + t - self.clock.now()))
            try:
                contact = self.world.inject(self.queue, route=False)
            except StoreFull:  # live calls fill memory.contacts_bytes: this caller hears busy
                self.refused += 1
                continue
            self.live.add(contact.id)
            self.meter.arrival(contact.id, self.clock.now() - self.started)
            patience = self.profile.patience.draw(self.rng)
            self.patience[contact.id] = None if math.isinf(patience) else \
                self.clock.call_later(patience, lambda c=contact.id: self._give_up(c))
            self.world.route()

    def _give_up(self, contact_id: str) -> None:
        self.patience.pop(contact_id, None)
        contact = self.world.contacts.get(contact_id)
        if contact is not None and contact.state in (ContactState.QUEUED, ContactState.OFFERED):
            self.world.end(contact_id, "customer")

    def _connected(self, event: Any) -> None:
        if event.contact not in self.patience:
            return  # not one of our callers, or answered before (a call offered again)
        timer = self.patience.pop(event.contact)
        if timer is not None:
            timer.cancel()
        self.clock.call_later(self.profile.talk.draw(self.rng), lambda c=event.contact: self._hang_up(c))

    def _hang_up(self, contact_id: str) -> None:
        contact = self.world.contacts.get(contact_id)
        if contact is not None and not contact.ended:
            self.world.end(contact_id, "customer")

    def _ended(self, event: Any) -> None:
        self.live.discard(event.contact or "")
        timer = self.patience.pop(event.contact or "", None)
        if timer is not None:
            timer.cancel()


async def run_load(profile: LoadProfile, progress: Progress | None = None, *,
                   journal_capacity: int = 20_000) -> LoadReport:
    profile.check()
    data, ids = scenario_data(profile)
    scenario = loader.loads(yaml.safe_dump(data, sort_keys=False), "ccsim load")
    scenario.config.journal_capacity = journal_capacity
    scenario.config.ended_contacts_kept = max(1000, journal_capacity // 10)
    wall_start = wall_seconds()
    session = await Session.open(scenario.config, speed=profile.speed)
    sim, clock = session.sim, session.clock
    assert sim is not None
    run = await session.new_run(scenario, reset=False)
    # Its own stream (a string seed), not seed + 1: with --seeds, seed + 1 is the next run's callers.
    bots = Bots(clock, profile, random.Random(f"wrap-up {profile.seed}"))
    try:
        await run.run_steps(scenario.steps)
        if ids.get("xcally"):
            await bots.sign_in_xcally(run.wire, run.urls["xcally"], ids["xcally"])
        await clock.sleep(1)  # the sign-in events arrive
        for (face, _), driver in run.drivers.items():
            bots.work(face, driver)
        signed_in = wall_seconds() - wall_start
        started = clock.now()
        meter = Meter(sim.world, (profile.measured_from, profile.measured_until), profile.service_level_seconds,
                      started, profile.batches)
        customers = Customers(sim.world, clock, profile, random.Random(profile.seed), meter)
        load_wall = wall_seconds()
        watcher = asyncio.get_running_loop().create_task(_progress(clock, profile, meter, customers, progress, started))
        try:
            await customers.call()
            await drain(clock, customers, profile)
        finally:
            watcher.cancel()
        measures = meter.finish(clock.now())
        return LoadReport(profile=profile, measures=measures, agents_by_face={f: len(v) for f, v in ids.items()},
                          sign_in_wall=signed_in, load_wall=wall_seconds() - load_wall,
                          simulated=clock.now() - started, events_received=bots.received,
                          failures=bots.failures + [repr(e) for e in getattr(clock, "callback_errors", [])]
                          + list(sim.world.routing_errors)
                          + ([f"{customers.refused:,} callers refused: the live calls filled memory.contacts_bytes"]
                             if customers.refused else []),
                          journal=sim.journal, seeds=[profile.seed])
    finally:
        await bots.stop()
        await session.end_run(run)
        await session.close()


async def run_seeds(profile: LoadProfile, count: int, progress: Progress | None = None, *,
                    journal_capacity: int = 20_000) -> LoadReport:
    """`count` runs, seeds profile.seed, profile.seed + 1, ...: one report whose intervals come
    from the spread between the runs (each run one piece), which are independent by construction."""
    if count <= 1:
        return await run_load(profile, progress, journal_capacity=journal_capacity)
    reports = []
    for seed in range(profile.seed, profile.seed + count):
        if progress is not None:
            progress(f"seed {seed} ({seed - profile.seed + 1} of {count})")
        reports.append(await run_load(replace(profile, seed=seed), progress, journal_capacity=journal_capacity))
    last = reports[-1]
    return LoadReport(profile=profile, measures=Measures.pooled(r.measures for r in reports),
                      agents_by_face=last.agents_by_face, sign_in_wall=sum(r.sign_in_wall for r in reports),
                      load_wall=sum(r.load_wall for r in reports), simulated=sum(r.simulated for r in reports),
                      events_received=sum(r.events_received for r in reports),
                      failures=[f"seed {r.profile.seed}: {f}" for r in reports for f in r.failures],
                      journal=last.journal, seeds=[r.profile.seed for r in reports])


async def drain(clock: Clock, customers: Customers, profile: LoadProfile) -> None:
    """After the last arrival: until every call has ended (bounded, in case one never does)."""
    patience = profile.patience.mean if math.isfinite(profile.patience.mean) else 0.0
    deadline = clock.now() + 10 * (profile.handle_time + patience) + 60
    while customers.live and clock.now() < deadline:
        await clock.sleep(1)
    await clock.sleep(2 * max(profile.wrap.mean, 1))  # the last wrap-ups end


async def _progress(clock: Clock, profile: LoadProfile, meter: Meter, customers: Customers,
                    progress: Progress | None, started: float) -> None:
    if progress is None:
        return
    every = profile.calling_until / 10 if profile.speed is None else max(1.0, 5 * profile.speed)
    wall = wall_seconds()
    while True:
        await clock.sleep(every)
        m = meter.measures
        t = clock.now() - started
        waiting = sum(len(q.waiting) for q in meter.world.queues.values())
        progress(f"t={t:>7.0f} s  rate {profile.rate_at(t):>6.1f}/s  arrived {m.all_arrived:>7,}  answered "
                 f"{m.all_answered:>7,}  abandoned {m.all_abandoned:>6,}  waiting {waiting:>5,}  handling "
                 f"{meter.handling_now:>6,}/{profile.agents:,}  wall {wall_seconds() - wall:>6.1f} s")
