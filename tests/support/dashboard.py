"""Reading the dashboard's stream in tests, each message checked against its contract."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from jsonschema import Draft202012Validator

from ccsim import contracts
from ccsim.contracts.openapi import CONTRACTS_URI

# One event of the stream as contracts/admin/openapi.json describes it: {event, data, ...}, as an
# event-stream parser (and Schemathesis) gives it; its data is JSON of the message schema.
STREAM_EVENT = contracts.load("admin/openapi.json")["paths"]["/_ccsim/ui/stream"]["get"]["responses"]["200"][
    "content"]["text/event-stream"]["schema"]


def stream_event_problems(event: dict[str, Any]) -> list[str]:
    validator = Draft202012Validator(STREAM_EVENT, registry=contracts.registry())
    problems = [f"event: {e.message}" for e in validator.iter_errors(event)]
    data_schema = STREAM_EVENT.get("properties", {}).get("data", {}).get("contentSchema", {}).get("$ref", "")
    if not problems and data_schema.startswith(CONTRACTS_URI):
        problems += contracts.errors(data_schema.removeprefix(CONTRACTS_URI), json.loads(event["data"]))
    return problems


class Stream:
    """GET /_ccsim/ui/stream with a plain aiohttp client: a test's reader must not stand for a
    request in flight of the virtual clock (the page never does)."""

    def __init__(self, admin_url: str, token: str | None = None):
        self.url = admin_url + "/_ccsim/ui/stream" + (f"?access_token={token}" if token else "")
        self.session: aiohttp.ClientSession | None = None
        self.response: aiohttp.ClientResponse | None = None

    async def __aenter__(self) -> "Stream":
        self.session = aiohttp.ClientSession()
        self.response = await self.session.get(self.url)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self.session is not None
        if self.response is not None:
            self.response.close()
        await self.session.close()

    async def next(self, timeout: float = 5.0) -> tuple[str, dict[str, Any]]:
        assert self.response is not None and self.response.status == 200, self.response
        event, data, raw = None, None, ""
        while True:
            line = (await asyncio.wait_for(self.response.content.readline(), timeout)).decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: "):
                raw = line[len("data: "):]
                data = json.loads(raw)
            elif line == "" and event is not None:
                problems = contracts.errors("admin/dashboard-message.schema.json", data)
                problems += stream_event_problems({"event": event, "data": raw})
                assert not problems, (event, problems)
                assert ("journal" in data and "history" in data) == (event == "hello"), event
                return event, data

    async def until(self, predicate, timeout: float = 5.0) -> dict[str, Any]:
        """The first update whose state satisfies `predicate`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            _, data = await self.next(max(0.01, deadline - loop.time()))
            if "state" in data and predicate(data["state"]):
                return data


def agent_in(state: dict[str, Any], agent_id: str) -> dict[str, Any]:
    return next(a for a in state["agents"] if a["id"] == agent_id)
