"""The admin token: with one set, every admin route answers 401 (and changes nothing) unless the
request carries `Authorization: Bearer <token>`; ccsim's own clients send it."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from support.world import make_config
from support.serve import CCSIM, _wait_for_urls
from ccsim import contracts
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.contracts.openapi import response_violations
from ccsim.clients.admin import AdminClient, AdminError
from ccsim.core import VirtualClock

TOKEN = "tr41ner-only"


@pytest.fixture
def sim_config():
    cfg = make_config()
    cfg.admin_token = TOKEN
    return cfg


def _routes() -> list[tuple[str, str]]:
    """Every operation of contracts/admin/openapi.json, its path parameters filled in."""
    document = contracts.load("admin/openapi.json")
    return [(method.upper(), re.sub(r"\{[^}]+\}", "291", path))
            for path, item in document["paths"].items() for method in item if method in ("get", "post", "delete")]


@pytest.mark.parametrize("authorization", [None, "Bearer wrong", f"Basic {TOKEN}", "Bearer", f"Bearer {TOKEN}x"])
async def test_every_admin_route_refuses_a_missing_or_wrong_token(sim, wire, authorization):
    headers = {"Authorization": authorization} if authorization else None
    routes = _routes()
    assert len(routes) >= 12
    for method, path in routes:
        resp = await wire.request(method, sim.urls["admin"] + path, json_body={"queue": "sales"} if method == "POST"
                                  else None, headers=headers)
        assert resp.status == 401, (method, path, resp.status, resp.body)
        assert resp.headers["WWW-Authenticate"] == 'Bearer realm="ccsim admin"'
        assert "admin token" in resp.body["error"]
        assert not response_violations("admin/openapi.json", method, path, resp.status, resp.body), (method, path)
    assert sim.world.contacts == {} and not sim.journal.query()  # nothing injected, nothing journaled


async def test_the_right_token_opens_every_route(sim, wire):
    good = {"Authorization": f"Bearer {TOKEN}"}
    health = await wire.request("GET", sim.urls["admin"] + "/_ccsim/health", headers=good)
    assert health.status == 200 and health.body["status"] == "ok"
    injected = await wire.request("POST", sim.urls["admin"] + "/_ccsim/contacts", json_body={"queue": "sales"},
                                  headers=good)
    assert injected.status == 201 and injected.body["id"] in sim.world.contacts


async def test_ccsim_clients_send_the_token_from_the_argument_or_the_environment(sim, monkeypatch):
    async with WireClient(sim.clock) as wire:
        monkeypatch.delenv("CCSIM_ADMIN_TOKEN", raising=False)
        with pytest.raises(AdminError, match="401"):
            await AdminClient(wire, sim.urls["admin"]).health()
        assert (await AdminClient(wire, sim.urls["admin"], token=TOKEN).health())["status"] == "ok"
        monkeypatch.setenv("CCSIM_ADMIN_TOKEN", TOKEN)
        assert (await AdminClient(wire, sim.urls["admin"]).health())["status"] == "ok"


async def test_without_a_token_the_admin_api_is_open_on_loopback():
    sim = Simulator(make_config(), VirtualClock())
    await sim.start()
    try:
        assert sim.config.admin_token is None and sim.urls["admin"].startswith("http://127.0.0.1:")
        async with WireClient(sim.clock) as wire:
            assert (await wire.request("GET", sim.urls["admin"] + "/_ccsim/health")).status == 200
    finally:
        await sim.stop()


def _serve(*args: str) -> tuple[dict[str, str], subprocess.Popen]:
    proc = subprocess.Popen([*CCSIM, "serve", "--port-base", "0", "--faces", "huawei", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={k: v for k, v in os.environ.items() if k != "CCSIM_ADMIN_TOKEN"})
    return _wait_for_urls(proc, time.monotonic() + 30), proc


def _stopped(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in err, err
    return err


def _status(url: str, token: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_serve_wants_the_token_given_by_the_flag():
    urls, proc = _serve("--admin-token", TOKEN)
    try:
        health = urls["admin"] + "/_ccsim/health"
        assert (_status(health), _status(health, "wrong"), _status(health, TOKEN)) == (401, 401, 200)
    finally:
        assert "warning" not in _stopped(proc)


def test_serve_warns_when_the_admin_api_is_exposed_without_a_token():
    urls, proc = _serve("--admin-host", "0.0.0.0")
    try:
        assert _status(urls["admin"].replace("0.0.0.0", "127.0.0.1") + "/_ccsim/health") == 200
    finally:
        err = _stopped(proc)
    assert "warning: the admin API listens on 0.0.0.0 without a token" in err


def test_the_openapi_document_declares_the_bearer_scheme_on_every_operation():
    document = contracts.load("admin/openapi.json")
    scheme = document["components"]["securitySchemes"]["adminToken"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "delete"):
                assert "401" in operation["responses"], (method, path, json.dumps(operation)[:80])
