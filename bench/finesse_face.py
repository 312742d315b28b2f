"""Benchmark: Finesse command round trips over the embedded STOMP endpoint, against a bare
broker round trip measured in the same run.

    .venv/bin/python bench/finesse_face.py [--n 2000]

baseline: a client SENDs to a queue; an in-process consumer publishes the body straight back to
the client's topic (the broker and the client, no Finesse logic).
GetState: the same path with the Finesse face in between (parse, state lookup, State event,
journal, contract-shaped event). Reported as round trips per second and the ratio.
"""
from __future__ import annotations

import argparse
import asyncio
import time

from ccsim import config
from ccsim.app import Simulator
from ccsim.core import Journal, RealClock
from ccsim.vendors.finesse.stomp.broker import StompBroker
from ccsim.vendors.finesse.stomp.client import StompClient


async def round_trips(client: StompClient, jms_type: str, body: str, n: int) -> float:
    for _ in range(50):  # warm-up
        await client.send("/queue/Connector1", body, {"type": jms_type})
        await client.next_message(5)
    start = time.perf_counter()
    for _ in range(n):
        await client.send("/queue/Connector1", body, {"type": jms_type})
        await client.next_message(5)
    return n / (time.perf_counter() - start)


async def baseline(n: int) -> float:
    clock = RealClock()
    broker = StompBroker(clock, Journal(clock), port=0)
    broker.consume("/queue/Connector1", lambda m: broker.publish("/topic/ws1", m.body))
    url = await broker.start()
    client = await StompClient.connect("127.0.0.1", int(url.rsplit(":", 1)[1]))
    await client.subscribe("/topic/ws1", id="e")
    rate = await round_trips(client, "Echo#1", "1001#State#READY", n)
    client.close()
    await broker.stop()
    return rate


async def face(n: int) -> float:
    cfg = config.load()
    cfg.port_base, cfg.journal_capacity = 0, 20 * n
    sim = Simulator(cfg, RealClock())
    urls = await sim.start()
    client = await StompClient.connect("127.0.0.1", int(urls["finesse"].rsplit(":", 1)[1]))
    await client.subscribe("/topic/ws1", id="e")
    await client.send("/queue/Connector1", "ws1,demo", {"type": "Connect#1001"}, receipt=True)
    rate = await round_trips(client, "GetState#1001", "", n)
    client.close()
    await sim.stop()
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    n = parser.parse_args().n
    base, finesse = asyncio.run(baseline(n)), asyncio.run(face(n))
    print(f"{'':<28}{'round trips/s':>14}{'x baseline':>12}")
    print(f"{'baseline (bare broker)':<28}{base:>14.0f}")
    print(f"{'Finesse GetState':<28}{finesse:>14.0f}{finesse / base:>12.3f}")


if __name__ == "__main__":
    main()
