"""`ccsim load`: the knobs, live progress on stderr, the report on stdout (and as JSON)."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys

from ..cli_help import add_log_level, add_parser as add_help_parser
from ..process import tune_gc
from ..core.durations import seconds
from ..traffic.profile import DEFAULT_FACES, LOAD_FACES, Distribution, LoadProfile
from .prediction import BASE_MARGIN
from .report_text import base_margin_text
from .runner import run_seeds

DESCRIPTION = (
    "Contact-center traffic against synthetic agents that sign in and work over the faces' real wire "
    "protocols (Huawei agentevent long polls, CXone get-next-event, Finesse STOMP subscriptions, XCALLY "
    "socket.io), in one process. Customers call one queue that every agent serves (Poisson arrivals at "
    "--cps, with linear ramps), talk for a drawn time and hang up, or abandon when their patience runs "
    "out; agents answer (Huawei auto-answer, CXone auto-accept, Finesse AnswerCall) and wrap up for a "
    "drawn time on every face. Calls ramp up, arrive at the full rate for the steady period (--duration), "
    "then ramp down. The report gives service level, average speed of answer, abandon rate and occupancy "
    "for the calls arriving in the steady period after its warm-up, each with a 95 % confidence interval "
    "(batch means, or the spread between --seeds runs), beside the queueing model's prediction: Erlang A "
    "(M/M/N+M) when callers abandon with exponential patience, Erlang C (M/M/N) with --patience never. "
    "Exit 0 when every figure agrees (the prediction within the interval widened by the model's margin) "
    "or the model does not judge the run, 1 when one does not, 2 on a bad argument."
)
EPILOG = f"""durations: 30, 30s, 500ms, 3m, 2h.
distributions: fixed:30s, exp:3m (exponential with that mean), uniform:1m-4m, normal:3m,1m (cut at
zero); a bare duration is fixed; a patience can be never (nobody abandons).

margin: the size of the M/G/N correction (every wait x (1 + CV²)/2 of the handle time) plus
{", ".join(base_margin_text(f) for f in BASE_MARGIN)}
(service level, average speed of answer, abandon rate, occupancy); docs/load.md says why.

examples:
  ccsim load --agents 1000 --cps 20 --duration 10m
  ccsim load --agents 20 --cps 0.4 --duration 4h --seeds 10    # intervals from 10 independent runs
  ccsim load --agents 50 --cps 1 --wrap 0 --patience never --duration 8h --json report.json
  ccsim load --agents 20 --cps 0.2 --duration 5m --speed 1    # the real clock: see the dashboard
  ccsim load --agents 300 --cps 5 --ramp-up 5m --duration 30m --ramp-down 5m --faces huawei,finesse
"""


def _duration(text: str) -> float:
    try:
        return seconds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _distribution(text: str) -> Distribution:
    try:
        return Distribution.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _faces(text: str) -> tuple[str, ...]:
    faces = tuple(f.strip() for f in text.split(",") if f.strip())
    unknown = [f for f in faces if f not in LOAD_FACES]
    if unknown or not faces:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(LOAD_FACES)}")
    return faces


def add_parser(sub: argparse._SubParsersAction) -> None:
    load = add_help_parser(sub, "load", help="contact-center load against synthetic agents, judged by Erlang A",
                           description=DESCRIPTION, epilog=EPILOG)
    d = LoadProfile()
    load.add_argument("--agents", type=int, default=d.agents, metavar="N",
                      help="agents signed in (default: %(default)s)")
    load.add_argument("--cps", type=float, default=d.cps, metavar="X",
                      help="calls per second in the steady period (default: %(default)g)")
    load.add_argument("--duration", type=_duration, default=d.duration, metavar="D",
                      help=f"the steady period, at the full rate (default: {d.duration / 60:g}m)")
    load.add_argument("--ramp-up", type=_duration, default=0.0, metavar="D",
                      help="from no calls to --cps, before the steady period (default: 0)")
    load.add_argument("--ramp-down", type=_duration, default=0.0, metavar="D",
                      help="from --cps to no calls, after the steady period (default: 0)")
    load.add_argument("--talk", type=_distribution, default=d.talk, metavar="DIST",
                      help="talk time of each call (default: exp:40s)")
    load.add_argument("--wrap", type=_distribution, default=d.wrap, metavar="DIST",
                      help="wrap-up after each call, drawn per call on every face (default: 5s)")
    load.add_argument("--patience", type=_distribution, default=d.patience, metavar="DIST",
                      help="how long a caller waits for an answer before abandoning, or never (default: exp:5m)")
    load.add_argument("--faces", type=_faces, default=d.faces, metavar="LIST",
                      help=f"faces the agents are spread over, of {','.join(LOAD_FACES)}; xcally needs --wrap 0 "
                           f"(default: {','.join(DEFAULT_FACES)})")
    load.add_argument("--service-level", type=_duration, default=d.service_level_seconds, metavar="D",
                      help="the service level's threshold: the share of calls answered within it "
                           f"(default: {d.service_level_seconds:g}s)")
    load.add_argument("--warm-up", type=_duration, metavar="D",
                      help="the start of the steady period left out of the figures (default: two handle times)")
    load.add_argument("--seed", type=int, default=d.seed, metavar="N",
                      help="the same seed makes the same calls (default: %(default)s)")
    load.add_argument("--seeds", type=int, default=1, metavar="N",
                      help="N runs, seeds --seed to --seed + N - 1, in one report; the intervals then come from "
                           "the spread between them (default: 1, the intervals from batches of the one run)")
    load.add_argument("--speed", type=float, metavar="X",
                      help="run on the real clock, X times real time (default: the virtual clock, as fast as it goes)")
    load.add_argument("--journal-capacity", type=int, default=20_000, metavar="N",
                      help="journal entries kept (default: %(default)s)")
    load.add_argument("--json", metavar="FILE", help="write the report as JSON")
    load.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    add_log_level(load, "error")


def profile_from(args: argparse.Namespace) -> LoadProfile:
    return LoadProfile(agents=args.agents, cps=args.cps, duration=args.duration, ramp_up=args.ramp_up,
                       ramp_down=args.ramp_down, talk=args.talk, wrap=args.wrap, patience=args.patience,
                       faces=args.faces, service_level_seconds=args.service_level, warm_up=args.warm_up,
                       seed=args.seed, speed=args.speed)


def load_command(args: argparse.Namespace) -> int:
    profile = profile_from(args)
    try:
        profile.check()
        if args.seeds < 1:
            raise ValueError("seeds: at least 1")
    except ValueError as exc:
        print(f"ccsim load: {exc}", file=sys.stderr)
        return 2
    tune_gc()
    progress = None if args.quiet else (lambda line: print(line, file=sys.stderr, flush=True))
    report = asyncio.run(run_seeds(profile, args.seeds, progress, journal_capacity=args.journal_capacity))
    print(report.text())
    if args.json:
        with open(args.json, "w") as out:
            json.dump(report.as_dict(), out, indent=2)
    return 0 if report.agrees else 1
