"""The dashboard's browser tests: a real headless Chromium (support/browser.py) and `ccsim serve`
on the demo configuration, each once per test module, and a fresh page of it per test."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from support.browser import CHROMIUM_ARGS, require_chromium
from support.serve import Served


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
