"""Erlang A (Palm's M/M/N+M queue): Poisson arrivals at rate λ, exponential handle times of mean
h (μ = 1/h), N agents, one FIFO queue, and callers who give up after an exponential patience of
mean 1/θ. Unlike Erlang C it has a steady state at any load, and it knows that the callers who
would have waited longest are the ones who hang up.

The number in the system n is a birth-death process: births λ, deaths min(n, N)·μ + max(n - N, 0)·θ.
Its stationary distribution, relative to π_N (all agents busy, nobody waiting):
    π_n / π_N = N!/(n!·A^(N-n))            n <= N, A = λh   (sum over n < N: 1/B - 1, B = Erlang B)
    π_(N+k) / π_N = Π_{j=1..k} λ/q_j       q_j = Nμ + jθ   (k callers waiting)
An arriving caller sees π (PASTA). Finding k waiting, she is (k+1)-th in line: with j callers ahead
of her, the line moves when an agent frees (Nμ) or one of them gives up (jθ), so her offered wait
(the wait she would have if she never gave up) is V_k = Σ_{j=0..k} Exp(Nμ + jθ), independent
stages. She is answered if her own patience τ ~ Exp(θ) outlasts V_k:
    P(answered | k) = E[e^(-θ V_k)] = Π_{j=0..k} q_j/(q_j + θ) = Nμ / q_(k+1)      (telescoping)
and, given that, each stage is Exp(q_j + θ) = Exp(q_(j+1)) (exponential tilting), so her wait is
Σ_{j=1..k+1} Exp(q_j) with mean H_k = Σ_{j=1..k+1} 1/q_j. Hence, over callers who find k waiting:
    P(abandon) = Σ_k π_(N+k)·(k+1)θ/q_(k+1)
    ASA (answered calls) = Σ_k π_(N+k)·(Nμ/q_(k+1))·H_k / P(answered)
For P(answered within t), start the tilted stages with mass w_m = π_(N+m-1)·Nμ/q_m in stage m
(m stages to go, leaving at rate q_m). A pure-death chain with rates Nμ + mθ, started in M, is in
m at time t with probability [Π_{j=m+1..M} q_j]/(θ^(M-m)(M-m)!)·e^(-q_m t)(1 - e^(-θt))^(M-m)
(it solves the chain's equations); summed over the starts the products cancel and
    P(answered, still waiting at t) = e^((λ/θ)(1 - z) - Nμ t)·Σ_m w_m z^m,     z = e^(-θt)
so P(answered within t) = P(no wait) + Σ_m w_m - that, one sum. With θ -> 0 these are Erlang C.

Everything is summed in logs, relative to the largest term, until the terms fall below e^-40 of
it: exact to rounding and finite at 10,000 agents, under load or over it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from .erlang import log_inverse_blocking

_NEGLIGIBLE = 40.0  # terms below e^-40 of the largest no longer change a double
MAX_WAITING = 500_000  # queue lengths summed at most (a bound on time and memory)


@dataclass(frozen=True)
class ErlangA:
    agents: int
    arrival_rate: float  # λ, calls per second
    handle_time: float  # h = 1/μ, seconds
    patience: float  # 1/θ, the mean patience in seconds
    _sums: dict[str, float] = field(init=False, repr=False, compare=False)
    _log_terms: list[float] = field(init=False, repr=False, compare=False)  # log π_(N+k)/π_N, k = 0, 1, ...

    def __post_init__(self) -> None:
        if self.agents < 1 or not self.arrival_rate > 0 or not self.handle_time > 0 or not 0 < self.patience < math.inf:
            raise ValueError("Erlang A needs agents >= 1 and a positive arrival rate, handle time and finite patience")
        served, theta, lam = self.agents / self.handle_time, 1 / self.patience, self.arrival_rate
        log_free = log_inverse_blocking(self.agents, lam * self.handle_time)  # log(1/B)
        log_free += math.log1p(-math.exp(-log_free)) if log_free > 0 else -math.inf  # log(1/B - 1)
        logs, log_term, k, shift = [], 0.0, 0, log_free
        peak = (lam - served) / theta  # the terms grow while k is below this, then fall for good
        while k <= peak or log_term >= shift - _NEGLIGIBLE:
            logs.append(log_term)
            shift = max(shift, log_term)
            k += 1
            log_term += math.log(lam / (served + k * theta))
            if k > MAX_WAITING:
                raise ValueError(f"Erlang A: over {MAX_WAITING:,} callers would wait: too many to sum")
        waiting = answered = abandoned = wait = stages = 0.0
        for k, log_term in enumerate(logs):
            term = math.exp(log_term - shift)
            q_next = served + (k + 1) * theta
            stages += 1 / q_next
            waiting += term
            answered += term * served / q_next
            abandoned += term * (k + 1) * theta / q_next
            wait += term * served / q_next * stages
        free = math.exp(log_free - shift)
        object.__setattr__(self, "_log_terms", logs)
        object.__setattr__(self, "_sums", {"shift": shift, "total": free + waiting, "free": free, "waiting": waiting,
                                           "answered_after_wait": answered, "abandoned": abandoned, "wait": wait})

    @property
    def stable(self) -> bool:
        return True  # callers giving up keep any load finite

    @property
    def offered(self) -> float:
        return self.arrival_rate * self.handle_time

    @property
    def wait_probability(self) -> float:
        """P(an arriving caller finds every agent busy)."""
        return self._sums["waiting"] / self._sums["total"]

    @property
    def abandon_rate(self) -> float:
        return self._sums["abandoned"] / self._sums["total"]

    @property
    def answered_share(self) -> float:
        s = self._sums
        return (s["free"] + s["answered_after_wait"]) / s["total"]

    @property
    def average_speed_of_answer(self) -> float:
        """Mean wait of the answered calls."""
        s = self._sums
        return s["wait"] / (s["free"] + s["answered_after_wait"])

    @property
    def mean_queue_length(self) -> float:
        """Callers waiting, on average (λ·P(abandon) = θ·this: the callers who give up)."""
        shift = self._sums["shift"]
        return sum(k * math.exp(t - shift) for k, t in enumerate(self._log_terms)) / self._sums["total"]

    @property
    def occupancy(self) -> float:
        """Carried load per agent: only answered calls keep an agent busy."""
        return self.arrival_rate * self.answered_share * self.handle_time / self.agents

    def service_level(self, within: float) -> float:
        """P(a caller is answered within `within` seconds), out of all callers."""
        s = self._sums
        served, theta = self.agents / self.handle_time, 1 / self.patience
        outside = self.arrival_rate / theta * -math.expm1(-theta * within) - served * within - s["shift"]
        log_z = -theta * within
        still = 0.0
        for m, log_term in enumerate(self._log_terms, start=1):  # w_m uses π_(N+m-1)
            still += math.exp(log_term + outside + m * log_z) * served / (served + m * theta)
        return max(0.0, s["free"] + s["answered_after_wait"] - still) / s["total"]
