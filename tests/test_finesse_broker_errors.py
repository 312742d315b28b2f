"""The external-broker connection says why it cannot connect, once: an unresolvable broker name
is a DNS error (the compose file before its broker is up), not "connection refused", and
stomp.py's own warning is not repeated at every retry (issue 23)."""
from __future__ import annotations

import asyncio
import logging
import socket

import pytest

from ccsim.core import RealClock
from ccsim.vendors.finesse.activemq import ActiveMqTransport


def closed_port() -> int:
    """A port nothing listens on: connecting is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def retried(host: str, port: int, caplog) -> tuple[ActiveMqTransport, list[logging.LogRecord]]:
    """The transport left trying for a few attempts; what was logged at WARNING or above."""
    caplog.set_level(logging.DEBUG)
    transport = ActiveMqTransport(RealClock(), host=host, port=port, reconnect_initial=0.05, reconnect_max=0.1,
                                  connect_timeout=2.0)
    await transport.start()
    try:
        for _ in range(200):
            if transport.failed_attempts >= 4:
                break
            await asyncio.sleep(0.05)
    finally:
        await transport.stop()
    assert transport.failed_attempts >= 4 and not transport.connected
    return transport, [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("host, port, cause", [
    ("ccsim-no-such-broker.invalid", 61613, "the broker's name 'ccsim-no-such-broker.invalid' does not resolve"),
    ("127.0.0.1", closed_port(), "cannot connect: [Errno 111] Connection refused"),
])
async def test_a_broker_that_cannot_be_reached_is_one_warning_with_its_cause(host, port, cause, caplog):
    _, warnings = await retried(host, port, caplog)
    lines = [r.getMessage() for r in warnings]
    assert len(lines) == 1, lines  # not one per retry
    assert lines[0].startswith(f"finesse/activemq: cannot reach stomp://{host}:{port}") and cause in lines[0], lines
    if "resolve" in cause:
        assert "refused" not in lines[0]


def test_other_users_of_stomp_py_keep_its_warning(caplog):
    """Only ccsim's own connection attempts are quietened."""
    logging.getLogger("stomp.py").warning("could not connect to host %s, port %s: %s", "h", 1, "refused")
    assert any("could not connect to host h" in r.getMessage() for r in caplog.records)
