"""One port base moves every listener, the XCALLY phonebars' remote control included: two
`ccsim serve` of the demo configuration on different bases both start (issue 23)."""
from __future__ import annotations

import copy
import json
import signal
import subprocess
import time
import urllib.request

import pytest

from support.world import TEST_CONFIG
from support.xcally import PASSWORD, Motion
from support.ports import free_base
from ccsim import config
from ccsim import registry
from support.serve import CCSIM, _banner_urls, _read_banner

@pytest.fixture
def sim_config() -> config.Config:
    base = free_base()  # taken now, used at once: a free range is not reserved
    data = copy.deepcopy(TEST_CONFIG)
    data["port_base"] = base
    data["enable"] = ["xcally"]
    data["agents"] += [
        {"id": "ada", "xcally": {"name": "ada", "password": PASSWORD, "phoneBarRemoteControl": True}},
        {"id": "bea", "xcally": {"name": "bea", "password": PASSWORD, "phoneBarRemoteControl": True,
                                 "phoneBarRemoteControlPort": base + 50}},  # an agent's own port
        {"id": "cal", "xcally": {"name": "cal", "password": PASSWORD}},
    ]
    return config.from_mapping(data, "tests")


async def test_phonebars_listen_from_the_port_base_unless_the_agent_gives_its_own_port(sim, wire):
    base, explicit = sim.config.port_base, sim.config.port_base + 50
    motion = Motion(wire, sim)
    assert sim.urls["admin"].endswith(f":{base}") and sim.urls["xcally"].endswith(f":{base + 4}")
    ports = {name: (await motion.user(name))["phoneBarRemoteControlPort"] for name in ("ada", "bea")}
    assert ports == {"ada": base + 10, "bea": explicit}  # the vendor's 9888 only when asked for
    for port in ports.values():
        assert (await wire.request("GET", f"http://127.0.0.1:{port}/api/calls")).status == 200
    cal = await motion.user("cal")
    turned_on = await motion.ok("PUT", f"/users/{cal['id']}", {"phoneBarRemoteControl": True})
    assert turned_on["phoneBarRemoteControlPort"] == base + 11  # the next one of the base's range
    assert (await wire.request("GET", f"http://127.0.0.1:{base + 11}/api/calls")).status == 200
    await motion.ok("PUT", f"/users/{cal['id']}", {"phoneBarRemoteControl": False})
    assert cal["id"] not in sim.faces["xcally"].phonebar_urls
    sim.reset()
    assert (await motion.user("ada"))["phoneBarRemoteControlPort"] == base + 10  # kept across a reset


def test_help_lists_every_listener_with_its_port():
    out = subprocess.run([*CCSIM, "serve", "--help"], capture_output=True, text=True, timeout=60).stdout
    assert "admin       8800" in out
    for name in registry.names():
        assert f"{name:<11} {8800 + registry.get(name).port_offset}" in out
    assert "8810-8899  phonebars' remote control" in out


def _serve(base: int) -> tuple[subprocess.Popen, list[str]]:
    proc = subprocess.Popen([*CCSIM, "serve", "--port-base", str(base)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        return proc, _read_banner(proc, time.monotonic() + 60)
    except AssertionError:
        proc.kill()
        raise AssertionError(f"ccsim serve --port-base {base} did not start: {proc.communicate()[1]}") from None


def test_two_demos_on_different_port_bases_both_serve():
    bases: list[int] = []
    for _ in range(2):
        bases.append(free_base(set(bases)))  # bases are 100 apart: the ranges never overlap
    served = []
    try:
        for base in bases:
            served.append((base, *_serve(base)))
        for base, proc, banner in served:
            urls = _banner_urls(banner)
            assert urls["admin"] == f"http://127.0.0.1:{base}"
            assert {name: int(urls[name].rsplit(":", 1)[1]) - base for name in registry.names()} == \
                {name: registry.get(name).port_offset for name in registry.names()}
            phonebar = next(line.split(": ", 1)[1] for line in banner if "phonebar of anna" in line)
            assert phonebar == f"http://127.0.0.1:{base + 10}"
            with urllib.request.urlopen(phonebar + "/api/calls", timeout=10) as resp:
                assert json.load(resp) == []
            with urllib.request.urlopen(urls["admin"] + "/_ccsim/health", timeout=10) as resp:
                assert json.load(resp)["status"] == "ok"
    finally:
        for _, proc, _ in served:
            proc.send_signal(signal.SIGTERM)
        for _, proc, _ in served:
            _, err = proc.communicate(timeout=30)
            assert proc.returncode == 0 and "Traceback" not in err, err
