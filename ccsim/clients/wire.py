"""An HTTP client for driving faces over the real wire from inside the simulator's process
(tests, scenario steps). Each request is declared to the clock as in flight, so a virtual
clock never jumps while a request or its response is on the way."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aiohttp

from ..core.clock import IN_PROCESS_HEADER, Clock


@dataclass
class WireResponse:
    status: int
    headers: dict[str, str]
    body: Any  # parsed JSON, else text, else None
    raw: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


class WireClient:
    def __init__(self, clock: Clock | None = None, *, timeout: float = 120.0):
        self.clock = clock
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> "WireClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(self, method: str, url: str, *, json_body: Any = None, data: bytes | str | None = None,
                      headers: dict[str, str] | None = None, params: dict[str, str] | None = None) -> WireResponse:
        if self._session is None:
            # No pool limit: every agent's long poll holds a connection. With aiohttp's default of
            # 100, the 101st request would wait for a free one while counted as in flight, and a
            # virtual clock would stand still until the timeout.
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=self._timeout,
                                                  skip_auto_headers=("User-Agent",))
        headers = dict(headers or {})
        if json_body is not None:
            data = json.dumps(json_body)
            headers.setdefault("Content-Type", "application/json; charset=UTF-8")
        if self.clock is not None:
            headers[IN_PROCESS_HEADER] = "1"
            with self.clock.activity():
                return await self._send(method, url, data, headers, params)
        return await self._send(method, url, data, headers, params)

    async def _send(self, method: str, url: str, data: Any, headers: dict[str, str], params: Any) -> WireResponse:
        assert self._session is not None
        async with self._session.request(method, url, data=data, headers=headers, params=params) as resp:
            raw = await resp.read()
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode("utf-8", errors="replace")
            return WireResponse(resp.status, dict(resp.headers), body, raw)
