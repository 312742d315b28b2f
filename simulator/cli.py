"""The `ccsim` command."""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from importlib.metadata import PackageNotFoundError, version

from . import banner
from . import config as config_mod
from .config import ConfigError
from .core import RealClock
from .process import tune_gc
from .config import DEFAULT_PORT_BASE
from .vendors import FACES, face_class
from .vendors.base import SettingsError

EPILOG_ENV = "\n".join(f"  {name:<18} {text}" for name, text in config_mod.ENV_VARS.items())


def _version() -> str:
    try:
        return version("ccsim")
    except PackageNotFoundError:
        return "unknown"


def _port_assignment(text: str) -> tuple[str, int]:
    name, sep, port = text.partition("=")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected NAME=PORT (e.g. huawei=8000), got {text!r}")
    if name not in FACES and name != "admin":
        raise argparse.ArgumentTypeError(f"unknown face {name!r}; known: admin, {', '.join(FACES)}")
    return name, int(port)


def _public_url(text: str) -> tuple[str | None, str]:
    name, sep, url = text.partition("=")
    if sep and name in FACES:
        return name, url
    if sep and "://" not in name:
        raise argparse.ArgumentTypeError(f"unknown face {name!r}; known: {', '.join(FACES)}")
    return None, text


def _default_ports() -> str:
    """`ccsim serve --help`'s list of every listener at the default port base."""
    rows = [f"  admin       {DEFAULT_PORT_BASE} (bound to 127.0.0.1)"]
    for name in FACES:
        cls = face_class(name)
        rows.append(f"  {name:<11} {DEFAULT_PORT_BASE + cls.port_offset}")
        for label, (first, count) in cls.extra_port_offsets.items():
            rows.append(f"  {'':<11} {DEFAULT_PORT_BASE + first}-{DEFAULT_PORT_BASE + first + count - 1}  {label}")
    return "\n".join(rows)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccsim",
        description="ccsim: a multi-vendor contact-center simulator and test double.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"ccsim {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    serve = sub.add_parser(
        "serve", help="serve every vendor face and the admin API",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Serve every enabled vendor face, each on its own port, plus the admin API "
                    "(/_ccsim/...). Without --config, the demo configuration is used. Stops cleanly "
                    "on Ctrl-C or SIGTERM.",
        epilog=f"default ports (with the default --port-base {DEFAULT_PORT_BASE}; each moves with it):\n"
               + _default_ports()
               + "\n\nenvironment variables (flags override them; they override the config file):\n" + EPILOG_ENV,
    )
    serve.add_argument("--config", "-c", metavar="FILE", help="YAML configuration (agents, queues, face settings); "
                       "default: $CCSIM_CONFIG, else the built-in demo")
    serve.add_argument("--host", help="address the vendor faces listen on (default 127.0.0.1; 0.0.0.0 for other machines)")
    serve.add_argument("--admin-host", help="address the admin API listens on (default 127.0.0.1)")
    serve.add_argument("--admin-token", metavar="TOKEN", help="require `Authorization: Bearer TOKEN` on every admin "
                       "route (default: $CCSIM_ADMIN_TOKEN, else none); ccsim's own clients read $CCSIM_ADMIN_TOKEN")
    serve.add_argument("--port-base", type=int, metavar="N", help="admin listens on N, each face on N + its offset "
                       "(default 8800; 0 picks free ports)")
    serve.add_argument("--port", action="append", type=_port_assignment, default=[], metavar="NAME=PORT",
                       help="fix one listener's port, e.g. --port huawei=8000 (repeatable)")
    serve.add_argument("--public-url", action="append", type=_public_url, default=[], metavar="URL",
                       help="scheme and host clients use to reach ccsim behind a proxy or NAT, e.g. "
                       "http://ccsim.example.com (each face adds its port); FACE=URL sets one face's whole base "
                       "URL (repeatable). URLs ccsim hands to clients use it; without it, the request's Host "
                       "(default: $CCSIM_PUBLIC_URL)")
    serve.add_argument("--faces", metavar="LIST", help=f"comma-separated faces to serve (default: all: {','.join(FACES)})")
    serve.add_argument("--seed", type=int, help="seed for generated names, callers and ids (default 7)")
    serve.add_argument("--speed", type=_positive, default=1.0, help="time runs this many times faster than the wall clock "
                       "(timers, rest and poll holds; default 1)")
    serve.add_argument("--scenarios", metavar="DIR", help="scenario folder the dashboard (/_ccsim/ui/) can play "
                       "(default: its demo scenarios, written for the demo configuration)")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])

    run = sub.add_parser(
        "run", help="run YAML call scenarios and report",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Run scenario files, or every scenario in folders (recursively). Each scenario gets its own "
                    "simulator on free ports and the virtual clock (hours in seconds), unless --target points at a "
                    "running `ccsim serve`. Exits 0 only if every scenario passed; 2 if a scenario is invalid.",
        epilog="examples:\n  ccsim run scenarios/\n  ccsim run scenarios/huawei --junit report.xml\n"
               "  ccsim run demo.yaml --speed 1          # play at human pace\n"
               "  ccsim run my.yaml --target http://127.0.0.1:8800",
    )
    run.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    run.add_argument("--junit", metavar="FILE", help="write JUnit XML (one testcase per scenario)")
    run.add_argument("--json", metavar="FILE", help="write the results as JSON")
    run.add_argument("--target", metavar="ADMIN_URL", help="run against a running ccsim serve (its admin URL); "
                     "the scenario's own agents and queues are then not applied")
    run.add_argument("--speed", type=_positive, metavar="X", help="play on the real clock, X times faster than real "
                     "time (1 = human pace, for demos); default: the virtual clock, as fast as possible")
    run.add_argument("--log-level", default="warning", choices=["debug", "info", "warning", "error"])

    from .conformance.cli import add_parser as add_check_parser

    add_check_parser(sub)

    from .fuzz.cli import add_parser as add_fuzz_parser

    add_fuzz_parser(sub)

    from .load.cli import add_parser as add_load_parser

    add_load_parser(sub)

    from .healthcheck import add_parser as add_health_parser

    add_health_parser(sub)

    record = sub.add_parser(
        "record", help="turn a running simulator's journal into a scenario",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Export what happened on a running `ccsim serve` (a real client driven against it, calls "
                    "injected through the admin API) as a scenario that, replayed with `ccsim run`, sends the "
                    "same requests and expects the same answers and events: a regression test made from a "
                    "manual session. Reset the simulator (POST /_ccsim/reset) before the session to record.",
        epilog="example:\n  ccsim record -o scenarios/regression/login_and_call.yaml --name 'Login and one call'",
    )
    record.add_argument("--admin", default=f"http://127.0.0.1:{DEFAULT_PORT_BASE}", metavar="URL",
                        help="admin URL of the running simulator (default: %(default)s)")
    record.add_argument("--output", "-o", metavar="FILE", help="write the scenario here (default: print it)")
    record.add_argument("--name", default="Recorded session", help="the scenario's name")
    return parser


def _serve_config(args: argparse.Namespace) -> config_mod.Config:
    import os

    cfg = config_mod.load(args.config or os.environ.get("CCSIM_CONFIG") or None)
    config_mod.apply_env(cfg)
    if args.host:
        cfg.host = args.host
    if args.admin_host:
        cfg.admin_host = args.admin_host
    if args.admin_token:
        cfg.admin_token = args.admin_token
    if args.port_base is not None:
        cfg.port_base = args.port_base
    if args.seed is not None:
        cfg.seed = args.seed
    for name, port in args.port:
        cfg.ports[name] = port
    for face, url in args.public_url:
        cfg.set_public_url(url, face, source="--public-url" + (f" {face}=" if face else ""))
    if args.scenarios:
        if not os.path.isdir(args.scenarios):
            raise ConfigError(f"--scenarios {args.scenarios}: no such folder")
        cfg.scenarios_dir = args.scenarios
    if args.faces:
        wanted = [f.strip() for f in args.faces.split(",") if f.strip()]
        unknown = [f for f in wanted if f not in FACES]
        if unknown:
            raise ConfigError(f"--faces: unknown face(s) {', '.join(unknown)}; known: {', '.join(FACES)}")
        cfg.faces_enabled = [f for f in FACES if f in wanted]
    return cfg


async def _serve(cfg: config_mod.Config, speed: float) -> None:
    from .app import Simulator

    sim = Simulator(cfg, RealClock(speed))
    # Signals are ours before anything listens: a SIGTERM as soon as the listing says "Ctrl-C to
    # stop" (a supervisor, `docker stop`) stops cleanly instead of killing the process.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await sim.start()
    except OSError as exc:
        raise ConfigError(f"cannot listen: {exc.strerror or exc} (another ccsim running? try --port-base)") from None
    for line in banner.warnings(sim):
        print(line, file=sys.stderr, flush=True)
    for line in banner.lines(sim, _version()):
        print(line, flush=True)
    print("Ctrl-C to stop.", flush=True)
    tune_gc()
    try:
        await stop.wait()
    finally:
        await sim.stop()
        print("ccsim stopped.", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=getattr(args, "log_level", "info").upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "serve":
            asyncio.run(_serve(_serve_config(args), args.speed))
            return 0
        if args.command == "run":
            from .scenario.cli import run_command

            return run_command(args)
        if args.command == "check":
            from .conformance.cli import check_command

            return check_command(args)
        if args.command == "fuzz":
            from .fuzz.cli import fuzz_command

            return fuzz_command(args)
        if args.command == "load":
            from .load.cli import load_command

            return load_command(args)
        if args.command == "health":
            from .healthcheck import health_command

            return health_command(args)
        if args.command == "record":
            from .scenario.cli import record_command

            return record_command(args)
    except (ConfigError, SettingsError) as exc:
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
