"""`explore:` in a scenario: Hypothesis plays sequences drawn from a declared set of steps.

Each example starts from a reset simulator, replays the scenario's `steps`, then a drawn
sequence (any order, repeats allowed, at most `length`), the invariants checked after every
step. A failure is shrunk by Hypothesis to a shortest sequence, which the result reports.
Hypothesis runs in a worker thread and calls into the session's loop through a Portal; the
same seed draws the same sequences.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from .steps import Step

if TYPE_CHECKING:
    from .loader import Scenario
    from .runner import Run, ScenarioResult
    from .session import Session


@dataclass
class Exploration:
    steps: list[Step]
    items: list[Any]  # the steps as written, for reporting the failing sequence
    examples: int = 20
    length: int = 8


class ExplorationFailed(AssertionError):
    """The shrunk failing sequence (`steps`, as written) and the failure of its last run."""

    def __init__(self, cause: BaseException, steps: list[Any]):
        self.steps = steps
        self.message = (getattr(cause, "message", None) or str(cause)) + "\n  shortest failing sequence after `steps`:" + \
            "".join(f"\n    - {item}" for item in steps)
        self.expected, self.actual = getattr(cause, "expected", None), getattr(cause, "actual", None)
        self.excerpt = getattr(cause, "excerpt", None)
        super().__init__(self.message)


def hypothesis_settings(examples: int) -> settings:
    """Bounded, reproducible runs that leave no database behind; slow targets are no health problem."""
    return settings(max_examples=examples, deadline=None, database=None, print_blob=False,
                    suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink])


async def explore(session: "Session", scenario: "Scenario", result: "ScenarioResult") -> "Run":
    from .session import Portal

    spec: Exploration = scenario.explore
    portal = Portal(asyncio.get_running_loop())
    last: dict[str, Any] = {}

    async def example(indices: list[int]) -> None:
        run = last["run"] = await session.new_run(scenario, reset=True)
        try:
            for step in [*scenario.steps, *(spec.steps[i] for i in indices)]:
                await session.step(run, step, scenario.invariants)
            await session.finish(run, scenario.invariants)
        finally:
            await session.end_run(run)

    @seed(scenario.seed)
    @hypothesis_settings(spec.examples)
    @given(st.lists(st.integers(0, len(spec.steps) - 1), min_size=1, max_size=spec.length))
    def sequences(indices: list[int]) -> None:
        last["indices"] = indices
        portal.call(example(indices))

    session.hold()
    try:
        await asyncio.to_thread(sequences)
    except Exception as exc:  # the last example Hypothesis ran is the shrunk one, failing
        raise ExplorationFailed(exc, [spec.items[i] for i in last.get("indices", [])]) from exc
    finally:
        session.unhold()
    result.steps_run += spec.examples
    return last["run"]
