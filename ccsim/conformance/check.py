"""`ccsim check`: run a face's state machine against a target and score it.

In process (no target) a simulator is started with the machine's configuration on the
virtual clock. With `target` (the admin URL of a running `ccsim serve`, serving the same
configuration: `ccsim check --print-config`), the same rules go over the network on the real
clock. One seed gives the same sequences, so the same score, either way.

When an invariant fails, Hypothesis shrinks the sequence; the last example it runs is the
minimal one, and it is written as a scenario (`save_failures`) that `ccsim run` replays with
that invariant declared: it fails at the same step, for the same reason.
"""
from __future__ import annotations

import asyncio
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import seed as hypothesis_seed
from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from .. import config as config_mod
from .. import registry
from ..core.clock import wall_seconds
from ..scenario.explore import hypothesis_settings
from ..scenario.loader import Scenario
from ..scenario.session import InvariantBroken, Portal, Session
from ..scenario.steps import StepFailed
from .invariants import load_all
from .machine import CheckContext, FaceMachine

DEFAULT_EXAMPLES = 50
DEFAULT_STEPS = 20


def checked_faces() -> list[str]:
    return [v.name for v in registry.vendors() if v.conformance]


def machine_class(face: str) -> type[FaceMachine]:
    package = registry.get(face).conformance_package()
    if package is None:
        raise ValueError(f"{face} has no conformance check")
    return package.Machine


def check_config(face: str) -> config_mod.Config:
    return config_mod.from_mapping({**machine_class(face).config, "port_base": 0}, f"ccsim check --face {face}")


@dataclass
class CheckResult:
    face: str
    passed: bool
    seed: int
    target: str | None
    examples: int = 0
    steps: int = 0
    rules: dict[str, int] = field(default_factory=dict)  # every rule of the machine -> times run
    invariants: dict[str, int] = field(default_factory=dict)  # every invariant -> times checked
    violations: list[dict[str, Any]] = field(default_factory=list)  # {invariant, messages, step}
    counterexample: dict[str, Any] | None = None  # the minimal failing run, as a scenario
    saved: str | None = None
    error: str | None = None  # the check could not run (target unreachable, wrong config)
    wall_seconds: float = 0.0

    @property
    def rules_exercised(self) -> int:
        return sum(1 for n in self.rules.values() if n)

    def to_dict(self) -> dict[str, Any]:
        return {"face": self.face, "passed": self.passed, "seed": self.seed, "target": self.target,
                "examples": self.examples, "steps": self.steps, "rulesExercised": self.rules_exercised,
                "rulesTotal": len(self.rules), "rules": self.rules, "invariantsChecked": sum(self.invariants.values()),
                "invariants": self.invariants, "violations": self.violations, "counterexample": self.counterexample,
                "saved": self.saved, "error": self.error, "wallSeconds": round(self.wall_seconds, 3)}


def rule_names(machine: type[FaceMachine]) -> list[str]:
    return sorted(name for name in dir(machine)
                  if getattr(getattr(machine, name), "hypothesis_stateful_rule", None) is not None)


async def run_check(face: str, *, target: str | None = None, examples: int = DEFAULT_EXAMPLES, seed: int = 0,
                    steps: int = DEFAULT_STEPS, save_failures: str | Path | None = None) -> CheckResult:
    wall = wall_seconds()
    cfg = check_config(face)
    try:
        session = await Session.open(cfg, target=target)
    except (OSError, ValueError) as exc:
        result = CheckResult(face, passed=False, seed=seed, target=target)
        result.rules = {name: 0 for name in rule_names(machine_class(face))}
        result.error = f"cannot reach the target: {exc}"
        return result
    try:
        return await check_session(session, face, examples=examples, seed=seed, steps=steps,
                                   save_failures=save_failures, target=target, wall=wall)
    finally:
        await session.close()


async def check_session(session: Session, face: str, *, examples: int, seed: int = 0, steps: int = DEFAULT_STEPS,
                        save_failures: str | Path | None = None, target: str | None = None,
                        wall: float | None = None) -> CheckResult:
    """The check over an open session (whose simulator serves check_config(face)); `ccsim fuzz`
    also runs it before its campaign (for live requests to break) and after (the face still works)."""
    wall = wall_seconds() if wall is None else wall
    machine = machine_class(face)
    cfg = check_config(face)
    result = CheckResult(face, passed=False, seed=seed, target=target)
    result.rules = {name: 0 for name in rule_names(machine)}
    try:
        if target:
            await _check_target_config(session, cfg, face)
        scenario = Scenario(name=f"ccsim check {face}", path="<ccsim check>", seed=cfg.seed, clock="virtual",
                            speed=1.0, config=cfg, steps=[])
        ctx = CheckContext(session, Portal(asyncio.get_running_loop()), cfg, scenario, machine.all_invariants())
        bound = type(machine.__name__, (machine,), {"context": ctx})
        session.hold()
        try:
            failure = await asyncio.to_thread(_run_machine, bound, examples, steps, seed)
        finally:
            session.unhold()
        result.examples, result.steps = ctx.examples, ctx.steps
        result.rules.update(ctx.rules)
        result.invariants = {name: ctx.checks[name] for name in ctx.invariants}
        if failure is None:
            result.passed = True
        else:
            result.violations = _violations(failure)
            result.counterexample = counterexample(face, machine, cfg, ctx.current.steps_run if ctx.current else [],
                                                   result.violations[0], seed)
            if save_failures:
                result.saved = str(save(result.counterexample, Path(save_failures), face, result.violations[0]))
    except _TargetMismatch as exc:
        result.error = str(exc)
    finally:
        result.wall_seconds = wall_seconds() - wall
    return result


class _TargetMismatch(Exception):
    pass


async def _check_target_config(session: Session, cfg: config_mod.Config, face: str) -> None:
    served = await session.admin.config()
    have = {str(a["id"]) for a in served.get("agents", [])}
    missing = [str(a["id"]) for a in cfg.agents if str(a["id"]) not in have]
    if face not in session.urls:
        raise _TargetMismatch(f"the target does not serve the {face} face")
    if missing:
        raise _TargetMismatch(f"the target does not serve the check's configuration (agents {', '.join(missing)} "
                              f"missing): start it with `ccsim check --face {face} --print-config > check.yaml` "
                              f"and `ccsim serve --config check.yaml`")


def _run_machine(machine: type[FaceMachine], examples: int, steps: int, seed: int) -> BaseException | None:
    """Run the state machine (in a worker thread); the failure of its minimal example, or None."""
    factory = hypothesis_seed(seed)(lambda: machine())
    try:
        run_state_machine_as_test(factory, settings=settings(hypothesis_settings(examples), stateful_step_count=steps))
    except (InvariantBroken, StepFailed) as exc:
        return exc
    except Exception as exc:  # a step could not run (the target answered what no client can read)
        where = "".join(traceback.format_tb(exc.__traceback__, limit=-3))
        exc.message = f"{type(exc).__name__}: {exc}\n{where}"  # type: ignore[attr-defined]
        return exc
    return None


def _violations(failure: BaseException) -> list[dict[str, Any]]:
    if isinstance(failure, InvariantBroken):
        return [{"invariant": v.invariant, "step": v.step, "messages": v.messages} for v in failure.broken]
    return [{"invariant": "step", "step": None, "messages": [getattr(failure, "message", None) or str(failure)]}]


def counterexample(face: str, machine: type[FaceMachine], cfg: config_mod.Config, steps_run: list[Any],
                   violation: dict[str, Any], seed: int) -> dict[str, Any]:
    """The minimal failing run as a scenario: the machine's configuration, its steps, and the
    invariant it broke, declared so that `ccsim run` checks it after every step."""
    scenario: dict[str, Any] = {
        "name": f"ccsim check {face}: {violation['invariant']} broken",
        "description": (f"Counterexample shrunk by `ccsim check --face {face} --seed {seed}`. "
                        f"First seen: {violation['messages'][0]}"),
        "seed": cfg.seed,
    }
    if violation["invariant"] in load_all():
        scenario["invariants"] = [violation["invariant"]]
    for key in ("agents", "queues", "faces"):
        if key in machine.config:
            scenario[key] = machine.config[key]
    scenario["steps"] = steps_run or [{"wait": "0s"}]
    return scenario


def save(scenario: dict[str, Any], folder: Path, face: str, violation: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "_", violation["invariant"].lower()).strip("_")
    path = folder / f"{face}_{slug}.yaml"
    path.write_text(dump(scenario), encoding="utf-8")
    return path


def dump(scenario: dict[str, Any]) -> str:
    return yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True, width=110)


def print_config(face: str) -> str:
    return "# ccsim check --face %s: serve this (ccsim serve --config FILE) to check a running ccsim\n" % face + \
        yaml.safe_dump({k: v for k, v in machine_class(face).config.items()}, sort_keys=False)
