"""A body over limits.max_body_bytes gets each face's own "too large", whether it came with a
Content-Length or chunked (where the size is known only once the limit is read past): Huawei
its envelope with the operation's retcode (HTTP 200), XCALLY 413 {message}. A chunked body was
taken for an empty one (Huawei "password is mandatory", XCALLY 400 "name is required"). A
chunked body under the limit is still read whole. The sim fixture checks every answer against
contracts/."""
from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from support.world import TEST_CONFIG
from support.xcally import PASSWORD, XCALLY_AGENTS, XCALLY_QUEUES, Motion
from ccsim import config
from ccsim.serving.journaling import BodyTooLarge, read_body

LIMIT = 4096
HUAWEI = "/agentgateway/resource/"
JSON = {"Content-Type": "application/json"}


@pytest.fixture
def sim_config() -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += copy.deepcopy(XCALLY_AGENTS)
    data["queues"] += copy.deepcopy(XCALLY_QUEUES)
    data["faces"]["xcally"] = {}
    data["limits"] = {"max_body_bytes": LIMIT}
    return config.from_mapping(data, "tests")


async def chunked(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    """`data` sent in chunks (Transfer-Encoding: chunked, no Content-Length)."""
    for start in range(0, len(data), size):
        yield data[start:start + size]


def bodies(data: bytes) -> list:
    return [chunked(data), data]


OVERSIZE = b'{"password": "' + b"x" * (2 * LIMIT) + b'"}'


@pytest.mark.parametrize("method, path, retcode", [
    ("PUT", "onlineagent/291/loginex", "100-001"),
    ("DELETE", "onlineagent/291/logout", "100-005"),
    ("PUT", "voicecall/291/callout", "000-002"),
])
async def test_huawei_answers_an_oversize_body_sized_or_chunked_with_the_operations_retcode(sim, wire, method, path,
                                                                                          retcode):
    answers = [await wire.request(method, sim.urls["huawei"] + HUAWEI + path, data=body, headers=JSON)
               for body in bodies(OVERSIZE)]
    for resp in answers:
        assert resp.status == 200 and resp.body["retcode"] == retcode, resp.body
        assert resp.body["message"].endswith("The message body is too large."), resp.body
    assert answers[0].body == answers[1].body
    assert sim.faces["huawei"].gateway.sessions == {}
    assert [e.request["body"] for e in sim.journal.query()] == [None, None]  # journaled without a body


async def test_huawei_reads_a_chunked_body_under_the_limit_whole(sim, wire):
    body = json.dumps({"password": "", "phonenum": "40038"}).encode()
    resp = await wire.request("PUT", sim.urls["huawei"] + HUAWEI + "onlineagent/291/loginex",
                              data=chunked(body + b" " * (LIMIT - len(body) - 1), 50), headers=JSON)
    assert resp.body["retcode"] == "0", resp.body


@pytest.mark.parametrize("method, path", [
    ("POST", "/users"),
    ("PUT", "/users/1"),
    ("POST", "/users/1/login"),
    ("POST", "/chat/queues/1/users"),
])
async def test_xcally_answers_an_oversize_body_sized_or_chunked_413(sim, wire, method, path):
    motion = Motion(wire, sim)
    before = await motion.ok("GET", "/users")
    for body in bodies(OVERSIZE):
        resp = await motion.call(method, path, raw=body)
        assert resp.status == 413 and resp.body == {"message": "the request body is too large"}, resp.body
    assert await motion.ok("GET", "/users") == before


async def test_xcally_reads_a_chunked_body_under_the_limit_whole(sim, wire):
    motion = Motion(wire, sim)
    body = json.dumps({"name": "grace", "password": PASSWORD}).encode()
    resp = await motion.call("POST", "/users", raw=chunked(body + b" " * (LIMIT - len(body)), 50))
    assert resp.status == 201 and resp.body["name"] == "grace", resp.body


class _Request(dict):
    """Enough of an aiohttp request for read_body: read() past the limit, as aiohttp does."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    async def read(self) -> bytes:
        self.reads += 1
        raise web.HTTPRequestEntityTooLarge(max_size=LIMIT, actual_size=LIMIT + 1)


async def test_read_body_raises_for_an_oversize_body_every_time_without_reading_on():
    request = _Request()
    for _ in range(2):
        with pytest.raises(BodyTooLarge):
            await read_body(request)  # type: ignore[arg-type]
    assert request.reads == 1
