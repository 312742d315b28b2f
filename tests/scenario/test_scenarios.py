"""The scenario engine: loading (errors name file and line), running, reporting, recording."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from support.world import make_config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.clients.admin import AdminClient
from ccsim.core import RealClock
from ccsim.scenario import loader
from ccsim.scenario.record import dump, scenario_from_journal
from ccsim.scenario.runner import run_scenario
from ccsim.vendors.huawei.client import HuaweiAgentClient

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
EXAMPLE = SCENARIOS / "huawei" / "inbound_manual_answer.yaml"

HEADER = textwrap.dedent("""\
    name: t
    queues: [{id: sales, skills: [sales], huawei: {skill_id: 1}}]
    agents: [{id: "291", skills: [sales], huawei: {password: "", phone: "40038"}}]
    steps:
    """)


def ccsim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ccsim", *args], capture_output=True, text=True, timeout=300, cwd=cwd)


# -- loading ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("steps, line, message", [
    ("  - customer cals: {queue: sales}\n", 5, "unknown step 'customer cals'; did you mean 'customer calls'?"),
    ("  - wait: 1s\n  - agent 291 huawei answr: {}\n", 6, "did you mean 'answer'?"),
    ("  - wait: three minutes\n", 5, "is not valid: Seconds as a number"),
    ("  - customer calls: {queue: sales, caller: 15550100}\n", 5, "caller: 15550100 is not of type 'string'"),
    ("  - customer calls: {queue: support}\n", 5, "unknown queue 'support'"),
    ("  - agent 291 huawei loginex: {colour: red}\n", 5, "unknown argument(s) colour"),
    ("  - agent 292 huawei loginex: {}\n", 5, "agent 292 is not in the scenario's agents"),
    ("  - expect evnts for 291: [A]\n", 5, "did you mean 'expect events for <agent>'?"),
    ("  - expect agent 291 state: dancing\n", 5, "agent state must be one of"),
    ("  - repeat: {times: 2, steps: [{wiat: 1s}]}\n", 5, "unknown step 'wiat'"),
    ("  - wait: 1s\n  - [oops\n", 6, "not valid YAML"),
])
def test_bad_scenarios_are_rejected_with_file_line_and_reason(steps, line, message):
    with pytest.raises(loader.ScenarioError) as caught:
        loader.loads(HEADER + steps, "bad.yaml")
    error = caught.value
    assert (error.path, error.line) == ("bad.yaml", line), str(error)
    assert message in error.message, error.message


def test_a_scenario_without_steps_is_rejected():
    with pytest.raises(loader.ScenarioError, match="'steps' is a required property"):
        loader.loads("name: x\nstep:\n  - wait: 1s\n", "x.yaml")


def test_durations_and_config_files(tmp_path: Path):
    (tmp_path / "world.yaml").write_text("queues: [{id: q}]\nagents: [{id: '291', huawei: {password: ''}}]\nseed: 3\n")
    scenario_file = tmp_path / "s.yaml"
    scenario_file.write_text("name: s\nconfig: world.yaml\nsteps:\n  - customer calls: {queue: q}\n  - wait: 1.5m\n")
    scenario = loader.load(scenario_file)
    assert scenario.seed == 3 and [a["id"] for a in scenario.config.agents] == ["291"]
    result = asyncio.run(run_scenario(scenario))
    assert result.passed and result.simulated_seconds == pytest.approx(90)


# -- running -----------------------------------------------------------------------------------------
def test_every_example_scenario_passes_with_junit_and_json(tmp_path: Path):
    junit, report = tmp_path / "junit.xml", tmp_path / "report.json"
    out = ccsim("run", "scenarios/", "--junit", str(junit), "--json", str(report))
    assert out.returncode == 0, out.stdout + out.stderr
    files = sorted(p for p in SCENARIOS.rglob("*.yaml") if loader.is_scenario_file(p))
    cases = ET.parse(junit).getroot().findall("./testsuite/testcase")
    assert len(cases) == len(files) >= 10
    assert all(case.find("failure") is None for case in cases)
    assert out.stdout.rstrip().endswith(f"{len(files)} passed, 0 failed")


def test_a_wrong_expectation_fails_readably_with_exit_1_and_junit(tmp_path: Path):
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(EXAMPLE.read_text().replace("[AgentEvent_Talking]", "[AgentEvent_Hold]"))
    junit = tmp_path / "junit.xml"
    out = ccsim("run", str(wrong), str(EXAMPLE), "--junit", str(junit))
    assert out.returncode == 1
    assert "expected exactly ['AgentEvent_Hold']" in out.stdout and "got:      ['AgentEvent_Talking']" in out.stdout
    assert "failed at line 17: expect events for 291" in out.stdout
    assert "PUT /agentgateway/resource/voicecall/291/answer" in out.stdout  # the journal around it
    assert out.stdout.rstrip().endswith("1 passed, 1 failed")
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite.get("tests") == "2" and suite.get("failures") == "1"
    failure = suite.find("testcase[@file='%s']/failure" % wrong)
    assert failure is not None and "AgentEvent_Hold" in failure.get("message")


def test_an_invalid_scenario_stops_the_run_before_anything_runs(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEADER + "  - customer cals: {queue: sales}\n")
    out = ccsim("run", str(EXAMPLE), str(bad))
    assert out.returncode == 2 and f"{bad}:5: unknown step" in out.stderr
    assert "PASS" not in out.stdout  # nothing ran


def _long_shift() -> Path:
    [path] = [p for p in (SCENARIOS / "huawei").glob("*.yaml") if "shift" in p.name]
    return path


def test_the_long_shift_is_deterministic():
    scenario = loader.load(_long_shift())
    first = asyncio.run(run_scenario(scenario, keep_journal=True))
    second = asyncio.run(run_scenario(loader.load(_long_shift()), keep_journal=True))
    assert first.passed, first.message
    assert first.simulated_seconds >= 8 * 3600
    calls = [e for e in first.journal if e["kind"] == "control" and e["op"] == "inject"] or \
        [e for e in first.journal if "AgentEvent_Ringing" in e["types"]]
    assert len(calls) >= 500
    assert first.journal == second.journal


# -- recording -------------------------------------------------------------------------------------------
async def test_a_recorded_manual_session_replays_in_process_and_against_the_same_simulator(tmp_path: Path):
    sim = Simulator(make_config(), RealClock())
    await sim.start()
    try:
        async with WireClient() as wire:
            admin = AdminClient(wire, sim.urls["admin"])
            agent = HuaweiAgentClient(wire, sim.urls["huawei"], "291")
            assert (await agent.sign_in(autoanswer=False)).body["retcode"] == "0"
            await agent.next_event(), await agent.next_event()
            contact = await admin.inject("sales", caller="+15550100")
            events = [await agent.next_event() for _ in range(4)]
            assert events[-1]["eventType"] == "AgentEvent_Ringing"
            await agent.call("answer")
            await agent.next_event()
            await agent.call("hold")
            await agent.next_event()
            wrong = await agent.call("gethold", query={"callid": "1-1"})  # a client bug, recorded as such
            assert wrong.body["retcode"] == "200-015"
            await agent.call("gethold", query={"callid": events[-1]["content"]["callid"]})
            await agent.next_event()
            await admin.contact_action(contact["id"], "hangup")
            for _ in range(4):
                await agent.next_event()
            await agent.call("logout")
            recorded = dump(scenario_from_journal((await admin.journal())["entries"], await admin.config(), "Recorded"))
        path = tmp_path / "recorded.yaml"
        path.write_text(recorded)
        assert "callid: current" in recorded and "callid: 1-1" in recorded
        in_process = await run_scenario(loader.load(path))
        assert in_process.passed, in_process.message
        against_server = await run_scenario(loader.load(path), target=sim.urls["admin"])
        assert against_server.passed, against_server.message
    finally:
        await sim.stop()


def test_path_arguments_sign_in_again_and_long_waits():
    """Regressions: connecthold/forcelogoutwithreason take path arguments; a second sign-in keeps
    the events coming; `within` longer than the admin API's longest wait still works."""
    scenario = loader.loads(HEADER + textwrap.dedent("""\
          - agent 291 huawei loginex: {autoanswer: false}
          - expect events for 291: [AgentOther_InService, AgentState_Ready]
          - agent 291 huawei logout: {}
          - expect events for 291: [AgentOther_ShutdownService]
          - agent 291 huawei loginex: {autoanswer: false}
          - expect events for 291: [AgentOther_InService, AgentState_Ready]
          - customer calls: {queue: sales}
          - expect events for 291 to include: [AgentEvent_Ringing]
          - agent 291 huawei answer: {}
          - agent 291 huawei hold: {}
          - agent 291 huawei connecthold: {callid: current}
          - expect events for 291 to include: [AgentEvent_Hold, AgentEvent_Talking]
          - concurrently:
            - - wait: 9m
              - agent 291 huawei agentstatus: {}
            - - expect an agentstatus for agent 291 within 10m
          - agent 291 huawei forcelogoutwithreason: {reason: 12}
          - expect events for 291 to include: [AgentOther_ShutdownService]
        """), "regressions.yaml")
    result = asyncio.run(run_scenario(scenario))
    assert result.passed, (result.failed_step, result.message)


def test_speed_plays_on_the_real_clock():
    scenario = loader.loads(HEADER + "  - customer calls: {queue: sales}\n  - wait: 2s\n  - expect queue sales: {waiting: 1}\n",
                            "speed.yaml")
    result = asyncio.run(run_scenario(scenario, speed=20))  # 2 s of scenario time in about 0.1 s
    assert result.passed and result.simulated_seconds == pytest.approx(2, abs=0.5)
    assert loader.loads(HEADER + "  - wait: 1s\n", "v.yaml").clock == "virtual"


async def test_a_recorded_finesse_session_replays():
    from support.finesse import finesse_config

    from ccsim.vendors.finesse.stomp.client import StompClient

    sim = Simulator(finesse_config(), RealClock())
    await sim.start()
    try:
        host, port = sim.urls["finesse"].removeprefix("stomp://").split(":")
        client = await StompClient.connect(host, int(port))
        await client.subscribe("/topic/ws1", id="events")

        async def send(jms_type: str, body: str = "") -> None:
            await client.send("/queue/Connector1", body, {"type": jms_type}, receipt=True)

        await send("Hello#ws1")
        await send("Connect#1001", "ws1,pw")
        await send("Login#1001", "pw,2001")
        await send("MakeReady#1001")
        async with WireClient() as wire:
            admin = AdminClient(wire, sim.urls["admin"])
            await admin.inject("sales", caller="+15550100")
            events = [(await client.next_message(5)).body.decode() for _ in range(6)]
            dialog = events[-1].split("#")[4].split(":")[1]
            await send("AnswerCall#1001", dialog)
            await send("HoldCall#1001", "999")  # a client bug: the wrong dialog, recorded as such
            await send("ReleaseCall#1001", dialog)
            for _ in range(5):
                await client.next_message(5)
            recorded = dump(scenario_from_journal((await admin.journal())["entries"], await admin.config(), "Finesse"))
        client.close()
        assert "dialogId: current" in recorded and "dialogId: '999'" in recorded
        assert "State:READY" in recorded and "Error:INVALID_DIALOG_ID" in recorded
        result = await run_scenario(loader.loads(recorded, "recorded.yaml"))
        assert result.passed, (result.failed_step, result.message)
    finally:
        await sim.stop()


def test_a_run_whose_messages_break_the_contracts_fails(monkeypatch):
    import ccsim.scenario.runner as runner

    monkeypatch.setattr(runner, "journal_violations", lambda journal: ["#3 huawei loginex: retcode: 7 is not a string"])
    result = asyncio.run(run_scenario(loader.load(EXAMPLE)))
    assert not result.passed and "broke contracts/" in result.message and "retcode: 7" in result.message
