"""Cross-site use of the admin API in a real headless Chromium (tests/support/browser.py), against
`ccsim serve` without a token (issue 22, item 5): a page of another origin tries every way a page
can send a request without asking (fetch no-cors with text/plain and form bodies, HTML forms),
and to read the journal; a DNS-rebinding page tries the same as ccsim's own origin. Neither may
reset ccsim, inject a contact or read the journal.

The rebinding page is simulated: Chromium resolves attacker.example to 127.0.0.1
(--host-resolver-rules) and the page's document comes from Playwright, not from ccsim. Chromium's
Local Network Access checks, which would block such a page from loopback, are turned off: ccsim
must not rely on one browser's defence, which other browsers, and pages served from a private
address, do not have."""
from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from support.browser import CHROMIUM_ARGS, require_chromium
from support.serve import Served

from playwright.sync_api import Browser, sync_playwright

REBIND_ARGS = ["--host-resolver-rules=MAP attacker.example 127.0.0.1",
               "--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessSendPreflights,"
               "PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests"]

# Every request a page may send to another origin without a CORS preflight, then a read.
ATTACK = """
window.attack = async (admin) => {
  const done = {};
  const send = async (name, path, init) => {
    try { await fetch(admin + path, {method: "POST", mode: "no-cors", ...init}); done[name] = "sent"; }
    catch (err) { done[name] = "failed: " + err; }
  };
  await send("reset as text", "/_ccsim/reset", {headers: {"Content-Type": "text/plain"}, body: "{}"});
  await send("inject as text", "/_ccsim/contacts", {headers: {"Content-Type": "text/plain"}, body: '{"queue": "sales"}'});
  await send("inject as a form", "/_ccsim/contacts", {body: new URLSearchParams({queue: "sales"})});
  await send("inject with no type", "/_ccsim/contacts", {body: new Blob(['{"queue": "sales"}'])});
  const forms = [["text/plain", "/_ccsim/contacts", '{"queue": "sales", "x": "', '"}'],
                 ["application/x-www-form-urlencoded", "/_ccsim/reset", "x", "1"]];
  await Promise.all(forms.map(([enctype, path, name, value], n) => new Promise((resolve) => {
    const frame = document.createElement("iframe");
    frame.name = "target" + n;
    frame.onload = resolve;
    document.body.append(frame);
    const form = document.createElement("form");
    Object.assign(form, {method: "POST", action: admin + path, enctype, target: frame.name});
    const input = Object.assign(document.createElement("input"), {type: "hidden", name, value});
    form.append(input);
    document.body.append(form);
    form.submit();
  })));
  try {
    const resp = await fetch(admin + "/_ccsim/journal?secrets=show");
    done.read = "read " + resp.status + ": " + (await resp.text()).slice(0, 60);
  } catch (err) { done.read = "failed: " + err; }
  return done;
};
"""

REBOUND = """
window.rebound = async () => {
  const done = {};
  for (const [name, method, path, body] of [["reset", "POST", "/_ccsim/reset", "{}"],
                                            ["inject", "POST", "/_ccsim/contacts", '{"queue": "sales"}'],
                                            ["read", "GET", "/_ccsim/journal?secrets=show", undefined]]) {
    try {
      const resp = await fetch(path, {method, body, headers: {"Content-Type": "application/json"}});
      const data = await resp.json().catch(() => null);
      done[name] = {status: resp.status, error: data && data.error, read: Boolean(data && data.entries)};
    } catch (err) { done[name] = {failed: String(err)}; }
  }
  return done;
};
"""


def _page(script: str) -> bytes:
    return f"<!doctype html><html><body><script>{script}</script></body></html>".encode()


class _Attacker(http.server.BaseHTTPRequestHandler):
    """Another origin: a page on another port of 127.0.0.1."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = _page(ATTACK)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def attacker() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Attacker)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/page.html"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS + REBIND_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    server = Served("--faces", "huawei")  # no XCALLY: its phonebar's fixed port is not needed here
    yield server
    server.stop()


def _before(served: Served) -> tuple[list[str], list[tuple[int, float]]]:
    """A contact waiting and the journal so far: what a reset or an injection would change."""
    served.call("POST", "/_ccsim/reset")
    served.call("POST", "/_ccsim/contacts", {"queue": "sales"})
    return _now(served)


def _now(served: Served) -> tuple[list[str], list[tuple[int, float]]]:
    contacts = [c["id"] for c in served.call("GET", "/_ccsim/state")["contacts"]]
    return contacts, [(e["seq"], e["at"]) for e in served.call("GET", "/_ccsim/journal")["entries"]]


def test_a_page_of_another_origin_can_neither_reset_nor_inject_nor_read(browser: Browser, served: Served, attacker):
    before = _before(served)
    context = browser.new_context()
    page = context.new_page()
    page.goto(attacker)
    done = page.evaluate("admin => attack(admin)", served.urls["admin"])
    context.close()
    assert _now(served) == before, done  # no reset, no contact injected, nothing journaled
    assert done["read"].startswith("failed"), done  # the journal stayed unread


def test_a_dns_rebinding_page_is_refused_as_ccsims_own_origin(browser: Browser, served: Served):
    before = _before(served)
    port = served.urls["admin"].rsplit(":", 1)[1]
    context = browser.new_context()
    page = context.new_page()
    context.route(f"http://attacker.example:{port}/rebound.html",
                  lambda route: route.fulfill(body=_page(REBOUND), content_type="text/html"))
    page.goto(f"http://attacker.example:{port}/rebound.html")
    done = page.evaluate("rebound()")
    context.close()
    assert _now(served) == before, done
    for name in ("reset", "inject", "read"):  # same-origin: the page sees ccsim's refusal, and nothing else
        assert done[name]["status"] == 403 and "admin_allowed_hosts" in done[name]["error"], done
        assert not done[name]["read"], done
