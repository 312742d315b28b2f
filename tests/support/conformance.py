"""What every face's conformance test asserts: `ccsim check` passes on ccsim, deterministically;
every mutant is killed by the invariant it names; the saved counterexample, replayed by
`ccsim run`, fails under the mutant for the same reason and passes on ccsim."""
from __future__ import annotations

import asyncio
from pathlib import Path

from ccsim.conformance.check import CheckResult, run_check
from ccsim.conformance.mutants import Mutant
from ccsim.scenario import loader
from ccsim.scenario.runner import run_scenario


def check(face: str, examples: int, seed: int = 0, **kwargs) -> CheckResult:
    return asyncio.run(run_check(face, examples=examples, seed=seed, **kwargs))


def comparable(result: CheckResult) -> dict:
    d = result.to_dict()
    d.pop("wallSeconds")
    d.pop("target")
    return d


def assert_check_passes(face: str, examples: int) -> CheckResult:
    result = check(face, examples)
    assert result.error is None, result.error
    assert result.passed, result.violations
    assert result.rules_exercised == len(result.rules), f"rules never run: {[r for r, n in result.rules.items() if not n]}"
    assert all(n > 0 for n in result.invariants.values()), result.invariants
    assert comparable(check(face, examples)) == comparable(result), "one seed, one score"
    return result


def assert_mutant_killed(mutant: Mutant, examples: int, tmp_path: Path) -> None:
    with mutant.patch():
        result = check(mutant.face, examples, save_failures=tmp_path)
        assert result.error is None, result.error
        assert not result.passed, f"mutant {mutant.name!r} survived {result.examples} examples"
        assert result.violations[0]["invariant"] == mutant.caught_by, result.violations
        assert result.saved and Path(result.saved).is_file()
        replay = asyncio.run(run_scenario(loader.load(result.saved)))
        assert not replay.passed
        assert f"invariant {mutant.caught_by!r} broken" in replay.message, replay.message
    assert asyncio.run(run_scenario(loader.load(result.saved))).passed, "the counterexample fails on ccsim itself"
