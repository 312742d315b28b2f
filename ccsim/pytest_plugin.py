"""pytest plugin: ccsim as a test double, one simulator per test session, reset before each test.

Installed with ccsim (entry point ``pytest11: ccsim``); nothing to import. Fixtures:

* ``ccsim`` (function): resets the simulator, returns a :class:`Ccsim` handle (sync API over
  the admin API with urllib; also usable from async tests, see below).
* ``ccsim_server`` (session): the :class:`CcsimServer` running in a daemon thread on its own
  event loop, on free ports, stopped at the end of the session.
* ``ccsim_config`` (session): the :class:`ccsim.config.Config`, from the ini option
  ``ccsim_config = path/to/ccsim.yaml`` (relative to the ini file), else the built-in demo;
  forced onto free ports. Override it in a conftest.py to build one in code.

Example (the demo agent 291 auto-answers; its events reach it, and the journal, only when its
client polls ``agentevent``, as a real desktop does)::

    import json, urllib.request

    def put(url, body, headers=None):
        req = urllib.request.Request(url, data=json.dumps(body).encode(), method="PUT",
                                     headers={"Content-Type": "application/json", **(headers or {})})
        with urllib.request.urlopen(req) as resp:
            return json.load(resp), resp.headers

    def get(url, headers=None):
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {})) as resp:
            return json.load(resp)

    def test_agent_signs_in_and_gets_a_call(ccsim):
        base = ccsim.url("huawei") + "/agentgateway/resource"
        body, headers = put(f"{base}/onlineagent/291/loginex", {"password": "", "phonenum": "40038"})
        assert body["retcode"] == "0"
        ccsim.assert_request_made(op="loginex", agent="291", count=1)
        guid = headers["Set-GUID"].split("JSESSIONID=", 1)[1]
        contact = ccsim.inject("sales", caller="+15550100")
        for _ in range(8):  # the desktop polls its events, one per GET
            event = get(f"{base}/agentevent/291", {"Guid": guid})["event"]
            if event["eventType"] == "AgentEvent_Auto_Answer":
                break
        ccsim.wait_for_event("291", "AgentEvent_Auto_Answer")  # delivered over the wire
        assert contact["agent"] == "291"  # routed to the only free agent as it arrived

Match keywords (``face, kind, op, agent, path, method, type``) are the journal's: ``op`` is
case-insensitive, ``path`` a glob, ``type`` an op or a delivered event type. In an async test,
the blocking waits would stall the test's own loop (and any client task polling on it): run
them in a thread, ``await asyncio.to_thread(ccsim.wait_for_event, "291", "AgentEvent_Ringing")``.
"""
from __future__ import annotations

import asyncio
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

MATCH_FIELDS = ("face", "kind", "op", "agent", "path", "method", "type")
MAX_WAIT = 300.0  # the admin API's own limit for /journal/wait
_SHOWN = 40  # journal lines in a failure message


class CcsimError(Exception):
    """The admin API refused a command (unknown queue, contact not waiting, bad fault...)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("ccsim_config", "ccsim YAML configuration for the ccsim fixtures (relative to the "
                  "ini file); default: the built-in demo configuration", default="")
    parser.addini("ccsim_scenarios", "collect ccsim YAML scenarios (*.yaml, *.yml with `steps`) as test "
                  "items, each run on its own simulator and virtual clock", type="bool", default=False)


# -- YAML scenarios as test items (opt-in: ccsim_scenarios = true) -------------------------------
def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix in (".yaml", ".yml") and parent.config.getini("ccsim_scenarios"):
        from .scenario.loader import is_scenario_file

        if is_scenario_file(file_path):
            return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from .scenario.loader import ScenarioError, load

        try:
            scenario = load(self.path)
        except ScenarioError as exc:
            raise self.CollectError(str(exc)) from None
        yield ScenarioItem.from_parent(self, name=scenario.name, scenario=scenario)


class ScenarioFailed(AssertionError):
    pass


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        from .scenario.report import failure_text
        from .scenario.runner import run_scenario

        result = asyncio.run(run_scenario(self.scenario))
        if not result.passed:
            raise ScenarioFailed(failure_text(result))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"scenario: {self.name}"


class CcsimServer:
    """A Simulator on RealClock in a daemon thread with its own event loop.

    Simulator objects belong to that loop: from other threads use the admin API (``urls``)
    or ``call``, which runs a function (or coroutine function) on the loop and returns its result.
    """

    def __init__(self, config: Any):
        self.config = config
        self.urls: dict[str, str] = {}
        self.simulator: Any = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="ccsim-server", daemon=True)

    def start(self, timeout: float = 30.0) -> None:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"ccsim did not start within {timeout:g} s")
        if self._error is not None:
            self._thread.join(timeout)
            raise self._error

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        from .app import Simulator
        from .core import RealClock

        try:
            self.loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            self.simulator = Simulator(self.config, RealClock())
            self.urls = await self.simulator.start()
        except BaseException as exc:  # reported to start() in the test thread
            self._error = exc
            return
        finally:
            self._ready.set()
        try:
            await self._stop.wait()
        finally:
            self.simulator.reset()  # closes sessions, so that held long polls answer now
            await self.simulator.stop()

    def call(self, fn: Callable[..., Any], *args: Any, timeout: float = 30.0) -> Any:
        async def run() -> Any:
            result = fn(*args)
            return await result if asyncio.iscoroutine(result) else result

        assert self.loop is not None, "the ccsim server is not running"
        return asyncio.run_coroutine_threadsafe(run(), self.loop).result(timeout)

    def stop(self, timeout: float = 90.0) -> None:
        if self.loop is not None and self._stop is not None and self._thread.is_alive():
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise RuntimeError(f"the ccsim server thread did not stop within {timeout:g} s")


def _describe(match: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in match.items()) or "(anything)"


def _line(e: dict[str, Any]) -> str:
    req, resp = e.get("request") or {}, e.get("response") or {}
    body = resp.get("body")
    text = f"  #{e['seq']} {e['face']} {e['op']}"
    text += f" agent={e['agent']}" if e.get("agent") else ""
    if "method" in req:
        text += f" {req['method']} {req.get('path', '-')} -> {resp.get('status', '-')}"
    else:
        text += f" ({e['kind']})"
    text += f" retcode={body['retcode']}" if isinstance(body, dict) and "retcode" in body else ""
    return text + (f" types={','.join(e['types'])}" if e.get("types") else "")


class Ccsim:
    """What a test sees: the simulator's URLs and a small sync API over its admin API."""

    def __init__(self, server: CcsimServer):
        self.server = server
        self.urls: dict[str, str] = dict(server.urls)
        self._admin = self.urls["admin"] + "/_ccsim"

    def url(self, face: str) -> str:
        try:
            return self.urls[face]
        except KeyError:
            raise KeyError(f"ccsim serves no {face!r}; it serves {', '.join(self.urls)}") from None

    # -- HTTP to the admin API ----------------------------------------------------------------
    def _request(self, method: str, route: str, body: Any = None, params: dict[str, Any] | None = None,
                 timeout: float = 30.0) -> Any:
        url = self._admin + route
        if params:
            url += "?" + urllib.parse.urlencode({k: str(v) for k, v in params.items() if v is not None})
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if self.server.config.admin_token:
            headers["Authorization"] = f"Bearer {self.server.config.admin_token}"
        req = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return json.load(resp)
        except urllib.error.HTTPError as exc:
            with exc:
                raw = exc.read()
            try:
                message = json.loads(raw)["error"]
            except (ValueError, KeyError, TypeError):
                message = raw.decode("utf-8", "replace")
            raise CcsimError(f"{method} /_ccsim{route} -> {exc.code}: {message}") from None

    @staticmethod
    def _match(match: dict[str, Any]) -> dict[str, str]:
        unknown = sorted(set(match) - set(MATCH_FIELDS))
        if unknown:
            raise TypeError(f"unknown journal match field(s) {', '.join(unknown)}; known: {', '.join(MATCH_FIELDS)}")
        return {k: str(v) for k, v in match.items() if v is not None}

    # -- commands ------------------------------------------------------------------------------
    def reset(self) -> None:
        self._request("POST", "/reset")

    def inject(self, queue: str | None = None, caller: str | None = None, channel: str | None = None,
               called: str | None = None, data: dict[str, Any] | None = None, agent: str | None = None) -> dict[str, Any]:
        """A contact arrives in `queue`, or is dialled straight to `agent` (as to its extension)."""
        body = {"queue": queue, "caller": caller, "channel": channel, "called": called, "data": data, "agent": agent}
        return self._request("POST", "/contacts", {k: v for k, v in body.items() if v is not None})

    def hangup(self, contact_id: str) -> dict[str, Any]:
        return self._request("POST", f"/contacts/{urllib.parse.quote(contact_id, safe='')}/hangup")

    def abandon(self, contact_id: str) -> dict[str, Any]:
        return self._request("POST", f"/contacts/{urllib.parse.quote(contact_id, safe='')}/abandon")

    def state(self) -> dict[str, Any]:
        return self._request("GET", "/state")

    def add_fault(self, face: str, op: str | None = None, agent: str | None = None, error: str | None = None,
                  delay: float = 0.0, times: int | None = None) -> dict[str, Any]:
        body = {"face": face, "op": op, "agent": agent, "error": error, "delay": delay or None, "times": times}
        return self._request("POST", "/faults", {k: v for k, v in body.items() if v is not None})

    # -- the journal ------------------------------------------------------------------------------
    def journal(self, *, since: int = 0, secrets: bool = False, **match: Any) -> list[dict[str, Any]]:
        """Journal entries (oldest first) matching `match`, from seq `since` on. Passwords and tokens
        read `***` (the configured one) or `***other***`, unless `secrets=True`: as sent."""
        params = {**self._match(match), "since": since, "secrets": "show" if secrets else None}
        return self._request("GET", "/journal", params=params)["entries"]

    def _listing(self, title: str = "the journal since the reset") -> str:
        entries = self.journal()
        if not entries:
            return f"{title}: empty"
        hidden = len(entries) - _SHOWN
        lines = [_line(e) for e in entries[-_SHOWN:]]
        head = f"{title} ({len(entries)} entries{f', last {_SHOWN} shown' if hidden > 0 else ''}):"
        return "\n".join([head, *lines])

    def wait_for_request(self, timeout: float = 10.0, *, since: int = 0, **match: Any) -> dict[str, Any]:
        """The first entry matching `match` (from seq `since`), waiting up to `timeout` seconds."""
        __tracebackhide__ = True
        params = self._match(match)
        left = timeout  # measured by the server (the test thread reads no clock)
        while True:
            chunk = min(max(left, 0.0), MAX_WAIT)
            answer = self._request("GET", "/journal/wait", params={**params, "since": since, "timeout": f"{chunk:.3f}"},
                                   timeout=chunk + 30)
            if answer["matched"]:
                return answer["entry"]
            left -= chunk
            if left <= 0:
                raise AssertionError(f"no request matching {_describe(params)} within {timeout:g} s\n" + self._listing())

    def wait_for_event(self, agent: str, event_type: str, timeout: float = 10.0, *, since: int = 0) -> dict[str, Any]:
        """The journal entry that delivered `event_type` to `agent` (its client must poll for it)."""
        __tracebackhide__ = True
        try:
            while True:
                entry = self.wait_for_request(timeout, since=since, agent=agent, type=event_type)
                if event_type in entry.get("types", ()):
                    return entry
                since = entry["seq"] + 1  # it matched the op name, not a delivered event
        except AssertionError:
            pass
        delivered = [t for e in self.journal(agent=agent) for t in e.get("types", ())]
        raise AssertionError(
            f"agent {agent!r} was not delivered {event_type!r} within {timeout:g} s; "
            f"delivered to it since the reset: {delivered or 'nothing'}\n(events reach the journal only when "
            f"the agent's client polls for them)\n" + self._listing())

    def assert_request_made(self, count: int | None = None, **match: Any) -> list[dict[str, Any]]:
        """At least one entry matches (or exactly `count`); returns the matching entries."""
        __tracebackhide__ = True
        found = self.journal(**match)
        if (not found) if count is None else (len(found) != count):
            wanted = "at least one request" if count is None else f"exactly {count} request(s)"
            raise AssertionError(f"expected {wanted} matching {_describe(self._match(match))}, "
                                 f"found {len(found)}\n" + self._listing())
        return found

    def assert_requests_in_order(self, *matches: dict[str, Any]) -> list[dict[str, Any]]:
        """Entries matching each of `matches` in this order (others may come between)."""
        __tracebackhide__ = True
        found: list[dict[str, Any]] = []
        since = 0
        for i, match in enumerate(matches, 1):
            hits = self.journal(since=since, **match)
            if not hits:
                after = f" after #{found[-1]['seq']}, which matched request {i - 1}" if found else ""
                raise AssertionError(f"request {i} of {len(matches)} ({_describe(self._match(match))}) "
                                     f"not found{after}\n" + self._listing())
            found.append(hits[0])
            since = hits[0]["seq"] + 1
        return found


# -- fixtures ---------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def ccsim_config(pytestconfig: pytest.Config) -> Any:
    from . import config as config_mod

    path: str | Path | None = pytestconfig.getini("ccsim_config") or None
    if path is not None and not Path(path).is_absolute():
        path = (pytestconfig.inipath.parent if pytestconfig.inipath else pytestconfig.rootpath) / path
    try:
        cfg = config_mod.load(path)
    except config_mod.ConfigError as exc:
        pytest.fail(f"ccsim_config: {exc}", pytrace=False)
    cfg.port_base, cfg.ports = 0, {}
    return cfg


@pytest.fixture(scope="session")
def ccsim_server(ccsim_config: Any) -> Iterator[CcsimServer]:
    server = CcsimServer(ccsim_config)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def ccsim(ccsim_server: CcsimServer) -> Ccsim:
    handle = Ccsim(ccsim_server)
    handle.reset()
    return handle
