"""Erlang C: the M/M/N queue (Poisson arrivals, exponential handle times, N agents, nobody
abandons), the staffing model contact centers plan with. The figures a measured run is set beside."""
from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ErlangC:
    agents: int
    offered: float  # Erlangs: calls per second x handle time in seconds
    handle_time: float

    @property
    def stable(self) -> bool:
        return self.offered < self.agents

    @property
    def occupancy(self) -> float:
        return min(1.0, self.offered / self.agents)

    @property
    def wait_probability(self) -> float:
        """P(a call waits), from Erlang B's recursion (exact and stable for 10,000 agents)."""
        if not self.stable:
            return 1.0
        blocking = 1.0
        for n in range(1, self.agents + 1):
            blocking = self.offered * blocking / (n + self.offered * blocking)
        rho = self.offered / self.agents
        return blocking / (1 - rho + rho * blocking)

    def service_level(self, within: float) -> float:
        """P(a call is answered within `within` seconds)."""
        if not self.stable:
            return 0.0
        return 1 - self.wait_probability * math.exp(-(self.agents - self.offered) * within / self.handle_time)

    @property
    def average_speed_of_answer(self) -> float:
        if not self.stable:
            return math.inf
        return self.wait_probability * self.handle_time / (self.agents - self.offered)
