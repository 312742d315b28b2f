"""URLs ccsim hands to clients come from the request's Host header, or from the configured public
URL behind a proxy or NAT; never from the wildcard address the faces are bound to (issue 23)."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import time
import urllib.request
from typing import Any

import pytest

from support.world import TEST_CONFIG
from ccsim import config
from ccsim.config import ConfigError
from ccsim.core import Match
from support.serve import CCSIM, _banner_urls, _read_banner

TOKEN_FORM = "grant_type=password&username=ada@example.com&password=demo"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def wide_config(**top: Any) -> config.Config:
    """Every face on 0.0.0.0 (as in the Docker image), with a CXone, an Intermedia and an XCALLY agent."""
    data = copy.deepcopy(TEST_CONFIG)
    data["host"] = "0.0.0.0"
    data["agents"] += [
        {"id": "7001", "skills": ["sales"], "nice": {"username": "ada@example.com", "password": "demo"}},
        {"id": "6001", "skills": ["helpdesk"], "intermedia": {"number": "+442070000001", "email": "chris@example.com"}},
        {"id": "5001", "xcally": {"name": "anna", "password": "Demo#2026", "email": "anna@example.com"}},
    ]
    data["queues"].append({"id": "helpdesk", "name": "Helpdesk", "skills": ["helpdesk"], "intermedia": {}})
    data["faces"]["intermedia"] = {"talk_seconds": None}
    data.update(top)
    return config.from_mapping(data, "tests")


@pytest.fixture
def sim_config(request) -> config.Config:
    return wide_config(**getattr(request, "param", {}))


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


async def token(wire, sim, headers: dict[str, str] | None = None) -> dict[str, Any]:
    resp = await wire.request("POST", sim.urls["nice"] + "/InContactAuthorizationServer/Token", data=TOKEN_FORM,
                              headers={**FORM, **(headers or {})})
    assert resp.status == 200, resp.body
    return resp.body


async def test_the_cxone_token_answer_names_the_address_the_client_used(sim, wire):
    assert sim.urls["nice"].startswith("http://127.0.0.1:")  # what this machine's clients use, not 0.0.0.0
    used = await token(wire, sim)
    assert used["resource_server_base_uri"] == sim.urls["nice"] + "/inContactAPI/"
    assert used["refresh_token_server_uri"] == sim.urls["nice"] + "/InContactAuthorizationServer/Token"
    # Behind Docker's -p 18803:8803, or on another machine: the Host header says how it was reached.
    remote = await token(wire, sim, {"Host": "cxone.example.net:18803"})
    assert remote["resource_server_base_uri"] == "http://cxone.example.net:18803/inContactAPI/"
    # A client's API calls then go where the answer says (the test's resolver knows no such host, so
    # it follows the loopback answer).
    api = used["resource_server_base_uri"] + "services/v27.0/agent-sessions"
    resp = await wire.request("POST", api, json_body={"stationPhoneNumber": "WebRTC"},
                              headers={"Authorization": f"Bearer {used['access_token']}"})
    assert resp.status == 202, resp.body


@pytest.mark.parametrize("host", ["evil.example/x", "a b", "user@evil.example", "x:1:2", ""])
async def test_a_host_header_that_is_no_host_is_not_repeated(sim, wire, host):
    answer = await token(wire, sim, {"Host": host})
    assert answer["resource_server_base_uri"] == sim.urls["nice"] + "/inContactAPI/"  # the address it reached


@pytest.mark.parametrize("sim_config", [{"public_url": "https://cc.example.com"}], indirect=True)
async def test_a_public_url_names_every_face_with_its_own_port(sim, wire, admin):
    nice_port, intermedia_port = port_of(sim.urls["nice"]), port_of(sim.urls["intermedia"])
    answer = await token(wire, sim, {"Host": "127.0.0.1"})  # the proxy's view is not what clients use
    assert answer["resource_server_base_uri"] == f"https://cc.example.com:{nice_port}/inContactAPI/"
    await admin.inject("helpdesk", caller="+15550100")  # 6001 picks up after 3 s: the webhook goes out
    webhook = await sim.journal.wait_for(Match(face="intermedia", kind="webhook"), timeout=30)
    recording = webhook.request["body"]["RecordingUrl"]
    assert recording.startswith(f"https://cc.example.com:{intermedia_port}/recordings/")
    assert webhook.response["status"] == 200  # the closed loop still reaches ccsim's own receiver
    health = (await admin.get("/health")).body
    assert health["faces"]["nice"]["url"] == f"https://cc.example.com:{nice_port}"
    forgot = await wire.request("POST", sim.urls["xcally"] + "/api/users/password/forgot",
                                json_body={"email": "anna@example.com"})
    assert forgot.status == 204
    [mail] = [e for e in sim.journal.query() if e.kind == "mail"]
    assert mail.response["link"].startswith(f"https://cc.example.com:{port_of(sim.urls['xcally'])}/api/users/")


@pytest.mark.parametrize("sim_config", [{"public_url": "http://nat.example.org",
                                         "public_urls": {"nice": "https://cxone.example.com"}}], indirect=True)
async def test_one_face_behind_its_own_proxy_has_its_own_public_url(sim, wire):
    answer = await token(wire, sim)
    assert answer["resource_server_base_uri"] == "https://cxone.example.com/inContactAPI/"


async def test_a_recording_url_made_outside_any_request_is_never_the_wildcard(sim, admin):
    await admin.inject("helpdesk", caller="+15550100")
    webhook = await sim.journal.wait_for(Match(face="intermedia", kind="webhook"), timeout=30)
    assert webhook.request["body"]["RecordingUrl"].startswith(sim.urls["intermedia"] + "/recordings/")
    assert "0.0.0.0" not in json.dumps(webhook.request) and sim.urls["intermedia"].startswith("http://127.0.0.1:")


@pytest.mark.parametrize("value, per_face, words", [
    ("cc.example.com", False, "http:// or https://"),
    ("ftp://cc.example.com", False, "http:// or https://"),
    ("http://cc.example.com:8443", False, "each face adds its own port"),
    ("http://cc.example.com/ccsim", True, "no user, path"),
    ("http://me@cc.example.com", True, "no user, path"),
    ("http://cc.example.com:99999", True, "out of range"),
])
def test_a_bad_public_url_is_refused_with_a_reason(value, per_face, words):
    cfg = config.Config()
    with pytest.raises(ConfigError, match=words):
        cfg.set_public_url(value, "nice" if per_face else None)


def test_the_public_url_comes_from_the_file_the_environment_and_the_flag(tmp_path):
    cfg = config.from_mapping({"public_url": "http://file.example.com/", "public_urls": {"nice": "https://n.example.com:9443"}})
    assert (cfg.public_url_for("huawei", 8801), cfg.public_url_for("nice", 8803)) == \
        ("http://file.example.com:8801", "https://n.example.com:9443")
    config.apply_env(cfg, {"CCSIM_PUBLIC_URL": "http://env.example.com"})
    assert cfg.public_url_for("huawei", 8801) == "http://env.example.com:8801"
    with pytest.raises(ConfigError, match="public_urls: unknown face 'avaya'"):
        config.from_mapping({"public_urls": {"avaya": "http://a.example.com"}})
    bad = subprocess.run([*CCSIM, "serve", "--public-url", "http://x.example.com:1"], capture_output=True, text=True,
                         timeout=60)
    assert bad.returncode == 2 and "--public-url" in bad.stderr and "Traceback" not in bad.stderr


def test_serve_on_0000_prints_usable_urls_and_the_token_answer_names_the_address_used():
    proc = subprocess.Popen([*CCSIM, "serve", "--port-base", "0", "--host", "0.0.0.0", "--faces", "nice"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={k: v for k, v in os.environ.items() if k != "CCSIM_PUBLIC_URL"})
    try:
        banner = _read_banner(proc, time.monotonic() + 30)
        urls = _banner_urls(banner)
        assert urls["nice"].startswith("http://127.0.0.1:") and urls["admin"].startswith("http://127.0.0.1:")
        assert not any("0.0.0.0:" in line for line in banner)
        assert any("the faces listen on every interface (0.0.0.0)" in line for line in banner), banner
        for address in ("127.0.0.1", "localhost"):  # two names for the same listener
            used = urls["nice"].replace("127.0.0.1", address)
            request = urllib.request.Request(used + "/InContactAuthorizationServer/Token", data=TOKEN_FORM.encode(),
                                             headers=FORM)
            with urllib.request.urlopen(request, timeout=10) as resp:
                assert json.load(resp)["resource_server_base_uri"] == used + "/inContactAPI/"
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
