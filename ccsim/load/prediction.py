"""What queueing theory predicts for a load profile, and how far a correct run may stray from it.

The model: Erlang A (M/M/N+M) when callers give up with exponential patience, Erlang C (M/M/N)
when nobody does (`--patience never`). Both assume exponential handle times; talk + wrap-up
seldom is (a fixed wrap-up makes it less variable). The M/G/N correction scales every wait by
(1 + CV²)/2, CV² the squared coefficient of variation of the handle time: an approximation
(Lee and Longton's, for Erlang C), shown beside the model and used to size its margin:

    margin = |model - M/G/N approximation| + BASE_MARGIN

where BASE_MARGIN covers what neither formula describes: the run starts empty rather than in
steady state, the wire adds answer latency, and a 95 % interval estimated from a few batches has
heavier tails than the normal one (with 20 agents for 4 hours, a correct run then fails about
once in 1,000; see docs/load.md)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..traffic.erlang import ErlangC
from ..traffic.erlang_a import ErlangA
from ..traffic.profile import LoadProfile

FIGURES = ("service_level", "average_speed_of_answer", "abandon_rate", "occupancy")
# (absolute, relative to the prediction): the larger of the two.
BASE_MARGIN = {"service_level": (0.05, 0.0), "average_speed_of_answer": (1.0, 0.3), "abandon_rate": (0.005, 0.3),
               "occupancy": (0.03, 0.0)}


@dataclass(frozen=True)
class Prediction:
    model: str  # "Erlang A" or "Erlang C"
    notation: str  # "M/M/N+M" or "M/M/N"
    figures: dict[str, float]  # the model's, judged against
    approximate: dict[str, float]  # the M/G/N correction's (waits scaled by wait_scale)
    erlang_c: dict[str, float] | None  # beside Erlang A: what a queue where nobody hangs up would do
    margins: dict[str, float]
    wait_probability: float
    handle_cv2: float
    wait_scale: float
    not_judged: str | None = None  # why the model does not judge this run, if it does not

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.model, "notation": self.notation, "wait_probability": _finite(self.wait_probability),
                "handle_time_cv2": self.handle_cv2, "mgn_wait_scale": self.wait_scale,
                "judges": self.not_judged is None, "not_judged_because": self.not_judged,
                "erlang_c_bound": None if self.erlang_c is None else {k: _finite(v) for k, v in self.erlang_c.items()}}


def predict(profile: LoadProfile) -> Prediction:
    talk, wrap, patience = profile.talk, profile.wrap, profile.patience
    handle = profile.handle_time
    cv2 = (talk.variance + wrap.variance) / handle ** 2 if handle > 0 else 1.0
    scale = (1 + cv2) / 2
    erlang_c = ErlangC(profile.agents, profile.cps * handle, handle)
    if patience.kind == "never":
        model: Any = erlang_c
        not_judged = None if erlang_c.stable else "the offered load is at or above the agents (no steady state)"
        name, notation, bound = "Erlang C", "M/M/N", None
    else:
        name, notation, bound = "Erlang A", "M/M/N+M", _figures(erlang_c, profile, 1.0)
        try:
            model = ErlangA(profile.agents, profile.cps, handle, patience.mean)
        except ValueError as exc:
            return _unjudged(str(exc), erlang_c, profile, cv2, scale)
        not_judged = None if patience.kind == "exp" else \
            f"Erlang A assumes exponential patience; this run's is {patience} (shown with that mean, not judged)"
    figures, approximate = _figures(model, profile, 1.0), _figures(model, profile, scale)
    margins = {f: abs(figures[f] - approximate[f]) + _base(f, figures[f]) for f in FIGURES}
    return Prediction(name, notation, figures, approximate, bound, margins, model.wait_probability, cv2, scale,
                      not_judged)


def _figures(model: Any, profile: LoadProfile, scale: float) -> dict[str, float]:
    """The four figures of `model`, with every wait scaled by `scale` (1: the model itself)."""
    if not model.stable:
        return {"service_level": 0.0, "average_speed_of_answer": math.inf, "abandon_rate": 0.0, "occupancy": 1.0}
    abandon = min(1.0, scale * model.abandon_rate)
    return {"service_level": model.service_level(profile.service_level_seconds / scale),
            "average_speed_of_answer": scale * model.average_speed_of_answer,
            "abandon_rate": abandon,
            "occupancy": profile.cps * (1 - abandon) * profile.handle_time / profile.agents}


def _base(figure: str, predicted: float) -> float:
    absolute, relative = BASE_MARGIN[figure]
    return max(absolute, relative * abs(predicted)) if math.isfinite(predicted) else math.inf


def _unjudged(reason: str, erlang_c: ErlangC, profile: LoadProfile, cv2: float, scale: float) -> Prediction:
    nothing = {f: math.nan for f in FIGURES}
    return Prediction("Erlang A", "M/M/N+M", nothing, nothing, _figures(erlang_c, profile, 1.0), nothing, math.nan,
                      cv2, scale, reason)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
