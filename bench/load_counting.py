"""Benchmark: load with counting. Agents sign in across Huawei, NICE CXone and Finesse with their
vendors' own clients (the scenario engine's drivers: Huawei agentevent long polls, CXone
get-next-event, a STOMP subscription per Finesse agent); customers call at a steady rate for a
bounded time, agents answer (Huawei auto-answer, CXone auto-accept, Finesse AnswerCall sent by
the agent's client on NewInboundCall), talk and the customer hangs up, or gives up waiting.
Every event each client received is then compared with what the journal says was sent to it,
as it was recorded (so the journal's ring buffer may drop entries meanwhile): lost, duplicated,
out of order. Memory (RSS) is sampled once the journal is full and at the end.

    .venv/bin/python bench/load_counting.py [--agents 1000] [--cps 100] [--seconds 60] [--journal-capacity N]

Runs on the virtual clock in one process: the figures count correctness under load, and the
wall time says what the load cost (contacts handled per wall second).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
from collections import Counter, defaultdict, deque
from pathlib import Path
from typing import Any

import yaml

from ccsim import config
from ccsim.core import ContactState
from ccsim.core.clock import wall_seconds
from ccsim.load.agents import agent_ids
from ccsim.scenario import loader
from ccsim.scenario.session import Session
from ccsim.vendors.finesse.steps import dialog_of

FACES = ("huawei", "nice", "finesse")
SIGN_IN = {
    "huawei": lambda a: [{f"agent {a} huawei loginex": {}}],
    "nice": lambda a: [{f"agent {a} nice start-session": {"stationPhoneNumber": "WebRTC"}},
                       {f"agent {a} nice set-state": {"state": "Available"}}],
    "finesse": lambda a: [{f"agent {a} finesse Connect": {}}, {f"agent {a} finesse Login": {}},
                          {f"agent {a} finesse MakeReady": {}}],
}


def scenario_text(agents: int) -> tuple[str, dict[str, list[str]]]:
    share = {"huawei": agents * 2 // 5, "nice": agents * 3 // 10}
    share["finesse"] = agents - share["huawei"] - share["nice"]
    ids = {face: agent_ids(face, share[face]) for face in FACES}
    people: list[dict[str, Any]] = []
    for a in ids["huawei"]:
        people.append({"id": a, "skills": ["h"], "huawei": {"password": "", "phone": "4" + a}})
    for a in ids["nice"]:
        people.append({"id": a, "skills": ["n"], "nice": {"username": f"u{a}@example.com", "password": "pw",
                                                          "auto_accept": True}})
    for a in ids["finesse"]:
        people.append({"id": a, "skills": ["f"], "finesse": {"password": "pw", "extension": "5" + a}})
    data = {
        "name": "load with counting", "seed": 5,
        "faces": {"huawei": {"poll_hold_seconds": 30, "idle_signout_seconds": 120},
                  "nice": {"leg_answer_seconds": 0.5, "acw_seconds": 2}, "finesse": {}},
        "queues": [{"id": "q-huawei", "skills": ["h"], "number": "4001", "huawei": {"skill_id": 1}},
                   {"id": "q-nice", "skills": ["n"], "number": "8005550100"},
                   {"id": "q-finesse", "skills": ["f"], "number": "4003"}],
        "agents": people,
        "steps": [step for face in FACES for a in ids[face] for step in SIGN_IN[face](a)],
    }
    return yaml.safe_dump(data, sort_keys=False), ids


def fingerprint(event: Any) -> str:
    return event if isinstance(event, str) else json.dumps(event, sort_keys=True)


class Ledger:
    """Per client, the events the journal says were sent and not yet received (tapped as the
    journal records them, so its ring buffer may drop entries meanwhile). Each event a client
    receives must be the oldest one outstanding: anything else is a loss, a duplicate or a
    reordering. Only what is in flight is kept, so the ledger's memory stays flat."""

    def __init__(self, journal: Any):
        self.outstanding: dict[tuple[str, str], deque[str]] = defaultdict(deque)
        self.sent = self.duplicated = self.reordered = 0
        record = journal.record

        def tapped(face: str, kind: str, op: str, **kw: Any) -> Any:
            entry = record(face, kind, op, **kw)
            self.see(entry)
            return entry

        journal.record = tapped

    def see(self, e: Any) -> None:
        body = e.response.get("body")
        if e.face == "huawei" and e.op == "agentevent" and e.response.get("status") == 200 and isinstance(body, dict):
            events = [] if body.get("event") is None else [body["event"]]
        elif e.face == "nice" and e.op == "get-next-event" and e.response.get("status") == 200:
            events = body["events"]
        elif e.face == "finesse" and e.kind == "jms" and "tokens" in e.response and e.agent:
            events = [e.response["body"]]
        else:
            return
        self.sent += len(events)
        self.outstanding[e.face, e.agent].extend(map(fingerprint, events))

    def received(self, face: str, agent: str, event: Any) -> None:
        waiting = self.outstanding[face, agent]
        got = fingerprint(event)
        if waiting and waiting[0] == got:
            waiting.popleft()
        elif got in waiting:
            self.reordered += 1
            waiting.remove(got)
        else:
            self.duplicated += 1

    @property
    def lost(self) -> int:
        return sum(len(q) for q in self.outstanding.values())


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def as_sent(face: str, event: dict[str, Any]) -> Any:
    """A client's event as the journal has it (Finesse: the `#` text)."""
    return event["text"] if face == "finesse" else event


def watch(driver: Any, face: str, ledger: Ledger) -> None:
    """Each event the agent's client receives goes to the ledger and is not kept; a Finesse
    desktop answers each call that rings (NewInboundCall), as its agent would."""
    def received(event: dict[str, Any]) -> None:
        ledger.received(face, driver.agent_id, as_sent(face, event))
        if face == "finesse" and driver.event_type(event) == "NewInboundCall":
            driver.run_task(driver.send(f"AnswerCall#{driver.agent_id}", dialog_of(event["tokens"]) or ""))

    driver.events.clear()
    driver.received = received


async def run(agents: int, cps: float, seconds: float, talk: tuple[float, float], patience: float,
              journal_capacity: int) -> dict[str, Any]:
    text, ids = scenario_text(agents)
    scenario = loader.loads(text, "load")
    scenario.config.journal_capacity = journal_capacity
    scenario.config.ended_contacts_kept = journal_capacity // 10
    session = await Session.open(scenario.config)
    sim, clock = session.sim, session.clock
    assert sim is not None
    ledger = Ledger(sim.journal)
    started = wall_seconds()
    run_ = await session.new_run(scenario, reset=False)
    await run_.run_steps(scenario.steps)
    signed_in = wall_seconds() - started
    await clock.sleep(1)  # the sign-in events arrive
    for (face, _), driver in run_.drivers.items():
        for event in driver.events:
            ledger.received(face, driver.agent_id, as_sent(face, event))
        watch(driver, face, ledger)

    rng = random.Random(5)
    world = sim.world

    def hang_up(contact_id: str) -> None:
        contact = world.contacts.get(contact_id)  # (ended ones may be forgotten already)
        if contact is not None and not contact.ended:
            world.end(contact_id, "customer")

    def give_up(contact_id: str) -> None:
        contact = world.contacts.get(contact_id)
        if contact is not None and contact.state in (ContactState.QUEUED, ContactState.OFFERED):
            world.end(contact_id, "customer")

    ended: Counter[str] = Counter()
    world.bus.subscribe("contact.ended", lambda e: ended.update([e.data["reason"]]))
    world.bus.subscribe("contact.connected", lambda e: clock.call_later(rng.uniform(*talk), lambda: hang_up(e.contact)))
    queues = [q for face in FACES for q in [f"q-{face}"] * len(ids[face])]
    memory: dict[str, float] = {}
    load_started, injected = wall_seconds(), 0
    end = clock.now() + seconds
    while clock.now() < end:
        await clock.sleep(rng.expovariate(cps))
        contact = world.inject(rng.choice(queues))
        injected += 1
        clock.call_later(patience, lambda c=contact.id: give_up(c))
        if len(sim.journal) == sim.journal.capacity and injected % 1000 == 0:
            memory[f"after {injected} contacts"] = rss_mib()
    await clock.sleep(talk[1] + patience + 30)  # every call ends, every event is polled
    load_wall = wall_seconds() - load_started
    memory["end"] = rss_mib()
    results: dict[str, Any] = {"lost": ledger.lost, "duplicated": ledger.duplicated, "reordered": ledger.reordered,
                               "events": ledger.sent, "timer_errors": len(clock.callback_errors)}
    await session.end_run(run_)
    await session.close()
    results.update(agents=len(run_.drivers), injected=injected, ended=dict(ended), virtual_seconds=seconds,
                   sign_in_wall=signed_in, load_wall=load_wall, memory=memory,
                   journal_dropped=sim.journal.dropped, journal_capacity=sim.journal.capacity)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--cps", type=float, default=100, help="contacts per (virtual) second")
    parser.add_argument("--seconds", type=float, default=60, help="how long customers keep calling")
    parser.add_argument("--journal-capacity", type=int, default=20_000,
                        help="journal entries kept (a tenth as many ended contacts are kept)")
    args = parser.parse_args()
    r = asyncio.run(run(args.agents, args.cps, args.seconds, (2.0, 6.0), 20.0, args.journal_capacity))
    mem = r["memory"]
    print(f"agents signed in: {r['agents']} (Huawei, NICE, Finesse) in {r['sign_in_wall']:.1f} s wall")
    print(f"contacts: {r['injected']} over {r['virtual_seconds']:g} virtual s ({args.cps:g}/s); ended: {r['ended']}")
    print(f"events sent to clients (journal): {r['events']}; lost {r['lost']}, duplicated {r['duplicated']}, "
          f"out of order {r['reordered']}")
    print(f"journal: capacity {r['journal_capacity']}, dropped {r['journal_dropped']} (events were counted as recorded)")
    print("RSS once the journal is full: " + ", ".join(f"{v:.1f} MiB {k}" for k, v in mem.items()))
    print(f"wall: {r['load_wall']:.1f} s for the load, {r['injected'] / r['load_wall']:.0f} contacts per wall second")
    if r["timer_errors"]:
        print(f"{r['timer_errors']} timer callbacks failed (see the log)")
    sys.exit(0 if r["lost"] == r["duplicated"] == r["reordered"] == r["timer_errors"] == 0 else 1)


if __name__ == "__main__":
    main()
