"""What the official CXone agent SDK reads at start-up besides the Agent API (reference §5.2), served
by the NICE face: GET …/business-unit and GET …/agents/{agentId}/indicators (issue 21: both
answered 404, an unhandled rejection in the SDK)."""
from __future__ import annotations

import copy

import pytest

from support.world import TEST_CONFIG
from ccsim import config, contracts
from support.nice import NICE_AGENTS, Client


@pytest.fixture
def sim_config():
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += NICE_AGENTS
    data["faces"]["nice"] = {"business_unit_name": "Acme Care"}
    return config.from_mapping(data, "tests")


async def test_the_business_unit_and_the_agents_indicators(sim, wire):
    c = Client(wire, sim.urls["nice"])
    await c.sign_in("ada@example.com")
    resp = await c.call("GET", "business-unit")
    assert resp.status == 200, resp.body
    unit = resp.body["businessUnits"][0]  # the body's shape: contracts/nice, checked after the test
    assert (unit["businessUnitId"], unit["businessUnitName"]) == (4593144, "Acme Care")
    assert unit["phoneTimeout"] == 45 and isinstance(unit["isMultiContactHandling"], bool)
    resp = await c.call("GET", "agents/7001/indicators")
    assert (resp.status, resp.body) == (200, {"indicators": []})
    for agent, status in [("7002", 403), ("undefined", 400), ("²", 400)]:
        resp = await c.call("GET", f"agents/{agent}/indicators")
        assert resp.status == status, (agent, resp.body)
    bar = Client(wire, sim.urls["nice"])
    await bar.sign_in("ada@example.com", None, bar=True)
    assert (await bar.call("GET", "business-unit")).status == 200
    c.token = "forged"
    assert (await c.call("GET", "business-unit")).status == 401


BAD_BODIES = [
    ("get-business-unit", {"businessUnits": []}),
    ("get-business-unit", {"businessUnits": [{"businessUnitId": "4593144"}]}),
    ("get-agent-indicators", {}),
    ("get-agent-indicators", {"indicators": [{"indicatorName": "x", "senderContactId": 0, "imageFile": "",
                                              "actionType": "", "action": "", "toolTip": "", "enable": "True"}]}),
]


@pytest.mark.parametrize("op,body", BAD_BODIES)
def test_wrong_bodies_fail_their_contracts(op, body):
    response = {"status": 200, "headers": {"Content-Type": "application/json; charset=utf-8"}, "body": body}
    assert contracts.errors(f"nice/responses/{op}.schema.json", response)
