"""The queueing models of `ccsim load` against independent computations: Erlang C against the
textbook sum and a published example; Erlang A (M/M/N+M) against its birth-death chain summed
the slow way with exact fractions, the tagged caller's chain solved step by step, Little's law,
and its limit Erlang C; both finite at 10,000 agents."""
from __future__ import annotations

import math
from fractions import Fraction

import pytest

from ccsim.traffic.erlang import ErlangC
from ccsim.traffic.erlang_a import ErlangA


def erlang_c_by_sum(agents: int, offered: float) -> float:
    """P(wait) straight from the textbook formula, to check the recursion against."""
    top = offered ** agents / math.factorial(agents) * agents / (agents - offered)
    return top / (sum(offered ** k / math.factorial(k) for k in range(agents)) + top)


@pytest.mark.parametrize("agents,offered", [(1, 0.5), (10, 8.0), (20, 16.0), (50, 45.0), (100, 99.0)])
def test_erlang_c_wait_probability_matches_the_formula(agents, offered):
    assert ErlangC(agents, offered, 180).wait_probability == pytest.approx(erlang_c_by_sum(agents, offered), rel=1e-9)


def test_erlang_c_service_level_and_speed_of_answer():
    e = ErlangC(10, 8.0, 180.0)
    pw = erlang_c_by_sum(10, 8.0)
    assert e.average_speed_of_answer == pytest.approx(pw * 180 / 2)
    assert e.service_level(20) == pytest.approx(1 - pw * math.exp(-2 * 20 / 180))
    assert e.occupancy == pytest.approx(0.8)
    big = ErlangC(10_000, 9_500.0, 300.0)  # the recursion stays finite where factorials overflow
    assert 0 < big.wait_probability < 1
    assert not ErlangC(10, 10.0, 60).stable and ErlangC(10, 10.0, 60).service_level(20) == 0.0


def test_erlang_c_matches_a_published_example():
    """R package ErlangC 0.1.0, its README example (rdocumentation.org/packages/ErlangC/versions/0.1.0):
    100 calls in 30 minutes, 180 s handle time, 14 agents, 20 s target: P(wait) 0.1741319,
    service level 0.88835, ASA 7.83593701177724 s."""
    e = ErlangC(14, 100 / 1800 * 180, 180)
    assert e.wait_probability == pytest.approx(0.1741319, abs=1e-7)
    assert e.service_level(20) == pytest.approx(0.88835, abs=1e-5)
    assert e.average_speed_of_answer == pytest.approx(7.83593701177724, rel=1e-9)


class SlowErlangA:
    """M/M/N+M the slow way: the birth-death chain's stationary distribution with exact fractions
    (truncated far out), and each arriving caller followed through her own chain."""

    def __init__(self, agents: int, lam: Fraction, mu: Fraction, theta: Fraction, cut: int = 400):
        self.n, self.lam, self.mu, self.theta = agents, lam, mu, theta
        weights = [Fraction(1)]
        for n in range(1, agents + cut):
            weights.append(weights[-1] * lam / (min(n, agents) * mu + max(n - agents, 0) * theta))
        total = sum(weights)
        self.pi = [float(w / total) for w in weights]

    def abandon_rate(self) -> float:
        return sum(p * self._abandon_given(n - self.n) for n, p in enumerate(self.pi) if n >= self.n)

    def mean_queue(self) -> float:
        return sum(p * (n - self.n) for n, p in enumerate(self.pi) if n > self.n)

    def _abandon_given(self, ahead: int) -> float:
        """A caller with `ahead` callers in front: at each step she either gives up (θ) or the
        line moves (Nμ + jθ, j in front); answered when it moves with nobody in front."""
        stay = 1.0
        for j in range(ahead, -1, -1):
            move = float(self.n * self.mu + j * self.theta)
            stay *= move / (move + float(self.theta))
        return 1 - stay

    def answered_within(self, t: float, steps: int = 4000) -> float:
        """P(answered within t), each caller's chain (j in front, 0..k; answered; gone) integrated
        with small Runge-Kutta steps; callers who find a free agent are answered at once."""
        served_by_t = sum(self.pi[: self.n])
        nm, th = float(self.n * self.mu), float(self.theta)
        for k in range(len(self.pi) - self.n):
            weight = self.pi[self.n + k]
            if weight < 1e-15:
                continue
            state = [0.0] * (k + 1)
            state[k] = 1.0  # k in front of her
            answered = 0.0

            def slope(s: list[float]) -> tuple[list[float], float]:
                out = [-(nm + (j + 1) * th) * s[j] for j in range(k + 1)]  # moves or she leaves
                for j in range(k):
                    out[j] += (nm + (j + 1) * th) * s[j + 1]
                return out, nm * s[0]

            h = t / steps
            for _ in range(steps):
                d1, a1 = slope(state)
                d2, a2 = slope([s + h / 2 * d for s, d in zip(state, d1)])
                d3, a3 = slope([s + h / 2 * d for s, d in zip(state, d2)])
                d4, a4 = slope([s + h * d for s, d in zip(state, d3)])
                state = [s + h / 6 * (a + 2 * b + 2 * c + d) for s, a, b, c, d in zip(state, d1, d2, d3, d4)]
                answered += h / 6 * (a1 + 2 * a2 + 2 * a3 + a4)
            served_by_t += weight * answered
        return served_by_t


@pytest.mark.parametrize("agents,lam,handle,patience", [(3, 0.05, 45, 300), (5, 0.1, 45, 300), (4, 0.2, 30, 60),
                                                        (6, 0.12, 45, 20)])
def test_erlang_a_matches_the_birth_death_chain_summed_the_slow_way(agents, lam, handle, patience):
    e = ErlangA(agents, lam, handle, patience)
    slow = SlowErlangA(agents, Fraction(lam).limit_denominator(10**6), Fraction(1, handle), Fraction(1, patience))
    assert e.wait_probability == pytest.approx(sum(slow.pi[agents:]), rel=1e-9)
    assert e.abandon_rate == pytest.approx(slow.abandon_rate(), rel=1e-9)
    assert e.mean_queue_length == pytest.approx(slow.mean_queue(), rel=1e-9)
    # Little: the callers who give up are the queue's abandonments, θ per waiting caller
    assert lam * e.abandon_rate == pytest.approx(e.mean_queue_length / patience, rel=1e-9)
    # the mean wait of every caller, answered or not, is E[queue] / λ (Little again)
    everyone = e.answered_share * e.average_speed_of_answer + _mean_wait_of_abandoners(slow, agents)
    assert everyone == pytest.approx(e.mean_queue_length / lam, rel=1e-6)
    assert e.occupancy == pytest.approx(lam * (1 - e.abandon_rate) * handle / agents, rel=1e-12)


def _mean_wait_of_abandoners(slow: SlowErlangA, agents: int) -> float:
    """Σ over callers who find k in front of them of P(k)·E[her wait · 1{she gives up}]: with j in
    front she waits Exp(q_j + θ) per stage and leaves at a stage with probability θ/(q_j + θ)."""
    total = 0.0
    nm, th = float(slow.n * slow.mu), float(slow.theta)
    for k in range(len(slow.pi) - agents):
        p, reach, elapsed, part = slow.pi[agents + k], 1.0, 0.0, 0.0
        for j in range(k, -1, -1):
            rate = nm + j * th + th
            elapsed += 1 / rate
            part += reach * (th / rate) * elapsed
            reach *= (rate - th) / rate
        total += p * part
    return total


@pytest.mark.parametrize("agents,lam,handle,patience,within", [(3, 0.05, 45, 300, 20), (5, 0.1, 45, 300, 20),
                                                               (4, 0.2, 30, 60, 10), (5, 0.1, 45, 300, 90)])
def test_erlang_a_service_level_matches_each_callers_chain_integrated(agents, lam, handle, patience, within):
    e = ErlangA(agents, lam, handle, patience)
    slow = SlowErlangA(agents, Fraction(lam).limit_denominator(10**6), Fraction(1, handle), Fraction(1, patience),
                       cut=120)
    assert e.service_level(within) == pytest.approx(slow.answered_within(within, steps=400), abs=1e-7)
    assert e.service_level(0) == pytest.approx(1 - e.wait_probability, abs=1e-12)
    assert e.service_level(1e6) == pytest.approx(e.answered_share, abs=1e-12)


def test_erlang_a_with_endless_patience_is_erlang_c():
    """The published Erlang C example again, with callers who (almost) never give up."""
    a, c = ErlangA(14, 100 / 1800, 180, 1e9), ErlangC(14, 10.0, 180)
    assert a.wait_probability == pytest.approx(c.wait_probability, rel=1e-5)
    assert a.average_speed_of_answer == pytest.approx(c.average_speed_of_answer, rel=1e-5)
    assert a.service_level(20) == pytest.approx(c.service_level(20), rel=1e-6)
    assert a.abandon_rate < 1e-6 and a.occupancy == pytest.approx(c.occupancy, rel=1e-6)


def test_erlang_a_issue_figures_and_ten_thousand_agents():
    """The issue's configuration: abandonment shortens the waits Erlang C predicts."""
    e = ErlangA(20, 0.40, 45, 300)
    c = ErlangC(20, 18.0, 45)
    assert e.average_speed_of_answer == pytest.approx(5.957, abs=1e-3)
    assert c.average_speed_of_answer == pytest.approx(12.4, abs=0.05)
    assert e.service_level(20) == pytest.approx(0.8802, abs=1e-4)
    assert c.service_level(20) == pytest.approx(0.774, abs=1e-3)
    assert e.abandon_rate == pytest.approx(0.02023, abs=1e-5)
    assert e.occupancy == pytest.approx(0.8818, abs=1e-4)  # carried load: 18/20 offered
    under = ErlangA(10_000, 9_500 / 300, 300, 600)
    assert 0 < under.wait_probability < 1 and 0 <= under.abandon_rate < 0.01
    over = ErlangA(10_000, 2 * 10_000 / 45, 45, 300)  # twice the agents' capacity: half give up
    assert over.abandon_rate == pytest.approx(0.5, abs=1e-3)
    assert over.average_speed_of_answer == pytest.approx(300 * math.log(2), rel=1e-2)  # P(patience > w) = 1/2
    assert ErlangA(10_000, 5_000 / 45, 45, 300).wait_probability == 0.0  # Erlang B underflows; no NaN
    for bad in ((0, 1.0, 45, 300), (5, 0.0, 45, 300), (5, 1.0, 45, math.inf), (5, 1.0, 45, 0)):
        with pytest.raises(ValueError):
            ErlangA(*bad)
    with pytest.raises(ValueError, match="too many to sum"):
        ErlangA(10, 10.0, 45, 1e9)  # a queue of millions: refused, not summed for minutes
