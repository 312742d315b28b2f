"""`ccsim check` as a product: the command, its reports, the target mode, and invariants and
`explore:` in scenarios."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from support.conformance import check, comparable
from support.serve import CCSIM, _wait_for_urls

from ccsim import cli
from ccsim.conformance.check import checked_faces, print_config
from ccsim.vendors.huawei.conformance import MUTANTS as HUAWEI_MUTANTS
from ccsim.scenario import loader
from ccsim.scenario.loader import ScenarioError
from ccsim.scenario.runner import run_scenario

ANSWER_SUCCEEDS = next(m for m in HUAWEI_MUTANTS if m.name == "answer with nothing ringing succeeds")


def test_help_explains_the_check(capsys):
    with pytest.raises(SystemExit):
        cli.main(["check", "--help"])
    out = capsys.readouterr().out
    for option in ("--face", "--target", "--examples", "--seed", "--steps", "--save-failures", "--json", "--junit",
                   "--mutants", "--list", "--print-config"):
        assert option in out


def test_an_unknown_face_is_refused_with_the_known_ones(capsys):
    assert cli.main(["check", "--face", "avaya"]) == 2
    assert "unknown face(s) avaya; known: huawei" in capsys.readouterr().err


def test_every_face_has_a_check_with_invariants_and_mutants(capsys):
    assert checked_faces() == ["huawei", "finesse", "nice", "xcally", "intermedia"]
    assert cli.main(["check", "--list"]) == 0
    listed = capsys.readouterr().out
    for face in checked_faces():
        assert f"[{face}]" in listed, f"{face} has no invariant of its own"


def test_score_is_written_as_json_and_junit(tmp_path, capsys):
    code = cli.main(["check", "--face", "huawei", "--examples", "10", "--json", str(tmp_path / "s.json"),
                     "--junit", str(tmp_path / "s.xml")])
    assert code == 0
    out = capsys.readouterr().out
    assert "huawei      PASS" in out
    score = json.loads((tmp_path / "s.json").read_text())["faces"][0]
    assert score["passed"] and score["rulesExercised"] == score["rulesTotal"] and score["invariantsChecked"] > 0
    suite = ET.parse(tmp_path / "s.xml").getroot().find("testsuite")
    names = [case.get("name") for case in suite.iter("testcase")]
    assert "invariant: huawei retcodes" in names and suite.get("failures") == "0"


def test_a_failure_is_saved_as_a_scenario_that_ccsim_run_replays_failing_the_same_way(tmp_path, capsys):
    with ANSWER_SUCCEEDS.patch():
        assert cli.main(["check", "--face", "huawei", "--examples", "40", "--save-failures", str(tmp_path),
                         "--junit", str(tmp_path / "s.xml")]) == 1
        out = capsys.readouterr().out
        assert "huawei      FAIL" in out and "invariant 'huawei retcodes' broken" in out
        [saved] = tmp_path.glob("*.yaml")
        assert f"saved as a scenario: {saved}" in out
        assert cli.main(["run", str(saved)]) == 1
        replay = capsys.readouterr().out
        assert "invariant 'huawei retcodes' broken after line" in replay and "answer with no call ringing" in replay
    failures = [c for c in ET.parse(tmp_path / "s.xml").iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failures] == ["invariant: huawei retcodes"]
    assert cli.main(["run", str(saved)]) == 0  # on ccsim itself, the same steps conform


def test_the_kill_table_reports_every_mutant(tmp_path, capsys):
    assert cli.main(["check", "--face", "huawei", "--examples", "40", "--mutants",
                     "--json", str(tmp_path / "m.json")]) == 0
    assert f"huawei mutants: {len(HUAWEI_MUTANTS)}/{len(HUAWEI_MUTANTS)} killed (100%)" in capsys.readouterr().out
    report = json.loads((tmp_path / "m.json").read_text())["mutants"]["huawei"]
    assert report["killed"] == report["total"] == len(HUAWEI_MUTANTS)
    assert all(m["killedBy"] == m["caughtBy"] for m in report["mutants"])


def test_mutants_cannot_be_run_against_a_target(capsys):
    assert cli.main(["check", "--mutants", "--target", "http://127.0.0.1:1"]) == 2
    assert "cannot be combined with --target" in capsys.readouterr().err


def test_an_unreachable_target_is_an_error_not_a_traceback(capsys):
    assert cli.main(["check", "--face", "huawei", "--target", "http://127.0.0.1:9"]) == 2
    captured = capsys.readouterr()
    assert "could not check: cannot reach the target" in captured.out and "Traceback" not in captured.out + captured.err


@pytest.fixture(scope="module")
def serve():
    """Start `ccsim serve` with a face's check configuration, as a user does for --target."""
    procs = []

    def start(face: str, tmp: Path) -> dict[str, str]:
        config = tmp / f"{face}.yaml"
        config.write_text(print_config(face))
        proc = subprocess.Popen([*CCSIM, "serve", "--config", str(config), "--port-base", "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        procs.append(proc)
        return _wait_for_urls(proc, time.monotonic() + 30)

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.parametrize("face", checked_faces())
def test_a_separately_started_serve_gets_the_same_score_as_in_process(face, serve, tmp_path):
    urls = serve(face, tmp_path)
    in_process = check(face, examples=12, seed=5)
    against_serve = check(face, examples=12, seed=5, target=urls["admin"])
    assert against_serve.error is None, against_serve.error
    assert in_process.passed and against_serve.passed, against_serve.violations
    assert comparable(against_serve) == comparable(in_process)


def test_a_target_without_the_check_configuration_is_told_how_to_serve_it(tmp_path):
    proc = subprocess.Popen([*CCSIM, "serve", "--port-base", "0", "--faces", "xcally"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        urls = _wait_for_urls(proc, time.monotonic() + 30)
        result = check("huawei", examples=2, target=urls["admin"])
        assert not result.passed and "does not serve the huawei face" in result.error
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# -- invariants and explore in scenarios -----------------------------------------------------------------
SIGN_IN_THEN_ANSWER = """
name: Answer with nothing ringing
invariants: [contracts, huawei retcodes]
queues: [{id: sales, skills: [sales], huawei: {skill_id: 1}}]
agents: [{id: "291", skills: [sales], huawei: {password: "", phone: "40038"}}]
steps:
  - agent 291 huawei loginex: {status: 4, autoanswer: false}
  - agent 291 huawei answer: {expect: any}
  - agent 291 huawei logout: {}
"""


def test_a_scenario_fails_at_the_step_that_breaks_an_invariant_naming_it_and_the_journal():
    scenario = loader.loads(SIGN_IN_THEN_ANSWER, "answer.yaml")
    assert asyncio.run(run_scenario(scenario)).passed
    with ANSWER_SUCCEEDS.patch():
        result = asyncio.run(run_scenario(loader.loads(SIGN_IN_THEN_ANSWER, "answer.yaml")))
    assert not result.passed
    assert result.failed_step == "line 8: agent 291 huawei answer" and result.steps_run == 1
    assert "invariant 'huawei retcodes' broken after line 8" in result.message
    assert "retcode '0' for answer with no call ringing; expected 200-002" in result.message
    assert any("/voicecall/291/answer -> 200 0" in line for line in result.journal_excerpt), result.journal_excerpt


def test_an_unknown_invariant_is_refused_before_the_run_with_a_hint():
    text = SIGN_IN_THEN_ANSWER.replace("huawei retcodes", "huawei retcode")
    with pytest.raises(ScenarioError, match=r"answer.yaml:3: unknown invariant 'huawei retcode'; did you mean 'huawei retcodes'"):
        loader.loads(text, "answer.yaml")


EXPLORED = """
name: Explore a desktop's state requests
seed: 4
invariants: [contracts, huawei retcodes, huawei state events]
queues: [{id: sales, skills: [sales], huawei: {skill_id: 1}}]
agents: [{id: "291", skills: [sales], huawei: {password: "", phone: "40038"}}]
faces: {huawei: {ring_timeout_seconds: 3600}}
steps:
  - agent 291 huawei loginex: {status: 4, autoanswer: false}
explore:
  examples: 30
  length: 6
  steps:
    - agent 291 huawei saybusy: {expect: any}
    - agent 291 huawei cancelbusy: {expect: any}
    - agent 291 huawei work: {expect: any}
    - agent 291 huawei cancelwork: {expect: any}
    - customer calls: {queue: sales}
    - agent 291 huawei answer: {expect: any}
    - agent 291 huawei release: {expect: any}
"""


def test_explore_plays_sequences_of_the_declared_steps_and_shrinks_a_failure():
    assert asyncio.run(run_scenario(loader.loads(EXPLORED, "explore.yaml"))).passed
    with ANSWER_SUCCEEDS.patch():
        first = asyncio.run(run_scenario(loader.loads(EXPLORED, "explore.yaml")))
        again = asyncio.run(run_scenario(loader.loads(EXPLORED, "explore.yaml")))
    assert not first.passed and "invariant 'huawei retcodes' broken" in first.message
    assert first.explored_steps == [{"agent 291 huawei answer": {"expect": "any"}}], first.explored_steps
    assert "shortest failing sequence after `steps`:" in first.message
    assert (again.message, again.explored_steps) == (first.message, first.explored_steps), "one seed, one result"


def test_the_conformance_docs_name_every_invariant_and_every_mutant():
    from ccsim.conformance.invariants import load_all
    from ccsim.conformance.mutants import mutants_of

    doc = (Path(__file__).resolve().parents[2] / "docs" / "conformance.md").read_text(encoding="utf-8")
    missing = [name for name in load_all() if f"| `{name}` |" not in doc]
    missing += [m.name for face in checked_faces() for m in mutants_of(face) if f"| {face} | {m.name} |" not in doc]
    assert not missing, f"docs/conformance.md does not describe: {missing}"
