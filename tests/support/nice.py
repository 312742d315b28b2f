"""The NICE CXone face in tests: its agents beside the test world's, and a CXone client (MAX, or
the Media Bar) over the real wire."""
from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from ccsim import config
from support.world import TEST_CONFIG

NICE_AGENTS = [
    {"id": "7001", "skills": ["sales"], "nice": {"username": "ada@example.com", "password": "pw"}},
    {"id": "7002", "skills": ["sales"], "nice": {"username": "alan@example.com", "password": "pw"}},
    {"id": "7003", "skills": ["sales"], "nice": {"username": "grace@example.com", "password": "pw", "auto_accept": True}},
]


def nice_config() -> config.Config:
    """The test world with the NICE agents beside the Huawei ones (tests/vendors/nice/conftest.py)."""
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += NICE_AGENTS
    data["faces"]["nice"] = {}
    return config.from_mapping(data, "tests")


class Client:
    """A CXone client (MAX, or the Media Bar as a trusted client) over HTTP."""

    def __init__(self, wire, base: str):
        self.wire, self.base = wire, base
        self.token = self.api = self.session = None

    async def sign_in(self, username: str, password: str | None = "pw", bar: bool = False):
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if bar:
            headers["Authorization"] = "basic " + base64.b64encode(b"MediaBar@OpenMethods:4593144").decode()
        form = f"grant_type=password&username={username}" + (f"&password={password}" if password is not None else "")
        resp = await self.wire.request("POST", self.base + "/InContactAuthorizationServer/Token", data=form, headers=headers)
        if resp.status == 200:
            self.token = resp.body["access_token"]
            self.api = resp.body["resource_server_base_uri"] + "services/v23.0/"
        return resp

    async def call(self, method: str, path: str, params: dict[str, Any] | None = None, **kw):
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "text/plain;charset=UTF-8", **kw}
        return await self.wire.request(method, self.api + path, data=json.dumps(params) if params else None,
                                       headers=headers)

    async def start(self, **params):
        resp = await self.call("POST", "agent-sessions", params or {"stationPhoneNumber": "WebRTC"})
        assert resp.status == 202, resp.body
        self.session = resp.body["sessionId"]
        return resp

    async def join(self):
        resp = await self.call("POST", "agent-sessions/join", {})
        if resp.status == 202:
            self.session = resp.body["sessionId"]
        return resp

    async def do(self, path: str, params: dict[str, Any] | None = None, method: str = "POST"):
        return await self.call(method, f"agent-sessions/{self.session}/{path}" if path else
                               f"agent-sessions/{self.session}", params)

    async def poll(self, timeout: int = 0):
        return await self.call("GET", f"agent-sessions/{self.session}/get-next-event?timeout={timeout}")

    async def events(self, timeout: int = 0) -> list[str]:
        """Poll until a poll holds `timeout` seconds with nothing new (304); the events as
        Type:Detail labels. Stops at 409 (the session is over)."""
        details = {"AgentState": "CurrentState", "AgentLeg": "Status", "CallContactEvent": "Status",
                   "RemoteAgentSessionEnd": "Message"}
        labels: list[str] = []
        while True:
            resp = await self.poll(timeout)
            assert resp.status in (200, 304, 409), resp.body
            if resp.status != 200:
                return labels
            labels += [e["Type"] + (f":{e[details[e['Type']]]}" if e["Type"] in details else "")
                       for e in resp.body["events"]]

    def contact(self, sim, agent: str = "7001") -> str:
        return next(iter(sim.faces["nice"].sessions[agent].contacts))


@pytest.fixture
def client(sim, wire):
    def make() -> Client:
        return Client(wire, sim.urls["nice"])

    return make


async def signed_in(client, username="ada@example.com", available=True) -> Client:
    c = client()
    assert (await c.sign_in(username)).status == 200
    await c.start()
    assert await c.events() == ["AgentSessionStart", "AgentState:Unavailable"]
    if available:
        assert (await c.do("state", {"state": "Available"})).status == 202
        assert await c.events() == ["AgentState:Available"]
    return c
