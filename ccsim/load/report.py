"""The verdict of a load run: each measured figure with its 95 % confidence interval, beside the
queueing model's prediction (prediction.py) and the margin the model is allowed. A figure agrees
when the prediction lies within its interval widened by the margin; the run agrees when every
judged figure does and nothing failed."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..traffic.interval import CONFIDENCE
from ..traffic.measure import Measures
from .prediction import FIGURES, Prediction, predict
from ..traffic.profile import LoadProfile
from .report_text import report_text

# An interval from batches needs calls in every batch: with fewer, a batch's figure is mostly
# noise and its spread says little about the run's.
MIN_CALLS_PER_BATCH = 30
LABELS = {"service_level": "service level ({within:g} s)", "average_speed_of_answer": "average speed of answer",
          "abandon_rate": "abandon rate", "occupancy": "occupancy"}


@dataclass
class LoadReport:
    profile: LoadProfile
    measures: Measures
    agents_by_face: dict[str, int]
    sign_in_wall: float
    load_wall: float
    simulated: float
    events_received: int
    failures: list[str]
    journal: Any = field(repr=False, default=None)
    seeds: list[int] = field(default_factory=list)  # with more than one, each seed is one piece of the intervals

    @cached_property
    def prediction(self) -> Prediction:
        return predict(self.profile)

    @property
    def interval_method(self) -> str:
        return "seeds" if len(self.seeds) > 1 else "batch means"

    @property
    def not_judged(self) -> str | None:
        """Why the model gives no verdict on this run (None: it does)."""
        if self.prediction.not_judged:
            return f"{self.prediction.model} does not judge this run: {self.prediction.not_judged}."
        fewest = min(b.arrived for b in self.measures.batches)
        if self.interval_method == "batch means" and fewest < MIN_CALLS_PER_BATCH:
            return (f"no verdict: {self.measures.arrived:,} calls measured in {len(self.measures.batches)} batches, "
                    f"one with {fewest}; an interval needs at least {MIN_CALLS_PER_BATCH} calls in every batch "
                    "(run longer).")
        return None

    def comparisons(self) -> list[dict[str, Any]]:
        """One row per figure: measured with its interval, predicted with its margin, and whether
        they agree (None: not judged)."""
        p, judged = self.prediction, self.not_judged is None
        rows = []
        for figure in FIGURES:
            measured = self.measures.interval(figure)
            predicted, margin = p.figures[figure], p.margins[figure]
            agrees = None
            if judged and measured.exists and math.isfinite(predicted):
                agrees = abs(measured.value - predicted) <= measured.half_width + margin
            rows.append({"figure": figure, "label": LABELS[figure].format(within=self.profile.service_level_seconds),
                         "measured": measured.value, **_within_range(figure, measured.low, measured.high),
                         "predicted": predicted, "margin": margin, "agrees": agrees,
                         "approximate": p.approximate[figure],
                         "erlang_c": None if p.erlang_c is None else p.erlang_c[figure]})
        return rows

    @property
    def agrees(self) -> bool:
        return all(row["agrees"] is not False for row in self.comparisons()) and not self.failures

    def as_dict(self) -> dict[str, Any]:
        p, m = self.profile, self.measures
        return {
            "profile": {"agents": p.agents, "agents_by_face": self.agents_by_face, "cps": p.cps,
                        "duration": p.duration, "ramp_up": p.ramp_up, "ramp_down": p.ramp_down,
                        "talk": str(p.talk), "wrap": str(p.wrap), "patience": str(p.patience),
                        "handle_time": p.handle_time, "seed": p.seed, "seeds": self.seeds,
                        "clock": "virtual" if p.speed is None else f"real x{p.speed:g}"},
            "window": {"from": p.measured_from, "until": p.measured_until},
            "calls": {"arrived": m.arrived, "answered": m.answered, "abandoned": m.abandoned,
                      "all_arrived": m.all_arrived, "all_answered": m.all_answered, "all_abandoned": m.all_abandoned,
                      "answered_by_face": dict(m.answered_by_face)},
            "offered_erlangs": p.cps * p.handle_time,
            "model": self.prediction.as_dict(),
            "interval": {"confidence": CONFIDENCE, "method": self.interval_method, "pieces": len(m.batches)},
            "not_judged_because": self.not_judged,
            "figures": [{k: _json_number(v) for k, v in row.items()} for row in self.comparisons()],
            "agrees": self.agrees,
            "wall": {"sign_in": self.sign_in_wall, "load": self.load_wall},
            "simulated_seconds": self.simulated, "events_received": self.events_received,
            "failures": self.failures,
        }

    def text(self) -> str:
        return report_text(self)


def _within_range(figure: str, low: float, high: float) -> dict[str, float]:
    """The interval shown, cut to what the figure can be (a share is 0-1, a wait not negative);
    cutting it changes no verdict, since a prediction is never outside that range."""
    top = math.inf if figure == "average_speed_of_answer" else 1.0
    return {"low": max(0.0, low), "high": min(top, high)} if math.isfinite(high) else {"low": low, "high": high}


def _json_number(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value
