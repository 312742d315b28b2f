"""The load report as text: the run, the model, the table of figures, the verdict's reasons."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..traffic.interval import CONFIDENCE
from .prediction import BASE_MARGIN

if TYPE_CHECKING:
    from .report import LoadReport

_SECONDS = "average_speed_of_answer"


def report_text(report: "LoadReport") -> str:
    p, m, model = report.profile, report.measures, report.prediction
    faces = ", ".join(f"{n:,} {f}" for f, n in report.agents_by_face.items())
    clock = "virtual clock" if p.speed is None else f"real clock x{p.speed:g}"
    seeds = f"seeds {report.seeds[0]}-{report.seeds[-1]}" if len(report.seeds) > 1 else f"seed {p.seed}"
    pieces = (f"{len(m.batches)} seeds" if report.interval_method == "seeds" else f"{len(m.batches)} batches")
    waits = f"; P(wait) {model.wait_probability:.3f}" if math.isfinite(model.wait_probability) else ""
    lines = [
        f"ccsim load: {p.agents:,} agents ({faces}), {p.cps:g} calls/s for {p.duration:g} s "
        f"(ramp up {p.ramp_up:g} s, down {p.ramp_down:g} s), {clock}, {seeds}",
        f"talk {p.talk}; wrap-up {p.wrap}; patience {p.patience}; handle time {p.handle_time:g} s "
        f"(CV² {model.handle_cv2:.2f})",
        f"offered load {p.cps * p.handle_time:,.1f} Erlangs on {p.agents:,} agents; model {model.model} "
        f"({model.notation}){waits}",
        f"measured: the {m.arrived:,} calls arriving from {p.measured_from:g} s to {p.measured_until:g} s "
        f"({m.answered:,} answered, {m.abandoned:,} abandoned), {pieces}; answered over the run by "
        + ", ".join(f"{face} {n:,}" for face, n in sorted(m.answered_by_face.items())),
        "",
        f"{'':<26}{'measured':>9}{f'{100 * CONFIDENCE:g} % interval':>18}{model.model:>10}{'margin':>10}  agrees"
        f"{'M/G/N ≈':>10}" + (f"{'Erlang C':>10}" if model.erlang_c is not None else ""),
    ]
    for row in report.comparisons():
        seconds = row["figure"] == _SECONDS
        interval = "—" if not math.isfinite(row["high"]) else \
            f"{_number(row['low'], seconds)} – {_number(row['high'], seconds)}{' s' if seconds else ' %'}"
        verdict = {True: "yes", False: "NO", None: "—"}[row["agrees"]]
        line = (f"{row['label']:<26}{_shown(row['measured'], seconds):>9}{interval:>18}"
                f"{_shown(row['predicted'], seconds):>10}{_margin(row['margin'], seconds):>10}  {verdict:<6}"
                f"{_shown(row['approximate'], seconds):>10}")
        if row["erlang_c"] is not None:
            line += f"{_shown(row['erlang_c'], seconds):>10}"
        lines.append(line)
    lines += _explanation(report)
    lines.append("")
    rate = m.all_arrived / report.load_wall if report.load_wall else float("nan")
    lines.append(f"wall: sign-in {report.sign_in_wall:.1f} s; {report.simulated:,.0f} simulated s of calls in "
                 f"{report.load_wall:.1f} s ({m.all_arrived:,} calls, {rate:,.0f} per wall second); "
                 f"{report.events_received:,} events received by the agents' clients")
    for failure in report.failures[:10]:
        lines.append(f"failure: {failure}")
    return "\n".join(lines)


def _explanation(report: "LoadReport") -> list[str]:
    model = report.prediction
    reason = report.not_judged
    if reason:
        out = [reason]
    else:
        base = ", ".join(base_margin_text(figure) for figure in BASE_MARGIN)
        out = [f"agrees: {model.model} lies within the interval widened by the margin (the M/G/N correction's "
               f"size plus {base})."]
    out.append(f"M/G/N ≈: every wait × {model.wait_scale:.2f} for handle times of CV² {model.handle_cv2:.2f} "
               "(an approximation)." + (" Erlang C: nobody abandons, a bound on the waits." if model.erlang_c else ""))
    return out


def base_margin_text(figure: str) -> str:
    absolute, relative = BASE_MARGIN[figure]
    text = f"{absolute:g} s" if figure == _SECONDS else f"{100 * absolute:g} pt"
    return f"±max({text}, {100 * relative:g} %)" if relative else f"±{text}"


def _number(value: float, seconds: bool) -> str:
    return f"{value:.1f}" if seconds else f"{100 * value:.1f}"


def _shown(value: Any, seconds: bool) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.1f} s" if seconds else f"{100 * value:.1f} %"


def _margin(value: float, seconds: bool) -> str:
    if not math.isfinite(value):
        return "—"
    return f"±{value:.1f} s" if seconds else f"±{100 * value:.1f} pt"
