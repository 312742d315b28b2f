"""Benchmark: the 8-hour long-shift scenario on the virtual clock.

    .venv/bin/python bench/long_shift.py

Reports wall time, simulated seconds per wall second, and the scenario's HTTP exchanges per
second as a ratio to a bare aiohttp round trip measured in the same run (how close the engine,
the clock and the faces come to the cost of the HTTP itself).
"""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp

from baseline import serve_baseline, timed
from ccsim.scenario import loader
from ccsim.scenario.runner import run_scenario

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "huawei" / "long_shift.yaml"


async def baseline_rate(n: int = 3000) -> float:
    runner, url = await serve_baseline({"retcode": "0"})
    async with aiohttp.ClientSession() as session:
        async def get() -> None:
            async with session.get(url) as resp:
                await resp.read()

        rate = await timed(n, get, warmup=0)
    await runner.cleanup()
    return rate


def main() -> None:
    base = asyncio.run(baseline_rate())
    # The engine alone: the contract check every test and `ccsim run` make is left out of the timing.
    result = asyncio.run(run_scenario(loader.load(SCENARIO), keep_journal=True, check_contracts=False))
    if not result.passed:
        sys.exit(f"long shift failed: {result.message}")
    exchanges = sum(1 for e in result.journal if e["kind"] == "http") + sum(1 for e in result.journal if e["kind"] == "control")
    rate = exchanges / result.wall_seconds
    print(f"long shift: {result.simulated_seconds / 3600:.2f} simulated hours in {result.wall_seconds:.2f} s wall "
          f"({result.simulated_seconds / result.wall_seconds:,.0f}x real time)")
    print(f"HTTP exchanges: {exchanges} at {rate:,.0f}/s; bare aiohttp round trips: {base:,.0f}/s; "
          f"ratio {rate / base:.3f}")


if __name__ == "__main__":
    main()
