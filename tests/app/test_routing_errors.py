"""A face's exception inside routing (its policy's `eligible` or `offer`) never escapes `route()`
nor stops a routing pass: the contact waits in its queue again, the pass goes on with the other
contacts and agents, and the error is kept in `world.routing_errors`, which the suite's `sim`
fixture, `ccsim run` and `ccsim load` report (issue 21: a NICE error made POST /_ccsim/contacts
answer 500 and left the contact offered)."""
from __future__ import annotations

import asyncio
from unittest import mock

import pytest

from support.problems import simulator_problems
from ccsim.core import Agent, ContactState, Queue, VirtualClock, World
from ccsim.core.routing_errors import KEPT, RoutingErrors
from ccsim.scenario import loader
from ccsim.scenario.runner import run_scenario
from ccsim import registry
from ccsim.vendors.huawei.face import HuaweiFace


class Toy:
    """Idle agents with nothing in hand take a contact, which connects at once; the agents in
    `bad_offer` and `bad_eligible` raise there (after re-entering routing, with `half_way`)."""

    def __init__(self, world: World, *, bad_offer=(), bad_eligible=(), half_way=False, voice_needs_idle=False):
        self.world, self.half_way, self.voice_needs_idle = world, half_way, voice_needs_idle
        self.bad_offer, self.bad_eligible = set(bad_offer), set(bad_eligible)
        self.offers: list[tuple[str, str]] = []

    def eligible(self, agent, contact):
        if agent.id in self.bad_eligible:
            raise RuntimeError(f"eligible bug for {agent.id}")
        return agent.presence == "idle" and not agent.contacts

    def offer(self, agent, contact):
        if agent.id in self.bad_offer:
            if self.half_way:
                self.world.set_presence(agent.id, "ringing")  # re-enters route() before failing
            raise RuntimeError(f"offer bug for {agent.id}")
        self.offers.append((agent.id, contact.id))
        self.world.connect(contact.id)
        self.world.set_presence(agent.id, "talking")


def make_world(clock: VirtualClock, agents: dict[str, set[str]], **toy) -> tuple[World, Toy]:
    world = World(clock, seed=1)
    world.add_queue(Queue("sales", "Sales", skills={"sales"}))
    world.add_queue(Queue("support", "Support", skills={"support"}))
    for agent_id, skills in agents.items():
        world.add_agent(Agent(agent_id, agent_id, skills=skills))
    policy = Toy(world, **toy)
    world.register_policy("toy", policy)
    return world, policy


def ready(world: World, clock: VirtualClock, *agent_ids: str) -> None:
    for agent_id in agent_ids:  # in this order: the first has been idle the longest
        world.sign_in(agent_id, "toy")
        world.set_presence(agent_id, "idle")
        clock.advance(1)


INDEXED = pytest.mark.parametrize("indexed", [False, True], ids=["every agent asked", "idle index"])


@INDEXED
def test_an_offer_that_raises_puts_the_contact_back_and_another_agent_gets_it(indexed):
    clock = VirtualClock()
    world, toy = make_world(clock, {"a1": {"sales"}, "a2": {"sales"}}, bad_offer={"a1"}, voice_needs_idle=indexed)
    ready(world, clock, "a1", "a2")
    contact = world.inject("sales")  # a1 is idle the longest: its face raises
    assert toy.offers == [("a2", contact.id)] and contact.state is ContactState.CONNECTED
    assert [s for s, _ in contact.history] == ["queued", "offered", "queued", "offered", "connected"]
    assert world.agents["a1"].contacts == [] and world.agents["a2"].contacts == [contact.id]
    assert world.routing_errors.count == 1 and "toy offering c1 to agent a1" in next(iter(world.routing_errors))


@INDEXED
def test_an_eligible_that_raises_counts_as_not_eligible(indexed):
    clock = VirtualClock()
    world, toy = make_world(clock, {"a1": {"sales"}, "a2": {"sales"}}, bad_eligible={"a1"}, voice_needs_idle=indexed)
    ready(world, clock, "a1", "a2")
    contact = world.inject("sales")
    assert toy.offers == [("a2", contact.id)]
    assert world.routing_errors.count >= 1 and "RuntimeError: eligible bug for a1" in next(iter(world.routing_errors))


@INDEXED
def test_the_pass_goes_on_with_the_other_contacts(indexed):
    clock = VirtualClock()
    world, toy = make_world(clock, {"a1": {"sales"}, "a2": {"support"}}, bad_offer={"a1"}, voice_needs_idle=indexed)
    older, newer = world.inject("sales"), world.inject("support")  # nobody yet: both wait
    world.sign_in("a1", "toy")
    world.sign_in("a2", "toy")
    world.set_presence("a2", "idle")
    world.set_presence("a1", "idle")  # routes: the older contact's offer raises, the newer one is still offered
    assert toy.offers == [("a2", newer.id)]
    assert older.state is ContactState.QUEUED and world.queues["sales"].waiting == [older.id]
    assert world.routing_errors.count == 1


def test_an_offer_failing_half_way_is_not_retried_within_the_same_routing():
    clock = VirtualClock()
    world, toy = make_world(clock, {"a1": {"sales"}}, bad_offer={"a1"}, half_way=True)
    ready(world, clock, "a1")
    contact = world.inject("sales")  # returns: no endless re-offer to a1
    assert contact.state is ContactState.QUEUED and contact.agent is None and world.agents["a1"].contacts == []
    assert world.routing_errors.count == 1
    world.set_presence("a1", "idle")  # a later routing tries again, and fails again, and says so
    assert contact.state is ContactState.QUEUED and world.routing_errors.count == 2


def test_the_errors_kept_are_bounded():
    errors = RoutingErrors()
    for n in range(KEPT + 50):
        try:
            raise ValueError(n)
        except ValueError:
            errors.record(f"attempt {n}")
    assert len(errors) == KEPT and errors.count == KEPT + 50
    assert "attempt 50 raised" in next(iter(errors)) and "ValueError: 149" in list(errors)[-1]


# -- every face, over the wire ---------------------------------------------------------------------------------
@pytest.mark.parametrize("face", sorted(registry.names()))
async def test_a_face_raising_inside_routing_gets_no_500_and_fails_the_suite(face, sim, admin, monkeypatch):
    policy = sim.world.policies[face]
    monkeypatch.setattr(policy, "eligible", lambda agent, contact: True)
    monkeypatch.setattr(policy, "offer", mock.Mock(side_effect=RuntimeError(f"a {face} bug")))
    sim.world.sign_in("291", face)
    sim.world.set_presence("291", "idle")
    try:
        first = await admin.inject("sales")  # 201, not 500
        second = await admin.inject("sales")
        assert first["state"] == second["state"] == "queued"
        assert sim.world.queues["sales"].waiting == [first["id"], second["id"]]
        # Each routing tries each waiting contact once, never in a loop: c1, then c1 and c2.
        assert [c.args[1].id for c in policy.offer.call_args_list] == [first["id"], first["id"], second["id"]]
        problems = simulator_problems(sim)
        assert len(problems) == 3 and all(f"RuntimeError: a {face} bug" in p for p in problems), problems
    finally:
        sim.world.routing_errors.clear()  # what would fail the suite, seen: the fixture's own check passes


SIGN_IN_AND_CALL = """
name: A call for a signed-in Huawei agent
queues: [{id: sales, skills: [sales], huawei: {skill_id: 1}}]
agents: [{id: "291", skills: [sales], huawei: {password: "", phone: "40038"}}]
steps:
  - agent 291 huawei loginex: {status: 4, autoanswer: false}
  - customer calls: {queue: sales}
"""


def test_ccsim_run_fails_a_scenario_whose_face_raised_inside_routing():
    assert asyncio.run(run_scenario(loader.loads(SIGN_IN_AND_CALL, "call.yaml"))).passed
    with mock.patch.object(HuaweiFace, "offer", side_effect=RuntimeError("a huawei bug")):
        result = asyncio.run(run_scenario(loader.loads(SIGN_IN_AND_CALL, "call.yaml")))
    assert not result.passed
    assert "a face failed inside routing" in result.message and "a huawei bug" in result.message, result.message
