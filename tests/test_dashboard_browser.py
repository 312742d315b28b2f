"""The dashboard in a real headless Chromium (tests/browser.py), against `ccsim serve` on the
demo configuration: every face at once, on the real clock, as a trainer runs it."""
from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from browser import CHROMIUM_ARGS, require_chromium
from test_cli import CCSIM, _wait_for_urls

from playwright.sync_api import Browser, Page, expect, sync_playwright

TOKEN = "trainer-t0ken"


class Served:
    """`ccsim serve` in a subprocess, and its admin API."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([*CCSIM, "serve", "--port-base", "0", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     env={k: v for k, v in os.environ.items() if k != "CCSIM_ADMIN_TOKEN"})
        self.urls = _wait_for_urls(self.proc, time.monotonic() + 30)
        self.token = args[args.index("--admin-token") + 1] if "--admin-token" in args else None
        self.ui = self.urls["admin"] + "/_ccsim/ui/"

    def call(self, method: str, path: str, body: Any = None, base: str | None = None,
             headers: dict[str, str] | None = None) -> Any:
        headers = dict(headers or ({"Authorization": f"Bearer {self.token}"} if self.token else {}))
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request((base or self.urls["admin"]) + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=10) as resp:
            return json.loads(resp.read() or b"null")

    def stop(self) -> str:
        """Stops it; what it wrote on stderr. It must not have answered 5xx or hit an internal error."""
        entries = self.call("GET", "/_ccsim/journal")["entries"]
        broken = [e for e in entries if "internalError" in e["response"]
                  or (isinstance(e["response"].get("status"), int) and e["response"]["status"] >= 500
                      and e["kind"] != "webhook")]
        self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=30)
        assert not broken, broken[:3]
        assert self.proc.returncode == 0 and "Traceback" not in err, err
        return err


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    server = Served()
    yield server
    server.stop()


@pytest.fixture
def page(browser: Browser, served: Served) -> Iterator[Page]:
    served.call("POST", "/_ccsim/playback/stop")
    served.call("POST", "/_ccsim/reset")
    served.call("POST", "/_ccsim/clock", {"speed": 1})
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    tab.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" and "status of 4" not in msg.text
           else None)  # the 4xx of a bad input are the point of some tests; anything else is not
    tab.goto(served.ui)
    expect(tab.locator("#link")).to_have_text("live")
    yield tab
    context.close()
    assert not problems, problems


def row(page: Page, agent: str):
    return page.locator(f'#agents tr[data-key="{agent}"]')


def test_the_page_shows_every_demo_agent_in_its_vendors_words(page: Page, served: Served):
    agents = served.call("GET", "/_ccsim/state")["agents"]
    expect(page.locator("#agents tbody tr")).to_have_count(len(agents))
    expect(row(page, "291")).to_contain_text("agentState=2 signed-out")
    expect(row(page, "1001")).to_contain_text("state=LOGOUT reasonCode=-1")
    expect(row(page, "7003")).to_contain_text("session=none")
    expect(row(page, "5001")).to_contain_text("tabs=0/4")
    expect(row(page, "6001").locator(".badge")).to_have_text("idle")
    expect(page.locator("#queues tbody tr")).to_have_count(7)
    expect(page.locator("#clock")).to_contain_text("real · 1x")


def test_a_call_injected_from_the_page_rings_is_answered_and_hangs_up(page: Page, served: Served, tmp_path: Path):
    page.fill("#inject-queue", "helpdesk")
    page.fill("#inject-caller", "+447700900123")
    page.click("#inject")
    expect(row(page, "6001").locator(".badge")).to_have_text("ringing")
    expect(page.locator("#contacts tbody tr")).to_have_count(1)
    expect(page.locator("#journal")).to_contain_text("inject c1 (helpdesk)")
    expect(row(page, "6001").locator(".badge")).to_have_text("talking", timeout=10_000)  # 3 s to answer
    expect(page.locator("#contacts .contact-state")).to_have_text("connected")
    expect(page.locator("#journal")).to_contain_text("webhook <- agent-answers-call")
    expect(row(page, "6001")).to_contain_text("answered=c1")
    shot = tmp_path / "dashboard-during-a-call.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {shot}")

    page.select_option("#journal-face", "intermedia")
    page.fill("#journal-agent", "6001")
    lines = page.locator("#journal li")
    expect(lines.first).to_be_visible()
    assert all(text.split(" ", 1)[1].startswith("intermedia 6001") for text in lines.all_inner_texts())

    page.click('#contacts button[data-hangup="c1"]')
    expect(page.locator("#contacts tbody tr")).to_have_count(0)
    expect(row(page, "6001").locator(".badge")).to_have_text("idle")


@pytest.mark.parametrize("form, fill, words", [
    ("#inject", {"#inject-queue": ""}, "queue: '' should be non-empty"),
    ("#inject", {"#inject-queue": "no-such-queue"}, "unknown queue 'no-such-queue'"),
    ("#pause", {"#pause-agent": "nobody"}, "unknown agent 'nobody'"),
    ("#pause", {"#pause-agent": "291"}, "agent 291 is not signed in on any face"),
    ("#fault-add", {}, "a fault needs an error"),  # neither an error nor a delay
])
def test_bad_input_from_the_page_shows_a_readable_error(page: Page, served: Served, form, fill, words):
    for selector, value in fill.items():
        page.fill(selector, value)
    page.click(form)
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error-text")).to_contain_text(words)
    page.click("#error-close")
    expect(page.locator("#error")).to_be_hidden()
    expect(page.locator("#link")).to_have_text("live")  # the page is still connected and working
    assert served.call("GET", "/_ccsim/state")["contacts"] == []


def test_a_scenario_plays_pauses_steps_and_resumes_from_the_page(page: Page, served: Served):
    status = page.locator("#playback-status")
    page.select_option("#playback-scenario", "huawei_call_answered.yaml")
    page.fill("#playback-speed", "2")
    page.click("#play")
    expect(status).to_contain_text("playing")
    expect(page.locator("#clock")).to_contain_text("2x")
    expect(row(page, "291").locator(".badge")).to_have_text("ringing")  # the view follows
    page.click('button[data-action="pause"]')  # during the 5 s the agent lets it ring
    expect(status).to_contain_text("paused")
    expect(page.locator("#clock")).to_contain_text("frozen")
    paused_at = served.call("GET", "/_ccsim/playback")["step"]
    frozen = served.call("GET", "/_ccsim/clock")["now"]
    time.sleep(1.5)  # 3 s of the scenario's time, were it not paused
    assert served.call("GET", "/_ccsim/playback")["step"] == paused_at
    assert served.call("GET", "/_ccsim/clock")["now"] == frozen  # time stood still: the call still rings
    expect(row(page, "291").locator(".badge")).to_have_text("ringing")
    page.click('button[data-action="step"]')
    expect(status).to_contain_text(f"step {paused_at + 2} of")
    expect(status).to_contain_text("paused")
    page.click('button[data-action="resume"]')
    page.fill("#playback-speed", "60")
    expect(page.locator("#clock")).to_contain_text("60x")
    expect(status).to_contain_text("finished", timeout=15_000)
    expect(status).to_contain_text("all 14 steps passed")
    expect(row(page, "291").locator(".badge")).to_have_text("offline")


def test_an_xcally_agent_is_paused_and_unpaused_from_its_row(page: Page, served: Served):
    anna = served.call("GET", "/api/users?name=anna&apikey=ccsim-xcally-key", base=served.urls["xcally"])["rows"][0]
    basic = base64.b64encode(b"anna:Demo#2026").decode()
    served.call("POST", f"/api/users/{anna['id']}/login", {}, base=served.urls["xcally"],
                headers={"Authorization": f"Basic {basic}"})
    expect(row(page, "5001")).to_contain_text("chat=idle")
    row(page, "5001").locator("button[data-pause]").click()
    expect(row(page, "5001")).to_contain_text("chat=pause")
    expect(row(page, "5001")).to_contain_text("paused=voice (DEFAULT PAUSE)")
    row(page, "5001").locator("button[data-unpause]").click()
    expect(row(page, "5001")).to_contain_text("chat=idle")


def test_a_fault_is_injected_and_cleared_and_reset_empties_the_page(page: Page, served: Served):
    page.select_option("#fault-face", "huawei")
    page.fill("#fault-op", "loginex")
    page.fill("#fault-error", "100-006")
    page.click("#fault-add")
    expect(page.locator("#faults li")).to_contain_text("huawei loginex 100-006")
    page.click("#faults button[data-fault]")
    expect(page.locator("#faults li")).to_have_count(0)
    page.fill("#inject-queue", "sales")
    page.click("#inject")
    expect(page.locator("#contacts tbody tr")).to_have_count(1)
    page.click("#reset")
    expect(page.locator("#contacts tbody tr")).to_have_count(0)
    expect(page.locator("#journal li")).to_have_count(0)


def test_the_chart_draws_calls_waiting_and_agents_by_state(page: Page, served: Served):
    for _ in range(3):
        served.call("POST", "/_ccsim/contacts", {"queue": "sales"})  # nobody for sales: they wait
    expect(page.locator("#queues tbody tr").first).to_contain_text("3")
    last_y = ("(() => { const p = document.querySelector('#chart polyline[data-series=waiting]')"
              ".getAttribute('points').trim().split(' '); return Number(p[p.length - 1].split(',')[1]); })()")
    top = "Number(document.querySelector('#chart text.scale').textContent)"  # the chart's scale: its highest value
    three_waiting = f"Math.abs({last_y} - (156 - 3 / {top} * 148)) < 0.1"
    # Samples are taken on the clock, so the last one may still show one or two calls: wait for
    # one taken after the third (a chart that never draws three times out here).
    page.wait_for_function(three_waiting, timeout=10_000)
    assert page.evaluate(last_y) == pytest.approx(156 - 3 / page.evaluate(top) * 148, abs=0.1)
    expect(page.locator("#legend")).to_contain_text("calls waiting")


def test_with_an_admin_token_the_page_asks_for_it(browser: Browser):
    server = Served("--admin-token", TOKEN)
    try:
        context = browser.new_context()
        page = context.new_page()
        page.goto(server.ui)
        expect(page.locator("#token-form")).to_be_visible()
        page.fill("#token", TOKEN)
        page.click("#token-form button")
        expect(page.locator("#link")).to_have_text("live")
        expect(page.locator("#agents tbody tr")).to_have_count(14)
        fresh = context.new_page()  # a link with the token after #: the server never sees it in a URL
        fresh.goto(server.ui + "#token=" + TOKEN)
        expect(fresh.locator("#link")).to_have_text("live")
        assert "#token" not in fresh.url
        context.close()
    finally:
        server.stop()
