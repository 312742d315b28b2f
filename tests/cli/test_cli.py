"""`ccsim serve` as a user runs it: a real process, real ports, real signals."""
from __future__ import annotations

import json
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from support.serve import CCSIM, _wait_for_urls, run

from ccsim import registry


def test_help_explains_every_serve_option():
    out = run("serve", "--help")
    assert out.returncode == 0
    for option in ("--config", "--host", "--admin-host", "--port-base", "--port", "--public-url", "--faces", "--seed",
                   "--speed"):
        assert option in out.stdout
    assert "huawei      8801" in out.stdout and "CCSIM_PORT_BASE" in out.stdout


@pytest.mark.parametrize("args, message", [
    (["serve", "--config", "/nonexistent.yaml"], "cannot read"),
    (["serve", "--faces", "avaya"], "unknown face"),
])
def test_bad_options_give_a_message_and_exit_2(args, message):
    out = run(*args)
    assert out.returncode == 2 and message in out.stderr and "Traceback" not in out.stderr


def test_invalid_config_names_the_file_and_the_key(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("agents:\n  - {id: '1', skils: [x], huawei: {}}\nfaces: {huawei: {poll_hold_secs: 3}}\n")
    out = run("serve", "--config", str(bad))
    assert out.returncode == 2 and str(bad) in out.stderr and "skils" in out.stderr
    bad.write_text("faces: {huawei: {poll_hold_secs: 3}}\n")
    out = run("serve", "--config", str(bad))
    assert out.returncode == 2 and "poll_hold_secs" in out.stderr and "Traceback" not in out.stderr


def test_serve_answers_on_the_demo_config_and_stops_on_sigterm():
    proc = subprocess.Popen([*CCSIM, "serve", "--port-base", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        urls = _wait_for_urls(proc, time.monotonic() + 30)
        assert set(urls) == {"admin", "dashboard", *registry.names()}
        assert urls["dashboard"] == urls["admin"] + "/_ccsim/ui/"
        health = json.load(urllib.request.urlopen(urls["admin"] + "/_ccsim/health", timeout=10))
        assert health["status"] == "ok" and health["clock"]["kind"] == "real"
        request = urllib.request.Request(
            urls["huawei"] + "/agentgateway/resource/onlineagent/291/loginex", method="PUT",
            data=b'{ "password": "", "phonenum": "40038", "status": "4", "releasephone": "false", "agenttype": "4" }',
            headers={"Content-Type": "application/json; charset=UTF-8"})
        with urllib.request.urlopen(request, timeout=10) as resp:
            assert json.load(resp)["retcode"] == "0" and resp.headers["Set-GUID"].startswith("JSESSIONID=")
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 0, err
        assert "ccsim stopped." in out and "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("path", ["ccsim/demo.yaml", "docker/activemq.yaml"])
def test_shipped_configurations_are_valid(path):
    from ccsim import config

    cfg = config.load(Path(__file__).resolve().parents[2] / path)
    assert cfg.agents and cfg.queues


def test_serve_refuses_a_scenarios_folder_that_is_not_there():
    out = run("serve", "--port-base", "0", "--scenarios", "/no/such/folder")
    assert out.returncode == 2 and "--scenarios /no/such/folder: no such folder" in out.stderr
    assert "Traceback" not in out.stderr


def test_serve_gives_the_dashboard_the_scenarios_folder(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "one.yaml").write_text("name: one\nsteps:\n  - wait: 1s\n")
    (tmp_path / "settings.yaml").write_text("seed: 3\n")  # a config file, not a scenario
    proc = subprocess.Popen([*CCSIM, "serve", "--port-base", "0", "--faces", "huawei", "--scenarios", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        urls = _wait_for_urls(proc, time.monotonic() + 30)
        playback = json.load(urllib.request.urlopen(urls["admin"] + "/_ccsim/playback", timeout=10))
        assert playback["folder"] == str(tmp_path) and playback["scenarios"] == ["sub/one.yaml"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
