"""The same calls on the virtual clock with the same seed give the same journal, entry for entry."""
from __future__ import annotations

import asyncio
from typing import Any

from support.world import make_config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.core import VirtualClock
from ccsim.vendors.huawei.client import HuaweiAgentClient


async def agent_loop(client: HuaweiAgentClient, calls: int) -> None:
    """An agent desktop: poll; answer what rings; talk 90 s; release."""
    answered = 0
    while answered < calls:
        event = await client.next_event()
        if event and event["eventType"] == "AgentEvent_Ringing":
            await client.call("answer")
            await client.wire.clock.sleep(90)
            await client.call("release")
            answered += 1


async def run_shift(seed: int) -> list[dict[str, Any]]:
    cfg = make_config()
    cfg.seed = seed
    clock = VirtualClock()
    sim = Simulator(cfg, clock)
    await sim.start()
    try:
        async with WireClient(clock) as wire:
            agents = {a: HuaweiAgentClient(wire, sim.urls["huawei"], a) for a in ("291", "292")}
            await agents["291"].sign_in(autoanswer=False)
            await agents["292"].sign_in(password="secret", autoanswer=False)
            loops = [asyncio.create_task(agent_loop(c, 5)) for c in agents.values()]
            for _ in range(10):
                sim.world.inject("sales")  # caller numbers come from the seeded Faker
                await clock.sleep(45)
            await asyncio.wait_for(asyncio.gather(*loops), 60)  # a wall-clock guard against a hang
        return [e.to_dict() for e in sim.journal.query()]
    finally:
        await sim.stop()


async def test_same_seed_gives_identical_journals():
    first, second = await run_shift(5), await run_shift(5)
    assert len(first) > 50
    assert first == second


async def test_another_seed_gives_other_callers():
    def callers(journal):
        return [e["response"]["body"]["event"]["content"]["caller"] for e in journal if "AgentEvent_Ringing" in e["types"]]

    assert callers(await run_shift(5)) != callers(await run_shift(6))
