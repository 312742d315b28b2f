"""Benchmark: the long-poll kill race of issue 22 (item 13). A poller in a process of its own is
killed (SIGKILL) within 1.5 ms of an event, --kills times per face; three events come 0.5 ms
apart each time; then a last poller takes what is left. Counts the events no poller received.

    .venv/bin/python bench/long_poll_kill.py [--kills 40] [--seed 22]

Two kinds of poller: one that reads each answer as soon as its socket is readable (the issue's
test), and one at work when the answer comes (it reads 5 ms later). What a poller read before
it died is lost to any server (its kernel handed the bytes over); the busy poller never reads
before the kill, so every loss it sees is one the server could have avoided. The harness is
tests/support/kill_race.py, as tests/serving/test_long_poll_kill.py uses it."""
from __future__ import annotations

import argparse
import asyncio

import procs  # noqa: F401 (puts tests/ on the path)
from support.kill_race import TARGETS, kill_race, race_config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.core import RealClock

READERS = {"reads at once": 0.0, "reads 5 ms late": 0.005}


async def measure(kills: int, seed: int) -> list[tuple[str, str, str]]:
    rows = []
    for face, make_target in sorted(TARGETS.items()):
        for reader, busy in READERS.items():
            sim = Simulator(race_config(), RealClock())
            await sim.start()
            try:
                async with WireClient() as wire:
                    target = await make_target(sim, wire)
                outcome = await kill_race(target, kills=kills, busy=busy, seed=seed)
            finally:
                await sim.stop()
            rows.append((face, reader, repr(outcome)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=40)
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args()
    rows = asyncio.run(measure(args.kills, args.seed))
    print("| face | poller | outcome |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
