"""Benchmark: the memory budget (issue 22). `ccsim serve` (the demo configuration) runs in its own
process; each store that grows with traffic is driven past its budget over the wire, and the
process's resident memory is read from /proc (VmRSS now, VmHWM its peak) against the ceiling.

    .venv/bin/python bench/memory_budget.py [--full] [--times 2] [--json FILE]

- journal: unauthenticated Huawei GETs with 100 headers of 8 KB each (the issue's 800 KB requests);
- contacts: injections with data just under memory.contact_data_bytes, each hung up at once,
  then live ones until the admin API answers 507;
- xcally.records: chats injected into a queue nobody serves, then abandoned;
- intermedia.records: Halo webhooks carrying 1 KB numbers;
- finesse.stomp: 64 KiB SENDs to a queue nobody consumes (past the budget each gets an ERROR), then
  the issue's ten subscribers that never read, on a topic that gets the budget's worth (times
  `--times`) of 64 KiB messages, each copied to all ten;
- dashboard.history: a page's stream open for the whole run (a chart sample a second).

By default the budgets are small, so that it runs in about a minute; `--full` uses the shipped
ones (512 MiB ceiling; several minutes, and the dashboard's 600 samples take 10 minutes to fill).
`--stores a,b` drives only those stores.
Each store gets `--times` its budget's worth of traffic (counted as the bytes the store would
keep of it), one after the other. Prints a Markdown table: each store as its traffic left it
(budget, bytes kept, entries, dropped) and the process's RSS then; then RSS idle, at the end and
at its peak against the ceiling. Exit 1 if the peak is over the ceiling."""
from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import platform
import time
from importlib import resources
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from procs import ccsim_serve
from ccsim.vendors.finesse.stomp import StompClient, StompClientError
from ccsim.vendors.finesse.stomp.frames import Frame, encode

KiB, MiB = 1024, 1024 * 1024
SMALL = {"ceiling_bytes": 128 * MiB + 24 * MiB + 3 * MiB * 5 + 8 * KiB, "journal_bytes": 8 * MiB,
         "contacts_bytes": 4 * MiB, "records_bytes": 3 * MiB, "stomp_bytes": 12 * MiB, "dashboard_bytes": 8 * KiB}
HEADERS = {f"X-Filler-{n}": "x" * 8000 for n in range(100)}
HALO_AUTH = "Basic " + base64.b64encode(b"intermedia:ccsim-halo-webhook").decode()
XCALLY_KEY = {"apikey": "ccsim-xcally-key"}
JOURNAL_ENTRY = 17 * KiB  # what the journal keeps of one such GET (headers cut at 16 KiB)
CONTACT_DATA = 30 * KiB
STOMP_BODY = 64 * KiB
SLOW_SUBSCRIBERS = 10


def config(full: bool) -> dict[str, Any]:
    data = yaml.safe_load(resources.files("ccsim").joinpath("demo.yaml").read_text(encoding="utf-8"))
    if not full:
        data["memory"] = dict(SMALL)
    data.setdefault("faces", {}).setdefault("huawei", {})["poll_hold_seconds"] = 1
    return data


def status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (the peak) of a process, in bytes."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0]) * 1024
    return out


class Driver:
    def __init__(self, http: aiohttp.ClientSession, urls: dict[str, str]):
        self.http, self.urls = http, urls
        self.stomp_slow: list[asyncio.StreamWriter] = []  # subscribers that never read, closed at the end

    async def health(self) -> dict[str, Any]:
        async with self.http.get(self.urls["admin"] + "/_ccsim/health") as resp:
            return await resp.json()

    async def budget(self, store: str) -> int:
        return (await self.health())["memory"]["stores"][store]["budget"]

    async def many(self, count: int, make, concurrency: int = 8) -> None:
        """`count` calls of `make(n)`, `concurrency` at a time."""
        numbers = iter(range(count))

        async def worker() -> None:
            for n in numbers:
                await make(n)

        await asyncio.gather(*(worker() for _ in range(concurrency)))

    async def admin(self, path: str, body: Any = None) -> tuple[int, Any]:
        # The admin API wants its content type on every POST, with a body or not (control/guard.py).
        async with self.http.post(self.urls["admin"] + "/_ccsim" + path, json=body,
                                  headers={"Content-Type": "application/json"}) as resp:
            return resp.status, await resp.json()

    # -- the stores -----------------------------------------------------------------------------------------
    async def journal(self, times: float) -> None:
        url = self.urls["huawei"] + "/agentgateway/resource/onlineagent/291/agentstatus"
        count = int(times * await self.budget("journal") / JOURNAL_ENTRY) + 1

        async def get(_: int) -> None:
            async with self.http.get(url, headers=HEADERS) as resp:
                await resp.read()

        await self.many(count, get, concurrency=4)

    async def contacts(self, times: float) -> int:
        budget = await self.budget("contacts")
        data = {"notes": "n" * CONTACT_DATA}

        async def ended(_: int) -> None:
            status, contact = await self.admin("/contacts", {"queue": "sales", "data": data})
            assert status == 201, contact
            await self.admin(f"/contacts/{contact['id']}/hangup")

        await self.many(int(times * budget / CONTACT_DATA) + 1, ended)
        live = []
        while True:  # live ones until the budget refuses one (507)
            status, contact = await self.admin("/contacts", {"queue": "sales", "data": data})
            if status != 201:
                assert status == 507, (status, contact)
                break
            live.append(contact["id"])
        for contact_id in live:
            await self.admin(f"/contacts/{contact_id}/hangup")
        return len(live)

    async def xcally(self, times: float) -> None:
        count = int(times * await self.budget("xcally.records") / 1500) + 1  # an interaction and a row: ~1.5 KB

        async def chat(_: int) -> None:
            status, contact = await self.admin("/contacts", {"queue": "mailbox", "channel": "mail"})
            assert status == 201, contact
            await self.admin(f"/contacts/{contact['id']}/abandon")

        await self.many(count, chat)

    async def halo(self, times: float) -> None:
        count = int(times * await self.budget("intermedia.records") / 2500) + 1  # a row with a 1 KB number: ~2.5 KB
        url = self.urls["intermedia"] + "/api/notify/intermedia"

        async def webhook(n: int) -> None:
            body = {"CallID": f"bench-{n}", "AgentNumber": "+442070000001", "UserNumber": "+44" + "7" * 1000,
                    "AgentEmail": "", "RecordingUrl": ""}
            async with self.http.post(url, json=body, headers={"Authorization": HALO_AUTH}) as resp:
                assert resp.status == 200, resp.status

        await self.many(count, webhook)

    async def stomp(self, times: float) -> int:
        """A queue nobody consumes, then ten topic subscribers that never read; the SENDs refused."""
        host, port = self.urls["finesse"].removeprefix("stomp://").rsplit(":", 1)
        count = int(times * await self.budget("finesse.stomp") / STOMP_BODY) + 1
        producer = await StompClient.connect(host, int(port))
        refused = 0
        for n in range(count):
            try:
                await producer.send("/queue/bench.nobody", "q" * STOMP_BODY, receipt=True)
            except StompClientError:  # Usage Manager Memory Limit reached: not kept
                refused += 1
        slow = []
        for n in range(SLOW_SUBSCRIBERS):
            reader, writer = await asyncio.open_connection(host, int(port))
            writer.write(encode(Frame("CONNECT", [("accept-version", "1.2"), ("heart-beat", "0,0")]))
                         + encode(Frame("SUBSCRIBE", [("destination", "/topic/bench.prices"), ("id", "s"),
                                                      ("receipt", "r")])))
            while b"receipt-id:r" not in await reader.read(4096):
                pass
            slow.append(writer)  # and never read again
        for n in range(count):
            await producer.send("/topic/bench.prices", "t" * STOMP_BODY, receipt=n % 16 == 0)
        await producer.send("/topic/bench.prices", "", receipt=True)  # all handled
        await producer.disconnect()
        self.stomp_slow = slow  # still connected when the store is read
        return refused

    async def dashboard(self, stop: asyncio.Event) -> None:
        """A page's stream, open until `stop`: the chart takes a sample a second meanwhile."""
        async with self.http.get(self.urls["admin"] + "/_ccsim/ui/stream") as resp:
            while not stop.is_set():
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(resp.content.readany(), 1.0)


async def drive(urls: dict[str, str], pid: int, times: float, history_seconds: float,
                only: set[str] | None = None) -> dict[str, Any]:
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as http:
        driver = Driver(http, urls)
        idle = status(pid)
        stop = asyncio.Event()
        page = asyncio.create_task(driver.dashboard(stop))
        started = time.monotonic()
        phases = {}
        for name, run in (("journal", driver.journal), ("contacts", driver.contacts), ("xcally.records", driver.xcally),
                          ("intermedia.records", driver.halo), ("finesse.stomp", driver.stomp),
                          ("dashboard.history", None)):
            if only is not None and name not in only:
                continue
            began = time.monotonic()
            if run is not None:
                result = await run(times)
            else:
                result = None
                while time.monotonic() - started < history_seconds:  # the chart's history past its budget
                    await asyncio.sleep(1)
            # The store as its own traffic left it (later traffic may push it out of the journal, or
            # its contacts past ended_contacts_kept), and the process then.
            store = (await driver.health())["memory"]["stores"][name]
            phases[name] = {"result": result, "seconds": time.monotonic() - began, "store": store, **status(pid)}
        stop.set()
        await page
        health = await driver.health()
        for writer in driver.stomp_slow:
            writer.close()
    return {"idle": idle, "after": status(pid), "health": health, "phases": phases,
            "seconds": time.monotonic() - started}


def table(result: dict[str, Any]) -> str:
    memory = result["health"]["memory"]
    ceiling = memory["ceiling"]
    lines = ["| store | budget | kept | entries | dropped | RSS then | seconds |", "|---|---|---|---|---|---|---|"]
    for name, phase in result["phases"].items():
        store = phase["store"]
        lines.append(f"| {name} | {store['budget'] / MiB:,.2f} MiB | {store['bytes'] / MiB:,.2f} MiB | "
                     f"{store['entries']:,} | {store['dropped']:,} | {phase['VmRSS'] / MiB:,.1f} MiB | "
                     f"{phase['seconds']:,.0f} |")
    peak, idle = result["after"]["VmHWM"], result["idle"]["VmRSS"]
    phases = result["phases"]
    lines.append("")
    lines.append(f"RSS: {idle / MiB:.1f} MiB idle, {result['after']['VmRSS'] / MiB:.1f} MiB after, "
                 f"{peak / MiB:.1f} MiB at its peak; ceiling {ceiling / MiB:.1f} MiB "
                 f"({'under' if peak <= ceiling else 'OVER'}: {peak / ceiling:.0%}). "
                 + (f"Live contacts taken before the 507: {phases['contacts']['result']}. " if "contacts" in phases else "")
                 + (f"STOMP SENDs refused: {phases['finesse.stomp']['result']:,}. " if "finesse.stomp" in phases else "")
                 + f"{result['seconds']:.0f} s.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="the shipped budgets (512 MiB) instead of small ones")
    parser.add_argument("--times", type=float, default=2.0, help="traffic per store, in budgets' worth (default 2)")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--stores", help="only these stores, comma-separated (e.g. finesse.stomp)")
    args = parser.parse_args()
    only = set(args.stores.split(",")) if args.stores else None
    cfg = config(args.full)
    history = 660.0 if args.full else 20.0  # seconds for the history to pass its budget (or its 600 samples)
    with ccsim_serve(cfg) as (proc, urls):
        result = asyncio.run(drive(urls, proc.pid, args.times, history, only))
    print(f"{time.strftime('%Y-%m-%d')}, {platform.python_implementation()} {platform.python_version()}, "
          f"{platform.machine()}, {len(__import__('os').sched_getaffinity(0))} cores; "
          f"{'shipped' if args.full else 'small'} budgets, {args.times:g}x each")
    print(table(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    peak = result["after"]["VmHWM"]
    raise SystemExit(0 if peak <= result["health"]["memory"]["ceiling"] else 1)


if __name__ == "__main__":
    main()
