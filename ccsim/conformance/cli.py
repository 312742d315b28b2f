"""`ccsim check`: score faces against their vendor rules; prove it with mutants."""
from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TextIO

from ..cli_help import add_log_level, add_parser as add_help_parser
from .check import DEFAULT_EXAMPLES, DEFAULT_STEPS, CheckResult, checked_faces, print_config, run_check
from .invariants import load_all
from .mutants import Mutant, mutants_of
from .report import kill_table, score_table, write_json, write_junit

DESCRIPTION = (
    "Drive a face over its real wire protocol with a Hypothesis state machine (sign in, states, calls, "
    "answer, hold, transfer, logout, wrong input) and check the vendor's documented rules after every "
    "step: every message against contracts/, and each face's invariants (`--list`). Without --target, "
    "ccsim is started in this process on the virtual clock. A failure is shrunk to a shortest sequence "
    "and can be saved as a scenario that `ccsim run` replays. Exits 0 when every face passes, 1 when one "
    "fails (or a mutant survives), 2 when the check cannot run."
)
EPILOG = """examples:
  ccsim check                                   # every face, in process
  ccsim check --face xcally --examples 200 --seed 4 --json score.json --junit score.xml
  ccsim check --face huawei --save-failures failures/ && ccsim run failures/
  ccsim check --face nice --mutants             # the check against deliberately broken ccsims
  ccsim check --face huawei --print-config > check.yaml
  ccsim serve --config check.yaml &             # then, against the running simulator:
  ccsim check --face huawei --target http://127.0.0.1:8800
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    check = add_help_parser(sub, "check", help="property-based conformance check of a face",
                            description=DESCRIPTION, epilog=EPILOG)
    check.add_argument("--face", action="append", metavar="NAME",
                       help=f"face to check (repeatable; default: all: {', '.join(checked_faces())})")
    check.add_argument("--target", metavar="ADMIN_URL", help="check a running `ccsim serve` (its admin URL), which "
                       "must serve the check's configuration (--print-config) (default: ccsim in this process)")
    check.add_argument("--examples", type=_at_least_one, default=DEFAULT_EXAMPLES, metavar="N",
                       help="sequences to try per face (default: %(default)s)")
    check.add_argument("--steps", type=_at_least_one, default=DEFAULT_STEPS, metavar="N",
                       help="steps in the longest sequence (default: %(default)s)")
    check.add_argument("--seed", type=int, default=0, metavar="S",
                       help="the same seed tries the same sequences (default: %(default)s)")
    check.add_argument("--save-failures", metavar="DIR", help="write each shrunk counterexample as a scenario here")
    check.add_argument("--json", metavar="FILE", help="write the score as JSON")
    check.add_argument("--junit", metavar="FILE", help="write JUnit XML (a testcase per invariant, per mutant)")
    check.add_argument("--mutants", action="store_true", help="also check each deliberately broken variant of "
                       "ccsim (in process) and report the kill rate")
    check.add_argument("--list", action="store_true", help="list the invariants, their meaning and source, and exit")
    check.add_argument("--print-config", action="store_true", help="print the configuration the check runs with "
                       "(for `ccsim serve --config`), and exit")
    add_log_level(check, "error")


def _at_least_one(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def check_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    faces = _faces(args.face)
    if faces is None:
        return 2
    if args.list:
        list_invariants(faces, out)
        return 0
    if args.print_config:
        if len(faces) != 1:
            print("ccsim: --print-config needs one --face", file=sys.stderr)
            return 2
        out.write(print_config(faces[0]))
        return 0
    if args.mutants and args.target:
        print("ccsim: --mutants patches ccsim in this process; it cannot be combined with --target", file=sys.stderr)
        return 2
    results, mutants = asyncio.run(_check_all(faces, args, out))
    score_table(results, out)
    for face, outcomes in mutants.items():
        kill_table(face, outcomes, out)
    if args.json:
        write_json(results, args.json, mutants if args.mutants else None)
    if args.junit:
        write_junit(results, args.junit, mutants if args.mutants else None)
    if any(r.error for r in results):
        return 2
    survived = any(r.passed for outcomes in mutants.values() for _, r in outcomes)
    return 0 if all(r.passed for r in results) and not survived else 1


def _faces(wanted: list[str] | None) -> list[str] | None:
    known = checked_faces()
    if not wanted:
        return known
    names = [n.strip() for item in wanted for n in item.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"ccsim: unknown face(s) {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return None
    return names


async def _check_all(faces: list[str], args: argparse.Namespace,
                     out: TextIO) -> tuple[list[CheckResult], dict[str, list[tuple[Mutant, CheckResult]]]]:
    results, mutants = [], {}
    options = dict(examples=args.examples, seed=args.seed, steps=args.steps)
    for face in faces:
        out.write(f"checking {face}{' at ' + args.target if args.target else ''} ...\n")
        out.flush()
        results.append(await run_check(face, target=args.target, save_failures=args.save_failures, **options))
        if args.mutants:
            mutants[face] = []
            for mutant in mutants_of(face):
                with mutant.patch():
                    mutants[face].append((mutant, await run_check(face, **options)))
    return results, mutants


def list_invariants(faces: list[str], out: TextIO) -> None:
    for inv in load_all().values():
        if inv.face is None or inv.face in faces:
            out.write(f"{inv.name}  [{inv.face or 'every face'}]\n  {inv.text}\n  source: {inv.source}\n\n")
