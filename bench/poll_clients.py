"""The load generator of bench/long_polls.py, run as its own process:

    poll_clients.py huawei HUAWEI_URL ADMIN_URL AGENTS CPS SECONDS
    poll_clients.py bare URL - AGENTS CPS SECONDS

Signs AGENTS Huawei agents in and keeps one agentevent long poll held for each (bare: one GET
each on the bare poll server); prints "HELD" and waits for a line on stdin; then calls arrive at
CPS for SECONDS (huawei: POST /_ccsim/contacts with a caller number that names the call; bare:
POST /push) and each delivery's latency is timed, from the request that caused it to the event
in the agent's poll. Prints one JSON line at the end."""
from __future__ import annotations

import asyncio
import json
import sys
import time

import aiohttp

BASE = "/agentgateway/resource/"


async def main(kind: str, url: str, admin: str, agents: int, cps: float, seconds: float) -> None:
    sent: dict[str, float] = {}
    latencies: list[float] = []
    ids = [str(10000 + n) for n in range(agents)]
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        guids: dict[str, str] = {}
        if kind == "huawei":
            gate = asyncio.Semaphore(100)

            async def sign_in(agent: str) -> None:
                async with gate, http.put(f"{url}{BASE}onlineagent/{agent}/loginex",
                                          json={"password": "", "phonenum": "7" + agent, "status": "4",
                                                "releasephone": "false"}) as resp:
                    guids[agent] = resp.headers["Set-GUID"].split("=", 1)[1]

            started = time.perf_counter()
            await asyncio.gather(*(sign_in(a) for a in ids))
            sign_in_seconds = time.perf_counter() - started
        else:
            sign_in_seconds = 0.0
        held = 0

        async def poll(agent: str) -> None:
            nonlocal held
            first = True
            while True:
                target = f"{url}{BASE}agentevent/{agent}" if kind == "huawei" else f"{url}/poll/{agent}"
                async with http.get(target, headers={"Guid": guids.get(agent, "")}) as resp:
                    if first:
                        first = False
                    body = await resp.json(content_type=None)
                now = time.perf_counter()
                event = body.get("event") if isinstance(body, dict) else None
                key = ((event or {}).get("content") or {}).get("caller") if kind == "huawei" else body.get("call")
                if key in sent:
                    latencies.append((now - sent.pop(key)) * 1000)

        pollers = [asyncio.get_running_loop().create_task(poll(a)) for a in ids]
        await asyncio.sleep(5 if kind == "huawei" else 2)  # the sign-in events are polled, then the polls are held
        held = len(ids)
        print("HELD", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        calls, started = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - started) < seconds:
            while calls < elapsed * cps:
                key = f"+1555{calls:07d}"
                sent[key] = time.perf_counter()
                if kind == "huawei":
                    async with http.post(f"{admin}/_ccsim/contacts", json={"queue": "q", "caller": key}) as resp:
                        await resp.read()
                else:
                    async with http.post(f"{url}/push", data=json.dumps({"call": key, "event": {}})) as resp:
                        await resp.read()
                calls += 1
            await asyncio.sleep(0.002)
        await asyncio.sleep(2)  # the last deliveries
        for task in pollers:
            task.cancel()
        print(json.dumps({"agents": held, "sign_in_seconds": sign_in_seconds, "calls": calls,
                          "delivered": len(latencies), "latencies_ms": latencies}), flush=True)


if __name__ == "__main__":
    kind, url, admin, agents, cps, seconds = sys.argv[1:7]
    asyncio.run(main(kind, url, admin, int(agents), float(cps), float(seconds)))
