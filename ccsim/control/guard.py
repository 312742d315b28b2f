"""The admin API refuses cross-site use: a page of another site, open in the browser of someone
who can reach ccsim, must not reset it, inject contacts or read the journal, whether or not an
admin token is set (defence in depth: a token in a page's sessionStorage is still a browser's).

- **Host** (DNS rebinding: a page whose name is made to resolve to 127.0.0.1 reaches ccsim as
  its own origin, with its own name in Host): an IP address, which no page can rebind;
  `localhost`; the admin's own address when it listens on a name; the machine's own name when
  it listens on a wildcard; a name of `admin_allowed_hosts`; the host of `public_url`. Else 403. A request with no Host
  (HTTP/1.0) is let through: every browser sends one.
- **Origin**, when a request carries one (a browser does on every POST and every cross-origin
  request): the admin's own, `http(s)://<Host>`. Else 403 (`Origin: null` too).
- **Bodies are JSON** (`Content-Type: application/json`) on POST, PUT, PATCH and DELETE, else 415:
  a form or `text/plain` body is what another site can send without the browser asking ccsim
  first (a CORS "simple request"). A request with no body may leave the type out.
"""
from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web

if TYPE_CHECKING:
    from ..config import Config

WILDCARDS = frozenset({"", "0.0.0.0", "::", "*"})
_HOST = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<name>[^\s:/?#@\[\]]+))(?::[0-9]{1,5})?$")
_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})
JSON_ONLY = ("the admin API takes JSON bodies only: send Content-Type: application/json "
             "(curl: -H 'Content-Type: application/json')")


def host_name(host: str) -> str | None:
    """The name or address of a Host header value, lower-case, without port or brackets;
    None when it is not a host[:port]."""
    found = _HOST.match(host.strip())
    if found is None:
        return None
    return (found["v6"] or found["name"]).lower().rstrip(".")


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class AllowedHosts:
    """The names the admin API answers to (see the module's docstring)."""

    def __init__(self, admin_host: str, configured: Iterable[str] = ()):
        names = {"localhost", *(n.lower().rstrip(".") for n in configured if n)}
        if admin_host in WILDCARDS:
            names.add(socket.gethostname().lower())  # (no getfqdn: a DNS lookup at start-up)
        else:
            names.add(admin_host.lower().strip("[]"))
        self.names = frozenset(names)

    def allows(self, host: str) -> bool:
        name = host_name(host)
        return name is not None and (name in self.names or _is_address(name))


def allowed_hosts(config: "Config") -> AllowedHosts:
    """The configuration's: admin_host, admin_allowed_hosts, and the host of public_url (ccsim
    behind a proxy or NAT: browsers reach the dashboard by that name too)."""
    names = list(config.admin_allowed_hosts)
    if config.public_url:
        names.append(urlsplit(config.public_url).hostname or "")
    return AllowedHosts(config.admin_host, names)


def cross_site_refusal(request: web.Request, hosts: AllowedHosts) -> str | None:
    """Why the request is refused (403), or None."""
    host = request.headers.get("Host")
    if host is not None and not hosts.allows(host):
        return (f"Host {host[:100]!r} is not one of this ccsim's names: add it to admin_allowed_hosts "
                "($CCSIM_ADMIN_ALLOWED_HOSTS) if you reach ccsim by that name")
    origin = request.headers.get("Origin")
    if origin is not None and not _same_origin(origin, host):
        return f"a page of another origin ({origin[:100]}) may not use the admin API"
    return None


def _same_origin(origin: str, host: str | None) -> bool:
    try:
        parts = urlsplit(origin.strip())
    except ValueError:
        return False
    return (host is not None and parts.scheme in ("http", "https") and parts.path in ("", "/")
            and not parts.query and parts.netloc.lower() == host.strip().lower())


def json_only_refusal(request: web.Request) -> str | None:
    """Why the request's body is refused (415), or None."""
    if request.method not in _WITH_BODY:
        return None
    content_type = request.headers.get("Content-Type")
    if content_type is None:
        return JSON_ONLY if _has_body(request) else None
    return None if content_type.split(";", 1)[0].strip().lower() == "application/json" else JSON_ONLY


def _has_body(request: web.Request) -> bool:
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    return chunked or (request.content_length or 0) > 0
