"""Listener limits (config `limits:`): connections past max_connections are refused while the
held ones keep being served; clients that trickle bytes are closed after idle_timeout_seconds
while a long poll that outlasts it is not; a STOMP client has that long to CONNECT; the header
and body limits are the configured ones. Real clock, raw sockets."""
from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from support.world import TEST_CONFIG
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.contracts.emitted import journal_violations
from ccsim.core import RealClock
from ccsim.vendors.huawei.client import HuaweiAgentClient

LOGIN_PATH = "/agentgateway/resource/onlineagent/291/loginex"
STATUS_PATH = "/agentgateway/resource/onlineagent/291/agentstatus"
STATUS_REQUEST = f"GET {STATUS_PATH} HTTP/1.1\r\nHost: ccsim\r\n\r\n".encode()


@pytest.fixture
async def limited(request: pytest.FixtureRequest) -> AsyncIterator[Simulator]:
    """A real-clock simulator with the test's `limits` (and Huawei settings) from its marker."""
    data: dict[str, Any] = copy.deepcopy(TEST_CONFIG)
    data["enable"] = ["huawei", "finesse"]
    marker = request.node.get_closest_marker("limits")
    data["limits"] = dict(marker.kwargs) if marker else {}
    data["faces"]["huawei"]["poll_hold_seconds"] = 1.5
    sim = Simulator(config.from_mapping(data, "tests"), RealClock())
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()
    assert not journal_violations(sim.journal)  # an ERROR for a late CONNECT too: in the contract


def _address(url: str) -> tuple[str, int]:
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


async def _connect(url: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(*_address(url))


async def _served(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    writer.write(STATUS_REQUEST)
    return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)


async def _closed_by_server(reader: asyncio.StreamReader, within: float) -> bytes:
    """Everything the server sends until it closes the connection (within `within` seconds)."""
    chunks = []
    try:
        async with asyncio.timeout(within):
            while chunk := await reader.read(65536):
                chunks.append(chunk)
    except ConnectionError:  # reset, or a write of ours failed on the closed socket
        pass
    return b"".join(chunks)


@pytest.mark.limits(max_connections=3)
async def test_http_connections_past_the_limit_are_refused_and_the_held_ones_served(limited):
    url = limited.urls["huawei"]
    held = [await _connect(url) for _ in range(3)]
    await asyncio.sleep(0.1)
    reader, _ = await _connect(url)
    refused = await _closed_by_server(reader, 5)
    assert refused.startswith(b"HTTP/1.1 503 ") and b"Retry-After: 1" in refused
    for conn in held:
        assert (await _served(*conn)).startswith(b"HTTP/1.1 200 ")
    held[0][1].close()
    await asyncio.sleep(0.2)
    assert (await _served(*await _connect(url))).startswith(b"HTTP/1.1 200 ")  # room again


@pytest.mark.limits(max_connections=2)
async def test_stomp_connections_past_the_limit_are_closed_and_the_held_ones_served(limited):
    url = limited.faces["finesse"].url
    held = [await _connect(url) for _ in range(2)]
    await asyncio.sleep(0.1)
    reader, _ = await _connect(url)
    assert await _closed_by_server(reader, 5) == b""
    for reader, writer in held:
        writer.write(b"CONNECT\naccept-version:1.2\nhost:ccsim\nheart-beat:0,0\n\n\x00")
        assert (await asyncio.wait_for(reader.readuntil(b"\x00"), 5)).startswith(b"CONNECTED\n")


@pytest.mark.limits(idle_timeout_seconds=0.5)
async def test_clients_sending_a_byte_at_a_time_are_closed_and_do_not_stop_others(limited):
    url = limited.urls["huawei"]
    request = b"GET /agentgateway/resource/onlineagent/292/agentstatus HTTP/1.1\r\nHost: ccsim\r\n\r\n"
    slow = [await _connect(url) for _ in range(100)]

    async def trickle(writer: asyncio.StreamWriter) -> None:
        for byte in request:
            try:
                writer.write(bytes([byte]))
            except ConnectionError:  # the server closed it: what this test waits for
                return
            await asyncio.sleep(0.1)

    tricklers = [asyncio.create_task(trickle(w)) for _, w in slow]
    started = time.monotonic()
    async with WireClient() as wire:
        agent = HuaweiAgentClient(wire, url, "291")
        assert (await agent.sign_in("", autoanswer=False)).body["retcode"] == "0"
        assert [(await agent.next_event())["eventType"] for _ in range(2)] == ["AgentOther_InService", "AgentState_Ready"]
        held_for = time.monotonic()
        assert await agent.next_event() is None  # a 1.5 s hold, three idle timeouts long, is not cut
        assert time.monotonic() - held_for >= 1.4
    answers = await asyncio.gather(*(_closed_by_server(r, 3) for r, _ in slow))
    closed_after = time.monotonic() - started
    for task in tricklers:
        task.cancel()
    # None got as far as a request (the head takes ~8 s at this pace); all were closed.
    assert answers == [b""] * len(slow) and closed_after < len(request) * 0.1


@pytest.mark.limits(idle_timeout_seconds=0.5)
async def test_a_stomp_client_that_never_connects_is_told_and_closed_a_connected_one_is_not(limited):
    url = limited.faces["finesse"].url
    silent_reader, _ = await _connect(url)
    connected_reader, connected = await _connect(url)
    connected.write(b"CONNECT\naccept-version:1.2\nhost:ccsim\nheart-beat:0,0\n\n\x00")
    assert (await asyncio.wait_for(connected_reader.readuntil(b"\x00"), 5)).startswith(b"CONNECTED\n")
    error = await _closed_by_server(silent_reader, 5)
    assert error.startswith(b"ERROR\n") and b"message:Connect timeout" in error
    await asyncio.sleep(0.6)
    connected.write(b"SUBSCRIBE\nid:0\ndestination:/topic/291\nreceipt:r1\n\n\x00")
    assert (await asyncio.wait_for(connected_reader.readuntil(b"\x00"), 5)).startswith(b"RECEIPT\nreceipt-id:r1\n")


@pytest.mark.limits(max_header_bytes=200, max_body_bytes=100)
async def test_header_and_body_limits_are_the_configured_ones(limited):
    url = limited.urls["huawei"]
    async with WireClient() as wire:
        long_header = await wire.request("GET", url + STATUS_PATH,
                                         headers={"X-Padding": "p" * 300})
        assert long_header.status == 400
        short_header = await wire.request("GET", url + STATUS_PATH,
                                          headers={"X-Padding": "p" * 100})
        assert short_header.status == 200
        body = b'{"password": "' + b"x" * 200 + b'", "phonenum": "40038"}'
        big = await wire.request("PUT", url + LOGIN_PATH, data=body, headers={"Content-Type": "application/json"})
        assert big.status == 200 and big.body["retcode"] == "100-001"  # Huawei's "too large", as at 1 MiB
        small = await wire.request("PUT", url + LOGIN_PATH, json_body={"password": "", "phonenum": "40038"})
        assert small.body["retcode"] == "0"


def test_limits_are_checked_when_the_config_is_read():
    with pytest.raises(config.ConfigError, match="limits"):
        config.from_mapping({"limits": {"max_connections": 0}}, "tests")
    with pytest.raises(config.ConfigError, match="limits"):
        config.from_mapping({"limits": {"connections": 5}}, "tests")
    assert config.from_mapping({"limits": {"idle_timeout_seconds": 2.5}}, "tests").limits.idle_timeout_seconds == 2.5
