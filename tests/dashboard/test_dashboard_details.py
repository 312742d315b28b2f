"""The dashboard's details in a real headless Chromium, against `ccsim serve` on the demo
configuration (issue 23): the chart's time axis, the reason beside a not-ready badge, why an
agent went offline, and a screenshot recipe that ends."""
from __future__ import annotations

import json
import re
import shlex
import subprocess
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import stomp

from support.browser import require_chromium, row
from support.serve import Served

from playwright.sync_api import Page, expect

DOCS = Path(__file__).resolve().parents[2] / "docs" / "dashboard.md"


def test_the_chart_has_a_time_axis_on_the_simulators_clock(page: Page, served: Served):
    labels = page.locator("#chart .x-axis text")
    expect(labels.nth(1)).to_be_attached(timeout=15_000)  # a sample a second: two ticks within seconds
    ticks = [(float(t.get_attribute("data-at")), t.text_content()) for t in labels.all()]
    for at, text in ticks:
        assert re.fullmatch(r"\d\d:\d\d:\d\d", text)
        assert text == datetime.fromtimestamp(at, timezone.utc).strftime("%H:%M:%S")  # the clock's time, UTC
    assert [at for at, _ in ticks] == sorted({at for at, _ in ticks})  # left to right, each once
    now = served.call("GET", "/_ccsim/clock")["now"]
    assert now - 600 <= ticks[0][0] <= ticks[-1][0] <= now  # within the chart's ten minutes, none ahead
    box = page.locator("#chart").bounding_box()
    first, last = (labels.nth(i).bounding_box() for i in (0, len(ticks) - 1))
    assert box["x"] <= first["x"] < last["x"] <= box["x"] + box["width"]  # laid out left to right, inside
    assert first["y"] > box["y"] + 150  # under the plot, not over it


def test_a_finesse_not_ready_badge_says_its_reason_code(page: Page, served: Served):
    host, port = served.urls["finesse"].removeprefix("stomp://").rsplit(":", 1)
    conn = stomp.Connection([(host, int(port))], auto_content_length=False)
    conn.connect(wait=True)
    try:
        for jms_type, body in (("Hello#desk-9", ""), ("Connect#1001", "desk-9,demo"), ("Login#1001", "demo,2001"),
                               ("MakeNotReadyWithReason#1001", "2")):
            conn.send("/queue/Connector1", body, headers={"type": jms_type})
        expect(row(page, "1001")).to_contain_text("reasonCode=2")
        expect(row(page, "1001").locator(".badge")).to_have_text("busy")
        expect(row(page, "1001").locator(".reason")).to_have_text("NOT_READY: Lunch (2)")  # the demo's code 2
        conn.send("/queue/Connector1", "", headers={"type": "MakeReady#1001"})
        expect(row(page, "1001").locator(".badge")).to_have_text("idle")
        expect(row(page, "1001").locator(".reason")).to_have_count(0)  # ready: nothing to explain
    finally:
        conn.disconnect()


def _cxone(served: Served, method: str, path: str, body: bytes, headers: dict[str, str]) -> dict:
    request = urllib.request.Request(served.urls["nice"] + path, data=body, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


def test_a_cxone_unavailable_badge_says_its_out_state(page: Page, served: Served):
    token = _cxone(served, "POST", "/InContactAuthorizationServer/Token",
                   b"grant_type=password&username=ada@example.com&password=demo",
                   {"Content-Type": "application/x-www-form-urlencoded"})
    api = token["resource_server_base_uri"].removeprefix(served.urls["nice"]) + "services/v27.0/agent-sessions"
    bearer = {"Authorization": f"Bearer {token['access_token']}", "Content-Type": "application/json"}
    session = _cxone(served, "POST", api, b'{"stationPhoneNumber": "WebRTC"}', bearer)["sessionId"]
    _cxone(served, "POST", f"{api}/{session}/state", b'{"state": "Unavailable", "reason": "Lunch"}', bearer)
    expect(row(page, "7001").locator(".badge")).to_have_text("busy")
    expect(row(page, "7001").locator(".reason")).to_have_text("Unavailable: Lunch")
    _cxone(served, "POST", f"{api}/{session}/state", b'{"state": "Available"}', bearer)
    expect(row(page, "7001").locator(".badge")).to_have_text("idle")
    expect(row(page, "7001").locator(".reason")).to_have_count(0)


def test_a_huawei_agent_signed_out_for_not_polling_says_why(page: Page, served: Served):
    served.call("POST", "/_ccsim/clock", {"speed": 60})  # the gateway's two minutes in two seconds
    request = urllib.request.Request(
        served.urls["huawei"] + "/agentgateway/resource/onlineagent/291/loginex", method="PUT",
        data=b'{"password": "", "phonenum": "40038", "status": "4"}', headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert json.load(resp)["retcode"] == "0"
    expect(row(page, "291").locator(".badge")).to_have_text("idle")
    expect(row(page, "291").locator(".badge")).to_have_text("offline", timeout=15_000)  # it never polled
    expect(row(page, "291").locator(".reason")).to_have_text("signed out: no poll or heartbeat for 120 s")
    served.call("POST", "/_ccsim/reset")
    expect(row(page, "291").locator(".reason")).to_have_count(0)  # a reset forgets it


def recipe() -> list[str]:
    """The screenshot command docs/dashboard.md gives (the block after its marker)."""
    text = DOCS.read_text()
    block = text.split("<!-- screenshot-recipe -->", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return shlex.split(block.replace("\\\n", " "))


def test_the_screenshot_recipe_in_the_docs_ends_with_a_picture(served: Served, tmp_path: Path):
    command = recipe()
    assert command[0] == "chromium" and any(a.startswith("--virtual-time-budget=") for a in command)
    url = command[-1]
    command = [require_chromium(), *[a.replace("dashboard.png", str(tmp_path / "dashboard.png")) for a in command[1:-1]],
               url.replace("http://127.0.0.1:8800", served.urls["admin"])]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=90)  # without ?static=1: never ends
    shot = tmp_path / "dashboard.png"
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    print(f"screenshot in {time.monotonic() - started:.1f} s: {shot}")
