"""`ccsim load`: the profile's knobs, runs on the faces' wire protocols judged by their model (the
issue's check: 1,000 agents at 20 calls/s for 10 minutes on the virtual clock), the CLI and the
scenario step. The models are in test_load_erlang.py, the verdict in test_load_verdict.py, runs
at the defaults, seeds and broken routing in test_load_runs.py."""
from __future__ import annotations

import asyncio
import json
import math
import random

import pytest

from ccsim.cli import main
from ccsim.contracts.emitted import journal_violations
from ccsim.traffic.profile import Distribution, LoadProfile
from ccsim.load.runner import run_load


@pytest.mark.parametrize("text,mean,variance", [("30s", 30, 0), ("fixed:2m", 120, 0), ("exp:40s", 40, 1600),
                                                ("uniform:1m-3m", 120, 1200), ("normal:3m,10s", 180, 100),
                                                ("normal:10s,10s", 10 + 10 * 0.2876, 100 * 0.6297)])
def test_distributions_draw_around_their_mean_and_variance(text, mean, variance):
    dist = Distribution.parse(text)
    assert dist.mean == pytest.approx(mean, rel=1e-3)
    assert dist.variance == pytest.approx(variance, rel=1e-3)  # the M/G/N correction's CV² comes from it
    rng = random.Random(4)
    draws = [dist.draw(rng) for _ in range(40_000)]
    assert min(draws) >= 0
    assert sum(draws) / len(draws) == pytest.approx(mean, rel=0.03)
    spread = sum((d - dist.mean) ** 2 for d in draws) / len(draws)
    assert spread == pytest.approx(variance, rel=0.05, abs=1e-9)


def test_a_patience_of_never():
    never = Distribution.parse("never")
    assert never.mean == math.inf and never.draw(random.Random(1)) == math.inf and str(never).startswith("never")


@pytest.mark.parametrize("text", ["exp:", "uniform:3m-1m", "poisson:3", "normal:1m", "fixed:soon"])
def test_bad_distributions_are_refused(text):
    with pytest.raises(ValueError):
        Distribution.parse(text)


def test_the_rate_follows_the_ramps():
    p = LoadProfile(cps=10, ramp_up=100, duration=200, ramp_down=50)
    assert [p.rate_at(t) for t in (0, 50, 100, 299, 325, 350, 400)] == [0, 5, 10, 10, 5, 0, 0]
    assert (p.measured_from, p.measured_until) == (100 + 2 * p.handle_time, 300)


async def test_a_thousand_agents_for_ten_minutes_agree_with_erlang_a():
    """The issue's check: `ccsim load --agents 1000 --cps 20 --duration 10m` on the virtual clock."""
    report = await run_load(LoadProfile(agents=1000, cps=20, duration=600))
    m = report.measures
    assert report.agents_by_face == {"huawei": 334, "nice": 333, "finesse": 333}
    assert 11_000 < m.all_arrived < 13_000  # 20/s for 600 s
    assert m.all_arrived == m.all_answered + m.all_abandoned  # every call ended, none lost
    assert m.arrived > 9_000 and report.failures == []
    rows = {r["figure"]: r for r in report.comparisons()}
    assert all(rows[f]["agrees"] for f in ("service_level", "average_speed_of_answer", "occupancy")), report.text()
    assert rows["occupancy"]["measured"] == pytest.approx(0.9, abs=0.03)
    assert report.events_received > 8 * m.all_arrived / 3  # the agents' clients got their events over the wire
    assert journal_violations(report.journal) == []


async def test_a_small_team_where_nobody_hangs_up_agrees_with_erlang_c():
    """With --patience never the model is Erlang C, and where it predicts real waiting (10 agents
    at 80 %: 41 % of the calls wait) the measured waits follow it."""
    report = await run_load(LoadProfile(agents=10, cps=8 / 45, duration=2 * 3600, talk=Distribution("exp", 40),
                                        wrap=Distribution("fixed", 5), patience=Distribution.parse("never")))
    assert report.prediction.model == "Erlang C" and report.measures.abandoned == 0
    assert report.prediction.wait_probability == pytest.approx(0.409, abs=0.01)
    assert report.measures.average_speed_of_answer > 3.0
    assert report.not_judged is None and report.agrees, report.text()


async def test_xcally_agents_log_in_hold_socketio_and_take_calls():
    report = await run_load(LoadProfile(agents=8, cps=0.15, duration=600, wrap=Distribution("fixed", 0),
                                        faces=("finesse", "xcally")))
    assert report.failures == []
    by_face = report.measures.answered_by_face
    assert by_face["xcally"] > 10 and by_face["finesse"] > 10, by_face
    ops = {(e.kind, e.op) for e in report.journal.query() if e.face == "xcally"}
    assert ("http", "login") in ops and ("socketio", "connect") in ops, ops
    assert journal_violations(report.journal) == []
    with pytest.raises(ValueError, match="use --wrap 0"):
        LoadProfile(faces=("xcally",)).check()


def test_cli_runs_reports_and_writes_json(tmp_path, capsys):
    out = tmp_path / "load.json"
    assert main(["load", "--agents", "12", "--cps", "0.2", "--duration", "5m", "--faces", "huawei,finesse",
                 "--json", str(out), "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "Erlang A" in text and "12 agents (6 huawei, 6 finesse)" in text
    data = json.loads(out.read_text())
    assert data["profile"]["agents_by_face"] == {"huawei": 6, "finesse": 6}
    assert data["calls"]["all_arrived"] == data["calls"]["all_answered"] + data["calls"]["all_abandoned"] > 30
    assert {f["figure"] for f in data["figures"]} == {"service_level", "average_speed_of_answer", "abandon_rate", "occupancy"}


@pytest.mark.parametrize("argv,message", [
    (["--agents", "0"], "agents: at least 1"),
    (["--cps", "-1"], "cps"),
    (["--talk", "exp:soon"], "not a duration"),
    (["--faces", "huawei,avaya"], "choose from huawei, nice, finesse, xcally"),
    (["--faces", "xcally"], "use --wrap 0"),
    (["--seeds", "0"], "seeds: at least 1"),
    (["--talk", "never"], "only a patience can"),
    (["--talk", "0", "--wrap", "0"], "longer than 0 s"),
])
def test_cli_refuses_bad_knobs_with_a_message(argv, message, capsys):
    try:
        code = main(["load", *argv, "--quiet"])
    except SystemExit as exc:  # argparse's own refusal of a malformed value
        code = exc.code
    assert code == 2
    assert message in capsys.readouterr().err


def test_customers_call_step_fails_with_the_figures(tmp_path):
    from ccsim.scenario import loader
    from ccsim.scenario.runner import run_scenario

    text = tmp_path / "s.yaml"
    text.write_text("""
name: too demanding
queues: [{id: q, skills: [s], number: "1", huawei: {skill_id: 1}}]
agents: [{id: "301", skills: [s], huawei: {password: "", phone: "1"}}]
steps:
  - agent 301 huawei loginex: {status: 4}
  - customers call: {queue: q, cps: 0.02, for: 1h, talk: exp:2m, patience: exp:1m, expect: {abandon_rate: "<= 0.001"}}
""")
    result = asyncio.run(run_scenario(loader.load(text)))
    assert not result.passed
    assert "expected abandon_rate <= 0.001" in result.message and "occupancy" in result.message


def test_customers_call_step_rejects_bad_arguments(tmp_path):
    from ccsim.scenario import loader

    path = tmp_path / "s.yaml"
    path.write_text("""
name: bad
queues: [{id: q, skills: [s]}]
agents: [{id: "1", skills: [s], huawei: {}}]
steps:
  - customers call: {queue: q, cps: 1, for: 1h, expect: {average_speed_of_answer: "<= soon"}}
""")
    with pytest.raises(loader.ScenarioError, match=r"s.yaml:6: customers call: 'soon' is not a duration"):
        loader.load(path)
    path.write_text(path.read_text().replace("queue: q,", "queue: nowhere,"))
    with pytest.raises(loader.ScenarioError, match="unknown queue 'nowhere'"):
        loader.load(path)
