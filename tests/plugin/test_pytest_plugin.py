"""The pytest plugin (ccsim/pytest_plugin.py), used the way a user would: each test writes a
user's test files into a temporary project and runs pytest on it (pytester, in process)."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

import ccsim.app  # noqa: F401  (imported once here: the in-process runs then reuse it)
import ccsim.pytest_plugin
from ccsim import registry

pytest_plugins = ["pytester"]

INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
addopts = -p no:hypothesispytest -p no:faker
{extra}
"""

# HTTP helpers a user's test would have (plain urllib: the sync side needs nothing else).
HELPERS = '''
import json, urllib.request

def put(url, body, headers=None, method="PUT"):
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req) as resp:
        return json.load(resp), resp.headers

def sign_in(ccsim, agent="291", password="", phone="40038"):
    url = f"{ccsim.url('huawei')}/agentgateway/resource/onlineagent/{agent}/loginex"
    return put(url, {"password": password, "phonenum": phone})[0]["retcode"]
'''


def readme_example() -> str:
    """The example in the plugin's docstring, exactly as a user would copy it."""
    doc = ccsim.pytest_plugin.__doc__
    block = doc.split("Example", 1)[1].split("::\n", 1)[1].split("\nMatch keywords", 1)[0]
    return textwrap.dedent(block)


@pytest.fixture
def project(pytester: pytest.Pytester):
    """A user's project: pytest.ini (plus extra lines), helpers.py, and the test files given."""

    def make(ini_extra: str = "", **files: str) -> pytest.Pytester:
        pytester.makeini(INI.format(extra=ini_extra))
        pytester.makepyfile(helpers=HELPERS, **{name: textwrap.dedent(src) for name, src in files.items()})
        return pytester

    return make


def test_the_readme_example_passes_without_warnings(project):
    example = readme_example()
    assert "def test_agent_signs_in_and_gets_a_call(ccsim):" in example
    result = project(test_readme=example).runpytest("-W", "error")
    result.assert_outcomes(passed=1)
    assert re.fullmatch(r"=+ 1 passed in [\d.]+s =+", result.outlines[-1]), result.outlines[-1]


def test_assert_request_made_fails_readably(project):
    result = project(test_made="""
        from helpers import sign_in

        def test_made(ccsim):
            assert sign_in(ccsim) == "0"
            ccsim.assert_request_made(op="loginex", agent="291")
            ccsim.assert_request_made(op="LOGINEX", path="*/291/loginex", method="put", count=1)

        def test_not_made(ccsim):
            assert sign_in(ccsim) == "0"
            ccsim.assert_request_made(op="logout", agent="291")

        def test_count_mismatch(ccsim):
            assert sign_in(ccsim) == "0"
            assert sign_in(ccsim) == "100-002"
            ccsim.assert_request_made(op="loginex", count=1)
    """).runpytest()
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*AssertionError: expected at least one request matching op='logout', agent='291', found 0",
        "*the journal since the reset (1 entries):",
        "*#* huawei loginex agent=291 PUT /agentgateway/resource/onlineagent/291/loginex -> 200 retcode=0",
        "*AssertionError: expected exactly 1 request(s) matching op='loginex', found 2",
        "*loginex agent=291 PUT */291/loginex -> 200 retcode=100-002",
    ])


def test_assert_requests_in_order_fails_on_the_wrong_order(project):
    result = project(test_order="""
        from helpers import put, sign_in

        def sign_in_then_out(ccsim):
            base = f"{ccsim.url('huawei')}/agentgateway/resource/onlineagent/291"
            body, headers = put(f"{base}/loginex", {"password": "", "phonenum": "40038"})
            assert body["retcode"] == "0"
            body, _ = put(f"{base}/logout", {}, {"Guid": headers["Set-GUID"]}, method="DELETE")
            assert body["retcode"] == "0"

        def test_right_order(ccsim):
            sign_in_then_out(ccsim)
            found = ccsim.assert_requests_in_order({"op": "loginex"}, {"method": "delete", "path": "*/291/logout"})
            assert [e["op"] for e in found] == ["loginex", "logout"]

        def test_wrong_order(ccsim):
            sign_in_then_out(ccsim)
            ccsim.assert_requests_in_order({"op": "logout"}, {"op": "loginex"})
    """).runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*AssertionError: request 2 of 2 (op='loginex') not found after #*, which matched request 1",
        "*#* huawei loginex agent=291 PUT */291/loginex -> 200 retcode=0",
        "*#* huawei logout agent=291 DELETE */291/logout -> 200 retcode=0",
    ])


def test_state_is_reset_before_each_test(project):
    # Without the reset, the second sign-in answers 100-002 (already signed in): the third test,
    # which uses the server without the `ccsim` fixture, shows that it would.
    result = project(test_reset="""
        from helpers import sign_in

        def test_first(ccsim):
            assert sign_in(ccsim) == "0"
            ccsim.inject("sales")

        def test_second(ccsim):
            assert ccsim.state()["contacts"] == []
            assert ccsim.journal() == []
            assert sign_in(ccsim) == "0"

        def test_without_reset(ccsim_server):
            from ccsim.pytest_plugin import Ccsim
            assert sign_in(Ccsim(ccsim_server)) == "100-002"
    """).runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=3)


def test_wait_for_request_waits_then_times_out_readably(project):
    result = project(test_wait="""
        import threading, time
        from helpers import sign_in

        def test_arrives_later(ccsim):
            threading.Timer(0.3, sign_in, [ccsim]).start()
            start = time.monotonic()
            entry = ccsim.wait_for_request(timeout=5, op="loginex", agent="291")
            assert 0.2 < time.monotonic() - start < 3
            assert entry["response"]["body"]["retcode"] == "0"

        def test_times_out(ccsim):
            assert sign_in(ccsim) == "0"
            start = time.monotonic()
            try:
                ccsim.wait_for_request(timeout=0.5, op="logout")
            finally:
                assert 0.4 < time.monotonic() - start < 3
    """).runpytest()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*AssertionError: no request matching op='logout' within 0.5 s",
        "*the journal since the reset (1 entries):",
        "*#* huawei loginex agent=291 PUT */291/loginex -> 200 retcode=0",
    ])


def test_wait_for_event_sees_only_what_a_poll_delivered(project):
    result = project(test_event="""
        import pytest
        from helpers import sign_in

        def test_not_polled(ccsim):
            assert sign_in(ccsim) == "0"
            with pytest.raises(AssertionError, match="not delivered 'loginex'"):  # an op, not an event
                ccsim.wait_for_event("291", "loginex", timeout=0.1)
            ccsim.wait_for_event("291", "AgentState_Ready", timeout=0.3)
    """).runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*AssertionError: agent '291' was not delivered 'AgentState_Ready' within 0.3 s; "
        "delivered to it since the reset: nothing",
        "*(events reach the journal only when the agent's client polls for them)",
    ])


def test_async_tests_with_aiohttp(project):
    result = project(test_async="""
        import asyncio
        import aiohttp

        async def poll_until(session, base, guid, wanted):
            while True:
                async with session.get(f"{base}/agentevent/291", headers={"Guid": guid}) as resp:
                    event = (await resp.json(content_type=None))["event"]
                if event and event["eventType"] == wanted:
                    return

        async def test_sign_in_and_call(ccsim):
            base = ccsim.url("huawei") + "/agentgateway/resource"
            async with aiohttp.ClientSession() as session:
                async with session.put(f"{base}/onlineagent/291/loginex",
                                       json={"password": "", "phonenum": "40038", "autoanswer": False}) as resp:
                    assert (await resp.json(content_type=None))["retcode"] == "0"
                    guid = resp.headers["Set-GUID"].split("JSESSIONID=", 1)[1]
                ccsim.assert_request_made(op="loginex", agent="291", count=1)
                poller = asyncio.create_task(poll_until(session, base, guid, "AgentEvent_Ringing"))
                contact = ccsim.inject("sales", caller="+15550100")
                entry = await asyncio.to_thread(ccsim.wait_for_event, "291", "AgentEvent_Ringing", 5)
                await asyncio.wait_for(poller, 5)
            assert entry["response"]["body"]["event"]["content"]["caller"] == "+15550100"
            assert ccsim.state()["contacts"][0]["id"] == contact["id"]

        async def test_second_async_test_gets_a_clean_simulator(ccsim):
            assert ccsim.journal() == []
    """).runpytest("-W", "error")
    result.assert_outcomes(passed=2)


def test_ccsim_config_ini_option_loads_the_users_yaml(project):
    result = project("ccsim_config = sim/ccsim.yaml", test_config="""
        from helpers import sign_in

        def test_users_agents_and_queues(ccsim):
            assert not ccsim.urls["admin"].endswith(":8800")  # port_base 8800 in the file
            state = ccsim.state()
            assert [a["id"] for a in state["agents"]] == ["7001"]
            assert [q["id"] for q in state["queues"]] == ["billing"]
            assert sign_in(ccsim, "7001", password="pw", phone="5001") == "0"
            assert ccsim.inject("billing")["agent"] == "7001"
    """)
    (result.path / "sim").mkdir()
    (result.path / "sim" / "ccsim.yaml").write_text(textwrap.dedent("""
        seed: 3
        port_base: 8800   # the plugin forces free ports anyway
        queues:
          - {id: billing, skills: [billing], number: "5555", huawei: {skill_id: 9}}
        agents:
          - {id: "7001", skills: [billing], huawei: {password: pw, phone: "5001"}}
    """))
    result.runpytest().assert_outcomes(passed=1)


def test_a_bad_ccsim_config_is_reported(project):
    result = project("ccsim_config = missing.yaml", test_bad="""
        def test_uses_it(ccsim):
            pass
    """).runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*ccsim_config: */missing.yaml: cannot read: No such file or directory"])


def test_ccsim_config_fixture_can_be_overridden(project):
    pytester = project(test_override="""
        def test_override(ccsim):
            assert [a["id"] for a in ccsim.state()["agents"]] == ["42"]
            from ccsim import registry
            assert set(ccsim.urls) == {"admin", *registry.names()}
    """)
    pytester.makeconftest("""
        import pytest
        from ccsim import config

        @pytest.fixture(scope="session")
        def ccsim_config():
            return config.from_mapping({"port_base": 0, "agents": [{"id": "42", "huawei": {}}]}, "conftest")
    """)
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_handle_sends_the_admin_token_of_its_configuration(project):
    """With an admin token set (as a shared serve would have), the fixtures still reset, inject and read."""
    pytester = project(test_token="""
        import urllib.error, urllib.request
        import pytest
        from helpers import sign_in

        def test_fixtures_work(ccsim):
            assert sign_in(ccsim) == "0"
            ccsim.inject("sales")
            ccsim.assert_request_made(face="huawei", op="loginex")

        def test_reset_between_tests_worked(ccsim):
            ccsim.assert_request_made(face="huawei", op="loginex", count=0)
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(ccsim.url("admin") + "/_ccsim/health")
            assert refused.value.code == 401
    """)
    pytester.makeconftest("""
        import pytest
        from ccsim import config

        @pytest.fixture(scope="session")
        def ccsim_config():
            cfg = config.load()
            cfg.port_base, cfg.admin_token = 0, "plugin-token"
            return cfg
    """)
    pytester.runpytest().assert_outcomes(passed=2)


def test_the_rest_of_the_handle(project):
    result = project(test_handle="""
        import pytest
        from helpers import sign_in
        from ccsim.pytest_plugin import CcsimError

        def test_contacts_and_faults(ccsim):
            assert ccsim.urls["admin"].startswith("http://127.0.0.1:")
            with pytest.raises(KeyError, match="serves no 'avaya'"):
                ccsim.url("avaya")
            waiting = ccsim.inject("support", caller="+15550111", data={"order": "A-1"})
            assert (waiting["state"], waiting["caller"], waiting["data"]) == ("queued", "+15550111", {"order": "A-1"})
            assert ccsim.abandon(waiting["id"])["endReason"] == "abandoned"
            with pytest.raises(CcsimError, match="only a waiting contact can be abandoned"):
                ccsim.abandon(waiting["id"])
            other = ccsim.inject("sales")
            assert ccsim.hangup(other["id"])["state"] == "ended"
            with pytest.raises(CcsimError, match="404: unknown queue 'nope'"):
                ccsim.inject("nope")
            with pytest.raises(CcsimError, match="409: agent 291 is not signed in on any face"):
                ccsim.inject(agent="291")  # a call dialled straight to an agent
            with pytest.raises(TypeError, match="unknown journal match field.s. colour"):
                ccsim.journal(colour="red")

            fault = ccsim.add_fault("huawei", op="loginex", agent="291", error="100-003", times=1)
            assert fault["times"] == 1
            assert sign_in(ccsim) == "100-003"
            assert sign_in(ccsim) == "0"
            assert [e["response"]["body"]["retcode"] for e in ccsim.journal(op="loginex")] == ["100-003", "0"]
            assert ccsim.journal(op="loginex", since=ccsim.journal()[-1]["seq"])[0]["response"]["status"] == 200
    """).runpytest()
    result.assert_outcomes(passed=1)


def test_the_server_stops_cleanly(project):
    pytester = project(test_stop="""
        def test_uses_the_server(ccsim, request):
            request.config.ccsim_urls = dict(ccsim.urls)
    """)
    pytester.makeconftest("""
        import socket, threading, urllib.parse

        # Threads that were there before this session (an outer test session's own server).
        BEFORE = {t.ident for t in threading.enumerate()}

        def pytest_sessionfinish(session):
            urls = getattr(session.config, "ccsim_urls", {})
            open_ports = []
            for url in urls.values():
                parts = urllib.parse.urlsplit(url)
                with socket.socket() as s:
                    if s.connect_ex((parts.hostname, parts.port)) == 0:
                        open_ports.append(url)
            threads = [t.name for t in threading.enumerate() if t.name.startswith("ccsim") and t.ident not in BEFORE]
            print(f"\\nCHECKED {len(urls)} urls; still open: {open_ports}; ccsim threads: {threads}")
    """)
    result = pytester.runpytest("-s", "-W", "error")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"CHECKED {len(registry.names()) + 1} urls; still open: []; ccsim threads: []"])


SCENARIO = """\
name: {name}
queues: [{{id: sales, skills: [sales], huawei: {{skill_id: 1}}}}]
agents: [{{id: "291", skills: [sales], huawei: {{password: "", phone: "40038"}}}}]
steps:
  - agent 291 huawei loginex: {{}}
  - expect events for 291: [AgentOther_InService, {second}]
"""


def test_yaml_scenarios_are_collected_when_the_user_opts_in(project):
    pytester = project()
    pytester.makefile(".yaml", good=SCENARIO.format(name="Signs in", second="AgentState_Ready"),
                      bad=SCENARIO.format(name="Expects the wrong event", second="AgentState_Work"),
                      config="queues: [{id: q}]\n")  # not a scenario: no steps, not collected
    pytester.runpytest().assert_outcomes()  # off by default: nothing collected
    pytester.makeini(INI.format(extra="ccsim_scenarios = true"))
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*bad.yaml::Expects the wrong event FAILED*", "*good.yaml::Signs in PASSED*"])
    assert "expected exactly ['AgentOther_InService', 'AgentState_Work']" in result.stdout.str()


def test_an_invalid_yaml_scenario_is_a_collection_error_with_file_and_line(project):
    pytester = project(ini_extra="ccsim_scenarios = true")
    pytester.makefile(".yaml", typo="name: t\nsteps:\n  - wait: 1s\n  - customer cals: {queue: sales}\n")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*typo.yaml:4: unknown step 'customer cals'; did you mean 'customer calls'?*"])


def test_the_readme_plugin_example_passes(project):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("## pytest plugin", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    project(test_readme_section=example).runpytest("-W", "error").assert_outcomes(passed=1)
