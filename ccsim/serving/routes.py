"""The one route table of the HTTP faces: which operation a request is, or why it is none.

A face declares its routes as data (`Route`: method, path, the journal's op, a module-level handler,
its own per-route options) and serves them one of two ways:
- `install`: one catch-all aiohttp route feeds the face's RouteTables, configured to match as the
  vendor does (case, `//`, a trailing `/`, a prefix), so that 404 and 405 are the face's own answers;
- `install_into_router`: each route goes into aiohttp's own router, whose matching is then the
  face's exactly (case-sensitive, %2F kept inside a segment, a wrong method falling through to the
  catch-all, HEAD answered by a GET route).
Either way the face keeps its own `dispatch`: it labels the journal entry (request[OP]) where it
always has, builds its call object, checks, runs the handler and maps its errors.
"""
from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from aiohttp import web

from .journaling import OP

Handler = Callable[[Any], Awaitable[Any]]  # module-level: async def handler(call) -> response or body


@dataclass(frozen=True, eq=False)
class Route:
    method: str                      # "GET", "POST", ... (compared as sent: methods are case-sensitive)
    path: str | re.Pattern[str]      # a template: segments of literal text and {name} ([^/]+) or {name:regex},
    #                                  text around a {name} allowed ("{call}.wav"); or a regex matched in full
    op: str                          # the journal's op
    handler: Handler
    options: Mapping[str, Any] = field(default_factory=dict)  # the vendor's own per-route data


@dataclass(frozen=True)
class Found:
    route: Route
    params: dict[str, str]


@dataclass(frozen=True)
class Missed:
    allowed: tuple[str, ...]  # (): no such path; else the methods the path has, sorted (an Allow header)


_NO_PATH = Missed(())
_SLASHES = re.compile("/{2,}")
_PARAM = re.compile(r"\{(\w+)(?::((?:[^{}]|\{[^{}]*\})+))?\}")


def template_pattern(template: str, *, case_sensitive: bool = False) -> re.Pattern[str]:
    """A template's regex. It is `^...$` and tried with re.match, as the tables of Huawei and NICE
    always were: `$` also matches before one final newline, so ".../logout%0A" is still logout."""
    parts, last = [], 0
    for param in _PARAM.finditer(template):
        parts += [re.escape(template[last:param.start()]), f"(?P<{param[1]}>{param[2] or '[^/]+'})"]
        last = param.end()
    parts.append(re.escape(template[last:]))
    return re.compile("^" + "".join(parts) + "$", 0 if case_sensitive else re.IGNORECASE)


class RouteTable:
    """Routes matched against a request's path (aiohttp's request.path: percent-decoded, %2F too).

    The path is first made canonical: runs of `/` collapsed (collapse_slashes), the prefix (a string,
    compared with str.lower() unless case_sensitive, or a regex re.match-ed) cut off, trailing `/`
    stripped (strip_trailing_slash); what is left (the tail) is matched against each route. A
    template is case-insensitive unless case_sensitive; a regex route carries its own flags.

    The first route, in the order given, whose path and method match wins; a route whose path
    matches with another method only adds its method to Missed.allowed. With `indexed` (Huawei's
    lookup), a template whose first segment is literal is found by (that segment, the number of
    segments): fast, and the first segment then compares by str.lower(), which unlike re's
    IGNORECASE does not take ı or İ for i, nor ſ for s. indexed=False: every route is tried, its
    pattern alone deciding (NICE's).
    """

    def __init__(self, routes: Sequence[Route], *, prefix: str | re.Pattern[str] = "", case_sensitive: bool = False,
                 collapse_slashes: bool = True, strip_trailing_slash: bool = True, indexed: bool = True):
        self.routes = tuple(routes)
        self.prefix, self.case_sensitive = prefix, case_sensitive
        self.collapse_slashes, self.strip_trailing_slash = collapse_slashes, strip_trailing_slash
        self._prefix_compared = prefix if case_sensitive or not isinstance(prefix, str) else prefix.lower()
        # (position, route, matcher): the position keeps the given order when both lists have candidates.
        self._indexed: dict[tuple[str, int], list[tuple[int, Route, Callable[[str], Any]]]] = {}
        self._others: list[tuple[int, Route, Callable[[str], Any]]] = []
        for position, route in enumerate(self.routes):
            if isinstance(route.path, str):
                matcher = template_pattern(route.path, case_sensitive=case_sensitive).match
                # A {name:regex} may span segments: such a template is not indexed by its segment count.
                if indexed and "{" not in route.path.split("/", 1)[0] \
                        and all(param[2] is None for param in _PARAM.finditer(route.path)):
                    self._indexed.setdefault(self._key(route.path), []).append((position, route, matcher))
                    continue
            else:
                matcher = route.path.fullmatch
            self._others.append((position, route, matcher))

    def _key(self, tail: str) -> tuple[str, int]:
        first = tail.split("/", 1)[0]
        return (first if self.case_sensitive else first.lower()), tail.count("/") + 1

    def _tail(self, path: str) -> str | None:
        """The part of `path` the routes match, or None if it is not under the prefix."""
        if self.collapse_slashes and "//" in path:
            path = _SLASHES.sub("/", path)
        prefix = self._prefix_compared
        if isinstance(prefix, str):
            if not (path if self.case_sensitive else path.lower()).startswith(prefix):
                return None
            tail = path[len(prefix):]
        else:
            found = prefix.match(path)
            if found is None:
                return None
            tail = path[found.end():]
        return tail.rstrip("/") if self.strip_trailing_slash else tail

    def match(self, method: str, path: str) -> Found | Missed:
        tail = self._tail(path)
        if tail is None:
            return _NO_PATH
        candidates = self._indexed.get(self._key(tail), []) if self._indexed else []
        if self._others:
            candidates = sorted(candidates + self._others, key=lambda c: c[0])
        allowed: set[str] = set()
        for _, route, matcher in candidates:
            found = matcher(tail)
            if found is None:
                continue
            if route.method == method:
                return Found(route, found.groupdict())
            allowed.add(route.method)
        return Missed(tuple(sorted(allowed))) if allowed else _NO_PATH


class Answers(Protocol):
    """The face's own answers when the table, not an operation, decides."""

    def not_found(self, request: web.Request) -> web.StreamResponse: ...

    def method_not_allowed(self, request: web.Request, allowed: tuple[str, ...]) -> web.StreamResponse: ...


Dispatch = Callable[[web.Request, Found], Awaitable[web.StreamResponse]]
Before = Callable[[web.Request], Awaitable[web.StreamResponse | None]]


def install(app: web.Application, tables: Sequence[RouteTable], dispatch: Dispatch, answers: Answers, *,
            under: str = "/", before: Before | None = None) -> None:
    """matching="table": one catch-all route under `under`. `before` (if any) runs first and may answer
    alone (NICE: a body over the limit is 413 before any routing, journaled as "unrouted"). Then each
    table is tried in order: the first Found goes to `dispatch`; if none, request[OP] = "unrouted" and
    `answers` says 405 (the first table that knows the path with other methods) or 404."""

    async def handle(request: web.Request) -> web.StreamResponse:
        if before is not None:
            early = await before(request)
            if early is not None:
                return early
        allowed: tuple[str, ...] = ()
        for table in tables:
            result = table.match(request.method, request.path)
            if isinstance(result, Found):
                return await dispatch(request, result)
            allowed = allowed or result.allowed
        request[OP] = "unrouted"
        return answers.method_not_allowed(request, allowed) if allowed else answers.not_found(request)

    app.router.add_route("*", under.rstrip("/") + r"/{tail:[\s\S]*}", handle)


def install_into_router(router: web.UrlDispatcher, routes: Sequence[Route], dispatch: Dispatch, answers: Answers, *,
                        prefix: str, catch_all: str = r"[\s\S]*") -> None:
    """matching="aiohttp": each Route (a template in aiohttp's syntax) added under `prefix` to aiohttp's
    own router, in order, a GET route answering HEAD too (aiohttp's add_get), so that matching and
    percent-decoding (path_safe: %2F stays inside a parameter) are aiohttp's, exactly. Then the
    catch-all `prefix/{tail:<catch_all>}`, where a wrong method falls through as well: request[OP] =
    "unrouted", then answers.not_found. A path the catch-all's pattern refuses (".*" takes no newline)
    is left to the routes the face adds after."""
    for route in routes:
        if not isinstance(route.path, str):
            raise TypeError(f"{route.op}: aiohttp's router takes a template, not a regex")
        handler = _found_handler(route, dispatch)
        if route.method == "GET":
            router.add_get(prefix + route.path, handler)
        else:
            router.add_route(route.method, prefix + route.path, handler)

    async def not_found(request: web.Request) -> web.StreamResponse:
        request[OP] = "unrouted"
        return answers.not_found(request)

    router.add_route("*", f"{prefix}/{{tail:{catch_all}}}", not_found)


def _found_handler(route: Route, dispatch: Dispatch) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        return await dispatch(request, Found(route, dict(request.match_info)))

    return handle
