"""The embedded STOMP broker in tests: a CONNECT frame, waiting for a condition on the real clock,
and the check that what a broker sent matches contracts/finesse/frame/."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ccsim.contracts.emitted import journal_violations
from ccsim.core import Journal, RealClock
from ccsim.vendors.finesse.stomp import StompBroker
from ccsim.vendors.finesse.stomp.frames import Frame, encode

WAIT = 3.0  # seconds: an upper bound for things that happen at once


CONNECT = encode(Frame("CONNECT", [("accept-version", "1.2"), ("host", "localhost")]))


async def until(predicate: Callable[[], bool], timeout: float = WAIT) -> None:
    clock = RealClock()
    deadline = clock.now() + timeout
    while not predicate():
        assert clock.now() < deadline, "condition not reached"
        await clock.sleep(0.01)


def internal_errors(journal: Journal) -> list[Any]:
    return [e for e in journal.query() if "internalError" in e.response]


def check_emitted(broker: StompBroker) -> None:
    """No internal error, and every frame the broker sent matches contracts/finesse/frame/."""
    problems = journal_violations(broker.journal)
    assert not problems, "\n".join(problems[:10])
