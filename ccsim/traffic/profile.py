"""A load profile: what a contact-center load tool lets you set, parsed from the command line or
a scenario step."""
from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from ..core.durations import seconds

LOAD_FACES = ("huawei", "nice", "finesse", "xcally")  # faces with synthetic agents
DEFAULT_FACES = ("huawei", "nice", "finesse")
# The measured window is cut into batches for the figures' confidence intervals (batch means):
# each batch at least this many handle times long where the window allows, so that a batch's
# waits barely depend on the one before; 5 to 20 batches.
BATCH_HANDLE_TIMES = 10
MIN_BATCHES, MAX_BATCHES = 5, 20


@dataclass(frozen=True)
class Distribution:
    """A duration drawn per call: `fixed:30s`, `exp:3m` (exponential, that mean), `uniform:1m-4m`,
    `normal:3m,1m` (cut at zero). A bare duration is fixed. `never` is a patience that never
    runs out (nobody hangs up)."""
    kind: str
    a: float
    b: float = 0.0

    @classmethod
    def parse(cls, text: str | float) -> "Distribution":
        if not isinstance(text, str):
            return cls("fixed", seconds(text))
        kind, sep, rest = text.strip().partition(":")
        if kind == "never" and not sep:
            return cls("never", math.inf)
        if not sep:
            return cls("fixed", seconds(kind))
        try:
            if kind == "fixed":
                return cls("fixed", seconds(rest))
            if kind == "exp":
                return cls("exp", seconds(rest))
            if kind == "uniform":
                low, _, high = rest.partition("-")
                made = cls("uniform", seconds(low), seconds(high))
                if made.a > made.b:
                    raise ValueError(f"{low} is longer than {high}")
                return made
            if kind == "normal":
                mean, _, sd = rest.partition(",")
                return cls("normal", seconds(mean), seconds(sd))
        except ValueError as exc:
            raise ValueError(f"{text!r}: {exc}") from None
        raise ValueError(f"{text!r}: a distribution is fixed:D, exp:MEAN, uniform:LOW-HIGH or normal:MEAN,SD")

    @property
    def mean(self) -> float:
        if self.kind == "uniform":
            return (self.a + self.b) / 2
        if self.kind == "normal":  # of the normal cut at zero
            if self.b == 0:
                return self.a
            z = self.a / self.b
            return self.a + self.b * math.exp(-z * z / 2) / math.sqrt(2 * math.pi) / (0.5 * (1 + math.erf(z / math.sqrt(2))))
        return self.a

    @property
    def variance(self) -> float:
        if self.kind == "exp":
            return self.a * self.a
        if self.kind == "uniform":
            return (self.b - self.a) ** 2 / 12
        if self.kind == "normal" and self.b > 0:  # of the normal cut at zero
            z = self.a / self.b
            hazard = math.exp(-z * z / 2) / math.sqrt(2 * math.pi) / (0.5 * (1 + math.erf(z / math.sqrt(2))))
            return self.b * self.b * (1 - z * hazard - hazard * hazard)
        return 0.0

    def draw(self, rng: random.Random) -> float:
        if self.kind == "exp":
            return rng.expovariate(1 / self.a) if self.a > 0 else 0.0
        if self.kind == "uniform":
            return rng.uniform(self.a, self.b)
        if self.kind == "normal":
            while True:
                value = rng.gauss(self.a, self.b)
                if value >= 0:
                    return value
        return self.a

    def __str__(self) -> str:
        if self.kind == "never":
            return "never (nobody hangs up)"
        if self.kind == "uniform":
            return f"uniform {self.a:g}-{self.b:g} s"
        if self.kind == "normal":
            return f"normal {self.a:g} s, sd {self.b:g} s"
        return f"{'exponential, mean' if self.kind == 'exp' else 'fixed'} {self.a:g} s"


@dataclass
class LoadProfile:
    agents: int = 100
    cps: float = 1.0  # calls per second during the steady period
    duration: float = 600.0  # the steady period: seconds at the full rate
    ramp_up: float = 0.0  # seconds from no calls to the full rate
    ramp_down: float = 0.0
    talk: Distribution = field(default_factory=lambda: Distribution("exp", 40.0))
    wrap: Distribution = field(default_factory=lambda: Distribution("fixed", 5.0))
    patience: Distribution = field(default_factory=lambda: Distribution("exp", 300.0))
    faces: tuple[str, ...] = DEFAULT_FACES
    service_level_seconds: float = 20.0  # the T of "answered within T seconds"
    warm_up: float | None = None  # seconds of the steady period not measured; default: 2 handle times
    seed: int = 1
    speed: float | None = None  # None: the virtual clock; else the real one at this speed

    def check(self) -> None:
        if self.agents < 1:
            raise ValueError("agents: at least 1")
        if not self.cps > 0:
            raise ValueError("cps: calls per second must be positive")
        if self.duration <= 0:
            raise ValueError("duration: the steady period must be longer than 0 s")
        if min(self.ramp_up, self.ramp_down) < 0:
            raise ValueError("ramps cannot be negative")
        unknown = [f for f in self.faces if f not in LOAD_FACES]
        if unknown or not self.faces:
            raise ValueError(f"faces: choose from {', '.join(LOAD_FACES)} (got {', '.join(self.faces) or 'none'})")
        if math.isinf(self.talk.mean) or math.isinf(self.wrap.mean):
            raise ValueError("talk and wrap-up cannot be never: only a patience can")
        if not self.handle_time > 0:
            raise ValueError("handle time: talk plus wrap-up must last longer than 0 s on average")
        if "xcally" in self.faces and self.wrap.mean > 0:
            raise ValueError("XCALLY Motion has no after-call work on voice: with xcally among the faces, use --wrap 0")
        if self.speed is not None and not self.speed > 0:
            raise ValueError("speed must be positive")

    @property
    def handle_time(self) -> float:
        return self.talk.mean + self.wrap.mean

    @property
    def measured_from(self) -> float:
        """The window measured: the steady period, after its warm-up (the ramps and the warm-up are
        the transient that the queueing model, a steady-state one, does not describe)."""
        warm = self.warm_up if self.warm_up is not None else min(2 * self.handle_time, self.duration / 2)
        return self.ramp_up + warm

    @property
    def measured_until(self) -> float:
        return self.ramp_up + self.duration

    @property
    def batches(self) -> int:
        whole = int((self.measured_until - self.measured_from) // (BATCH_HANDLE_TIMES * max(self.handle_time, 1.0)))
        return min(MAX_BATCHES, max(MIN_BATCHES, whole))

    @property
    def calling_until(self) -> float:
        return self.ramp_up + self.duration + self.ramp_down

    def rate_at(self, t: float) -> float:
        """Calls per second at `t` seconds into the run (linear ramps)."""
        if t < self.ramp_up:
            return self.cps * t / self.ramp_up
        if t < self.ramp_up + self.duration:
            return self.cps
        if t < self.calling_until:
            return self.cps * (self.calling_until - t) / self.ramp_down
        return 0.0

