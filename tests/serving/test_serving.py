"""Serving on every HTTP listener (issue 22, items 3 and 12; ccsim/serving/http_serving.py):
a request body that does not arrive within limits.body_timeout_seconds is answered 408 and its
connection closed; a client that hangs up mid-body leaves no ERROR and no traceback in the log;
a client that half-closes after a full request gets its answer. And a STOMP frame sent a byte at
a time is cut off the same way. Real clock, raw sockets, on the admin API, each face with an
HTTP API, XCALLY's socket.io polling and an XCALLY phonebar."""
from __future__ import annotations

import asyncio
import copy
import logging
import socket
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from support.world import TEST_CONFIG
from support.xcally import XCALLY_AGENTS, XCALLY_QUEUES
from ccsim import config
from ccsim.app import Simulator
from ccsim.contracts.emitted import journal_violations
from ccsim.core import RealClock
from support.nice import NICE_AGENTS

BODY_TIMEOUT = 0.5


@dataclass(frozen=True)
class Listener:
    """Where to send a request with a body, and a GET answered at once. python-engineio answers
    a polling POST from the part of its body that has arrived (one StreamReader.read(length)):
    that answer comes early, and the connection is closed at the limit all the same."""

    post: str
    get: str
    answers_early: bool = False


LISTENERS = {
    "admin": Listener("POST /_ccsim/contacts", "GET /_ccsim/health"),
    "huawei": Listener("PUT /agentgateway/resource/onlineagent/291/loginex",
                       "GET /agentgateway/resource/onlineagent/291/agentstatus"),
    "nice": Listener("POST /InContactAuthorizationServer/Token", "GET /InContactAPI/services/v23.0/agents"),
    "xcally": Listener("POST /api/users?apikey=ccsim-xcally-key", "GET /api/users?apikey=ccsim-xcally-key"),
    "socket.io": Listener("POST /socket.io/?EIO=4&transport=polling&sid={sid}",
                          "GET /socket.io/?EIO=4&transport=polling", answers_early=True),
    "intermedia": Listener("POST /api/notify/intermedia", "GET /api/calllog"),
    "phonebar": Listener("POST /api/answer", "GET /api/calls"),
}


@pytest.fixture
async def served() -> AsyncIterator[Simulator]:
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += NICE_AGENTS + XCALLY_AGENTS
    data["queues"] += XCALLY_QUEUES
    data["faces"].update({"nice": {}, "xcally": {"tab_limit": 2}, "intermedia": {}})
    data["limits"] = {"body_timeout_seconds": BODY_TIMEOUT, "idle_timeout_seconds": 5}
    sim = Simulator(config.from_mapping(data, "tests"), RealClock())
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()
    assert not journal_violations(sim.journal)


def _address(sim: Simulator, name: str) -> tuple[str, int]:
    if name == "phonebar":
        url = next(iter(sim.faces["xcally"].phonebar_urls.values()))
    else:
        url = sim.urls["xcally" if name == "socket.io" else name]
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


async def _request_line(sim: Simulator, name: str, which: str) -> str:
    line = getattr(LISTENERS[name], which)
    if "{sid}" in line:  # a polling POST belongs to an engine.io session: open one
        reader, writer = await asyncio.open_connection(*_address(sim, name))
        writer.write(f"{LISTENERS[name].get} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        answer = await asyncio.wait_for(reader.read(), 5)
        writer.close()
        sid = answer.split(b'"sid":"', 1)[1].split(b'"', 1)[0].decode()
        line = line.format(sid=sid)
    return line + " HTTP/1.1"


def _head_with_body(line: str, length: int) -> bytes:
    return f"{line}\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n".encode()


async def _until_closed(reader: asyncio.StreamReader, within: float) -> bytes:
    chunks = []
    try:
        async with asyncio.timeout(within):
            while chunk := await reader.read(65536):
                chunks.append(chunk)
    except ConnectionError:
        pass
    return b"".join(chunks)


@pytest.mark.parametrize("name", sorted(LISTENERS))
async def test_a_body_sent_a_byte_at_a_time_is_answered_408_and_closed_within_the_limit(served, name):
    reader, writer = await asyncio.open_connection(*_address(served, name))
    writer.write(_head_with_body(await _request_line(served, name, "post"), 200) + b"{")
    started = time.monotonic()

    async def trickle() -> None:
        for _ in range(100):  # 10 s of a byte every 0.1 s: never a whole body
            await asyncio.sleep(0.1)
            try:
                writer.write(b" ")
            except ConnectionError:
                return

    trickling = asyncio.create_task(trickle())
    answer = await _until_closed(reader, 5)
    closed_after = time.monotonic() - started
    trickling.cancel()
    if not LISTENERS[name].answers_early:
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n") and b"Connection: close" in answer, answer
    assert BODY_TIMEOUT * 0.8 < closed_after < BODY_TIMEOUT + 1.5


async def test_a_body_that_arrives_in_time_in_pieces_is_served(served):
    reader, writer = await asyncio.open_connection(*_address(served, "admin"))
    body = b'{"queue": "sales", "caller": "+15550100"}'
    writer.write(_head_with_body("POST /_ccsim/contacts HTTP/1.1", len(body)))
    for i in range(0, len(body), 10):
        await asyncio.sleep(0.05)
        writer.write(body[i:i + 10])
    answer = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    assert answer.startswith(b"HTTP/1.1 201 ")
    writer.close()


@pytest.mark.parametrize("ending", ["reset", "close", "half-close"])
@pytest.mark.parametrize("name", sorted(LISTENERS))
async def test_a_client_gone_in_the_middle_of_a_body_logs_no_error(served, name, ending, caplog):
    line = await _request_line(served, name, "post")
    with caplog.at_level(logging.DEBUG):
        sock = socket.create_connection(_address(served, name))
        sock.sendall(_head_with_body(line, 100) + b'{"a": ')
        await asyncio.sleep(0.2)  # the handler waits for the rest
        if ending == "half-close":
            sock.shutdown(socket.SHUT_WR)
            sock.setblocking(False)
            loop = asyncio.get_running_loop()
            answer = b""
            while chunk := await asyncio.wait_for(loop.sock_recv(sock, 65536), 2):  # closed at once
                answer += chunk
            assert answer == b"" or LISTENERS[name].answers_early  # and for a body never complete, no answer
        elif ending == "reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.close()
        await asyncio.sleep(0.3)
    noisy = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not noisy, [(r.name, r.getMessage()[:200]) for r in noisy]


@pytest.mark.parametrize("name", sorted(LISTENERS))
async def test_a_client_that_half_closes_after_its_request_gets_the_answer(served, name):
    reader, writer = await asyncio.open_connection(*_address(served, name))
    writer.write(f"{await _request_line(served, name, 'get')}\r\nHost: 127.0.0.1\r\n\r\n".encode())
    writer.write_eof()
    answer = await _until_closed(reader, 5)
    assert answer.startswith(b"HTTP/1.1 "), answer
    head, _, body = answer.partition(b"\r\n\r\n")
    length = next((int(v) for k, _, v in (h.partition(b":") for h in head.split(b"\r\n")[1:])
                   if k.strip().lower() == b"content-length"), None)
    assert length is None or len(body) == length  # the whole answer, then the close


async def test_pipelined_requests_then_a_half_close_get_every_answer(served):
    reader, writer = await asyncio.open_connection(*_address(served, "huawei"))
    request = f"{LISTENERS['huawei'].get} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    writer.write(request * 3)
    writer.write_eof()
    answer = await _until_closed(reader, 5)
    assert answer.count(b"HTTP/1.1 200 ") == 3


async def test_a_stomp_frame_sent_a_byte_at_a_time_is_cut_off_and_whole_frames_are_not(served):
    host, port = served.faces["finesse"].url.split("://", 1)[1].rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"CONNECT\naccept-version:1.2\nhost:ccsim\nheart-beat:0,0\n\n\x00")
    assert (await asyncio.wait_for(reader.readuntil(b"\x00"), 5)).startswith(b"CONNECTED\n")
    for _ in range(3):  # whole frames, further apart than the limit: served
        await asyncio.sleep(BODY_TIMEOUT * 0.8)
        writer.write(b"SUBSCRIBE\nid:0\ndestination:/topic/291\nreceipt:r\n\n\x00UNSUBSCRIBE\nid:0\n\n\x00")
        assert (await asyncio.wait_for(reader.readuntil(b"\x00"), 5)).startswith(b"RECEIPT\nreceipt-id:r\n")
    started = time.monotonic()
    frame = b"SEND\ndestination:/queue/ccsim\n\nhello\x00"
    for byte in frame[:-1]:
        try:
            writer.write(bytes([byte]))
        except ConnectionError:
            break
        await asyncio.sleep(0.1)
        if reader.at_eof() or reader._buffer:  # noqa: SLF001 (the server has spoken)
            break
    error = await _until_closed(reader, 5)
    assert error.startswith(b"ERROR\n") and b"message:Frame timeout" in error, error
    assert time.monotonic() - started < BODY_TIMEOUT + 1.5


def test_the_body_limit_is_read_from_the_config():
    assert config.from_mapping({"limits": {"body_timeout_seconds": 2.5}}, "tests").limits.body_timeout_seconds == 2.5
    with pytest.raises(config.ConfigError, match="limits"):
        config.from_mapping({"limits": {"body_timeout_seconds": 0}}, "tests")
