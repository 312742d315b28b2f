"""The `ccsim` command: its parser (every subcommand's) and the dispatch to each."""
from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from .. import registry
from ..cli_help import HelpFormatter, add_log_level, add_parser
from ..config import DEFAULT_PORT_BASE, ConfigError
from ..conformance.cli import add_parser as add_check_parser, check_command
from ..fuzz.cli import add_parser as add_fuzz_parser, fuzz_command
from ..load.cli import add_parser as add_load_parser, load_command
from ..scenario.cli import record_command, run_command
from ..serving.face import SettingsError
from . import serve
from .health import add_parser as add_health_parser, health_command
from .serve import ccsim_version, positive


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccsim", formatter_class=HelpFormatter,
        description="ccsim: a multi-vendor contact-center simulator and test double. `ccsim COMMAND --help` "
                    "explains each command.",
    )
    parser.add_argument("--version", action="version", version=f"ccsim {ccsim_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    serve.add_parser(sub)
    _add_run(sub)
    add_check_parser(sub)
    add_fuzz_parser(sub)
    add_load_parser(sub)
    add_health_parser(sub)
    _add_record(sub)
    return parser


def _add_run(sub: argparse._SubParsersAction) -> None:
    first = registry.names()[0]  # the examples' vendor: the scenario folders are named after the faces
    run = add_parser(
        sub, "run", help="run YAML call scenarios and report",
        description="Run scenario files, or every scenario in folders (recursively). Each scenario gets its own "
                    "simulator on free ports and the virtual clock (hours of calls in seconds), unless --target "
                    "points at a running `ccsim serve`. Every file is checked before anything runs. Exit status: "
                    "0 when every scenario passed, 1 when one failed, 2 when a scenario is invalid.",
        epilog="examples:\n"
               "  ccsim run scenarios/\n"
               f"  ccsim run scenarios/{first} --junit report.xml\n"
               f"  ccsim run scenarios/{first}/inbound_manual_answer.yaml --speed 1        # at human pace\n"
               f"  ccsim run ccsim/dashboard/scenarios/{first}_call_answered.yaml \\\n"
               "      --target http://127.0.0.1:8800               # on the demo, as its dashboard shows",
    )
    run.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    run.add_argument("--junit", metavar="FILE", help="write JUnit XML (one testcase per scenario)")
    run.add_argument("--json", metavar="FILE", help="write the results as JSON")
    run.add_argument("--target", metavar="ADMIN_URL", help="play on a running `ccsim serve` (its admin URL), reset "
                     "first; the scenario's own agents and queues are then not applied (default: a simulator of "
                     "its own for each scenario)")
    run.add_argument("--speed", type=positive, metavar="X", help="play on the real clock, X times faster than real "
                     "time; 1 is human pace, for a demo (default: the virtual clock, as fast as it goes)")
    add_log_level(run, "warning")


def _add_record(sub: argparse._SubParsersAction) -> None:
    record = add_parser(
        sub, "record", help="turn a running simulator's journal into a scenario",
        description="Export what happened on a running `ccsim serve` (a real client driven against it, calls "
                    "injected through the admin API) as a scenario that, replayed with `ccsim run`, sends the "
                    "same requests and expects the same answers and events: a regression test made from a "
                    "manual session. Reset the simulator (POST /_ccsim/reset) before the session to record.",
        epilog="example:\n  ccsim record -o login_and_call.yaml --name 'Login and one call'",
    )
    record.add_argument("--admin", default=f"http://127.0.0.1:{DEFAULT_PORT_BASE}", metavar="URL",
                        help="admin URL of the running simulator")
    record.add_argument("--output", "-o", metavar="FILE", help="write the scenario here (default: print it)")
    record.add_argument("--name", default="Recorded session", help="the scenario's name")


def main(argv: list[str] | None = None) -> int:
    try:
        parser = build_parser()
    except registry.RegistryError as exc:  # no vendor, or a broken declaration (a stale install: make venv)
        print(f"ccsim: {exc}", file=sys.stderr)
        return 2
    args = parser.parse_args(argv)
    logging.basicConfig(level=getattr(args, "log_level", "info").upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "serve":
            asyncio.run(serve.serve(serve.serve_config(args), args.speed))
            return 0
        if args.command == "run":
            return run_command(args)
        if args.command == "check":
            return check_command(args)
        if args.command == "fuzz":
            return fuzz_command(args)
        if args.command == "load":
            return load_command(args)
        if args.command == "health":
            return health_command(args)
        if args.command == "record":
            return record_command(args)
    except (ConfigError, SettingsError, registry.RegistryError) as exc:
        print(f"ccsim: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `ccsim run ... | head`: the reader left; so do we, quietly
        sys.stderr.close()
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
