"""Time is injected: nothing in ccsim but the clock reads or waits on wall time, so
the virtual clock can run hours of a scenario in a moment, the same way every run."""
from __future__ import annotations

import re
from pathlib import Path

import ccsim


def test_nothing_outside_the_clock_reads_or_waits_on_wall_time():
    """Design rule: time is injected. Scan the package for direct uses of wall time."""
    forbidden = re.compile(r"\btime\.(time|monotonic|sleep)\(|asyncio\.sleep\(|(?<!clock)(?<!timers)\.call_(later|at)\(")
    root = Path(ccsim.__file__).parent
    offenders = [f"{p.relative_to(root)}:{n}" for p in root.rglob("*.py") if p.name != "clock.py"
                 for n, line in enumerate(p.read_text().splitlines(), 1)
                 if forbidden.search(line)]
    assert not offenders, offenders
