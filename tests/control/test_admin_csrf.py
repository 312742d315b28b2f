"""Cross-site use of the admin API is refused (issue 22, item 5; ccsim/control/guard.py): a
body must be JSON (415), an Origin header must be the admin's own (403), a Host header must be
one of ccsim's names (403: DNS rebinding), with or without an admin token. What a browser does
with it is in tests/control/test_admin_csrf_browser.py; this file speaks HTTP directly."""
from __future__ import annotations

import asyncio
import re

import pytest

from support.admin import JSON_TYPE
from support.world import make_config
from ccsim import config, contracts
from ccsim.clients.wire import WireResponse
from ccsim.contracts.openapi import response_violations
from ccsim.control.guard import AllowedHosts, host_name

TOKEN = "csrf-t0ken"
INJECT = b'{"queue": "sales"}'


def _operations(*methods: str) -> list[tuple[str, str]]:
    """Every operation of contracts/admin/openapi.json with one of `methods`, ids filled in."""
    document = contracts.load("admin/openapi.json")
    return [(method.upper(), re.sub(r"\{[^}]+\}", "291", path))
            for path, item in document["paths"].items() for method in item if method in methods]


async def _send(wire, sim, method: str, path: str, *, body: bytes | None = None, **headers: str) -> WireResponse:
    resp = await wire.request(method, sim.urls["admin"] + path, data=body, headers=headers)
    route = path.split("?")[0]
    if route != "/_ccsim/ui/":  # the page's files are not API operations
        problems = response_violations("admin/openapi.json", method, route, resp.status, resp.body)
        assert not problems, problems  # 403 and 415 are documented answers, in the admin's error shape
    return resp


async def _something_to_lose(sim, wire) -> tuple[set[str], int]:
    """A contact waiting and its journal entry: what a reset or another injection would change."""
    resp = await wire.request("POST", sim.urls["admin"] + "/_ccsim/contacts", data=INJECT, headers=JSON_TYPE)
    assert resp.status == 201
    return set(sim.world.contacts), sim.journal.last_seq


def _unchanged(sim, before: tuple[set[str], int]) -> None:
    assert (set(sim.world.contacts), sim.journal.last_seq, sim.journal.epoch) == (*before, 0)


async def _raw(sim, request: bytes) -> bytes:
    """A request as written (no client library adds a Content-Type or a Host to it)."""
    host, port = sim.urls["admin"].split("://", 1)[1].rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(request)
    answer = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    return answer


# -- JSON only -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("content_type, body", [
    ("text/plain", INJECT),
    ("text/plain;charset=UTF-8", INJECT),
    ("application/x-www-form-urlencoded", b'{"queue": "sales", "x": "=1"}'),
    ("multipart/form-data; boundary=b", b'--b\r\nContent-Disposition: form-data; name="queue"\r\n\r\nsales\r\n--b--\r\n'),
    ("application/octet-stream", INJECT),
    (None, INJECT),
])
async def test_a_body_that_is_not_json_is_refused_415_and_injects_nothing(sim, wire, content_type, body):
    headers = {"Content-Type": content_type} if content_type else {}
    resp = await _send(wire, sim, "POST", "/_ccsim/contacts", body=body, **headers)
    assert resp.status == 415 and "Content-Type: application/json" in resp.body["error"]
    assert sim.world.contacts == {} and not sim.journal.query()


@pytest.mark.parametrize("method, path", _operations("post", "delete"))
async def test_every_post_and_delete_refuses_a_text_plain_body(sim, wire, method, path):
    before = await _something_to_lose(sim, wire)
    resp = await _send(wire, sim, method, path, body=b'{"queue": "sales", "speed": 2}', **{"Content-Type": "text/plain"})
    assert resp.status == 415, (method, path, resp.status, resp.body)
    _unchanged(sim, before)


async def test_json_bodies_and_requests_without_a_body_are_served(sim, wire):
    typed = await _send(wire, sim, "POST", "/_ccsim/contacts", body=INJECT,
                        **{"Content-Type": "Application/JSON; charset=utf-8"})
    assert typed.status == 201
    bare = await _raw(sim, f"POST /_ccsim/contacts/{typed.body['id']}/abandon HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Connection: close\r\n\r\n".encode())  # curl -X POST: no body, no Content-Type
    assert bare.startswith(b"HTTP/1.1 200 ") and b'"abandoned"' in bare, bare[:300]
    assert (await _send(wire, sim, "POST", "/_ccsim/reset", body=b"", **JSON_TYPE)).status == 200


# -- Origin ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("origin", ["http://attacker.example", "http://127.0.0.1:1", "http://localhost", "null",
                                    "file://", "http://127.0.0.1:{port}/page"])
async def test_a_request_from_a_page_of_another_origin_is_refused_403(sim, wire, origin):
    before = await _something_to_lose(sim, wire)
    origin = origin.format(port=sim.urls["admin"].rsplit(":", 1)[1])
    for method, path, body in (("POST", "/_ccsim/reset", b"{}"), ("POST", "/_ccsim/contacts", INJECT),
                               ("GET", "/_ccsim/journal?secrets=show", None), ("GET", "/_ccsim/ui/stream", None)):
        resp = await _send(wire, sim, method, path, body=body, Origin=origin, **JSON_TYPE)
        assert resp.status == 403 and "another origin" in resp.body["error"], (method, path, resp.status)
    _unchanged(sim, before)


async def test_the_admins_own_origin_is_served(sim, wire):
    own = sim.urls["admin"]  # http://127.0.0.1:<port>, as the dashboard's page sends it
    assert (await _send(wire, sim, "POST", "/_ccsim/contacts", body=INJECT, Origin=own, **JSON_TYPE)).status == 201
    port = own.rsplit(":", 1)[1]
    resp = await _send(wire, sim, "GET", "/_ccsim/journal", Origin=f"http://localhost:{port}", Host=f"localhost:{port}")
    assert resp.status == 200 and resp.body["entries"]


# -- Host (DNS rebinding) -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:{port}", "localhost.attacker.example",
                                  "127.0.0.1.attacker.example:{port}", "evil@127.0.0.1", "127.0.0.1/x", " "])
async def test_a_host_that_is_none_of_ccsims_names_is_refused_403(sim, wire, host):
    """A DNS-rebinding page reaches ccsim as its own origin: same-origin, its Origin header agrees with
    its Host, and only the Host gives it away."""
    before = await _something_to_lose(sim, wire)
    host = host.format(port=sim.urls["admin"].rsplit(":", 1)[1])
    for method, path, body in (("GET", "/_ccsim/journal?secrets=show", None), ("POST", "/_ccsim/reset", b"{}"),
                               ("GET", "/_ccsim/config?secrets=show", None), ("GET", "/_ccsim/ui/", None)):
        resp = await _send(wire, sim, method, path, body=body, Host=host, Origin=f"http://{host}", **JSON_TYPE)
        assert resp.status == 403 and "admin_allowed_hosts" in resp.body["error"], (method, path, resp.status)
    _unchanged(sim, before)


class TestNames:
    @pytest.fixture
    def sim_config(self):
        cfg = make_config()
        cfg.admin_allowed_hosts = ["CCSIM.test"]
        cfg.set_public_url("https://ccsim.proxy.example")
        return cfg

    @pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:{port}", "localhost:{port}", "LOCALHOST.", "[::1]:{port}",
                                      "10.1.2.3:8800", "ccsim.test:{port}", "ccsim.proxy.example"])
    async def test_loopback_names_addresses_and_configured_names_are_served(self, sim, wire, host):
        host = host.format(port=sim.urls["admin"].rsplit(":", 1)[1])
        resp = await _send(wire, sim, "GET", "/_ccsim/journal?secrets=show", Host=host)
        assert resp.status == 200, (host, resp.body)


async def test_a_request_without_host_is_served(sim):
    """HTTP/1.0 needs no Host; no browser sends such a request, so no rebinding page can."""
    answer = await _raw(sim, b"GET /_ccsim/health HTTP/1.0\r\n\r\n")
    assert answer.split(b"\r\n", 1)[0].endswith(b" 200 OK") and b'"ok"' in answer, answer[:100]


def test_allowed_hosts_from_the_config_file_and_the_environment():
    cfg = config.from_mapping({"admin_allowed_hosts": ["ccsim.lab"]}, "tests")
    assert cfg.admin_allowed_hosts == ["ccsim.lab"]
    assert config.apply_env(cfg, {"CCSIM_ADMIN_ALLOWED_HOSTS": " a.lab, b.lab ,"}).admin_allowed_hosts == ["a.lab", "b.lab"]
    with pytest.raises(config.ConfigError, match="admin_allowed_hosts"):
        config.from_mapping({"admin_allowed_hosts": ["a.lab:8800"]}, "tests")  # a name, not a Host header
    hosts = AllowedHosts("ccsim.lab", ["Other.Lab"])
    assert [hosts.allows(h) for h in ("ccsim.lab:1", "other.lab", "[::1]", "192.0.2.7", "lab", "")] == \
        [True, True, True, True, False, False]
    assert AllowedHosts("0.0.0.0").names >= {"localhost"} and host_name("[::1]:8800") == "::1"


# -- with a token: the same checks, before it ------------------------------------------------------------------------
class TestWithAToken:
    @pytest.fixture
    def sim_config(self):
        cfg = make_config()
        cfg.admin_token = TOKEN
        return cfg

    async def test_the_checks_stay_and_come_before_the_token(self, sim, wire):
        good = {"Authorization": f"Bearer {TOKEN}"}
        port = sim.urls["admin"].rsplit(":", 1)[1]
        assert (await _send(wire, sim, "POST", "/_ccsim/contacts", body=INJECT, **good,
                            **{"Content-Type": "text/plain"})).status == 415
        assert (await _send(wire, sim, "GET", "/_ccsim/journal", **good, Origin="http://attacker.example")).status == 403
        assert (await _send(wire, sim, "GET", "/_ccsim/journal", **good, Host=f"attacker.example:{port}")).status == 403
        refused = await _send(wire, sim, "POST", "/_ccsim/contacts", body=INJECT, **{"Content-Type": "text/plain"})
        assert refused.status == 401  # no token: told so before the body's type is looked at
        assert sim.world.contacts == {}
        assert (await _send(wire, sim, "POST", "/_ccsim/contacts", body=INJECT, **good, **JSON_TYPE)).status == 201


def test_the_openapi_document_declares_403_everywhere_and_415_on_every_body():
    document = contracts.load("admin/openapi.json")
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "delete"):
                assert "403" in operation["responses"], (method, path)
                assert ("415" in operation["responses"]) == (method != "get"), (method, path)
