"""Fault injection: rules that make a face fail or slow down on chosen operations.

The core only stores and matches rules; each face decides what `error` means on its wire
(a Huawei retcode, an HTTP status, a STOMP ERROR frame...).
"""
from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Fault:
    id: str
    face: str
    op: str | None = None  # None: every operation of the face
    agent: str | None = None  # None: every agent
    error: str | None = None  # the face's own error code to answer with
    delay: float = 0.0  # seconds on the simulator's clock before answering
    times: int | None = None  # how many matching requests it applies to; None: until removed
    hits: int = 0

    def matches(self, face: str, op: str, agent: str | None) -> bool:
        return (self.face == face and (self.op is None or self.op.lower() == op.lower())
                and (self.agent is None or self.agent == agent))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Faults:
    def __init__(self) -> None:
        self._rules: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, face: str, *, op: str | None = None, agent: str | None = None, error: str | None = None,
            delay: float = 0.0, times: int | None = None) -> Fault:
        if error is None and not delay:
            raise ValueError("a fault needs an error, a delay, or both")
        if delay < 0 or (times is not None and times < 1):
            raise ValueError("delay must be >= 0 and times >= 1")
        fault = Fault(f"f{next(self._ids)}", face, op, agent, error, delay, times)
        self._rules.append(fault)
        return fault

    def take(self, face: str, op: str, agent: str | None) -> Fault | None:
        """The first rule matching this request, counted as used (and dropped when spent)."""
        for fault in self._rules:
            if fault.matches(face, op, agent):
                fault.hits += 1
                if fault.times is not None and fault.hits >= fault.times:
                    self._rules.remove(fault)
                return fault
        return None

    def remove(self, fault_id: str) -> bool:
        before = len(self._rules)
        self._rules = [f for f in self._rules if f.id != fault_id]
        return len(self._rules) < before

    def clear(self) -> None:
        self._rules.clear()

    def all(self) -> list[Fault]:
        return list(self._rules)
