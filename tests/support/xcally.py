"""The XCALLY face in tests: a configuration with XCALLY agents and queues, and the REST API
as an administrator or as an agent (over the real wire)."""
from __future__ import annotations

import base64
import copy
from typing import Any

from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient, WireResponse
from support.world import TEST_CONFIG

PASSWORD = "Passw0rd!"
XCALLY_AGENTS = [
    {"id": "ada", "xcally": {"name": "ada.lovelace", "password": PASSWORD, "chatCapacity": 1, "chatAutoanswer": True,
                             "chatAutoanswerDelay": 5, "phoneBarRemoteControl": True}},
    {"id": "bob", "xcally": {"name": "bob_smith", "password": PASSWORD}},
]
XCALLY_QUEUES = [
    {"id": "front", "name": "Front", "channel": "chat", "timeout": 30, "overflow": "back",
     "xcally": {"members": ["ada"]}},
    {"id": "back", "name": "Back", "channel": "chat", "xcally": {"members": ["ada"]}},
    {"id": "desk", "name": "Desk", "channel": "mail", "xcally": {"members": ["ada", "bob"]}},
    {"id": "lines", "name": "Lines", "channel": "voice", "xcally": {"members": ["ada"]}},
]


def xcally_config(**settings: Any) -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += XCALLY_AGENTS
    data["queues"] += XCALLY_QUEUES
    data["faces"]["xcally"] = {"tab_limit": 2, **settings}
    return config.from_mapping(data, "tests")


class Motion:
    """The REST API as an administrator (?apikey=) or, with `as_agent`, as one agent."""

    def __init__(self, wire: WireClient, sim: Simulator):
        self.wire, self.sim, self.base = wire, sim, sim.urls["xcally"] + "/api"

    async def call(self, method: str, path: str, body: Any = None, *, as_agent: str | None = None,
                   raw: bytes | None = None, **query: Any) -> WireResponse:
        headers = None
        if as_agent is None:
            query["apikey"] = "ccsim-xcally-key"
        else:
            headers = {"Authorization": "Basic " + base64.b64encode(f"{as_agent}:{PASSWORD}".encode()).decode()}
        return await self.wire.request(method, self.base + path, json_body=body, data=raw, headers=headers,
                                       params={k: str(v) for k, v in query.items()})

    async def ok(self, method: str, path: str, body: Any = None, status: int = 200, **kw: Any) -> Any:
        resp = await self.call(method, path, body, **kw)
        assert resp.status == status, (resp.status, resp.body)
        return resp.body

    async def user(self, name: str) -> dict[str, Any]:
        return (await self.ok("GET", "/users", name=name))["rows"][0]

    async def login(self, name: str) -> int:
        user = await self.user(name)
        await self.ok("POST", f"/users/{user['id']}/login", {}, as_agent=name)
        return user["id"]

    async def interaction(self, channel: str, caller: str) -> dict[str, Any]:
        return (await self.ok("GET", f"/{channel}/interactions", contact=caller))["rows"][0]

    async def report(self, channel: str, interaction_id: int) -> list[tuple[str, str | None, int | None]]:
        rows = (await self.ok("GET", f"/reports/{channel}/queue", interactionId=interaction_id, sort="id"))["rows"]
        return [(r["queue"], r["reason"], r["UserId"]) for r in rows]


def pushed(sim: Simulator, agent: str) -> list[str]:
    """What the agent's socket.io client was sent, as `event:channel`."""
    return [f"{e.op}:{e.response['body']['channel']}" for e in sim.journal.query()
            if e.face == "xcally" and e.kind == "socketio" and e.agent == agent and "event" in e.response]
