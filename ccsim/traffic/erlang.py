"""Erlang C: the M/M/N queue (Poisson arrivals, exponential handle times, N agents, nobody
abandons), the staffing model contact centers plan with; and Erlang B's recursion in log space,
which Erlang A (erlang_a.py) shares."""
from __future__ import annotations

import math
from dataclasses import dataclass


def log_inverse_blocking(agents: int, offered: float) -> float:
    """log(1/B) of Erlang B, B = (A^N/N!) / sum_{n<=N} A^n/n!, by the recursion
    1/B_n = 1 + (n/A)/B_(n-1) kept in logs: exact, and finite at 10,000 agents whatever the load
    (1/B itself overflows at low load, B underflows)."""
    if not offered > 0:
        return math.inf  # no traffic, no blocking
    log_inverse = 0.0  # 1/B_0 = 1
    log_offered = math.log(offered)
    for n in range(1, agents + 1):
        step = math.log(n) - log_offered + log_inverse
        log_inverse = step + math.log1p(math.exp(-step)) if step > 0 else math.log1p(math.exp(step))
    return log_inverse


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
    def abandon_rate(self) -> float:
        return 0.0  # nobody gives up: that is the model

    @property
    def wait_probability(self) -> float:
        """P(a call waits), from Erlang B's recursion (exact and stable for 10,000 agents)."""
        if not self.stable:
            return 1.0
        blocking = math.exp(-log_inverse_blocking(self.agents, self.offered))
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
