"""What the `sim` fixture (tests/conftest.py) fails a test for, for tests that start a simulator
of their own."""
from __future__ import annotations

from ccsim.app import Simulator
from ccsim.contracts.emitted import journal_violations


def simulator_problems(simulator: Simulator) -> list[str]:
    """What the `sim` fixture fails a test for: a journal entry against contracts/ (a 5xx, an
    internal error), a timer callback that raised, a face's exception inside routing."""
    return [*journal_violations(simulator.journal), *simulator.clock.callback_errors, *simulator.world.routing_errors]
