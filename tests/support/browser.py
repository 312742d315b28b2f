"""A real headless Chromium for the dashboard's tests, driven by Playwright.

The browser is Debian's `chromium` (.ci/run installs it; `$CCSIM_CHROMIUM` names another
executable). Playwright only drives it: it downloads no browser of its own. With CI set the
tests fail when Chromium is missing, as the ActiveMQ tests do (tests/support/activemq.py); on a
developer's machine they are skipped, saying how to install it.
"""
from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

import pytest

from support.activemq import in_ci

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

MISSING_MESSAGE = "the dashboard's browser tests need Chromium: apt-get install chromium (or set $CCSIM_CHROMIUM)"
# Headless on a machine with no display and a closed network: no GPU, no sandbox (root in CI),
# and none of the background connections a closed network refuses (update checks, sync, QUIC).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    return os.environ.get("CCSIM_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def require_chromium() -> str:
    """The executable; fails (in CI) or skips (elsewhere) when there is none."""
    path = chromium_path()
    if path is not None:
        return path
    if in_ci():
        pytest.fail(MISSING_MESSAGE, pytrace=False)
    pytest.skip(MISSING_MESSAGE)


def row(page: Page, agent: str) -> Locator:
    """The dashboard's row of one agent."""
    return page.locator(f'#agents tr[data-key="{agent}"]')
