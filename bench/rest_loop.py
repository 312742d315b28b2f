"""Benchmark: the Huawei face under a stateful REST loop from an external load generator (wrk),
against a bare aiohttp server driven by the same script in the same run.

    .venv/bin/python bench/rest_loop.py [--connections 50] [--seconds 10] [--agents 500]

`ccsim serve --faces huawei` runs in its own process with 500 signed-in agents; wrk (one thread,
in C, so the client is not the bottleneck) keeps 50 connections busy with each agent's working
loop: saybusy, agentevent (its event), sayfree, agentevent, agentstatus, each with the agent's
Guid. The requests go round the agents in order, so no agent has two in flight and each answer
is a real state change: every answer must be retcode 0. The baseline answers the same requests
with a fixed envelope (bare_servers.py http). Needs wrk: apt-get install wrk."""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from procs import bare_server, ccsim_serve, free_port

LOOP = [("POST", "onlineagent/{a}/saybusy"), ("GET", "agentevent/{a}"), ("POST", "onlineagent/{a}/sayfree"),
        ("GET", "agentevent/{a}"), ("GET", "onlineagent/{a}/agentstatus")]
BASE = "/agentgateway/resource/"
GOALS = {"ratio": 0.6, "p99_ms": 15.0}

LUA = """
local requests = {%s}
local i = 0
bad = 0  -- global: done() reads it from each thread
local threads = {}
function setup(thread) table.insert(threads, thread) end
function request() i = i %% #requests + 1; return requests[i] end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"retcode": *"0"') then bad = bad + 1 end
end
function done(summary, latency, requests)
  local failed = 0
  for _, t in ipairs(threads) do failed = failed + t:get("bad") end
  io.write(string.format("CCSIM %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), failed, summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout + summary.errors.status))
end
"""


def config(agents: int) -> dict:
    return {"seed": 1, "queues": [{"id": "q", "skills": ["s"], "huawei": {"skill_id": 1}}],
            "agents": [{"id": str(2000 + n), "skills": ["s"], "huawei": {"password": "", "phone": str(70000 + n)}}
                       for n in range(agents)],
            "faces": {"huawei": {"poll_hold_seconds": 0, "idle_signout_seconds": 3600}}}


def sign_in(url: str, agents: int) -> dict[str, str]:
    guids = {}
    for n in range(agents):
        agent = str(2000 + n)
        request = urllib.request.Request(f"{url}{BASE}onlineagent/{agent}/loginex", method="PUT",
                                         data=json.dumps({"password": "", "phonenum": str(70000 + n)}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request) as resp:
            guids[agent] = resp.headers["Set-GUID"].split("=", 1)[1]
        for _ in range(2):  # AgentOther_InService, AgentState_Ready: the loop starts with nothing queued
            urllib.request.urlopen(urllib.request.Request(f"{url}{BASE}agentevent/{agent}",
                                                          headers={"Guid": guids[agent]})).read()
    return guids


def settle(url: str, guids: dict[str, str]) -> None:
    """Every agent back to idle with nothing queued, wherever the last run stopped it."""
    for agent, guid in guids.items():
        headers = {"Guid": guid, "Content-Type": "application/json"}
        urllib.request.urlopen(urllib.request.Request(f"{url}{BASE}onlineagent/{agent}/sayfree", method="POST",
                                                      headers=headers)).read()
        while json.load(urllib.request.urlopen(urllib.request.Request(f"{url}{BASE}agentevent/{agent}",
                                                                      headers=headers))).get("event"):
            pass


def script(guids: dict[str, str]) -> str:
    made = []
    for method, path in LOOP:
        for agent, guid in guids.items():
            headers = "{Host = '127.0.0.1', Guid = '%s', ['Content-Type'] = 'application/json; charset=UTF-8'}" % guid
            made.append(f"wrk.format('{method}', '{BASE}{path.format(a=agent)}', {headers}, '')")
    return LUA % ", ".join(made)


def wrk(url: str, lua: str, connections: int, seconds: float) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "loop.lua"
        path.write_text(lua)
        out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(path), url],
                             capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr or out.stdout}")
    out = out.stdout
    line = next(x for x in out.splitlines() if x.startswith("CCSIM "))
    requests, duration, p50, p99, failed, errors = map(int, line.split()[1:])
    return {"requests": requests, "rps": requests / (duration / 1e6), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000,
            "not_ok": failed, "socket_errors": errors}


def measure(connections: int, seconds: float, agents: int) -> dict[str, dict[str, float]]:
    if shutil.which("wrk") is None:
        sys.exit("bench/rest_loop.py needs wrk as its external load generator: apt-get install wrk")
    with ccsim_serve(config(agents), "--faces", "huawei") as (_, urls):
        guids = sign_in(urls["huawei"], agents)
        lua = script(guids)
        wrk(urls["huawei"], lua, connections, 2)  # warm-up
        settle(urls["huawei"], guids)
        face = wrk(urls["huawei"], lua, connections, seconds)
    port = free_port()
    with bare_server("http", port):
        url = f"http://127.0.0.1:{port}"
        wrk(url, lua, connections, 2)
        bare = wrk(url, lua, connections, seconds)
    return {"huawei": face, "baseline": bare}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--agents", type=int, default=500)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    r = measure(args.connections, args.seconds, args.agents)
    if args.json:
        print(json.dumps(r))
        return
    for name, row in r.items():
        print(f"{name:<10} {row['rps']:>8.0f} req/s  p50 {row['p50_ms']:.2f} ms  p99 {row['p99_ms']:.2f} ms  "
              f"not retcode 0: {row['not_ok']}  socket errors: {row['socket_errors']}")
    print(f"ratio {r['huawei']['rps'] / r['baseline']['rps']:.2f}x (goal >= {GOALS['ratio']}x); "
          f"p99 {r['huawei']['p99_ms']:.2f} ms (goal <= {GOALS['p99_ms']:g} ms)")


if __name__ == "__main__":
    main()
