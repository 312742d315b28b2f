"""Reporting a check: the score table, the violations, the kill table; JSON and JUnit XML."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TextIO

from .check import CheckResult
from .mutants import Mutant


def score_table(results: list[CheckResult], out: TextIO) -> None:
    out.write(f"{'face':<11} {'result':<6} {'examples':>8} {'steps':>6} {'rules':>7} {'invariants checked':>19} "
              f"{'violations':>10} {'time':>7}\n")
    for r in results:
        status = "ERROR" if r.error else ("PASS" if r.passed else "FAIL")
        rules = f"{r.rules_exercised}/{len(r.rules)}"
        out.write(f"{r.face:<11} {status:<6} {r.examples:>8} {r.steps:>6} {rules:>7} {sum(r.invariants.values()):>19,} "
                  f"{len(r.violations):>10} {r.wall_seconds:>6.1f}s\n")
    for r in results:
        if r.error:
            out.write(f"\n{r.face}: could not check: {r.error}\n")
        for v in r.violations:
            out.write(f"\n{r.face}: invariant {v['invariant']!r} broken after {v['step'] or 'a step'}:\n")
            out.write("".join(f"  - {m}\n" for m in v["messages"][:5]))
        if r.counterexample:
            out.write(f"  shortest failing sequence ({len(r.counterexample['steps'])} steps):\n")
            out.write("".join(f"    - {json.dumps(s)}\n" for s in r.counterexample["steps"]))
            if r.saved:
                out.write(f"  saved as a scenario: {r.saved} (replay: ccsim run {r.saved})\n")


def kill_table(face: str, outcomes: list[tuple[Mutant, CheckResult]], out: TextIO) -> None:
    killed = sum(1 for _, r in outcomes if not r.passed)
    rate = 100 * killed / len(outcomes) if outcomes else 0.0
    out.write(f"\n{face} mutants: {killed}/{len(outcomes)} killed ({rate:.0f}%)\n")
    for mutant, r in outcomes:
        if r.passed:
            out.write(f"  SURVIVED  {mutant.name}: {mutant.breaks}\n")
            continue
        by = r.violations[0]["invariant"] if r.violations else "?"
        note = "" if by == mutant.caught_by else f" (expected {mutant.caught_by!r})"
        out.write(f"  killed    {mutant.name:<44} by {by!r}{note}, {r.examples} examples, {r.wall_seconds:.1f}s\n")


def write_json(results: list[CheckResult], path: str | Path,
               mutants: dict[str, list[tuple[Mutant, CheckResult]]] | None = None) -> None:
    doc: dict = {"faces": [r.to_dict() for r in results]}
    if mutants is not None:
        doc["mutants"] = {face: {"killed": sum(1 for _, r in outcomes if not r.passed), "total": len(outcomes),
                                 "mutants": [{"name": m.name, "breaks": m.breaks, "caughtBy": m.caught_by,
                                              "killed": not r.passed,
                                              "killedBy": r.violations[0]["invariant"] if r.violations else None}
                                             for m, r in outcomes]}
                          for face, outcomes in mutants.items()}
    Path(path).write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


def write_junit(results: list[CheckResult], path: str | Path,
                mutants: dict[str, list[tuple[Mutant, CheckResult]]] | None = None) -> None:
    """One testsuite per face: a testcase per invariant (failed when broken), and with --mutants a
    testcase per mutant (failed when it survived)."""
    root = ET.Element("testsuites", name="ccsim check")
    for r in results:
        cases: list[tuple[str, str | None]] = []
        broken = {v["invariant"]: v for v in r.violations}
        for name in r.invariants or ["(check)"]:
            v = broken.get(name)
            cases.append((f"invariant: {name}",
                          None if v is None else f"broken after {v['step']}:\n" + "\n".join(v["messages"])))
        for name, v in broken.items():
            if name not in r.invariants:
                cases.append((f"invariant: {name}", "\n".join(v["messages"])))
        if r.error:
            cases.append(("run", r.error))
        for mutant, outcome in (mutants or {}).get(r.face, []):
            cases.append((f"mutant: {mutant.name}", f"survived: {mutant.breaks}" if outcome.passed else None))
        suite = ET.SubElement(root, "testsuite", name=f"ccsim check {r.face}", tests=str(len(cases)),
                              failures=str(sum(1 for _, f in cases if f)), errors="0", skipped="0",
                              time=f"{r.wall_seconds:.3f}")
        for name, failure in cases:
            case = ET.SubElement(suite, "testcase", classname=f"ccsim.check.{r.face}", name=name)
            if failure:
                ET.SubElement(case, "failure", message=failure.splitlines()[0][:200], type="ConformanceFailure").text = failure
    tree = ET.ElementTree(root)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
