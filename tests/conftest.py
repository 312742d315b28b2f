"""Shared fixtures: an in-process simulator on free ports and a virtual clock, clients that
speak its wire and its admin API, and — after every test — a check of everything the simulator
emitted against contracts/ (no 5xx, no internal error, every response valid). What the tests
share besides fixtures is in support/; a folder's own fixtures are in its conftest.py."""
from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.core import VirtualClock
from support.admin import Admin
from support.problems import simulator_problems
from support.world import make_config

# Every routing pick in the tests (and in the simulators they start) is also made by asking every
# agent, and a difference fails: the world's routing indexes must never change who gets a call.
os.environ.setdefault("CCSIM_VERIFY_ROUTING", "1")


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


@pytest.fixture
async def wire(sim: Simulator) -> AsyncIterator[WireClient]:
    async with WireClient(sim.clock) as client:
        yield client


@pytest.fixture
def admin(sim: Simulator, wire: WireClient) -> Admin:
    return Admin(wire, sim.urls["admin"])

