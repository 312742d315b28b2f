"""The scenario step `customers call`: load from inside a scenario, against the scenario's own
agents, with the figures checked against `expect`."""
from __future__ import annotations

import math
import random
import re
from typing import TYPE_CHECKING, Any

from ..scenario.steps import Action, ParseContext, StepFailed, seconds
from ..traffic.measure import Meter
from ..traffic.profile import Distribution, LoadProfile

if TYPE_CHECKING:
    from ..scenario.runner import Run

FIGURES = ("service_level", "average_speed_of_answer", "abandon_rate", "occupancy")
_BOUND = re.compile(r"(>=|<=)\s*(\S+)")


def parse_customers_call(args: dict[str, Any], ctx: ParseContext) -> Action:
    from .runner import Customers, drain

    if args["queue"] not in {str(q["id"]) for q in ctx.config.queues}:
        raise ctx.error(f"customers call: unknown queue {args['queue']!r}")
    try:
        profile = LoadProfile(
            agents=max(1, len(ctx.config.agents)), cps=float(args["cps"]), duration=seconds(args["for"]),
            ramp_up=seconds(args.get("ramp_up", 0)), ramp_down=seconds(args.get("ramp_down", 0)),
            talk=Distribution.parse(args.get("talk", "exp:3m")), wrap=Distribution("fixed", 0.0),
            patience=Distribution.parse(args.get("patience", "exp:5m")),
            service_level_seconds=seconds(args.get("service_level_within", 20)), warm_up=0.0)
        bounds = {name: _bound(name, text) for name, text in (args.get("expect") or {}).items()}
    except ValueError as exc:
        raise ctx.error(f"customers call: {exc}") from None

    async def action(run: "Run") -> None:
        if run.world is None:
            raise StepFailed("customers call runs in process only (not against --target)")
        meter = Meter(run.world, (profile.measured_from, profile.measured_until), profile.service_level_seconds,
                      run.clock.now())
        customers = Customers(run.world, run.clock, profile, random.Random(run.rng.random()), meter, args["queue"])
        await customers.call()
        await drain(run.clock, customers, profile)
        measures = meter.finish(run.clock.now())
        figures = {name: getattr(measures, name) for name in FIGURES}
        for name, (op, limit) in bounds.items():
            value = figures[name]
            if math.isnan(value) or (value < limit if op == ">=" else value > limit):
                shown = ", ".join(f"{k} {v:.3f}" for k, v in figures.items())
                raise StepFailed(f"customers call: expected {name} {op} {limit:g} over {measures.arrived} calls; "
                                 f"measured {shown}", f"{op} {limit:g}", value)

    return action


def _bound(name: str, text: Any) -> tuple[str, float]:
    if name not in FIGURES:
        raise ValueError(f"expect: unknown figure {name!r} (known: {', '.join(FIGURES)})")
    found = _BOUND.fullmatch(str(text).strip())
    if not found:
        raise ValueError(f"expect {name}: write '>= 0.8' or '<= 30s', not {text!r}")
    value = seconds(found.group(2)) if name == "average_speed_of_answer" else float(found.group(2))
    return found.group(1), value
