"""Benchmark: 10,000 agents signed in with held long polls in one process, their memory, and
event delivery at 100 calls/s; against bare aiohttp holding as many long polls, same run.

    .venv/bin/python bench/long_polls.py [--agents 10000] [--cps 100] [--seconds 20]

`ccsim serve --faces huawei` in its own process, with --agents Huawei agents (auto-answer) and
a 30 s poll hold; the load generator (poll_clients.py, another process) signs them all in and
keeps one agentevent poll held for each. Memory: the server's RSS with every poll held, less its
RSS at start, per agent (and the whole RSS per agent). Delivery: calls injected through the
admin API at --cps, timed from the inject request to the agent's AgentEvent_Auto_Answer in its
poll. The baseline (bare_servers.py poll) holds as many GETs and answers one per POST /push."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from procs import BENCH, bare_server, ccsim_serve, free_port, percentile, rss_kib

GOALS = {"kib_per_agent": 50, "p99_ms": 20.0}


def config(agents: int) -> dict:
    return {"seed": 1, "queues": [{"id": "q", "skills": ["s"], "number": "4000", "huawei": {"skill_id": 1}}],
            "agents": [{"id": str(10000 + n), "name": f"Agent {n}", "skills": ["s"],
                        "huawei": {"password": "", "phone": "7" + str(10000 + n)}} for n in range(agents)],
            "faces": {"huawei": {"poll_hold_seconds": 30, "idle_signout_seconds": 3600}},
            "journal_capacity": 20_000, "limits": {"max_connections": agents + 1000}}


def drive(server_pid: int, argv: list[str], seconds: float) -> dict:
    client = subprocess.Popen([sys.executable, str(BENCH / "poll_clients.py"), *argv], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert client.stdout is not None and client.stdin is not None
    line = client.stdout.readline()
    if line.strip() != "HELD":
        raise RuntimeError(f"the load generator said {line!r}")
    held_kib = rss_kib(server_pid)
    client.stdin.write("go\n")
    client.stdin.flush()
    result = json.loads(client.communicate(timeout=seconds + 120)[0].splitlines()[-1])
    result["held_kib"] = held_kib
    return result


def measure(agents: int, cps: float, seconds: float) -> dict[str, dict]:
    out = {}
    with ccsim_serve(config(agents), "--faces", "huawei") as (proc, urls):
        time.sleep(1)
        start_kib = rss_kib(proc.pid)
        r = drive(proc.pid, ["huawei", urls["huawei"], urls["admin"], str(agents), str(cps), str(seconds)], seconds)
        out["ccsim"] = _figures(r, start_kib, agents)
    port = free_port()
    with bare_server("poll", port) as proc:
        time.sleep(0.5)
        start_kib = rss_kib(proc.pid)
        r = drive(proc.pid, ["bare", f"http://127.0.0.1:{port}", "-", str(agents), str(cps), str(seconds)], seconds)
        out["baseline"] = _figures(r, start_kib, agents)
    return out


def _figures(r: dict, start_kib: int, agents: int) -> dict:
    return {"agents": r["agents"], "sign_in_seconds": r["sign_in_seconds"], "calls": r["calls"],
            "delivered": r["delivered"], "p50_ms": percentile(r["latencies_ms"], 0.5),
            "p99_ms": percentile(r["latencies_ms"], 0.99), "rss_start_mib": start_kib / 1024,
            "rss_held_mib": r["held_kib"] / 1024, "kib_per_agent": (r["held_kib"] - start_kib) / agents,
            "rss_kib_per_agent": r["held_kib"] / agents}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--cps", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = measure(args.agents, args.cps, args.seconds)
    if args.json:
        print(json.dumps(r))
        return
    for name, row in r.items():
        print(f"{name:<9} {row['agents']:,} polls held: RSS {row['rss_start_mib']:.0f} -> {row['rss_held_mib']:.0f} MiB, "
              f"{row['kib_per_agent']:.1f} KiB per agent ({row['rss_kib_per_agent']:.1f} with the start); "
              f"{row['delivered']}/{row['calls']} delivered, p50 {row['p50_ms']:.1f} ms, p99 {row['p99_ms']:.1f} ms")


if __name__ == "__main__":
    main()
