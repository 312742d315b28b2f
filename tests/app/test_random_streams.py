"""Each face draws from its own seeded random stream (World.rng_for): the ids two faces make up
never repeat each other, and a stream is the same in every process and on every Python."""
from __future__ import annotations

import copy
import os
import subprocess
import sys
import uuid

import pytest

from support.world import TEST_CONFIG
from ccsim import config
from ccsim.core import Match, VirtualClock, World
from ccsim.vendors.huawei.client import HuaweiAgentClient

DESK = {"id": "6001", "skills": ["helpdesk"], "intermedia": {"number": "+442070000001", "email": "chris@example.com"}}


@pytest.fixture
def sim_config() -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"].append(DESK)
    data["queues"].append({"id": "helpdesk", "name": "Helpdesk", "skills": ["helpdesk"], "intermedia": {}})
    data["faces"]["intermedia"] = {"talk_seconds": None}
    return config.from_mapping(data, "tests")


async def test_the_first_huawei_guid_and_the_first_intermedia_callid_differ(sim, wire, admin):
    client = HuaweiAgentClient(wire, sim.urls["huawei"], "291")
    resp = await client.sign_in(phonenum="40038")
    assert resp.body["retcode"] == "0", resp.body
    guid = uuid.UUID(client.guid.split(".", 1)[0])  # "<uuid4>.<node>"
    await admin.inject("helpdesk", caller="+15550100")
    webhook = await sim.journal.wait_for(Match(face="intermedia", kind="webhook"), timeout=30)
    call_id = uuid.UUID(webhook.request["body"]["CallID"])
    assert guid.version == call_id.version == 4
    assert guid != call_id  # both faces drew their first 128 bits from random.Random(seed) before


def test_streams_are_seeded_by_seed_and_name_and_restart_on_reset():
    world = World(VirtualClock(), seed=7)
    first = [world.rng_for(name).getrandbits(64) for name in ("huawei", "intermedia")]
    assert first[0] != first[1]
    assert world.rng_for("huawei").getrandbits(64) != first[0]  # a stream goes on
    world.reset()
    assert [world.rng_for(name).getrandbits(64) for name in ("huawei", "intermedia")] == first
    assert World(VirtualClock(), seed=8).rng_for("huawei").getrandbits(64) != first[0]


def test_a_stream_is_the_same_in_another_process_whatever_its_hash_seed():
    """hash() of a str changes from process to process (PYTHONHASHSEED): a stream must not."""
    code = ("from ccsim.core import VirtualClock, World; "
            "print(World(VirtualClock(), seed=7).rng_for('huawei').getrandbits(64))")
    here = World(VirtualClock(), seed=7).rng_for("huawei").getrandbits(64)
    for hash_seed in ("1", "2"):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": hash_seed})
        assert int(out.stdout) == here
