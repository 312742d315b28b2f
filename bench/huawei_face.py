"""Benchmark: the Huawei face against a bare aiohttp baseline, in the same process and run.

    .venv/bin/python bench/huawei_face.py [--requests 3000]

Reports requests per second for
  * baseline: a bare aiohttp handler answering a fixed JSON envelope,
  * huawei agentstatus: a full face request (routing, Guid check, envelope, journal),
  * huawei agentevent: a long poll answered at once (an event was queued),
and each face figure as a ratio to the baseline; plus the journal's memory per entry against a
baseline of plain dicts holding the same data. Ratios, not absolute times, are what to compare
between machines and commits.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import tracemalloc

import aiohttp

from baseline import print_rates, ratios, serve_baseline, timed
from ccsim import config
from ccsim.app import Simulator
from ccsim.core import Journal, RealClock

ENVELOPE = {"message": "", "retcode": "0", "result": {"agentState": 4, "isWorking": False}}


async def requests(n: int) -> dict[str, float]:
    runner, baseline_url = await serve_baseline(ENVELOPE)

    cfg = config.load()
    cfg.port_base = 0
    cfg.journal_capacity = 10 * n
    sim = Simulator(cfg, RealClock())
    await sim.start()
    base = sim.urls["huawei"] + "/agentgateway/resource/"
    try:
        async with aiohttp.ClientSession() as session:
            async with session.put(base + "onlineagent/291/loginex", json={"password": ""}) as resp:
                guid = resp.headers["Set-GUID"].split("=", 1)[1]
            headers = {"Guid": guid}
            async def get(url: str, headers: dict[str, str] | None = None) -> None:
                async with session.get(url, headers=headers) as resp:
                    await resp.read()

            out = {"baseline": await timed(n, lambda: get(baseline_url))}
            out["agentstatus"] = await timed(n, lambda: get(base + "onlineagent/291/agentstatus", headers))
            gateway = sim.faces["huawei"].gateway
            session_291 = gateway.sessions["291"]
            for _ in range(n + 60):
                gateway.emit(session_291, "AgentState_Ready")
            out["agentevent"] = await timed(n, lambda: get(base + "agentevent/291", headers))
    finally:
        await sim.stop()
        await runner.cleanup()
    return out


def journal_memory(n: int) -> tuple[float, float]:
    request = {"method": "GET", "path": "/agentgateway/resource/agentevent/291", "query": {},
               "headers": {"Guid": "x" * 45}, "body": None}
    response = {"status": 200, "headers": {}, "body": {"message": "", "retcode": "0", "event": None}}
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    plain = [{"face": "huawei", "op": "agentevent", "request": dict(request), "response": dict(response)} for _ in range(n)]
    baseline = (tracemalloc.get_traced_memory()[0] - before) / n
    del plain
    before = tracemalloc.get_traced_memory()[0]
    journal = Journal(RealClock(), capacity=n)
    for _ in range(n):
        journal.record("huawei", "http", "agentevent", agent="291", request=dict(request), response=dict(response))
    per_entry = (tracemalloc.get_traced_memory()[0] - before) / n
    tracemalloc.stop()
    return baseline, per_entry


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    rates = asyncio.run(requests(args.requests))
    mem_base, mem_entry = journal_memory(20_000)
    result = {
        **ratios(rates),
        "journal_bytes_per_entry": {"plain_dicts": round(mem_base), "journal": round(mem_entry),
                                    "ratio": round(mem_entry / mem_base, 3)},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print_rates(rates)
    print(f"journal memory per entry: {mem_entry:.0f} B vs {mem_base:.0f} B for plain dicts "
          f"({mem_entry / mem_base:.3f}x)")


if __name__ == "__main__":
    main()
