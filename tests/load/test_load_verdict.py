"""The judgement of a `ccsim load` run: confidence intervals from batches or seeds, the model
chosen for the profile (Erlang A, Erlang C with --patience never, none), the margin, and the
verdict; on synthetic measures, so that each rule is seen to decide."""
from __future__ import annotations

import json
import math

import pytest

from ccsim.cli import main
from ccsim.traffic.interval import Interval, ratio_interval, t_quantile
from ccsim.traffic.measure import Batch, Measures
from ccsim.load.prediction import BASE_MARGIN, predict
from ccsim.traffic.profile import Distribution, LoadProfile
from ccsim.load.report import LoadReport


@pytest.mark.parametrize("df,table", [(1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (6, 2.447), (9, 2.262),
                                      (14, 2.145), (19, 2.093), (30, 2.042), (120, 1.980)])
def test_t_quantiles_match_the_table(df, table):
    assert t_quantile(0.95, df) == pytest.approx(table, rel=1.5e-3)


def test_ratio_interval_is_the_ratio_estimators():
    pieces = [(9.0, 10.0), (18.0, 20.0), (8.0, 10.0), (26.0, 30.0)]  # 61 of 70
    got = ratio_interval(pieces)
    ratio = 61 / 70
    spread = sum((y - ratio * x) ** 2 for y, x in pieces) / (4 * 3)
    assert got.value == pytest.approx(ratio)
    assert got.half_width == pytest.approx(3.182446 * math.sqrt(spread) / 17.5, rel=2e-3)
    assert got.low < ratio < got.high and got.exists
    assert not ratio_interval([(5.0, 10.0)]).exists  # one piece: a figure, no interval
    assert math.isnan(ratio_interval([(0.0, 0.0), (0.0, 0.0)]).value)  # nothing measured: no figure
    assert ratio_interval([(1.0, 2.0), (1.0, 2.0)]) == Interval(0.5, 0.0)


def _measures(profile: LoadProfile, service_level: float, asa: float, abandon: float, occupancy: float,
              calls: int = 600, batches: int = 20, wobble: float = 0.01) -> Measures:
    """Batches that measure the given figures, each a little off (by ±wobble of the figure) so
    that the interval has a width."""
    out = []
    for i in range(batches):
        f = 1 + (wobble if i % 2 else -wobble)
        answered = round(calls * (1 - abandon * f))
        out.append(Batch(arrived=calls, answered=answered, answered_in_time=round(calls * service_level * f),
                         abandoned=calls - answered, total_wait=asa * f * answered,
                         handling_time=occupancy * f * 1000, staffed_time=1000))
    return Measures((profile.measured_from, profile.measured_until), profile.service_level_seconds, out)


def _report(profile: LoadProfile, measures: Measures, seeds: list[int] | None = None) -> LoadReport:
    return LoadReport(profile, measures, {"huawei": profile.agents}, 0, 0, 0, 0, [], seeds=seeds or [profile.seed])


ISSUE = LoadProfile(agents=20, cps=0.40, duration=4 * 3600)  # the issue's run, at the defaults


def test_the_issues_figures_agree_with_erlang_a_and_not_with_erlang_c():
    """The true figures of the issue's M/G/N+M reference at 0.40 calls/s (ASA 5.6 s, SL 89 %,
    0.9 % ... 1.9 % abandoned, 88.2 % occupied) agree with Erlang A; the Erlang C row is only a bound."""
    report = _report(ISSUE, _measures(ISSUE, 0.89, 5.6, 0.019, 0.882))
    rows = {r["figure"]: r for r in report.comparisons()}
    assert report.prediction.model == "Erlang A" and report.not_judged is None
    assert all(r["agrees"] for r in rows.values()), report.text()
    assert rows["abandon_rate"]["predicted"] == pytest.approx(0.0202, abs=1e-4)  # predicted, not "—"
    assert rows["occupancy"]["predicted"] == pytest.approx(0.40 * (1 - 0.0202) * 45 / 20, abs=1e-4)  # carried
    assert rows["average_speed_of_answer"]["erlang_c"] == pytest.approx(12.4, abs=0.05)
    assert report.agrees


@pytest.mark.parametrize("figure,values", [
    ("service_level", (0.75, 5.6, 0.019, 0.882)),  # Erlang C's 77 %, not Erlang A's 88 %
    ("average_speed_of_answer", (0.89, 12.4, 0.019, 0.882)),
    ("abandon_rate", (0.89, 5.6, 0.05, 0.882)),
    ("occupancy", (0.89, 5.6, 0.019, 0.93)),
])
def test_a_figure_outside_its_interval_and_margin_disagrees(figure, values):
    report = _report(ISSUE, _measures(ISSUE, *values))
    assert [r["figure"] for r in report.comparisons() if r["agrees"] is False] == [figure]
    assert not report.agrees
    assert " NO" in report.text()


def test_the_interval_decides_a_figure_near_the_edge():
    """The same measured service level agrees when its interval is wide and not when it is
    narrow: the verdict follows the sampling error, not a fixed tolerance."""
    predicted = predict(ISSUE)
    off = predicted.figures["service_level"] - predicted.margins["service_level"] - 0.02
    narrow = _report(ISSUE, _measures(ISSUE, off, 5.6, 0.019, 0.882, wobble=0.001))
    wide = _report(ISSUE, _measures(ISSUE, off, 5.6, 0.019, 0.882, wobble=0.15))
    assert {r["figure"]: r["agrees"] for r in narrow.comparisons()}["service_level"] is False
    assert {r["figure"]: r["agrees"] for r in wide.comparisons()}["service_level"] is True


def test_the_margin_is_the_mgn_corrections_size_plus_the_base():
    p = predict(ISSUE)
    assert p.handle_cv2 == pytest.approx(40 ** 2 / 45 ** 2) and p.wait_scale == pytest.approx((1 + p.handle_cv2) / 2)
    asa = p.figures["average_speed_of_answer"]
    assert p.approximate["average_speed_of_answer"] == pytest.approx(p.wait_scale * asa)
    absolute, relative = BASE_MARGIN["average_speed_of_answer"]
    assert p.margins["average_speed_of_answer"] == pytest.approx((1 - p.wait_scale) * asa + max(absolute, relative * asa))
    exponential = predict(LoadProfile(agents=20, cps=0.4, talk=Distribution("exp", 45), wrap=Distribution("fixed", 0)))
    assert exponential.wait_scale == 1.0 and exponential.margins["service_level"] == BASE_MARGIN["service_level"][0]


def test_the_model_follows_the_patience():
    never = predict(LoadProfile(agents=20, cps=0.4, patience=Distribution.parse("never")))
    assert never.model == "Erlang C" and never.erlang_c is None and never.not_judged is None
    assert never.figures["abandon_rate"] == 0.0 and never.figures["occupancy"] == pytest.approx(0.9)
    overloaded = predict(LoadProfile(agents=20, cps=0.5, patience=Distribution.parse("never")))
    assert "no steady state" in overloaded.not_judged
    assert predict(LoadProfile(agents=20, cps=0.5)).not_judged is None  # Erlang A: callers give up, any load
    fixed = predict(LoadProfile(agents=20, cps=0.4, patience=Distribution.parse("fixed:5m")))
    assert fixed.model == "Erlang A" and "exponential patience" in fixed.not_judged
    instant = predict(LoadProfile(agents=20, cps=0.4, patience=Distribution.parse("exp:0")))
    assert instant.not_judged and math.isnan(instant.figures["service_level"])


def test_a_run_too_short_for_intervals_is_not_judged():
    few = _report(ISSUE, _measures(ISSUE, 0.5, 60.0, 0.3, 0.99, calls=12, batches=20))
    assert few.not_judged and "at least 30 calls in every batch" in few.not_judged
    assert all(r["agrees"] is None for r in few.comparisons()) and few.agrees
    assert "at least 30 calls in every batch" in few.text()


def test_seeds_pool_into_one_piece_each():
    runs = [_measures(ISSUE, 0.89 + d, 5.6, 0.019, 0.882, batches=5) for d in (-0.02, 0.0, 0.01, 0.02)]
    pooled = Measures.pooled(runs)
    assert len(pooled.batches) == 4 and pooled.arrived == sum(r.arrived for r in runs)
    report = _report(ISSUE, pooled, seeds=[1, 2, 3, 4])
    assert report.interval_method == "seeds" and "seeds 1-4" in report.text()
    sl = report.measures.interval("service_level")
    assert sl.half_width == pytest.approx(ratio_interval([(r.total().answered_in_time, r.total().arrived)
                                                          for r in runs]).half_width)


def test_the_json_carries_the_model_and_the_intervals():
    data = json.loads(json.dumps(_report(ISSUE, _measures(ISSUE, 0.89, 5.6, 0.019, 0.882)).as_dict()))
    assert data["model"]["name"] == "Erlang A" and data["model"]["notation"] == "M/M/N+M"
    assert data["model"]["erlang_c_bound"]["average_speed_of_answer"] == pytest.approx(12.4, abs=0.05)
    assert data["interval"] == {"confidence": 0.95, "method": "batch means", "pieces": 20}
    sl = next(f for f in data["figures"] if f["figure"] == "service_level")
    assert set(sl) == {"figure", "label", "measured", "low", "high", "predicted", "margin", "agrees", "approximate",
                       "erlang_c"}
    assert sl["low"] < sl["measured"] < sl["high"] <= 1.0 and sl["agrees"] is True


def test_the_help_states_the_model_and_the_margin(capsys):
    with pytest.raises(SystemExit):
        main(["load", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Erlang A (M/M/N+M)" in text and "95 % confidence interval" in text and "--seeds N" in text
    assert "±5 pt, ±max(1 s, 30 %), ±max(0.5 pt, 30 %), ±3 pt" in text
