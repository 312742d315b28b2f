"""Benchmark: Finesse command -> event round trips over the embedded STOMP endpoint, from
external client processes, against a bare STOMP echo measured the same way in the same run.

    .venv/bin/python bench/finesse_roundtrip.py [--desktops 8] [--processes 2] [--seconds 10]

`ccsim serve --faces finesse` in its own process; the load generator (stomp_clients.py, in
--processes processes) keeps --desktops STOMP connections, each sending GetState#<agent> and
waiting for its State event before the next. The baseline is the same endpoint with an echo
consumer instead of the Finesse face (bare_servers.py stomp). Frames per second count what the
endpoint handles: each round trip is a SEND in and a MESSAGE out."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys

from procs import BENCH, bare_server, ccsim_serve, free_port, percentile, port_of

GOALS = {"p99_ms": 5.0, "frames_per_second": 10_000}


def config(desktops: int) -> dict:
    return {"seed": 1, "queues": [{"id": "q", "skills": ["s"]}],
            "agents": [{"id": str(3000 + n), "skills": ["s"], "finesse": {"password": "pw", "extension": str(6000 + n)}}
                       for n in range(desktops)]}


def drive(kind: str, port: int, desktops: int, processes: int, seconds: float) -> dict[str, float]:
    share = desktops // processes
    procs = [subprocess.Popen([sys.executable, str(BENCH / "stomp_clients.py"), kind, "127.0.0.1", str(port),
                               str(3000 + n * share), str(share), str(seconds)], stdout=subprocess.PIPE, text=True)
             for n in range(processes)]
    results = [json.loads(p.communicate(timeout=seconds + 60)[0]) for p in procs]
    latencies = [x for r in results for x in r["latencies_ms"]]
    trips = sum(r["round_trips"] for r in results)
    wall = max(r["seconds"] for r in results)
    return {"round_trips": trips, "frames_per_second": 2 * trips / wall, "p50_ms": percentile(latencies, 0.5),
            "p99_ms": percentile(latencies, 0.99)}


def measure(desktops: int, processes: int, seconds: float) -> dict[str, dict[str, float]]:
    with ccsim_serve(config(desktops), "--faces", "finesse") as (_, urls):
        face = drive("finesse", port_of(urls["finesse"]), desktops, processes, seconds)
    port = free_port()
    with bare_server("stomp", port):
        bare = drive("echo", port, desktops, processes, seconds)
    return {"finesse": face, "baseline": bare}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--desktops", type=int, default=8)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = measure(args.desktops, args.processes, args.seconds)
    if args.json:
        print(json.dumps(r))
        return
    for name, row in r.items():
        print(f"{name:<10} {row['frames_per_second']:>8.0f} frames/s  p50 {row['p50_ms']:.2f} ms  p99 {row['p99_ms']:.2f} ms")
    print(f"ratio {r['finesse']['frames_per_second'] / r['baseline']['frames_per_second']:.2f}x; goals: p99 <= "
          f"{GOALS['p99_ms']:g} ms, >= {GOALS['frames_per_second']:,} frames/s")


if __name__ == "__main__":
    main()
