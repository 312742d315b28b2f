"""The load generator of bench/finesse_roundtrip.py, run as its own process:

    stomp_clients.py finesse|echo HOST PORT FIRST COUNT SECONDS

COUNT desktops, each on its own STOMP connection and topic, send a command and wait for its
answer, again and again for SECONDS; prints one JSON line: round trips, seconds, and each round
trip's latency in milliseconds (a sample of them)."""
from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ccsim.vendors.finesse.stomp.client import StompClient  # noqa: E402

QUEUE = "/queue/Connector1"


async def desktop(kind: str, host: str, port: int, agent: int, until: float, latencies: list[float]) -> int:
    client = await StompClient.connect(host, port)
    topic = f"ws{agent}"
    await client.subscribe(f"/topic/{topic}", id="e")
    if kind == "finesse":
        await client.send(QUEUE, f"{topic},pw", {"type": f"Connect#{agent}"}, receipt=True)
        command, body = f"GetState#{agent}", ""
    else:
        command, body = "Echo#1", f"{topic},{agent}#State#READY"
    while True:  # whatever the sign-in sent is not a round trip
        try:
            await client.next_message(0.3)
        except Exception:
            break
    done = 0
    while time.perf_counter() < until:
        started = time.perf_counter()
        await client.send(QUEUE, body, {"type": command})
        await client.next_message(10)
        latencies.append((time.perf_counter() - started) * 1000)
        done += 1
    client.close()
    return done


async def main(kind: str, host: str, port: int, first: int, count: int, seconds: float) -> None:
    latencies: list[float] = []
    until = time.perf_counter() + 1.0 + seconds  # a second for every desktop to connect
    started = time.perf_counter() + 1.0
    counts = await asyncio.gather(*(desktop(kind, host, port, first + n, until, latencies) for n in range(count)))
    sample = latencies if len(latencies) <= 50_000 else random.Random(1).sample(latencies, 50_000)
    print(json.dumps({"round_trips": sum(counts), "seconds": time.perf_counter() - started, "latencies_ms": sample}))


if __name__ == "__main__":
    kind, host, port, first, count, seconds = sys.argv[1:7]
    asyncio.run(main(kind, host, int(port), int(first), int(count), float(seconds)))
