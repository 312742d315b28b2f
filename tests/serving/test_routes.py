"""The one route-table helper (ccsim/serving/routes.py, issue 24 §5.1), and how each HTTP face routes.

Each face's routes are mirrored as helper tables in face_routes.py, with requests that pin today's
semantics (case, `//`, a trailing `/`, %2F, 404 or 405 and the Allow header, NICE's and XCALLY's wrong
method = 404, what comes before routing: NICE's 413, Huawei's 415). Every request goes to the mirror,
served by the helper, and to today's face: the op each journals and the face's own unrouted answers
must agree, so the faces can be converted to the helper and checked against the same requests."""
from __future__ import annotations

import copy
import json
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiohttp import web
from yarl import URL

from conftest import TEST_CONFIG
from face_routes import (CHUNKED, HUAWEI_CASES, HUAWEI_TABLES, INTERMEDIA_CASES, INTERMEDIA_TABLES, NICE_CASES,
                         NICE_TABLES, NICE_TOKEN, OVERSIZE, PHONEBAR_CASES, PHONEBAR_ROUTES, XCALLY_CASES,
                         XCALLY_ROUTES, Case)
from motion import XCALLY_AGENTS, XCALLY_QUEUES
from ccsim import config
from ccsim.clients.wire import WireClient
from ccsim.serving.journaling import OP, BodyTooLarge, read_body
from ccsim.serving.listeners import serve_app
from ccsim.serving.routes import (Found, Missed, Route, RouteTable, install, install_into_router,
                                  template_pattern)

LIMIT = 4096
UNROUTED = {"unrouted", "phonebar-unrouted"}


async def _never(call: Any) -> None:
    raise AssertionError


def table(*lines: str, **options: Any) -> RouteTable:
    return RouteTable([Route(*line.split(), _never) for line in lines], **options)


def outcome(result: Found | Missed) -> tuple[str, dict[str, str]] | tuple[str, ...]:
    return (result.route.op, result.params) if isinstance(result, Found) else result.allowed


# -- RouteTable ----------------------------------------------------------------------------------------------
def test_a_template_matches_segments_and_parameters_with_literal_text_around_them():
    assert template_pattern("rec/{call}.wav").match("rec/a.b.wav")["call"] == "a.b"
    assert template_pattern("rec/{call}.wav").match("rec/abwav") is None  # the "." is literal
    assert template_pattern("files/{rest:.+}").match("files/a/b")["rest"] == "a/b"
    assert template_pattern("q/{n:[0-9]{1,3}}").match("q/1234") is None
    assert template_pattern("a/{x}").match("a/") is None and template_pattern("a/{x}").match("a/b/c") is None


def test_the_first_route_in_order_wins_and_a_path_with_other_methods_is_missed_with_them_sorted():
    routes = table("PUT a/{x} first", "PUT a/b second", "POST a/b post", "DELETE a/b delete", "PUT a/b/c deeper",
                   "POST files/{rest:.+} files")
    assert outcome(routes.match("PUT", "a/b")) == ("first", {"x": "b"})
    assert outcome(routes.match("GET", "a/b")) == ("DELETE", "POST", "PUT")
    assert outcome(routes.match("GET", "a/b/c/d")) == () and outcome(routes.match("GET", "b")) == ()
    assert outcome(routes.match("POST", "files/x/y/z")) == ("files", {"rest": "x/y/z"})
    assert outcome(routes.match("post", "a/b")) == ("DELETE", "POST", "PUT")  # methods as sent


def test_a_route_the_index_cannot_hold_keeps_its_place_in_the_order():
    routes = RouteTable([Route("GET", re.compile("a/.*"), "regex first", _never),
                         Route("GET", "a/b", "template", _never),
                         Route("GET", "{x}/c", "param first", _never), Route("GET", "b/c", "later", _never)])
    assert outcome(routes.match("GET", "a/b")) == ("regex first", {})
    assert outcome(routes.match("GET", "b/c")) == ("param first", {"x": "b"})


def test_case_slashes_and_the_prefix_are_the_tables_settings():
    loose = table("GET Items/{id} item", prefix="/API/v1/")
    assert outcome(loose.match("GET", "//api//V1/items/7//")) == ("item", {"id": "7"})
    assert outcome(loose.match("GET", "/api/v1/ITEMS/Ab")) == ("item", {"id": "Ab"})  # values keep their case
    assert outcome(loose.match("GET", "/api/v2/items/7")) == ()
    strict = table("GET Items/{id} item", prefix="/API/v1/", case_sensitive=True, collapse_slashes=False,
                   strip_trailing_slash=False)
    assert outcome(strict.match("GET", "/API/v1/Items/7")) == ("item", {"id": "7"})
    for path in ("/api/v1/Items/7", "/API/v1/items/7", "/API//v1/Items/7", "/API/v1/Items/7/"):
        assert outcome(strict.match("GET", path)) == (), path
    versioned = table("GET items item", prefix=re.compile(r"/v[0-9]+/"))
    assert outcome(versioned.match("GET", "/v12/items/")) == ("item", {})
    assert outcome(versioned.match("GET", "/x/v12/items")) == ()


def test_a_regex_route_matches_the_whole_tail_and_a_template_also_before_one_final_newline():
    routes = RouteTable([Route("GET", re.compile("/api/x/?", re.IGNORECASE), "x", _never)], collapse_slashes=False,
                        strip_trailing_slash=False)
    assert outcome(routes.match("GET", "/API/x/")) == ("x", {})
    assert outcome(routes.match("GET", "/api/xy")) == () and outcome(routes.match("GET", "/api/x\n")) == ()
    assert outcome(table("GET a/b ab").match("GET", "a/b\n")) == ("ab", {})  # `$`, as Huawei and NICE match


@pytest.mark.parametrize("indexed, routed", [(True, False), (False, True)])
def test_indexed_the_first_segment_compares_by_str_lower_else_by_re_ignorecase(indexed, routed):
    routes = table("GET session/{id}/close close", indexed=indexed)
    assert outcome(routes.match("GET", "SESSION/1/CLOSE")) == ("close", {"id": "1"})
    assert outcome(routes.match("GET", "session/1/clo\u017fe")) == ("close", {"id": "1"})  # ſ: an s to re
    assert (outcome(routes.match("GET", "\u017fession/1/close")) == ("close", {"id": "1"})) is routed


# -- install and install_into_router, on a real listener -----------------------------------------------------------
@web.middleware
async def _label(request: web.Request, handler: Callable) -> web.StreamResponse:
    """Shows the op the journal would take in a header (request[OP], "unrouted" when nobody set it)."""
    response = await handler(request)
    response.headers["X-Op"] = request.get(OP, "unrouted")
    return response


async def echo(request: web.Request, found: Found) -> web.StreamResponse:
    request[OP] = found.route.op
    return web.json_response({"params": found.params})


class Answers:
    """The faces' unrouted answers, as far as routing decides them."""

    def __init__(self, *, allow: bool = True, op: str | None = None, auth: bool = False):
        self.allow, self.op, self.auth = allow, op, auth  # 405 with Allow; op to journal; the /api catch-all's 401

    def not_found(self, request: web.Request) -> web.StreamResponse:
        if self.op:
            request[OP] = self.op
        unauthorized = self.auth and request.query.get("apikey") != "ccsim-xcally-key"
        return web.json_response({}, status=401 if unauthorized else 404)

    def method_not_allowed(self, request: web.Request, allowed: tuple[str, ...]) -> web.StreamResponse:
        if not self.allow:
            return self.not_found(request)
        return web.json_response({}, status=405, headers={"Allow": ", ".join(allowed)})


async def nice_before(request: web.Request) -> web.StreamResponse | None:
    """The token endpoint's 405 before the body is read; then any body over the limit is 413."""
    token = NICE_TOKEN.match(request.method, request.path)
    if isinstance(token, Missed) and token.allowed:
        return web.json_response({}, status=405, headers={"Allow": ", ".join(token.allowed)})
    try:
        await read_body(request)
    except BodyTooLarge:
        return web.json_response({}, status=413)
    return None


async def outside_api(request: web.Request) -> web.StreamResponse:
    request[OP] = "unrouted"
    return web.json_response({}, status=404)


def mirror_app(face: str) -> web.Application:
    app = web.Application(middlewares=[_label], client_max_size=LIMIT)
    if face == "huawei":
        install(app, HUAWEI_TABLES, echo, Answers())
    elif face == "nice":
        install(app, NICE_TABLES, echo, Answers(allow=False), before=nice_before)
    elif face == "intermedia":
        install(app, INTERMEDIA_TABLES, echo, Answers())
    elif face == "xcally":
        install_into_router(app.router, XCALLY_ROUTES, echo, Answers(auth=True), prefix="/api", catch_all=".*")
        app.router.add_route("*", r"/{tail:[\s\S]*}", outside_api)
    else:
        install_into_router(app.router, PHONEBAR_ROUTES, echo, Answers(op="phonebar-unrouted"), prefix="")
    return app


async def chunks(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


async def send(wire: WireClient, base: str, case: Case):
    big = b'{"x": "' + b"a" * (2 * LIMIT) + b'"}'
    data = {OVERSIZE: big, CHUNKED: chunks(big), None: None}[case.body]
    return await wire.request(case.method, URL(base + case.path, encoded=True), data=data, headers=dict(case.headers))


CASES = {"huawei": HUAWEI_CASES, "nice": NICE_CASES, "intermedia": INTERMEDIA_CASES, "xcally": XCALLY_CASES,
         "phonebar": PHONEBAR_CASES}


@pytest.mark.parametrize("face", list(CASES))
async def test_the_helper_routes_each_request_as_the_face_does(face):
    runner, url = await serve_app(mirror_app(face), "127.0.0.1", 0)
    wrong = []
    try:
        async with WireClient() as wire:
            for case in CASES[face]:
                resp = await send(wire, url, case)
                seen = resp.header("X-Op")
                if case.op in UNROUTED:
                    seen = (seen, resp.status, resp.header("Allow"))
                    if seen != (case.op, case.status, case.allow):
                        wrong.append(f"{case}: {seen}")
                elif seen != case.op or (case.params is not None and resp.body["params"] != case.params):
                    wrong.append(f"{case}: {seen} {resp.body}")
    finally:
        await runner.cleanup()
    assert not wrong, "\n".join(wrong)


def test_install_into_router_takes_templates_only():
    with pytest.raises(TypeError, match="template"):
        install_into_router(web.Application().router, [Route("GET", re.compile("/x"), "x", _never)], echo,
                            Answers(), prefix="")


async def test_before_answers_alone_or_lets_the_tables_route_and_tables_are_tried_in_order():
    async def before(request: web.Request) -> web.StreamResponse | None:
        return web.json_response({}, status=418) if "teapot" in request.path else None

    app = web.Application(middlewares=[_label])
    install(app, [table("GET a/{x} first", "POST b second", prefix="/v/"),
                  table("GET a/b shadowed", "GET b other", "PUT c third", prefix="/v/")], echo,
            Answers(), under="/v/", before=before)
    runner, url = await serve_app(app, "127.0.0.1", 0)
    try:
        async with WireClient() as wire:
            answers = [await wire.request(method, url + path) for method, path in
                       (("GET", "/v/a/b"), ("GET", "/v/b"), ("GET", "/v/a/teapot"), ("PUT", "/v/b"), ("GET", "/v/c"),
                        ("GET", "/w/a/b"))]
    finally:
        await runner.cleanup()
    assert [(r.status, r.header("X-Op"), r.header("Allow")) for r in answers] == [
        (200, "first", None), (200, "other", None), (418, "unrouted", None), (405, "unrouted", "POST"),
        (405, "unrouted", "PUT"), (404, None, None)]


# -- today's faces, over the wire --------------------------------------------------------------------------------
@pytest.fixture
def sim_config() -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += copy.deepcopy(XCALLY_AGENTS)  # ada's phonebar is on
    data["queues"] += copy.deepcopy(XCALLY_QUEUES)
    data["limits"] = {"max_body_bytes": LIMIT}
    return config.from_mapping(data, "tests")


@pytest.mark.parametrize("face", list(CASES))
async def test_the_face_routes_each_request_as_pinned(face, sim, wire):
    if face == "phonebar":
        [base] = sim.faces["xcally"].phonebar_urls.values()
    else:
        base = sim.urls[face]
    wrong = []
    for case in CASES[face]:
        last = max((e.seq for e in sim.journal.query()), default=-1)
        resp = await send(wire, base, case)
        ops = [e.op for e in sim.journal.query(since=last + 1) if e.kind in ("http", "phonebar")]
        seen = (ops, resp.status if case.status is not None else None, resp.header("Allow"))
        if seen != ([case.op], case.status, case.allow):
            wrong.append(f"{case}: {seen} {json.dumps(resp.body)[:120]}")
    assert not wrong, "\n".join(wrong)
