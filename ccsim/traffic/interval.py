"""Confidence intervals for a measured ratio (answered in time / arrived, total wait / answered,
...) from independent-enough pieces of the measurement: the batches of one run (batch means) or
the runs of several seeds. Each piece gives a numerator and a denominator; the figure is the
ratio of the sums, and its standard error the ratio estimator's, from the pieces' residuals:
    R = Σy / Σx,   se² = Σ(y_i - R·x_i)² / (K(K-1)·x̄²)
with Student's t for K - 1 degrees of freedom."""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

CONFIDENCE = 0.95


def t_quantile(confidence: float, df: int) -> float:
    """The two-sided Student t quantile: exact for 1 and 2 degrees of freedom, from 3 up the
    Cornish-Fisher expansion around the normal quantile (within 0.15 % of the tables)."""
    if df <= 0:
        return math.inf
    if df == 1:
        return math.tan(math.pi * confidence / 2)
    if df == 2:
        return confidence * math.sqrt(2 / (1 - confidence * confidence))
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    v = float(df)
    return (z + (z ** 3 + z) / (4 * v) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * v ** 2)
            + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * v ** 3)
            + (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / (92160 * v ** 4))


@dataclass(frozen=True)
class Interval:
    value: float
    half_width: float  # math.nan when there is no interval (fewer than two pieces, nothing measured)

    @property
    def low(self) -> float:
        return self.value - self.half_width

    @property
    def high(self) -> float:
        return self.value + self.half_width

    @property
    def exists(self) -> bool:
        return math.isfinite(self.value) and math.isfinite(self.half_width)


def ratio_interval(pieces: Sequence[tuple[float, float]], confidence: float = CONFIDENCE) -> Interval:
    """The ratio of the sums of (numerator, denominator) pieces, with its confidence interval."""
    k = len(pieces)
    top, bottom = sum(y for y, _ in pieces), sum(x for _, x in pieces)
    if not bottom:
        return Interval(math.nan, math.nan)
    ratio = top / bottom
    if k < 2:
        return Interval(ratio, math.nan)
    mean_bottom = bottom / k
    spread = sum((y - ratio * x) ** 2 for y, x in pieces) / (k * (k - 1))
    return Interval(ratio, t_quantile(confidence, k - 1) * math.sqrt(spread) / mean_bottom)
