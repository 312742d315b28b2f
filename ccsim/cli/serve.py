"""`ccsim serve`: its options, the configuration they make, and serving until Ctrl-C or SIGTERM."""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import textwrap
from importlib.metadata import PackageNotFoundError, version

from .. import config as config_mod
from .. import registry
from ..app import Simulator
from ..cli_help import add_log_level, add_parser as add_help_parser
from ..config import DEFAULT_PORT_BASE, ConfigError
from ..core import RealClock
from ..process import tune_gc
from . import banner

# Pre-wrapped: the help formatter keeps indented lines as they are.
EPILOG_ENV = "\n".join(textwrap.fill(text, 78, initial_indent=f"  {name:<18} ", subsequent_indent=" " * 21)
                       for name, text in config_mod.ENV_VARS.items())


def ccsim_version() -> str:
    try:
        return version("ccsim")
    except PackageNotFoundError:
        return "unknown"


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _port_assignment(text: str) -> tuple[str, int]:
    name, sep, port = text.partition("=")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected NAME=PORT (e.g. {registry.names()[0]}=8000), got {text!r}")
    if name not in registry.names() and name != "admin":
        raise argparse.ArgumentTypeError(f"unknown face {name!r}; known: admin, {', '.join(registry.names())}")
    return name, int(port)


def _public_url(text: str) -> tuple[str | None, str]:
    name, sep, url = text.partition("=")
    if sep and name in registry.names():
        return name, url
    if sep and "://" not in name:
        raise argparse.ArgumentTypeError(f"unknown face {name!r}; known: {', '.join(registry.names())}")
    return None, text


def _default_ports() -> str:
    """`ccsim serve --help`'s list of every listener at the default port base."""
    rows = [f"  admin       {DEFAULT_PORT_BASE} (bound to 127.0.0.1)"]
    for vendor in registry.vendors():
        rows.append(f"  {vendor.name:<11} {DEFAULT_PORT_BASE + vendor.port_offset}")
        for label, (first, count) in vendor.extra_ports.items():
            rows.append(f"  {'':<11} {DEFAULT_PORT_BASE + first}-{DEFAULT_PORT_BASE + first + count - 1}  {label}")
    return "\n".join(rows)


def _two_faces_example() -> str:
    """The example serving two faces: the first and the third (their ports are not neighbours)."""
    shown = registry.vendors()[::2][:2]
    command = f"  ccsim serve --port-base 9000 --faces {','.join(v.name for v in shown)}"
    ports = " and ".join(str(9000 + v.port_offset) for v in shown)
    return f"{command:<50}  # {'two faces' if len(shown) == 2 else 'one face'}, on {ports}"


def add_parser(sub: argparse._SubParsersAction) -> None:
    first = registry.names()[0]  # the examples' face
    serve = add_help_parser(
        sub, "serve", help="serve every vendor face and the admin API",
        description="Serve every enabled vendor face, each on its own port, and the admin API (/_ccsim/...) "
                    "with the live dashboard (/_ccsim/ui/). Without --config, the demo configuration is used. "
                    "Settings come from the configuration file, then the environment, then these options. "
                    "Stops cleanly on Ctrl-C or SIGTERM.",
        epilog=f"default ports (with the default --port-base {DEFAULT_PORT_BASE}; each moves with it):\n"
               + _default_ports()
               + "\n\nenvironment variables (options override them; they override the configuration file):\n"
               + EPILOG_ENV + "\n\nexamples:\n"
               "  ccsim serve                                       # the demo: ccsim/demo.yaml\n"
               + _two_faces_example() + "\n"
               "  ccsim serve --host 0.0.0.0 --admin-token s3cret   # other machines may call in\n"
               "  ccsim serve --port-base 0 --speed 10              # free ports; timers 10 times faster",
    )
    serve.add_argument("--config", "-c", metavar="FILE", help="YAML configuration: agents, queues, face settings "
                       "(default: $CCSIM_CONFIG, else the demo configuration)")
    serve.add_argument("--host", metavar="ADDR", help="address the vendor faces listen on; 0.0.0.0 lets other "
                       "machines in (default: 127.0.0.1)")
    serve.add_argument("--admin-host", metavar="ADDR", help="address the admin API and the dashboard listen on "
                       "(default: 127.0.0.1)")
    serve.add_argument("--admin-token", metavar="TOKEN", help="require `Authorization: Bearer TOKEN` on every admin "
                       "route; ccsim's own clients read $CCSIM_ADMIN_TOKEN (default: $CCSIM_ADMIN_TOKEN, else none)")
    serve.add_argument("--port-base", type=int, metavar="N", help="the admin API listens on N, each face on N + its "
                       f"offset (below); 0 picks free ports (default: {DEFAULT_PORT_BASE})")
    serve.add_argument("--port", action="append", type=_port_assignment, default=[], metavar="NAME=PORT",
                       help=f"fix one listener's port, e.g. --port {first}=8000; repeatable (default: from --port-base)")
    serve.add_argument("--public-url", action="append", type=_public_url, default=[], metavar="URL",
                       help="scheme and host clients use to reach ccsim behind a proxy or NAT, e.g. "
                       "http://ccsim.example.com (each face adds its port); FACE=URL sets one face's whole base "
                       "URL; repeatable. URLs ccsim hands to clients use it (default: $CCSIM_PUBLIC_URL, else the "
                       "request's Host)")
    serve.add_argument("--faces", metavar="LIST",
                       help=f"comma-separated faces to serve (default: all: {','.join(registry.names())})")
    serve.add_argument("--seed", type=int, metavar="N", help="seed of generated names, caller numbers and GUIDs "
                       f"(default: the configuration's, else {config_mod.Config.seed})")
    serve.add_argument("--speed", type=positive, default=1.0, metavar="X", help="the clock runs X times faster than "
                       "the wall clock: ring timeouts, wrap-ups, rest periods, long-poll waits (default: %(default)g)")
    serve.add_argument("--scenarios", metavar="DIR", help="scenario folder the dashboard can play (default: its demo "
                       "scenarios, written for the demo configuration)")
    add_log_level(serve, "info")


def serve_config(args: argparse.Namespace) -> config_mod.Config:
    from_env = not args.config and os.environ.get("CCSIM_CONFIG")
    try:
        cfg = config_mod.load(args.config or os.environ.get("CCSIM_CONFIG") or None)
    except ConfigError as exc:
        raise (ConfigError(f"CCSIM_CONFIG: {exc}") if from_env else exc) from None
    config_mod.apply_env(cfg)
    if args.host:
        cfg.host = args.host
    if args.admin_host:
        cfg.admin_host = args.admin_host
    if args.admin_token:
        cfg.admin_token = args.admin_token
    if args.port_base is not None:
        problem = config_mod.port_base_problem(args.port_base)
        if problem:
            raise ConfigError(f"--port-base {args.port_base}: {problem}")
        cfg.port_base = args.port_base
    if args.seed is not None:
        cfg.seed = args.seed
    for name, port in args.port:
        problem = config_mod.port_problem(port)
        if problem:
            raise ConfigError(f"--port {name}={port}: {problem}")
        cfg.ports[name] = port
    for face, url in args.public_url:
        cfg.set_public_url(url, face, source="--public-url" + (f" {face}=" if face else ""))
    if args.scenarios:
        if not os.path.isdir(args.scenarios):
            raise ConfigError(f"--scenarios {args.scenarios}: no such folder")
        cfg.scenarios_dir = args.scenarios
    if args.faces:
        wanted = [f.strip() for f in args.faces.split(",") if f.strip()]
        unknown = [f for f in wanted if f not in registry.names()]
        if unknown:
            raise ConfigError(f"--faces: unknown face(s) {', '.join(unknown)}; known: {', '.join(registry.names())}")
        cfg.faces_enabled = [f for f in registry.names() if f in wanted]
    return cfg


async def serve(cfg: config_mod.Config, speed: float) -> None:
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
    for line in banner.lines(sim, ccsim_version()):
        print(line, flush=True)
    print("Ctrl-C to stop.", flush=True)
    tune_gc()
    try:
        await stop.wait()
    finally:
        await sim.stop()
        print("ccsim stopped.", flush=True)
