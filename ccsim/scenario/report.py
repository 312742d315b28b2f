"""Reporting scenario results: the console, JUnit XML (one testcase per scenario), JSON."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from .runner import ScenarioResult


def failure_text(result: ScenarioResult) -> str:
    lines = [f"{result.path}: {result.name}"]
    if result.failed_step:
        lines.append(f"  failed at {result.failed_step}")
    lines.append(f"  {result.message}")
    if result.expected is not None or result.actual is not None:
        lines.append(f"  expected: {result.expected!r}")
        lines.append(f"  got:      {result.actual!r}")
    if result.journal_excerpt:
        lines.append("  journal (most recent last):")
        lines += [f"    {line}" for line in result.journal_excerpt]
    return "\n".join(lines)


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60:02d}m{rest % 60:02d}s" if hours else f"{rest // 60}m{rest % 60:02d}s"


def progress_line(result: ScenarioResult) -> str:
    status = "PASS" if result.passed else "FAIL"
    return (f"{status} {result.path}  {result.name}  ({result.steps_run} steps, "
            f"{_clock(result.simulated_seconds)} simulated, {result.wall_seconds:.2f}s)")


def summary(results: list[ScenarioResult], out: TextIO) -> None:
    failed = [r for r in results if not r.passed]
    for result in failed:
        out.write("\n" + failure_text(result) + "\n")
    # The plain closing line CI systems read.
    out.write(f"\n{len(results) - len(failed)} passed, {len(failed)} failed\n")


def write_junit(results: Iterable[ScenarioResult], path: str | Path) -> None:
    results = list(results)
    suite = ET.Element("testsuite", name="ccsim", tests=str(len(results)),
                       failures=str(sum(not r.passed for r in results)), errors="0", skipped="0",
                       time=f"{sum(r.wall_seconds for r in results):.3f}")
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=Path(r.path).with_suffix("").as_posix().replace("/", "."),
                             name=r.name, file=r.path, time=f"{r.wall_seconds:.3f}")
        if not r.passed:
            failure = ET.SubElement(case, "failure", message=r.message or "failed", type="ScenarioFailure")
            failure.text = failure_text(r)
    tree = ET.ElementTree(ET.Element("testsuites"))
    tree.getroot().append(suite)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def write_json(results: Iterable[ScenarioResult], path: str | Path) -> None:
    results = list(results)
    doc = {"passed": sum(r.passed for r in results), "failed": sum(not r.passed for r in results),
           "scenarios": [r.to_dict() for r in results]}
    Path(path).write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
