"""Benchmark: what the journal keeps per exchange, against the bytes of the exchange on the wire.

    .venv/bin/python bench/journal_size.py [--exchanges 5000]

A Huawei agent's working loop (saybusy, agentevent, sayfree, agentevent, agentstatus) over real
HTTP, in process; the journal's memory is what tracemalloc sees freed when it is cleared,
divided by the exchanges it held. The baseline is the exchanges' own bytes as sent (request
line, headers and body each way). The journal is a ring buffer of `journal_capacity` entries,
so this times the capacity is its bound."""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import tracemalloc

import aiohttp

from ccsim import config
from ccsim.app import Simulator
from ccsim.core import RealClock

LOOP = [("POST", "onlineagent/291/saybusy"), ("GET", "agentevent/291"), ("POST", "onlineagent/291/sayfree"),
        ("GET", "agentevent/291"), ("GET", "onlineagent/291/agentstatus")]
GOAL_BYTES = 512


async def measure(exchanges: int) -> dict[str, float]:
    cfg = config.load()
    cfg.port_base, cfg.journal_capacity = 0, exchanges + 100
    cfg.faces.setdefault("huawei", {})["poll_hold_seconds"] = 0
    sim = Simulator(cfg, RealClock())
    urls = await sim.start()
    base = urls["huawei"] + "/agentgateway/resource/"
    wire = 0
    try:
        async with aiohttp.ClientSession() as http:
            async with http.put(base + "onlineagent/291/loginex", json={"password": "", "phonenum": "40038"}) as resp:
                guid = resp.headers["Set-GUID"].split("=", 1)[1]
            headers = {"Guid": guid, "Content-Type": "application/json; charset=UTF-8"}
            sim.journal.clear()
            gc.collect()
            tracemalloc.start()
            for n in range(exchanges):
                method, path = LOOP[n % len(LOOP)]
                async with http.request(method, base + path, headers=headers) as resp:
                    body = await resp.read()
                    wire += _wire_bytes(method, base + path, headers, b"", resp, body)
            held = len(sim.journal)
            gc.collect()
            before = tracemalloc.get_traced_memory()[0]
            sim.journal.clear()
            gc.collect()
            freed = before - tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
    finally:
        await sim.stop()
    return {"exchanges": held, "journal_bytes_per_exchange": freed / held, "wire_bytes_per_exchange": wire / exchanges,
            "capacity": cfg.journal_capacity}


def _wire_bytes(method: str, url: str, headers: dict[str, str], body: bytes, resp: aiohttp.ClientResponse,
                answer: bytes) -> int:
    path = url.split("/", 3)[3]
    request = len(f"{method} /{path} HTTP/1.1\r\nHost: 127.0.0.1\r\n") + sum(len(k) + len(v) + 4 for k, v in headers.items())
    response = len("HTTP/1.1 200 OK\r\n") + sum(len(k) + len(v) + 4 for k, v in resp.raw_headers)
    return request + len(body) + 2 + response + len(answer) + 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exchanges", type=int, default=5000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = asyncio.run(measure(args.exchanges))
    if args.json:
        print(json.dumps(r))
        return
    print(f"journal: {r['journal_bytes_per_exchange']:.0f} B per exchange over {r['exchanges']} exchanges; the wire: "
          f"{r['wire_bytes_per_exchange']:.0f} B ({r['journal_bytes_per_exchange'] / r['wire_bytes_per_exchange']:.2f}x); "
          f"goal {GOAL_BYTES} B")


if __name__ == "__main__":
    main()
