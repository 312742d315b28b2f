"""What routing keeps when a face's policy raises.

A face's bug inside `eligible` or `offer` must neither escape routing (a 500 for whoever caused
the routing pass, the pass stopped half way) nor go unnoticed: the world carries on and keeps the
tracebacks here, as the virtual clock keeps those of timer callbacks, so that the tests, `ccsim
run` and `ccsim fuzz` (which watches ERROR logs) fail on it.
"""
from __future__ import annotations

import logging
import traceback
from collections import deque
from collections.abc import Iterator

KEPT = 100  # the newest tracebacks kept; `count` counts them all

_log = logging.getLogger("ccsim.routing")


class RoutingErrors:
    def __init__(self, kept: int = KEPT):
        self._kept: deque[str] = deque(maxlen=kept)
        self.count = 0

    def record(self, what: str) -> None:
        """Call from an `except` block: keeps `what` with the traceback being handled."""
        self.count += 1
        self._kept.append(f"routing: {what} raised\n{traceback.format_exc()}")
        _log.error("%s", self._kept[-1])

    def __iter__(self) -> Iterator[str]:
        return iter(self._kept)

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        self._kept.clear()
        self.count = 0
