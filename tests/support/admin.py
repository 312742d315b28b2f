"""The admin API over HTTP, each answer checked against contracts/admin/openapi.json."""
from __future__ import annotations

from typing import Any

from ccsim.clients.wire import WireClient, WireResponse
from ccsim.contracts.openapi import response_violations

JSON_TYPE = {"Content-Type": "application/json"}  # what the admin API wants, with a body or not (control/guard.py)


class Admin:
    """The admin API, over HTTP."""

    def __init__(self, wire: WireClient, url: str):
        self.wire, self.url = wire, url + "/_ccsim"

    async def get(self, route: str, **params: Any) -> WireResponse:
        resp = await self.wire.request("GET", self.url + route, params={k: str(v) for k, v in params.items()})
        return self._checked("GET", route, resp)

    async def post(self, path: str, body: Any = None, *, raw: bytes | None = None) -> WireResponse:
        if raw is not None:
            resp = await self.wire.request("POST", self.url + path, data=raw, headers=JSON_TYPE)
        else:
            resp = await self.wire.request("POST", self.url + path, json_body=body, headers=JSON_TYPE)
        return self._checked("POST", path, resp)

    @staticmethod
    def _checked(method: str, path: str, resp: WireResponse) -> WireResponse:
        """Every admin answer must match contracts/admin/openapi.json."""
        problems = response_violations("admin/openapi.json", method, "/_ccsim" + path, resp.status, resp.body)
        assert not problems, problems
        return resp

    async def inject(self, queue: str = "sales", **fields: Any) -> dict[str, Any]:
        resp = await self.post("/contacts", {"queue": queue, **fields})
        assert resp.status == 201, resp.body
        return resp.body

    async def hangup(self, contact_id: str) -> WireResponse:
        return await self.post(f"/contacts/{contact_id}/hangup")

    async def agent(self, agent_id: str) -> dict[str, Any]:
        resp = await self.get(f"/agents/{agent_id}")
        assert resp.status == 200, resp.body
        return resp.body
