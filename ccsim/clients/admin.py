"""An async client of the admin API, over HTTP (used by the scenario runner and the tests)."""
from __future__ import annotations

import os
from typing import Any

from .wire import WireClient, WireResponse

# The longest wait the admin API holds a journal wait (GET /_ccsim/journal/wait?timeout=) for.
MAX_WAIT_SECONDS = 300.0


class AdminError(Exception):
    pass


class AdminClient:
    def __init__(self, wire: WireClient, base_url: str, token: str | None = None):
        self.wire = wire
        self.url = base_url.rstrip("/") + "/_ccsim"
        token = token or os.environ.get("CCSIM_ADMIN_TOKEN")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def request(self, method: str, route: str, body: Any = None, **params: Any) -> WireResponse:
        query = {k: str(v) for k, v in params.items() if v is not None}
        headers = dict(self.headers)
        if method != "GET":  # the admin API takes JSON only; aiohttp would call an empty body octet-stream
            headers["Content-Type"] = "application/json"
        return await self.wire.request(method, self.url + route, json_body=body, params=query or None,
                                       headers=headers)

    async def _json(self, method: str, route: str, body: Any = None, **params: Any) -> Any:
        resp = await self.request(method, route, body, **params)
        if resp.status >= 400:
            message = resp.body.get("error") if isinstance(resp.body, dict) else resp.body
            raise AdminError(f"{method} {route}: HTTP {resp.status}: {message}")
        return resp.body

    async def health(self) -> dict[str, Any]:
        return await self._json("GET", "/health")

    async def config(self) -> dict[str, Any]:
        return await self._json("GET", "/config")

    async def state(self) -> dict[str, Any]:
        return await self._json("GET", "/state")

    async def agent(self, agent_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/agents/{agent_id}")

    async def contact(self, contact_id: str) -> dict[str, Any]:
        return await self._json("GET", f"/contacts/{contact_id}")

    async def inject(self, queue: str | None = None, **fields: Any) -> dict[str, Any]:
        """A contact arrives in `queue`, or with `agent=` is dialled straight to that agent."""
        body = {"queue": queue, **fields}
        return await self._json("POST", "/contacts", {k: v for k, v in body.items() if v is not None})

    async def contact_action(self, contact_id: str, verb: str) -> dict[str, Any]:
        return await self._json("POST", f"/contacts/{contact_id}/{verb}")

    async def reset(self) -> None:
        await self._json("POST", "/reset")

    async def journal(self, since: int = 0, limit: int | None = None, *, secrets: bool = False,
                      **match: Any) -> dict[str, Any]:
        """The journal; passwords and tokens masked unless `secrets` (what a conformance check judges)."""
        return await self._json("GET", "/journal", since=since, limit=limit, secrets="show" if secrets else None,
                                **match)

    async def journal_wait(self, timeout: float, since: int = 0, **match: Any) -> dict[str, Any] | None:
        body = await self._json("GET", "/journal/wait", since=since, timeout=timeout, **match)
        return body["entry"] if body["matched"] else None
