"""The report of a load run: the measured figures beside Erlang C's for the same offered load,
with the tolerance each is judged by."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .erlang import ErlangC
from .measure import Measures
from .profile import LoadProfile

# How far a measured figure may be from Erlang C's and still agree. Erlang C is a steady-state
# model of exponential handle times with nobody abandoning: it is a sanity check, not a law.
TOLERANCE = {"service_level": 0.05, "occupancy": 0.03, "asa_seconds": 2.0, "asa_relative": 0.25}
# Erlang C is judged only where it describes the run: a stable queue where few give up, and
# enough calls that sampling alone stays inside the tolerance (at 2,000 calls of exponential
# talk, the occupancy's own standard error is about 2.5 % of it).
MAX_ABANDON_FOR_ERLANG = 0.02
MIN_CALLS_FOR_ERLANG = 2000


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

    @property
    def erlang(self) -> ErlangC:
        p = self.profile
        return ErlangC(p.agents, p.cps * p.handle_time, p.handle_time)

    def comparisons(self) -> list[dict[str, Any]]:
        """One row per figure: measured, predicted, and whether they agree (None: not judged)."""
        m, e, p = self.measures, self.erlang, self.profile
        judged = e.stable and m.arrived >= MIN_CALLS_FOR_ERLANG and not (m.abandon_rate > MAX_ABANDON_FOR_ERLANG)
        asa_allowed = max(TOLERANCE["asa_seconds"], TOLERANCE["asa_relative"] * e.average_speed_of_answer)
        rows = [
            ("service_level", f"service level ({p.service_level_seconds:g} s)", m.service_level,
             e.service_level(p.service_level_seconds), TOLERANCE["service_level"]),
            ("average_speed_of_answer", "average speed of answer", m.average_speed_of_answer,
             e.average_speed_of_answer, asa_allowed),
            ("abandon_rate", "abandon rate", m.abandon_rate, None, None),
            ("occupancy", "occupancy", m.occupancy, e.occupancy, TOLERANCE["occupancy"]),
        ]
        out = []
        for key, label, measured, predicted, allowed in rows:
            agrees = None
            if judged and predicted is not None and not math.isnan(measured):
                agrees = abs(measured - predicted) <= allowed
            out.append({"figure": key, "label": label, "measured": measured, "erlang_c": predicted,
                        "tolerance": allowed, "agrees": agrees})
        return out

    @property
    def agrees(self) -> bool:
        return all(row["agrees"] is not False for row in self.comparisons()) and not self.failures

    def as_dict(self) -> dict[str, Any]:
        p, m, e = self.profile, self.measures, self.erlang
        return {
            "profile": {"agents": p.agents, "agents_by_face": self.agents_by_face, "cps": p.cps,
                        "duration": p.duration, "ramp_up": p.ramp_up, "ramp_down": p.ramp_down,
                        "talk": str(p.talk), "wrap": str(p.wrap), "patience": str(p.patience),
                        "handle_time": p.handle_time, "seed": p.seed,
                        "clock": "virtual" if p.speed is None else f"real x{p.speed:g}"},
            "window": {"from": p.measured_from, "until": p.measured_until},
            "calls": {"arrived": m.arrived, "answered": m.answered, "abandoned": m.abandoned,
                      "all_arrived": m.all_arrived, "all_answered": m.all_answered, "all_abandoned": m.all_abandoned,
                      "answered_by_face": dict(m.answered_by_face)},
            "offered_erlangs": e.offered, "wait_probability": e.wait_probability if e.stable else None,
            "figures": [{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()}
                        for row in self.comparisons()],
            "agrees": self.agrees,
            "wall": {"sign_in": self.sign_in_wall, "load": self.load_wall},
            "simulated_seconds": self.simulated, "events_received": self.events_received,
            "failures": self.failures,
        }

    def text(self) -> str:
        p, m, e = self.profile, self.measures, self.erlang
        faces = ", ".join(f"{n:,} {f}" for f, n in self.agents_by_face.items())
        clock = "virtual clock" if p.speed is None else f"real clock x{p.speed:g}"
        lines = [
            f"ccsim load: {p.agents:,} agents ({faces}), {p.cps:g} calls/s for {p.duration:g} s "
            f"(ramp up {p.ramp_up:g} s, down {p.ramp_down:g} s), {clock}, seed {p.seed}",
            f"talk {p.talk}; wrap-up {p.wrap}; patience {p.patience}; handle time {p.handle_time:g} s",
            f"offered load {e.offered:,.1f} Erlangs on {p.agents:,} agents"
            + (f"; Erlang C: P(wait) {e.wait_probability:.3f}" if e.stable else "; more than the agents can take"),
            f"measured: the {m.arrived:,} calls arriving from {p.measured_from:g} s to {p.measured_until:g} s "
            f"({m.answered:,} answered, {m.abandoned:,} abandoned); answered over the run by "
            + ", ".join(f"{face} {n:,}" for face, n in sorted(m.answered_by_face.items())),
            "",
            f"{'':<28}{'measured':>10}{'Erlang C':>10}{'tolerance':>11}  agrees",
        ]
        for row in self.comparisons():
            asa = row["figure"] == "average_speed_of_answer"
            show = (lambda v: "—" if v is None or not math.isfinite(v) else f"{v:.1f} s") if asa else \
                (lambda v: "—" if v is None or not math.isfinite(v) else f"{100 * v:.1f} %")
            allowed = "—" if row["tolerance"] is None or not math.isfinite(row["tolerance"]) else (f"±{row['tolerance']:.1f} s" if asa else f"±{100 * row['tolerance']:.0f} pt")
            verdict = {True: "yes", False: "NO", None: "—"}[row["agrees"]]
            lines.append(f"{row['label']:<28}{show(row['measured']):>10}{show(row['erlang_c']):>10}{allowed:>11}  {verdict}")
        if not e.stable:
            lines.append("Erlang C does not judge this run: the offered load is at or above the agents (no steady state).")
        elif m.arrived < MIN_CALLS_FOR_ERLANG:
            lines.append(f"Erlang C does not judge this run: {m.arrived:,} calls measured, fewer than "
                         f"{MIN_CALLS_FOR_ERLANG:,} (sampling alone could be outside the tolerance).")
        elif m.abandon_rate > MAX_ABANDON_FOR_ERLANG:
            lines.append(f"Erlang C does not judge this run: {100 * m.abandon_rate:.1f} % abandoned, and Erlang C "
                         "has nobody give up (over 2 %, its figures describe another queue).")
        lines.append("")
        rate = m.all_arrived / self.load_wall if self.load_wall else float("nan")
        lines.append(f"wall: sign-in {self.sign_in_wall:.1f} s; {self.simulated:,.0f} simulated s of calls in "
                     f"{self.load_wall:.1f} s ({m.all_arrived:,} calls, {rate:,.0f} per wall second); "
                     f"{self.events_received:,} events received by the agents' clients")
        for failure in self.failures[:10]:
            lines.append(f"failure: {failure}")
        return "\n".join(lines)
