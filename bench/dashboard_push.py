"""Benchmark: the dashboard's push with 200 agents on the page.

`ccsim serve` runs 200 Intermedia desk agents (signed in by the face, answering after 1 s,
talking 4 s, each answer posting the HaloPSA webhook to ccsim's own receiver) while calls
arrive at a steady rate, so that every agent changes state every few seconds. A real headless
Chromium shows the dashboard; it measures, for each update, the time from the first change the
update carries (the server's `changedAt`) to the page having rendered it. The baseline, in the
same run, is a bare SSE reader (aiohttp, no rendering) on the same stream: what the push costs
before any page work.

    .venv/bin/python bench/dashboard_push.py [--agents 200] [--cps 20] [--seconds 30]

Needs Debian's chromium (or $CCSIM_CHROMIUM). The page keeps up when it receives as many
updates as the bare reader and its latency stays near the push interval (50 ms coalescing).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import aiohttp
import yaml
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from support.browser import CHROMIUM_ARGS  # noqa: E402
from support.serve import _wait_for_urls  # noqa: E402
from procs import percentile  # noqa: E402


def config_for(agents: int) -> dict:
    return {
        "seed": 7,
        "queues": [{"id": "helpdesk", "name": "Helpdesk", "skills": ["helpdesk"], "number": "4006", "intermedia": {}}],
        "agents": [{"id": str(8000 + n), "skills": ["helpdesk"],
                    "intermedia": {"number": f"+4420700{n:05d}", "email": f"agent{n}@example.com"}}
                   for n in range(agents)],
        "faces": {"intermedia": {"answer_after_seconds": 1.0, "talk_seconds": 4.0}},
    }


class BareReader(threading.Thread):
    """The baseline: reads the stream and notes each update's latency on receipt. (Not the
    tests' Stream: it checks every message against its contract, which would slow the baseline.)"""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.latencies, self.sent_at, self.stop = url, [], [], threading.Event()

    def run(self) -> None:
        asyncio.run(self._read())

    async def _read(self) -> None:
        async with aiohttp.ClientSession() as http, http.get(self.url) as resp:
            event = None
            while not self.stop.is_set():
                try:
                    line = (await asyncio.wait_for(resp.content.readline(), 0.5)).decode().rstrip("\n")
                except TimeoutError:
                    continue
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "update":
                    data = json.loads(line[6:])
                    self.sent_at.append(data["sentAt"])
                    if "changedAt" in data:
                        self.latencies.append(time.time() * 1000 - data["changedAt"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--cps", type=float, default=20.0, help="calls per second")
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    chromium = os.environ.get("CCSIM_CHROMIUM") or shutil.which("chromium")
    if chromium is None:
        sys.exit("bench/dashboard_push.py needs Chromium: apt-get install chromium (or set $CCSIM_CHROMIUM)")
    with tempfile.TemporaryDirectory() as folder:
        cfg = Path(folder) / "agents.yaml"
        cfg.write_text(yaml.safe_dump(config_for(args.agents)))
        proc = subprocess.Popen([sys.executable, "-m", "ccsim", "serve", "--config", str(cfg), "--port-base", "0",
                                 "--faces", "intermedia", "--log-level", "warning"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            admin = _wait_for_urls(proc, time.monotonic() + 30)["admin"]
            run(admin, chromium, args)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=30)


def run(admin: str, chromium: str, args: argparse.Namespace) -> None:
    bare = BareReader(admin + "/_ccsim/ui/stream")
    bare.start()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(admin + "/_ccsim/ui/")
        page.wait_for_function(f"document.querySelectorAll('#agents tbody tr').length === {args.agents}")
        page.evaluate("ccsimStats.latencies = []; ccsimStats.renderMs = []; ccsimStats.sentAt = []")
        bare.latencies.clear()
        calls, started = 0, time.monotonic()
        while (elapsed := time.monotonic() - started) < args.seconds:
            while calls < elapsed * args.cps:
                request = urllib.request.Request(admin + "/_ccsim/contacts", data=b'{"queue": "helpdesk"}',
                                                 method="POST", headers={"Content-Type": "application/json"})
                urllib.request.urlopen(request, timeout=10).close()
                calls += 1
            time.sleep(0.01)
        page.wait_for_timeout(1500)  # what was pushed last arrives
        stats = page.evaluate("ccsimStats")
        state = json.load(urllib.request.urlopen(admin + "/_ccsim/state", timeout=10))
        browser.close()
    bare.stop.set()
    bare.join(5)
    busy = sum(1 for a in state["agents"] if a["presence"] != "idle")
    print(f"dashboard push: {args.agents} agents on the page, {calls} calls at {args.cps:g}/s over {args.seconds:g} s "
          f"({busy} agents busy at the end)")
    print(f"{'':<28}{'updates':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    # The updates the bare reader got while the page was counting, and which of them the page missed.
    window = [t for t in bare.sent_at if stats["sentAt"] and stats["sentAt"][0] <= t <= stats["sentAt"][-1]]
    missed = len(set(window) - set(stats["sentAt"]))
    rows = [("bare SSE reader (baseline)", len(bare.sent_at), bare.latencies),
            ("Chromium page, rendered", len(stats["sentAt"]), stats["latencies"])]
    for label, updates, values in rows:
        print(f"{label:<28}{updates:>8}" + "".join(f"{percentile(values, q):>9.1f}" for q in (0.5, 0.95, 0.99))
              + f"{max(values, default=float('nan')):>9.1f}")
    ratio = percentile(stats["latencies"], 0.99) / max(percentile(bare.latencies, 0.99), 0.001)
    print(f"page p99 / baseline p99: {ratio:.2f}x; render per update: p50 {percentile(stats['renderMs'], 0.5):.1f} ms, "
          f"p99 {percentile(stats['renderMs'], 0.99):.1f} ms; updates the page missed: {missed} of {len(window)}")


if __name__ == "__main__":
    main()
