"""`ccsim fuzz`: bad input at every face; a table of what came back, and exit 1 on any failure."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import TextIO

from ..cli_help import add_log_level, add_parser as add_help_parser
from ..conformance.check import checked_faces
from .campaign import PROFILES, FuzzResult, fuzz_face

DESCRIPTION = (
    "Send Hypothesis-made bad input to each face over its real wire: broken bodies, headers, paths, "
    "methods and queries built from live requests (HTTP faces), broken STOMP frames (Finesse), socket.io "
    "garbage (XCALLY). Every answer must be the vendor's own (valid against contracts/), never a 5xx, a "
    "traceback or a hang; afterwards the face's conformance check must still pass. In process, on the "
    "virtual clock. Exits 0 when every face passes, 1 otherwise."
)
EPILOG = """examples:
  ccsim fuzz                                # the short profile, every face
  ccsim fuzz --profile long --json fuzz.json
  ccsim fuzz --face xcally --inputs 5000 --seed 3
"""


def add_parser(sub: argparse._SubParsersAction) -> None:
    fuzz = add_help_parser(sub, "fuzz", help="fuzz every face with bad input and count what breaks",
                           description=DESCRIPTION, epilog=EPILOG)
    fuzz.add_argument("--face", action="append", metavar="NAME",
                      help=f"face to fuzz (repeatable; default: all: {', '.join(checked_faces())})")
    fuzz.add_argument("--profile", choices=sorted(PROFILES), default="short", help="how many inputs per face: "
                      f"{', '.join(f'{k} {v:,}' for k, v in PROFILES.items())} (default: %(default)s)")
    fuzz.add_argument("--inputs", type=int, metavar="N", help="inputs per face (default: as many as --profile says)")
    fuzz.add_argument("--seed", type=int, default=0, metavar="S", help="the same seed sends the same inputs (default: %(default)s)")
    fuzz.add_argument("--json", metavar="FILE", help="write the results as JSON")
    add_log_level(fuzz, "error")


def fuzz_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    known = checked_faces()
    faces = [n.strip() for item in (args.face or known) for n in item.split(",") if n.strip()]
    unknown = [f for f in faces if f not in known]
    if unknown:
        print(f"ccsim: unknown face(s) {', '.join(unknown)}; known: {', '.join(known)}", file=sys.stderr)
        return 2
    inputs = args.inputs if args.inputs is not None else PROFILES[args.profile]
    if inputs < 1:
        print("ccsim: --inputs must be at least 1", file=sys.stderr)
        return 2
    results = []
    for face in faces:
        out.write(f"fuzzing {face} with {inputs:,} inputs ...\n")
        out.flush()
        results.append(asyncio.run(fuzz_face(face, inputs=inputs, seed=args.seed)))
    table(results, out)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump([r.to_dict() for r in results], f, indent=2)
    return 0 if all(r.passed for r in results) else 1


def table(results: list[FuzzResult], out: TextIO) -> None:
    out.write(f"\n{'face':<11} {'inputs':>8} {'refused':>7} {'5xx':>4} {'tracebacks':>10} {'hangs':>5} "
              f"{'contract':>8} {'flow after':>10} {'seconds':>8}\n")
    for r in results:
        four = sum(n for status, n in r.statuses.items()
                   if status == "STOMP ERROR" or isinstance(status, int) and 400 <= status < 500)
        out.write(f"{r.face:<11} {r.inputs:>8,} {four:>7,} {r.failures['5xx']:>4} {r.failures['traceback']:>10} "
                  f"{r.failures['hang']:>5} {r.failures['contract']:>8} {'ok' if r.flow_after else 'FAILED':>10} "
                  f"{r.seconds:>8.1f}\n")
    for r in results:
        if not r.passed:
            out.write(f"\n{r.face}: {dict(r.failures) or r.flow_message}\n")
            for example in r.examples:
                out.write(f"  {example[:400]}\n")
            if r.flow_message:
                out.write(f"  {r.flow_message[:400]}\n")
