"""Seed 004 makes `Content-Type: application/json; charset=UTF-8` mandatory. With
`require_content_type` (the default) an operation that takes a JSON body answers a missing or
non-JSON Content-Type with HTTP 415 and the 000-002 envelope, before it runs; operations without
a body take any Content-Type or none. With the setting off, anything goes (the old tolerance).
The conftest fixture checks every answer against contracts/huawei (the 415 included)."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator

import aiohttp
import pytest

from support.world import make_config
from ccsim.app import Simulator
from ccsim.clients.wire import WireResponse
from ccsim.core.clock import IN_PROCESS_HEADER
from ccsim.vendors.huawei.client import BASE, HuaweiAgentClient

NOT_JSON = [None, "text/plain", "application/x-www-form-urlencoded", "text/json", "application/jsonp"]
JSON = ["application/json", "application/json;charset=UTF-8", "Application/JSON; charset=utf-8"]
TOLERANT = make_config(huawei={"require_content_type": False})


class Raw:
    """Requests with exactly the Content-Type given, or none at all: the agent client always sends
    JSON's, and aiohttp would add text/plain or application/octet-stream to a body by itself."""

    def __init__(self, sim: Simulator, session: aiohttp.ClientSession):
        self.sim, self.session = sim, session

    async def send(self, method: str, path: str, body: str | None, content_type: str | None,
                   guid: str | None = None) -> WireResponse:
        headers = {IN_PROCESS_HEADER: "1", **({"Content-Type": content_type} if content_type else {}),
                   **({"Guid": guid} if guid else {})}
        with self.sim.clock.activity():  # in flight: the virtual clock waits for the answer
            async with self.session.request(method, self.sim.urls["huawei"] + BASE + path, headers=headers,
                                            data=None if body is None else body.encode()) as resp:
                raw = await resp.read()
        return WireResponse(resp.status, dict(resp.headers), json.loads(raw) if raw else None, raw)


@pytest.fixture
async def raw(sim: Simulator) -> AsyncIterator[Raw]:
    async with aiohttp.ClientSession(skip_auto_headers=("User-Agent", "Content-Type")) as session:
        yield Raw(sim, session)


def refused(resp: WireResponse) -> bool:
    return resp.status == 415 and isinstance(resp.body, dict) and resp.body["retcode"] == "000-002" \
        and "Content-Type" in resp.body["message"] and resp.header("Set-GUID") is None


@pytest.mark.parametrize("content_type", NOT_JSON)
async def test_loginex_without_json_content_type_gets_415_and_signs_nobody_in(sim, raw, admin, content_type):
    resp = await raw.send("PUT", "onlineagent/291/loginex", '{"password": ""}', content_type)
    assert refused(resp), (resp.status, resp.body)
    assert resp.header("Content-Type").startswith("application/json")
    sent = next(e.request["headers"] for e in sim.journal.query() if e.op == "loginex")
    assert {k.lower(): v for k, v in sent.items()}.get("content-type") == content_type  # exactly what was sent
    assert (await admin.agent("291"))["presence"] == "offline"
    assert sim.faces["huawei"].gateway.sessions == {}


async def test_a_refused_sign_in_counts_no_wrong_password(sim, raw, huawei):
    for _ in range(5):  # beyond the configured lock (3): the check comes before the operation
        assert refused(await raw.send("PUT", "onlineagent/292/loginex", '{"password": "x"}',
                                  "text/plain"))
    assert (await huawei("292").sign_in(password="secret")).body["retcode"] == "0"


@pytest.mark.parametrize("content_type", JSON)
async def test_loginex_with_a_json_content_type_in_any_spelling_signs_in(sim, raw, content_type):
    resp = await raw.send("PUT", "onlineagent/291/loginex", '{"password": ""}', content_type)
    assert resp.status == 200 and resp.body["retcode"] == "0"


async def callout(raw: Raw, agent: HuaweiAgentClient, content_type: str | None) -> WireResponse:
    return await raw.send("PUT", "voicecall/291/callout", '{"called": "5551234"}', content_type, guid=agent.guid)


@pytest.mark.parametrize("content_type", [None, "text/plain"])
async def test_callout_without_json_content_type_gets_415_and_places_no_call(sim, raw, agent291, content_type):
    assert refused(await callout(raw, agent291, content_type))
    assert sim.world.contacts == {}
    resp = await callout(raw, agent291, "application/json; charset=UTF-8")
    assert resp.body["retcode"] == "0" and resp.body["result"]


async def test_transfer_without_json_content_type_gets_415(sim, raw, agent291):
    resp = await raw.send("POST", "voicecall/291/transfer", '{"devicetype": 2, "address": "292"}',
                      "text/plain", guid=agent291.guid)
    assert refused(resp)


@pytest.mark.parametrize("content_type", [None, "text/plain"])
async def test_operations_without_a_body_take_any_content_type(sim, raw, agent291, content_type):
    guid = agent291.guid
    status = await raw.send("GET", "onlineagent/291/agentstatus", None, content_type, guid)
    assert status.status == 200 and status.body["result"]["agentState"] == 4
    busy = await raw.send("POST", "onlineagent/291/saybusy", None, content_type, guid)
    assert busy.status == 200 and busy.body["retcode"] == "0"
    poll = await raw.send("GET", "agentevent/291", None, content_type, guid)
    assert poll.status == 200 and poll.body["event"]["eventType"] == "AgentState_SetNotReady_Success"
    logout = await raw.send("DELETE", "onlineagent/291/logout", None, content_type, guid)
    assert logout.status == 200 and logout.body["retcode"] == "0"


@pytest.mark.parametrize("sim_config", [TOLERANT])
@pytest.mark.parametrize("content_type", [None, "text/plain"])
async def test_with_the_setting_off_any_content_type_is_taken(sim, raw, huawei, content_type):
    resp = await raw.send("PUT", "onlineagent/291/loginex", '{"password": ""}', content_type)
    assert resp.status == 200 and resp.body["retcode"] == "0"
    agent = huawei("291")
    agent.guid = resp.header("Set-GUID").split("=", 1)[1]
    await agent.drain()
    called = await callout(raw, agent, content_type)
    assert called.status == 200 and called.body["retcode"] == "0"
