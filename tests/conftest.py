"""Shared fixtures: an in-process simulator on free ports and a virtual clock, clients that
speak the faces' wire protocols, and — after every test — a check of everything the simulator
emitted against contracts/ (no 5xx, no internal error, every response valid)."""
from __future__ import annotations

import copy
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient, WireResponse
from ccsim.contracts.emitted import journal_violations
from ccsim.contracts.openapi import response_violations
from ccsim.core import VirtualClock
from ccsim.vendors.huawei.client import HuaweiAgentClient

# Every routing pick in the tests (and in the simulators they start) is also made by asking every
# agent, and a difference fails: the world's routing indexes must never change who gets a call.
os.environ.setdefault("CCSIM_VERIFY_ROUTING", "1")

TEST_CONFIG: dict[str, Any] = {
    "seed": 11,
    "port_base": 0,
    "queues": [
        {"id": "sales", "name": "Sales", "skills": ["sales"], "number": "4001", "huawei": {"skill_id": 1}},
        {"id": "support", "name": "Support", "skills": ["support"], "number": "4002", "huawei": {"skill_id": 2}},
    ],
    "agents": [
        {"id": "291", "skills": ["sales", "support"], "huawei": {"password": "", "phone": "40038"}},
        {"id": "292", "skills": ["sales"], "huawei": {"password": "secret", "phone": "40039"}},
        {"id": "293", "skills": ["support"], "huawei": {"password": "secret", "phone": "40040"}},
    ],
    # A long ring timeout, so that polls (10 s holds) in tests never time out a call by accident.
    "faces": {"huawei": {"lock_after_failed_logins": 3, "ring_timeout_seconds": 600}},
}


def make_config(**face_settings: dict[str, Any]) -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    for face, settings in face_settings.items():
        data["faces"].setdefault(face, {}).update(settings)
    return config.from_mapping(data, "tests")


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


@pytest.fixture
def sim_config() -> config.Config:
    return make_config()


@pytest.fixture
async def sim(sim_config: config.Config) -> AsyncIterator[Simulator]:
    simulator = Simulator(sim_config, VirtualClock())
    await simulator.start()
    try:
        yield simulator
    finally:
        await simulator.stop()
    problems = simulator_problems(simulator)
    assert not problems, ("the simulator broke contracts/ (or a timer callback or a face inside routing failed):\n"
                          + "\n".join(problems[:20]))


def simulator_problems(simulator: Simulator) -> list[str]:
    """What the `sim` fixture fails a test for: a journal entry against contracts/ (a 5xx, an
    internal error), a timer callback that raised, a face's exception inside routing."""
    return [*journal_violations(simulator.journal), *simulator.clock.callback_errors, *simulator.world.routing_errors]


@pytest.fixture
async def wire(sim: Simulator) -> AsyncIterator[WireClient]:
    async with WireClient(sim.clock) as client:
        yield client


@pytest.fixture
def admin(sim: Simulator, wire: WireClient) -> Admin:
    return Admin(wire, sim.urls["admin"])


@pytest.fixture
def huawei(sim: Simulator, wire: WireClient) -> Callable[[str], HuaweiAgentClient]:
    def make(agent_id: str) -> HuaweiAgentClient:
        return HuaweiAgentClient(wire, sim.urls["huawei"], agent_id)

    return make


@pytest.fixture
async def agent291(huawei: Callable[[str], HuaweiAgentClient]) -> HuaweiAgentClient:
    """Agent 291 signed in (status 4) with the sign-in events already polled."""
    client = huawei("291")
    resp = await client.sign_in(phonenum="40038", autoanswer=False)
    assert resp.body["retcode"] == "0", resp.body
    assert [e["eventType"] for e in await client.drain()] == ["AgentOther_InService", "AgentState_Ready"]
    return client


def event_types(events: list[dict[str, Any]]) -> list[str]:
    return [e["eventType"] for e in events]
