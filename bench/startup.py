"""Benchmark: start-up to the first served request, against a bare aiohttp server's.

    .venv/bin/python bench/startup.py [--runs 5]

Each run starts the process and times until an HTTP request to it is answered: `ccsim serve`
on the demo configuration (every face, the admin API; the request is GET /_ccsim/health), and
bare_servers.py's aiohttp server. Reported: the median of the runs, and the ratio."""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.request

from procs import BENCH, ROOT, free_port, free_port_block, stop

GOAL_SECONDS = 0.3


def first_answer(argv: list[str], url: str, timeout: float = 30.0) -> float:
    started = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < timeout:
            try:
                urllib.request.urlopen(url, timeout=1).read()
                return time.perf_counter() - started
            except OSError:
                time.sleep(0.002)
        raise RuntimeError(f"{argv[2:]} did not answer within {timeout} s")
    finally:
        stop(proc)


def measure(runs: int) -> dict[str, float]:
    ccsim, bare = [], []
    for _ in range(runs):
        base = free_port_block()
        ccsim.append(first_answer([sys.executable, "-m", "ccsim", "serve", "--port-base", str(base)],
                                  f"http://127.0.0.1:{base}/_ccsim/health"))
        port = free_port()
        bare.append(first_answer([sys.executable, str(BENCH / "bare_servers.py"), "http", str(port)],
                                 f"http://127.0.0.1:{port}/x"))
    return {"ccsim_seconds": statistics.median(ccsim), "bare_seconds": statistics.median(bare)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    r = measure(parser.parse_args().runs)
    if parser.parse_args().json:
        print(json.dumps(r))
        return
    print(f"start-up to first answer: ccsim serve {r['ccsim_seconds']:.3f} s, bare aiohttp {r['bare_seconds']:.3f} s "
          f"({r['ccsim_seconds'] / r['bare_seconds']:.2f}x); goal {GOAL_SECONDS} s")


if __name__ == "__main__":
    main()
