"""A socket.io event nested deeper than the JSON decoder goes (issue 22, item 9) is a client's
garbage: refused at debug level, as other undecodable packets are, with no traceback in the log,
and the face keeps serving notifications."""
from __future__ import annotations

import logging

import aiohttp
import socketio

from support.xcally import PASSWORD, xcally_config
from ccsim.app import Simulator
from ccsim.contracts.emitted import journal_violations
from ccsim.core import RealClock
from ccsim.fuzz.socketio import SocketInput, send_socketio

DEEP = "[" * 100_000 + "]" * 100_000


async def test_a_deeply_nested_event_is_refused_at_debug_level_and_the_face_keeps_serving(caplog):
    sim = Simulator(xcally_config(), RealClock())
    await sim.start()
    client = socketio.AsyncClient()
    try:
        with caplog.at_level(logging.DEBUG):
            async with aiohttp.ClientSession() as session:
                for transport in ("websocket", "polling"):
                    item = SocketInput(transport, ['40{"apikey":"ccsim-xcally-key","agent":"1"}',
                                                   '42["interaction:accept",' + DEEP + "]"], "deep")
                    await send_socketio(session, sim.urls["xcally"], item, wait=1.0)
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert not errors, [r.getMessage() for r in errors]
        assert not [r for r in caplog.records if r.exc_info and isinstance(r.exc_info[1], RecursionError)]
        refused = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG and "garbage" in r.getMessage()]
        assert any("RecursionError" in m or "recursion" in m for m in refused), refused

        await client.connect(sim.urls["xcally"], auth={"username": "bob_smith", "password": PASSWORD},
                             transports=["websocket"], wait_timeout=5)
        answer = await client.call("interaction:accept", {"channel": "mail", "id": 999}, timeout=5)
        assert answer["ok"] is False and answer["status"] == 404  # an answer in the face's terms
    finally:
        await client.disconnect()
        await sim.stop()
    assert not journal_violations(sim.journal)
