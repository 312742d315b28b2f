"""The README's `ccsim check` table holds what `ccsim check` prints with its defaults, face by
face (times aside), and as many mutants as each face has; docs/conformance.md's sample score is
the same figures. The five checks run at once, each in its own process, one test per face."""
from __future__ import annotations

import re
import subprocess
import sys

import pytest
from support.docblocks import read

from ccsim.conformance.check import DEFAULT_EXAMPLES, DEFAULT_STEPS, checked_faces
from ccsim.conformance.mutants import mutants_of

FIGURES = ("examples", "steps", "rules", "invariants checked", "violations")
# A line of `ccsim check`'s score (ccsim/conformance/report.py score_table).
_SCORE = re.compile(r"^(?P<face>\w+)\s+(?P<result>PASS|FAIL|ERROR)\s+(?P<examples>\d+)\s+(?P<steps>\d+)\s+"
                    r"(?P<rules>\d+/\d+)\s+(?P<invariants>[\d,]+)\s+(?P<violations>\d+)\s", re.M)


@pytest.fixture(scope="module")
def printed():
    """What `ccsim check --face F` prints, for every face, the five started together."""
    started = {face: subprocess.Popen([sys.executable, "-m", "ccsim", "check", "--face", face],
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
               for face in checked_faces()}
    outputs = {}
    try:
        for face, process in started.items():
            outputs[face] = process.communicate(timeout=900)[0]
    finally:
        for process in started.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    return outputs


def score(output: str) -> dict[str, str]:
    found = _SCORE.search(output)
    assert found, f"no score in:\n{output}"
    return {"face": found["face"], "result": found["result"], "examples": found["examples"],
            "steps": found["steps"], "rules": found["rules"], "invariants checked": found["invariants"],
            "violations": found["violations"]}


def readme_table(readme: str) -> dict[str, dict[str, str]]:
    """The rows of the table in the README's `ccsim check` section, by face, cells by column."""
    section = readme.split("## Conformance: `ccsim check`", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    return {row[0]: dict(zip(header, row)) for row in rows}


def differences(row: dict[str, str], printed_score: dict[str, str], mutants: int) -> list[str]:
    found = [f"{name}: the README says {row[name]}, `ccsim check` prints {printed_score[name]}"
             for name in FIGURES if row[name] != printed_score[name]]
    if not row["mutants killed"].startswith(f"{mutants}/{mutants} "):
        found.append(f"mutants killed: the README says {row['mutants killed']}, the face has {mutants} mutants")
    return found


def test_the_table_has_a_row_per_face_and_says_how_it_was_made():
    readme = read("README.md")
    assert list(readme_table(readme)) == checked_faces()
    assert f"(defaults: {DEFAULT_EXAMPLES} examples, {DEFAULT_STEPS} steps, seed 0," in readme


@pytest.mark.parametrize("face", checked_faces())
def test_the_readme_row_is_what_ccsim_check_prints(face, printed):
    printed_score = score(printed[face])
    assert printed_score["result"] == "PASS", printed[face]
    row = readme_table(read("README.md"))[face]
    assert not differences(row, printed_score, len(mutants_of(face)))


def test_a_figure_that_drifts_is_caught(printed):
    """The README's xcally row with two figures off (1050 steps, 7,725 invariants checked)."""
    readme = read("README.md").replace(
        "| xcally     |       53 |  1054 |", "| xcally     |       53 |  1050 |").replace("7,749", "7,725")
    found = differences(readme_table(readme)["xcally"], score(printed["xcally"]), len(mutants_of("xcally")))
    assert found == ["steps: the README says 1050, `ccsim check` prints 1054",
                     "invariants checked: the README says 7,725, `ccsim check` prints 7,749"]


def test_the_conformance_docs_sample_score_is_the_readme_row(printed):
    sample = score(read("docs/conformance.md").split("## The score", 1)[1])
    assert sample == score(printed["huawei"])
