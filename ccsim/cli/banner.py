"""What `ccsim serve` prints once it listens: every listener's URL, usable as printed.

A listener bound to a wildcard address (0.0.0.0, ::) is shown at a loopback address, and the
listing says so and names this machine for the others; a public URL, when configured, is shown
as what clients are given.
"""
from __future__ import annotations

import ipaddress
import socket
from typing import TYPE_CHECKING

from .. import registry
from ..serving.public_urls import is_wildcard

if TYPE_CHECKING:
    from ..app import Simulator


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host == "localhost"


def lines(sim: "Simulator", version: str) -> list[str]:
    """The listing (stdout), one line each."""
    cfg, urls = sim.config, sim.urls
    out = [f"ccsim {version} serving ({cfg.source}, seed {cfg.seed})"]
    wide = [(what, host or "0.0.0.0") for what, host in (("the admin API", cfg.admin_host), ("the faces", cfg.host))
            if is_wildcard(host)]
    if wide:
        who = " and ".join(what for what, _ in wide)
        out.append(f"  {who} listen on every interface ({', '.join(sorted({h for _, h in wide}))}): the URLs below "
                   f"use the loopback address; from another machine, use this machine's name or address "
                   f"({socket.gethostname()})")
    token = cfg.admin_token is not None
    out.append(f"  admin       {urls['admin']}/_ccsim/health" + ("  (token required)" if token else ""))
    out.append(f"  dashboard   {urls['admin']}/_ccsim/ui/" + ("#token=<token>" if token else ""))
    for name, face in sim.faces.items():
        out.append(f"  {name:<11} {urls[name]}  {registry.get(name).description}")
        if face.public_url:
            out.append(f"    clients are given: {face.public_url}")
        for label, url in face.extra_urls().items():
            out.append(f"    {label}: {url}")
    return out


def warnings(sim: "Simulator") -> list[str]:
    """What to warn about (stderr)."""
    cfg = sim.config
    if cfg.admin_token or _loopback(cfg.admin_host):
        return []
    return [f"  warning: the admin API listens on {cfg.admin_host} without a token: anyone who reaches it can "
            "reset, inject and read the journal; set --admin-token or $CCSIM_ADMIN_TOKEN"]
