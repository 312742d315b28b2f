"""What the HTTP benchmarks here measure against, and how: a bare aiohttp handler answering a
fixed JSON body in the same process and run, rates timed after a warm-up, and the figures
reported as ratios to that baseline."""
from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ccsim.serving.listeners import serve_app


async def serve_baseline(body: Any) -> tuple[web.AppRunner, str]:
    """A bare aiohttp server answering `body` at GET /x: the runner (to clean up) and the URL."""
    app = web.Application()
    app.router.add_get("/x", lambda request: web.json_response(body))
    runner, url = await serve_app(app, "127.0.0.1", 0)
    return runner, url + "/x"


async def timed(n: int, one: Callable[[], Awaitable[Any]], warmup: int = 50) -> float:
    """Calls of `one` per second over `n` calls, after `warmup` calls not counted."""
    for _ in range(warmup):
        await one()
    start = time.perf_counter()
    for _ in range(n):
        await one()
    return n / (time.perf_counter() - start)


def ratios(rates: dict[str, float]) -> dict[str, dict[str, float]]:
    """The figures as JSON: rates, and each against rates["baseline"]."""
    return {"requests_per_second": {k: round(v) for k, v in rates.items()},
            "ratio_to_baseline": {k: round(v / rates["baseline"], 3) for k, v in rates.items() if k != "baseline"}}


def print_rates(rates: dict[str, float]) -> None:
    print(f"{'':<22}{'req/s':>10}{'x baseline':>12}")
    for name, rate in rates.items():
        ratio = "" if name == "baseline" else f"{rate / rates['baseline']:.3f}"
        print(f"{name:<22}{rate:>10.0f}{ratio:>12}")
