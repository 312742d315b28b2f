"""Benchmark: the XCALLY and Intermedia/Halo faces against a bare aiohttp baseline, same run.

    .venv/bin/python bench/xcally_intermedia.py [--requests 2000]

Reports requests per second for
  * baseline: a bare aiohttp handler answering a small JSON object,
  * xcally list-users: GET /api/users with 20 agents ({count, rows}, Basic auth, journal),
  * xcally chat cycle: accept and close a routed chat over REST (two requests per chat; the
    routing, the limit checks and the report rows run in between),
  * halo notify: POST /api/notify/intermedia (Basic auth, body check, matching, a CallLog row),
and each as a ratio to the baseline. Ratios, not absolute rates, compare machines and commits.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json

import aiohttp

from baseline import print_rates, ratios, serve_baseline, timed
from ccsim import config
from ccsim.app import Simulator
from ccsim.core import RealClock

ADMIN = {"Authorization": "Basic " + base64.b64encode(b"admin:Admin#2026").decode()}
AGENT = {"Authorization": "Basic " + base64.b64encode(b"agent0:Passw0rd!").decode()}
HALO = {"Authorization": "Basic " + base64.b64encode(b"intermedia:ccsim-halo-webhook").decode()}


def bench_config(n: int) -> config.Config:
    agents = [{"id": f"x{i}", "xcally": {"name": f"agent{i}", "password": "Passw0rd!"}} for i in range(20)]
    agents += [{"id": f"i{i}", "intermedia": {"number": f"+1555000{i:04d}", "email": f"i{i}@example.com"}}
               for i in range(20)]
    users = [{"id": i + 1, "name": f"User {i}", "phonenumber": f"+1555999{i:04d}"} for i in range(200)]
    return config.from_mapping({
        "port_base": 0, "enable": ["xcally", "intermedia"], "journal_capacity": 10 * n,
        "agents": agents, "queues": [{"id": "web", "channel": "chat", "xcally": {"members": ["x0"]}}],
        "faces": {"intermedia": {"halo_users": users}}}, "bench")


async def run(n: int) -> dict[str, float]:
    runner, baseline_url = await serve_baseline({"count": 1, "rows": [{"id": 1}]})
    sim = Simulator(bench_config(n), RealClock())
    await sim.start()
    xcally, halo = sim.urls["xcally"] + "/api", sim.urls["intermedia"]
    face = sim.faces["xcally"]
    try:
        async with aiohttp.ClientSession() as session:
            async def get(url: str, headers=None) -> None:
                async with session.get(url, headers=headers) as resp:
                    await resp.read()

            async def send(method: str, url: str, body, headers) -> None:
                async with session.request(method, url, data=json.dumps(body), headers=headers) as resp:
                    await resp.read()
                    assert resp.status < 300, resp.status

            out = {"baseline": await timed(n, lambda: get(baseline_url))}
            out["xcally list-users"] = await timed(n, lambda: get(xcally + "/users", ADMIN))
            await send("POST", xcally + "/users/1/login", {}, AGENT)

            async def chat_cycle() -> None:
                sim.world.inject("web", channel="chat", caller="visitor")
                interaction = max(face.interactions.values(), key=lambda i: i.id)
                await send("POST", f"{xcally}/chat/interactions/{interaction.id}/accept", {}, AGENT)
                await send("PUT", f"{xcally}/chat/interactions/{interaction.id}", {"closed": True}, AGENT)

            out["xcally chat cycle"] = 2 * await timed(n // 2, chat_cycle)
            body = {"CallID": "c", "AgentNumber": "+15550000007", "AgentEmail": "", "UserNumber": "+15559990123",
                    "RecordingUrl": ""}
            out["halo notify"] = await timed(n, lambda: send("POST", halo + "/api/notify/intermedia", body, HALO))
    finally:
        await sim.stop()
        await runner.cleanup()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    rates = asyncio.run(run(args.requests))
    if args.json:
        print(json.dumps(ratios(rates), indent=2))
        return
    print_rates(rates)


if __name__ == "__main__":
    main()
