"""The baselines the benchmarks measure ccsim against, each in its own process:

    bare_servers.py http PORT     aiohttp answering every path with a Huawei-shaped JSON envelope
    bare_servers.py poll PORT     aiohttp holding every GET until POST /push releases one (long polls)
    bare_servers.py stomp PORT    ccsim's STOMP endpoint with an echo consumer and no Finesse logic

Each does the least that the same wire exchange needs, so a ratio against it is what ccsim's own
work costs."""
from __future__ import annotations

import asyncio
import logging
import signal
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import web  # noqa: E402

ENVELOPE = {"message": "", "retcode": "0", "result": {"agentState": 4}}


async def http(port: int) -> web.AppRunner:
    async def answer(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response(ENVELOPE)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    return await _serve(app, port)


async def poll(port: int) -> web.AppRunner:
    """Long polls: each GET waits; each POST /push answers the oldest waiting one with its body."""
    waiting: asyncio.Queue[asyncio.Future] = asyncio.Queue()

    async def hold(request: web.Request) -> web.Response:
        future = asyncio.get_running_loop().create_future()
        waiting.put_nowait(future)
        try:
            body = await asyncio.wait_for(future, 30)
        except TimeoutError:
            body = b'{"message": "", "retcode": "0", "event": null}'
        return web.Response(body=body, content_type="application/json")

    async def push(request: web.Request) -> web.Response:
        body = await request.read()
        while True:
            future = await waiting.get()
            if not future.done():
                future.set_result(body)
                return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/push", push)
    app.router.add_get("/{tail:.*}", hold)
    return await _serve(app, port)


async def _serve(app: web.Application, port: int) -> web.AppRunner:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, backlog=4096).start()
    return runner


async def stomp(port: int):
    from ccsim.core import Journal, RealClock
    from ccsim.vendors.finesse.stomp.broker import StompBroker

    clock = RealClock()
    broker = StompBroker(clock, Journal(clock, capacity=1000), port=port)
    # The reply goes to the topic the command names in its body (as Connect binds a desktop's).
    broker.consume("/queue/Connector1", lambda m: broker.publish("/topic/" + m.body.split(",")[0], m.body))
    await broker.start()
    return broker


async def main(kind: str, port: int) -> None:
    server = await {"http": http, "poll": poll, "stomp": stomp}[kind](port)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await (server.cleanup() if hasattr(server, "cleanup") else server.stop())


if __name__ == "__main__":
    logging.getLogger("aiohttp").setLevel(logging.CRITICAL)  # a client's bad request is not the baseline's business
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
