"""Huawei agents over the wire, as fixtures: the conftest of each folder whose tests use them
imports them (`from support.huawei import agent291, huawei`)."""
from __future__ import annotations

from collections.abc import Callable

import pytest

from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.vendors.huawei.client import HuaweiAgentClient


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
