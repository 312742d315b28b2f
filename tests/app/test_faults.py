"""Faults: a client that hangs up in the middle of a long poll loses no event and is sent none
twice: what the poll would have carried stays queued for the next one. Counted against what the
journal says was delivered."""
from __future__ import annotations

import asyncio
import copy

import aiohttp

from support.world import TEST_CONFIG, make_config
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.core import RealClock
from ccsim.vendors.huawei.client import HuaweiAgentClient
from support.nice import NICE_AGENTS
from support.nice import Client as NiceClient


async def _abandoned_poll(url: str, headers: dict[str, str]) -> None:
    """A poll whose client goes away before anything arrives."""
    async with aiohttp.ClientSession() as session:
        poll = asyncio.create_task(session.get(url, headers=headers))
        await asyncio.sleep(0.3)
        poll.cancel()
    await asyncio.sleep(0.1)


def _delivered(sim: Simulator, face: str, op: str) -> list[str]:
    return [t for e in sim.journal.query() if e.face == face and e.op == op and e.response.get("status") == 200
            for t in e.types]


async def test_huawei_a_poll_abandoned_mid_wait_loses_and_repeats_no_event():
    sim = Simulator(make_config(), RealClock())
    await sim.start()
    try:
        async with WireClient() as wire:
            agent = HuaweiAgentClient(wire, sim.urls["huawei"], "291")
            assert (await agent.sign_in("", autoanswer=False)).body["retcode"] == "0"
            received = [(await agent.next_event())["eventType"] for _ in range(2)]
            await _abandoned_poll(sim.urls["huawei"] + "/agentgateway/resource/agentevent/291", {"Guid": agent.guid})
            sim.world.inject("sales", caller="+15550100")  # while the abandoned poll still waits
            await asyncio.sleep(0.2)
            while (event := await agent.next_event()) is not None:
                received.append(event["eventType"])
                if event["eventType"] == "AgentEvent_Ringing":
                    break
        assert "AgentEvent_Ringing" in received and "AgentState_Busy" in received
        assert received == _delivered(sim, "huawei", "agentevent")  # each once, in order
    finally:
        await sim.stop()


async def test_nice_a_get_next_event_abandoned_mid_wait_loses_and_repeats_no_event():
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += NICE_AGENTS
    data["faces"]["nice"] = {}
    sim = Simulator(config.from_mapping(data, "tests"), RealClock())
    await sim.start()
    try:
        async with WireClient() as wire:
            ada = NiceClient(wire, sim.urls["nice"])
            assert (await ada.sign_in("ada@example.com")).status == 200
            await ada.start()
            received = [e for e in await ada.events()]
            url = f"{ada.api}agent-sessions/{ada.session}/get-next-event?timeout=5"
            bearer = {"Authorization": f"Bearer {ada.token}"}
            await _abandoned_poll(url, bearer)
            assert (await ada.do("state", {"state": "Available"})).status == 202  # the abandoned poll waits on
            received += await ada.events()
            await _abandoned_poll(url, bearer)
            sim.world.inject("sales", caller="+15550100")
            await asyncio.sleep(0.2)
            received += await ada.events()
        labels = [label.split(":")[0] for label in received]
        assert "AgentState" in labels and "CallContactEvent" in labels
        assert labels == _delivered(sim, "nice", "get-next-event")
    finally:
        await sim.stop()
