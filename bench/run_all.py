"""Every benchmark of issue 13 in one command, each against its baseline measured in the same
run, printed as one table (Markdown, as the README has it). A figure that misses its goal says
so in the last column.

    .venv/bin/python bench/run_all.py [--json FILE]

Needs wrk for the REST loop (apt-get install wrk). About four minutes on a 2-core machine."""
from __future__ import annotations

import argparse
import asyncio
import json
import platform
import time

import finesse_roundtrip
import journal_size
import long_polls
import rest_loop
import startup
from long_shift import baseline_rate
from ccsim.core.clock import wall_seconds
from ccsim.traffic.profile import Distribution, LoadProfile
from ccsim.load.runner import run_load

SHIFT_GOAL_SECONDS = 2.0


async def virtual_runs() -> dict[str, dict]:
    """The 8-hour shift and the 10-minute check, with ccsim load, in process on the virtual clock.
    Their baseline: as many bare aiohttp round trips as the run journaled exchanges."""
    rate = await baseline_rate()
    out = {}
    shift = LoadProfile(agents=10, cps=1000 / 28_800, duration=28_800, talk=Distribution("exp", 180))
    check = LoadProfile(agents=1000, cps=20, duration=600)
    for name, profile in (("shift", shift), ("check", check)):
        started = wall_seconds()
        report = await run_load(profile)
        wall = wall_seconds() - started
        exchanges = report.journal.last_seq
        out[name] = {"calls": report.measures.all_arrived, "wall_seconds": wall, "load_seconds": report.load_wall,
                     "exchanges": exchanges, "bare_seconds": exchanges / rate, "agrees": report.agrees,
                     "figures": {r["figure"]: [r["measured"], r["predicted"]] for r in report.comparisons()}}
    return out


def row(name: str, measured: str, baseline: str, ratio: float | None, goal: str, met: bool | None) -> str:
    verdict = {True: "met", False: "**missed**", None: "—"}[met]
    return f"| {name} | {measured} | {baseline} | {'—' if ratio is None else f'{ratio:.2f}x'} | {goal} | {verdict} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", metavar="FILE", help="write every figure as JSON")
    args = parser.parse_args()
    began = time.monotonic()
    rest = rest_loop.measure(50, 10, 500)
    stomp = finesse_roundtrip.measure(8, 2, 10)
    polls = long_polls.measure(10_000, 100, 20)
    start = startup.measure(5)
    journal = asyncio.run(journal_size.measure(5000))
    virtual = asyncio.run(virtual_runs())
    h, hb = rest["huawei"], rest["baseline"]
    f, fb = stomp["finesse"], stomp["baseline"]
    p, pb = polls["ccsim"], polls["baseline"]
    s, c = virtual["shift"], virtual["check"]
    lines = [
        "| benchmark | ccsim | baseline, same run | ratio | goal | |",
        "|---|---|---|---|---|---|",
        row("Huawei stateful REST loop, 50 connections (wrk)", f"{h['rps']:,.0f} req/s", f"{hb['rps']:,.0f} req/s (bare aiohttp)",
            h["rps"] / hb["rps"], ">= 0.6x", h["rps"] / hb["rps"] >= rest_loop.GOALS["ratio"] and h["not_ok"] == 0),
        row("Huawei REST loop p99", f"{h['p99_ms']:.1f} ms", f"{hb['p99_ms']:.1f} ms", h["p99_ms"] / hb["p99_ms"],
            "<= 15 ms", h["p99_ms"] <= rest_loop.GOALS["p99_ms"]),
        row("Finesse command -> event round trip p99 (8 desktops)", f"{f['p99_ms']:.2f} ms",
            f"{fb['p99_ms']:.2f} ms (bare STOMP echo)", f["p99_ms"] / fb["p99_ms"], "<= 5 ms",
            f["p99_ms"] <= finesse_roundtrip.GOALS["p99_ms"]),
        row("Finesse frames per second", f"{f['frames_per_second']:,.0f}", f"{fb['frames_per_second']:,.0f}",
            f["frames_per_second"] / fb["frames_per_second"], ">= 10,000",
            f["frames_per_second"] >= finesse_roundtrip.GOALS["frames_per_second"]),
        row("Long polls held in one process", f"{p['agents']:,} Huawei agents", f"{pb['agents']:,} bare GETs", None,
            "10,000", p["agents"] >= 10_000),
        row("Memory per agent with its poll held", f"{p['kib_per_agent']:.1f} KiB ({p['rss_kib_per_agent']:.1f} with the start)",
            f"{pb['kib_per_agent']:.1f} KiB", p["kib_per_agent"] / pb["kib_per_agent"], "<= 50 KB",
            p["rss_kib_per_agent"] * 1024 <= 50_000),
        row("Event delivery p99, 100 calls/s into 10,000 agents", f"{p['p99_ms']:.1f} ms ({p['delivered']}/{p['calls']})",
            f"{pb['p99_ms']:.1f} ms", p["p99_ms"] / pb["p99_ms"], "<= 20 ms",
            p["p99_ms"] <= long_polls.GOALS["p99_ms"] and p["delivered"] == p["calls"]),
        row("Start-up to first served request", f"{start['ccsim_seconds']:.2f} s", f"{start['bare_seconds']:.2f} s",
            start["ccsim_seconds"] / start["bare_seconds"], "<= 0.3 s", start["ccsim_seconds"] <= startup.GOAL_SECONDS),
        row("Journal bytes per exchange (bounded: journal_capacity entries)", f"{journal['journal_bytes_per_exchange']:.0f} B",
            f"{journal['wire_bytes_per_exchange']:.0f} B on the wire",
            journal["journal_bytes_per_exchange"] / journal["wire_bytes_per_exchange"], "<= 0.5 KB",
            journal["journal_bytes_per_exchange"] <= journal_size.GOAL_BYTES),
        row(f"8-hour shift, {s['calls']:,} calls, virtual clock", f"{s['wall_seconds']:.2f} s wall",
            f"{s['bare_seconds']:.2f} s ({s['exchanges']:,} bare round trips)", s["wall_seconds"] / s["bare_seconds"],
            "<= 2 s", s["wall_seconds"] <= SHIFT_GOAL_SECONDS),
        row(f"ccsim load, 1,000 agents, 20 calls/s, 10 min ({c['calls']:,} calls)", f"{c['wall_seconds']:.1f} s wall",
            f"{c['bare_seconds']:.1f} s ({c['exchanges']:,} bare round trips)", c["wall_seconds"] / c["bare_seconds"],
            "seconds; agrees with Erlang A", c["agrees"]),
    ]
    print(f"ccsim benchmarks: {platform.python_version()}, {platform.machine()}, "
          f"{time.strftime('%Y-%m-%d')}, {time.monotonic() - began:.0f} s")
    print("\n".join(lines))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"rest_loop": rest, "finesse": stomp, "long_polls": polls, "startup": start, "journal": journal,
                       "virtual": virtual}, out, indent=2)


if __name__ == "__main__":
    main()
