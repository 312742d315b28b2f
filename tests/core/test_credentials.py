"""Credentials ccsim hands out (issue 22, item 10; ccsim/core/credentials.py): CXone access and
refresh tokens and Huawei GUIDs are the same for a given seed, run after run, and none can be
guessed from another (they were counters, `ccsim-1001001`, and Mersenne Twister output)."""
from __future__ import annotations

import base64
import copy
import random
import re
import uuid
from itertools import combinations, pairwise

from support.world import TEST_CONFIG
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.core import VirtualClock
from ccsim.core.credentials import CredentialStream
from ccsim.vendors.huawei.client import HuaweiAgentClient
from support.nice import NICE_AGENTS

TOKEN_FORM = "grant_type=password&username=ada@example.com&password=pw"


def _config(seed: int) -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    data["seed"] = seed
    data["agents"] += NICE_AGENTS
    data["faces"]["nice"] = {}
    return config.from_mapping(data, "tests")


async def _issued(seed: int, signs_in: int = 6) -> tuple[list[str], list[str]]:
    """The tokens (access, refresh, ...) and the Huawei GUIDs a fresh simulator gives, in order."""
    sim = Simulator(_config(seed), VirtualClock())
    await sim.start()
    tokens, guids = [], []
    try:
        async with WireClient(sim.clock) as wire:
            for _ in range(signs_in):
                resp = await wire.request("POST", sim.urls["nice"] + "/InContactAuthorizationServer/Token",
                                          data=TOKEN_FORM, headers={"Content-Type": "application/x-www-form-urlencoded"})
                assert resp.status == 200, resp.body
                tokens += [resp.body["access_token"], resp.body["refresh_token"]]
                agent = HuaweiAgentClient(wire, sim.urls["huawei"], "291")
                assert (await agent.sign_in()).body["retcode"] == "0"
                guids.append(agent.guid)
                assert (await agent.call("logout")).body["retcode"] == "0"
    finally:
        await sim.stop()
    return tokens, guids


async def test_the_same_seed_gives_the_same_credentials_and_another_seed_others():
    first, again, other = await _issued(7), await _issued(7), await _issued(8)
    assert first == again
    assert not set(first[0]) & set(other[0]) and not set(first[1]) & set(other[1])


async def test_tokens_are_256_random_bits_that_share_no_structure():
    tokens, _ = await _issued(7)
    assert len(set(tokens)) == len(tokens)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", t) for t in tokens), tokens  # base64url, not "ccsim-1001001"
    raw = [base64.urlsafe_b64decode(t + "=") for t in tokens]
    assert all(len(r) == 32 for r in raw)  # 256 bits each
    for a, b in combinations(tokens, 2):  # no common prefix or suffix a counter would leave
        assert a[:4] != b[:4] and a[-4:] != b[-4:], (a, b)
    for a, b in pairwise(raw):  # consecutive ones differ in about half their bits
        differing = bin(int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).count("1")
        assert 80 < differing < 176, differing
    numbers = [int.from_bytes(r, "big") for r in raw]
    assert {b - a for a, b in pairwise(numbers)} != {numbers[1] - numbers[0]}  # no constant step


async def test_guids_are_random_uuids_not_the_seeded_mersenne_twister():
    _, guids = await _issued(7)
    uuids = [uuid.UUID(g.split(".")[0]) for g in guids]
    assert all(u.version == 4 and g.endswith(".AgentGateway0") for u, g in zip(uuids, guids))
    assert len(set(uuids)) == len(uuids)
    twister = random.Random(7)  # what they were: a few hundred GUIDs give its whole state away
    assert not {uuid.UUID(int=twister.getrandbits(128), version=4) for _ in range(50)} & set(uuids)


async def test_a_reset_starts_the_same_credentials_again(sim, wire):
    agent = HuaweiAgentClient(wire, sim.urls["huawei"], "291")
    await agent.sign_in()
    first = agent.guid
    await agent.call("logout")
    await agent.sign_in()
    assert agent.guid != first
    sim.reset()
    await agent.sign_in()
    assert agent.guid == first


def test_a_stream_is_its_seed_and_name():
    draws = [CredentialStream(7, "x").draw() for _ in range(2)]
    assert draws[0] == draws[1] and len(draws[0]) == 32
    stream = CredentialStream(7, "x")
    assert [stream.draw() for _ in range(3)][0] == draws[0]
    assert CredentialStream(7, "y").draw() != draws[0] and CredentialStream(8, "x").draw() != draws[0]
    assert uuid.UUID(CredentialStream(7, "x").uuid4()).version == 4
