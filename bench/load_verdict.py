"""How often `ccsim load` would judge a correct run wrong: a textbook FIFO M/G/N+G queue replayed
call by call (the queue ccsim load's agents make: Poisson arrivals, the profile's talk, wrap-up
and patience draws, N agents, first come first served, callers who give up leave), measured in
the load report's batches and judged by its own code (load/prediction.py, traffic/interval.py). No
wire, no simulator: thousands of runs in seconds, so the rate of false alarms can be counted.

    .venv/bin/python bench/load_verdict.py --agents 20 --cps 0.4 --duration 4h --runs 2000

prints the share of runs that exit 1, and by which figure (docs/load.md has a table)."""
from __future__ import annotations

import argparse
import heapq
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ccsim.traffic.interval import ratio_interval  # noqa: E402
from ccsim.load.prediction import FIGURES, predict  # noqa: E402
from ccsim.traffic.profile import Distribution, LoadProfile  # noqa: E402
from ccsim.load.report import MIN_CALLS_PER_BATCH  # noqa: E402
from ccsim.core.durations import seconds  # noqa: E402


def replay(profile: LoadProfile, seed: int) -> dict[str, list[tuple[float, float]]]:
    """One run of the FIFO queue: per batch, each figure's (numerator, denominator)."""
    rng = random.Random(seed)
    low, high, k = profile.measured_from, profile.measured_until, profile.batches
    size = (high - low) / k
    free = [0.0] * profile.agents  # when each agent is next free, as a heap
    arrived, answered, in_time, abandoned, waited, busy = ([0.0] * k for _ in range(6))
    t = 0.0
    while True:
        t += rng.expovariate(profile.cps)
        if t >= high:
            break
        patience, handle = profile.patience.draw(rng), profile.talk.draw(rng) + profile.wrap.draw(rng)
        start = max(t, free[0])  # FIFO: the earliest free agent, after everyone before
        batch = int((t - low) // size) if t >= low else None
        if batch is not None:
            arrived[batch] += 1
        if start - t > patience:
            if batch is not None:
                abandoned[batch] += 1
            continue
        heapq.heapreplace(free, start + handle)
        if batch is not None:
            answered[batch] += 1
            waited[batch] += start - t
            in_time[batch] += start - t <= profile.service_level_seconds
        begin, end = max(start, low), min(start + handle, high)
        b = min(k - 1, int((begin - low) // size)) if end > begin else k
        while end > begin:  # the agent's busy time, into the batches it falls in
            until = end if b == k - 1 else min(end, low + (b + 1) * size)
            if until > begin:
                busy[b] += until - begin
                begin = until
            b += 1
    staffed = size * profile.agents
    return {"service_level": list(zip(in_time, arrived)), "average_speed_of_answer": list(zip(waited, answered)),
            "abandon_rate": list(zip(abandoned, arrived)), "occupancy": [(b, staffed) for b in busy]}


def false_alarms(profile: LoadProfile, runs: int) -> tuple[float, dict[str, float]]:
    prediction = predict(profile)
    failed, by_figure = 0, dict.fromkeys(FIGURES, 0)
    for seed in range(runs):
        pieces = replay(profile, seed)
        if min(x for _, x in pieces["service_level"]) < MIN_CALLS_PER_BATCH:
            continue  # not judged
        wrong = [f for f in FIGURES if (iv := ratio_interval(pieces[f])).exists
                 and abs(iv.value - prediction.figures[f]) > iv.half_width + prediction.margins[f]]
        failed += bool(wrong)
        for f in wrong:
            by_figure[f] += 1
    return failed / runs, {f: n / runs for f, n in by_figure.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=20)
    parser.add_argument("--cps", type=float, default=0.4)
    parser.add_argument("--duration", default="4h")
    parser.add_argument("--talk", default="exp:40s")
    parser.add_argument("--wrap", default="5s")
    parser.add_argument("--patience", default="exp:5m")
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    profile = LoadProfile(agents=args.agents, cps=args.cps, duration=seconds(args.duration),
                          talk=Distribution.parse(args.talk), wrap=Distribution.parse(args.wrap),
                          patience=Distribution.parse(args.patience))
    rate, by_figure = false_alarms(profile, args.runs)
    shown = ", ".join(f"{f} {100 * r:.2f} %" for f, r in by_figure.items())
    print(f"{args.agents} agents, {args.cps:g} calls/s for {args.duration}, {profile.batches} batches: "
          f"{100 * rate:.2f} % of {args.runs:,} correct runs exit 1 ({shown})")


if __name__ == "__main__":
    main()
