"""The URLs ccsim hands to clients (CXone's `resource_server_base_uri`, Intermedia's
`RecordingUrl`, XCALLY's password-reset link) and prints for people.

A listener bound to a wildcard address (0.0.0.0, ::, as in the Docker image) has no address a
client could use, so a URL never carries it:
- an answer to a request names what the client used: its `Host` header, else the address its
  connection reached (HTTP/1.0 sends no Host);
- a public URL (`public_url`, `$CCSIM_PUBLIC_URL`, `--public-url`) wins over both, for a ccsim
  behind a proxy or NAT whose clients know it by another name;
- a URL made outside any request (a webhook's RecordingUrl, `ccsim serve`'s listing) is the
  public URL, else the listener's with a loopback address in place of a wildcard.
"""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from aiohttp import web

WILDCARDS = {"", "0.0.0.0", "::"}

# What a Host header may be for ccsim to repeat it in a URL: a DNS name or IPv4 address, or an
# IPv6 literal in brackets, and a port. Anything else (spaces, "/", "@", quotes) is not used.
_HOST_HEADER = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?"
                          r"|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")


def is_wildcard(host: str) -> bool:
    return host.strip("[]") in WILDCARDS


def reachable_host(host: str) -> str:
    """An address this machine's clients can connect to for a listener bound to `host`."""
    if not is_wildcard(host):
        return host
    return "::1" if host.strip("[]") == "::" else "127.0.0.1"


def http_url(host: str, port: int, scheme: str = "http") -> str:
    """scheme://host:port, with an IPv6 literal in brackets."""
    try:
        literal = ipaddress.ip_address(host.strip("[]")).version == 6
    except ValueError:
        literal = False
    return f"{scheme}://{'[' + host.strip('[]') + ']' if literal else host}:{port}"


def listener_url(host: str, port: int, scheme: str = "http") -> str:
    """The URL of a listener bound to host:port, for clients on this machine."""
    return http_url(reachable_host(host), port, scheme)


def request_base(request: web.Request) -> str:
    """scheme://host[:port] as the client reached this listener."""
    host = request.headers.get("Host", "")
    if host and _HOST_HEADER.match(host):
        return f"{request.scheme}://{host}"
    sockname = request.transport.get_extra_info("sockname") if request.transport is not None else None
    if sockname:
        return listener_url(sockname[0], sockname[1], request.scheme)
    return f"{request.scheme}://127.0.0.1"


def check_public_url(text: object, *, per_face: bool) -> str:
    """A public URL as configured, checked; without its trailing slash. The one for every face
    is a scheme and a host (each face adds its own port); one face's may have a port too (a proxy
    in front of that face). No path: the vendors' base URLs have none (CXone's is
    https://api-<cluster>.incontact.com/inContactAPI/)."""
    if not isinstance(text, str):
        raise ValueError(f"a public URL is text, not {text!r}")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"public URL {text!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"public URL {text!r}: give http:// or https:// and a host, e.g. http://ccsim.example.com")
    if parts.username is not None or parts.query or parts.fragment or parts.path not in ("", "/"):
        raise ValueError(f"public URL {text!r}: no user, path, query or fragment")
    if not per_face and port is not None:
        raise ValueError(f"public URL {text!r}: a scheme and a host only; each face adds its own port "
                         "(a face behind its own proxy: --public-url FACE=URL, or public_urls: in the config)")
    return text.rstrip("/")


def with_port(public_url: str, port: int) -> str:
    """The public URL of every face (scheme and host) with one face's port."""
    parts = urlsplit(public_url)
    return http_url(parts.hostname or "", port, parts.scheme)
