"""`ccsim health`: is a `ccsim serve` answering? The Docker image's HEALTHCHECK runs it.

It asks GET /_ccsim/health on the admin API (by default at 127.0.0.1 on $CCSIM_PORT_BASE, else
8800), with $CCSIM_ADMIN_TOKEN when set, so that it works where the serve command was given the
same environment (a container). Exit 0: healthy; 1: not (the reason on stderr).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request

from ..cli_help import add_parser as add_help_parser
from ..config import DEFAULT_PORT_BASE


def default_admin_url() -> str:
    return f"http://127.0.0.1:{os.environ.get('CCSIM_PORT_BASE') or DEFAULT_PORT_BASE}"


def add_parser(sub: argparse._SubParsersAction) -> None:
    health = add_help_parser(sub, "health", help="exit 0 when a running ccsim serve answers its health check",
                             description="GET /_ccsim/health on a running `ccsim serve` (with $CCSIM_ADMIN_TOKEN "
                                         "when set); exit 0 when it says ok, 1 otherwise. The Docker image's "
                                         "HEALTHCHECK.",
                             epilog="examples:\n"
                                    "  ccsim health                                   # the demo's admin API\n"
                                    "  ccsim health --admin http://127.0.0.1:8900     # a demo on port base 8900")
    health.add_argument("--admin", metavar="URL", help="admin URL (default: http://127.0.0.1:$CCSIM_PORT_BASE, "
                        f"else http://127.0.0.1:{DEFAULT_PORT_BASE})")
    health.add_argument("--timeout", type=float, default=5.0, metavar="SECONDS",
                        help="how long to wait for the answer (default: %(default)g)")


def health_command(args: argparse.Namespace) -> int:
    url = (args.admin or default_admin_url()).rstrip("/") + "/_ccsim/health"
    token = os.environ.get("CCSIM_ADMIN_TOKEN")
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=args.timeout) as resp:
            status = json.load(resp).get("status")
    except urllib.error.HTTPError as exc:
        print(f"ccsim health: {url}: HTTP {exc.code}" + (" (is $CCSIM_ADMIN_TOKEN the server's?)" if exc.code == 401
                                                         else ""), file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:  # refused, timed out, not JSON
        print(f"ccsim health: {url}: {getattr(exc, 'reason', None) or exc}", file=sys.stderr)
        return 1
    if status != "ok":
        print(f"ccsim health: {url}: status {status!r}", file=sys.stderr)
        return 1
    print(f"ccsim health: {url}: ok")
    return 0
