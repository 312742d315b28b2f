"""The vendor-neutral core on its own: clock, journal, world and routing."""
from __future__ import annotations

import asyncio
import time

import pytest

from ccsim.core import (Agent, Channel, ContactState, EndReason, Journal, Match, Queue, RealClock, VirtualClock,
                            World, WorldError)


# -- clock -----------------------------------------------------------------------------------
async def test_virtual_clock_runs_an_eight_hour_sleep_at_once():
    clock = VirtualClock()
    start, wall = clock.now(), time.monotonic()
    await clock.sleep(8 * 3600)
    assert clock.now() - start == 8 * 3600
    assert time.monotonic() - wall < 5  # simulated hours, not real ones (generous bound, not a benchmark)


async def test_virtual_timers_fire_in_deadline_then_scheduling_order():
    clock, fired = VirtualClock(), []
    for name, delay in [("b", 5), ("a", 1), ("c", 5), ("d", 3)]:
        clock.call_later(delay, lambda n=name: fired.append((n, clock.now() - clock.now() % 1)))
    cancelled = clock.call_later(2, lambda: fired.append(("x", 0)))
    cancelled.cancel()
    await clock.sleep(10)
    assert [n for n, _ in fired] == ["a", "d", "b", "c"]


async def test_virtual_wait_for_times_out_on_simulated_time():
    clock = VirtualClock()
    start = clock.now()
    with pytest.raises(TimeoutError):
        await clock.wait_for(asyncio.Event().wait(), 30)
    assert clock.now() - start == 30
    assert await clock.wait_for(asyncio.sleep(0, result="done"), 30) == "done"


async def test_virtual_clock_does_not_jump_while_something_is_in_flight():
    clock, fired = VirtualClock(), []
    start = clock.now()
    clock.call_later(10, lambda: fired.append(True))
    with clock.activity():
        for _ in range(50):
            await asyncio.sleep(0)
        assert not fired and clock.now() == start
    await clock.sleep(11)
    assert fired


async def test_a_hold_keeps_time_still_while_a_long_poll_its_client_gave_up_on_still_waits():
    # An in-process client's request parked in a long poll: the handler's wait releases the
    # client's token with its own. The client then gives up (an ended run cancels its poller);
    # the handler, which aiohttp does not cancel, keeps waiting for its 60 s. A hold (a driver in
    # another thread between two steps) must still keep time still: `ccsim fuzz` took a NICE
    # corpus of 6 or 7 requests, as this race went.
    clock = VirtualClock()
    start = clock.now()

    async def client() -> None:
        with clock.activity():
            await asyncio.Event().wait()  # the answer it gives up on

    async def handler() -> None:
        with clock.activity(carries=1):
            await clock.wait_for(asyncio.Event().wait(), 60)

    clock.hold()
    waiting, poll = asyncio.create_task(client()), asyncio.create_task(handler())
    await asyncio.sleep(0.01)
    waiting.cancel()
    await asyncio.sleep(0.2)  # wall time, the loop idle: an autojump would have fired the poll's timer
    assert clock.now() == start and not poll.done()
    clock.release()
    with pytest.raises(TimeoutError):
        await poll
    assert clock.now() == start + 60


async def test_real_clock_speed_scales_timers():
    clock, fired = RealClock(speed=1000), asyncio.Event()
    clock.call_later(5, fired.set)  # 5 simulated seconds = 5 ms of wall time
    await asyncio.wait_for(fired.wait(), 5)  # noqa: a wall-clock guard only
    assert fired.is_set()
    with pytest.raises(ValueError):
        RealClock(speed=0)


# -- journal ---------------------------------------------------------------------------------
def test_journal_is_a_bounded_ring_with_a_drop_counter():
    journal = Journal(VirtualClock(), capacity=3)
    for i in range(5):
        journal.record("f", "http", f"op{i}")
    assert [e.op for e in journal.query()] == ["op2", "op3", "op4"]
    assert journal.dropped == 2 and journal.last_seq == 5


def test_journal_queries_by_face_agent_path_and_type():
    journal = Journal(VirtualClock())
    journal.record("huawei", "http", "loginex", agent="291", request={"method": "PUT", "path": "/x/onlineagent/291/loginex"})
    journal.record("huawei", "http", "agentevent", agent="291", request={"method": "GET", "path": "/x/agentevent/291"},
                   types=["AgentState_Ready"])
    journal.record("other", "frame", "SEND", agent="1")
    assert [e.op for e in journal.query(Match(face="huawei"))] == ["loginex", "agentevent"]
    assert [e.op for e in journal.query(Match(path="*/agentevent/*"))] == ["agentevent"]
    assert [e.op for e in journal.query(Match(type="AgentState_Ready"))] == ["agentevent"]
    assert [e.op for e in journal.query(Match(method="put"))] == ["loginex"]
    assert [e.op for e in journal.query(Match(agent="1", kind="frame"))] == ["SEND"]
    assert journal.query(Match(), since=2, limit=1)[0].op == "SEND"
    with pytest.raises(ValueError):
        Match.from_mapping({"colour": "red"})


async def test_journal_wait_for_and_ordered_matching():
    clock = VirtualClock()
    journal = Journal(clock)

    async def later():
        await clock.sleep(5)
        journal.record("f", "http", "first")
        await clock.sleep(5)
        journal.record("f", "http", "second")
        journal.record("f", "http", "first")

    task = asyncio.create_task(later())
    entries = await journal.wait_for_sequence([Match(op="second"), Match(op="first")], timeout=60)
    assert [e.seq for e in entries] == [2, 3]
    with pytest.raises(TimeoutError):
        await journal.wait_for(Match(op="never"), timeout=10)
    await task


# -- world and routing ----------------------------------------------------------------------------
class IdlePolicy:
    """Eligible when idle with spare voice capacity; an offer connects at once."""

    def __init__(self, world: World):
        self.world, self.offers = world, []

    def eligible(self, agent, contact):
        return agent.presence == "idle" and len(agent.contacts) < agent.capacity_for(contact.channel)

    def offer(self, agent, contact):
        self.offers.append((agent.id, contact.id))
        self.world.connect(contact.id)
        self.world.set_presence(agent.id, "talking")


def make_world(clock=None, timeout=None):
    world = World(clock or VirtualClock(), seed=3)
    world.add_queue(Queue("sales", "Sales", skills={"sales"}, timeout=timeout))
    for agent_id in ("a1", "a2", "a3"):
        world.add_agent(Agent(agent_id, agent_id, skills={"sales"} if agent_id != "a3" else {"other"}))
    policy = IdlePolicy(world)
    world.register_policy("test", policy)
    return world, policy


def sign_in(world, agent_id, at=None):
    world.sign_in(agent_id, "test")
    world.set_presence(agent_id, "idle")


async def test_routing_picks_the_longest_idle_agent():
    clock = VirtualClock()
    world, policy = make_world(clock)
    sign_in(world, "a2")
    await clock.sleep(10)
    sign_in(world, "a1")
    world.inject("sales")
    assert policy.offers == [("a2", "c1")]


async def test_contacts_wait_fifo_and_go_to_the_first_agent_who_becomes_eligible():
    world, policy = make_world()
    first, second = world.inject("sales", caller="1"), world.inject("sales", caller="2")
    assert world.queues["sales"].waiting == [first.id, second.id]
    sign_in(world, "a3")  # wrong skill
    assert policy.offers == []
    sign_in(world, "a1")
    assert policy.offers == [("a1", first.id)]
    assert world.contacts[second.id].state is ContactState.QUEUED


async def test_queue_timeout_ends_a_waiting_contact():
    clock = VirtualClock()
    world, _ = make_world(clock, timeout=30)
    contact = world.inject("sales")
    await clock.sleep(31)
    assert contact.state is ContactState.ENDED and contact.end_reason is EndReason.TIMED_OUT
    assert [s for s, _ in contact.history] == ["queued", "ended"]


async def test_customer_leaving_before_answer_is_an_abandon_and_transitions_are_events():
    world, _ = make_world()
    seen = []
    world.bus.subscribe("*", lambda e: seen.append(e.kind))
    contact = world.inject("sales", channel=Channel.VOICE)
    world.end(contact.id, EndReason.CUSTOMER)
    assert contact.end_reason is EndReason.ABANDONED
    assert seen == ["contact.queued", "contact.ended"]
    with pytest.raises(WorldError):
        world.end(contact.id, EndReason.CUSTOMER)


class ChatPolicy(IdlePolicy):
    """Like IdlePolicy, but an agent stays available while it has spare chat capacity."""

    def offer(self, agent, contact):
        self.offers.append((agent.id, contact.id))
        self.world.connect(contact.id)


async def test_per_channel_capacity_allows_concurrent_chats():
    world, _ = make_world()
    world.agents["a1"].capacity[Channel.CHAT] = 2
    policy = ChatPolicy(world)
    world.register_policy("test", policy)
    sign_in(world, "a1")
    for _ in range(3):
        world.inject("sales", channel="chat")
    assert [a for a, _ in policy.offers] == ["a1", "a1"]
    assert len(world.queues["sales"].waiting) == 1


async def test_reset_returns_to_the_configured_start():
    world, _ = make_world()
    sign_in(world, "a1")
    first_caller = world.inject("sales").caller  # generated from the seed
    world.inject("sales")
    world.reset()
    assert not world.contacts and all(a.presence == "offline" and a.face is None for a in world.agents.values())
    again = world.inject("sales")
    assert again.id == "c1" and again.caller == first_caller  # ids and generated data start over


async def test_overflow_moves_a_timed_out_contact_to_the_next_queue():
    clock = VirtualClock()
    world, policy = make_world(clock, timeout=30)
    world.add_queue(Queue("backup", "Backup", skills={"other"}))
    world.queues["sales"].overflow = "backup"
    seen = []
    world.bus.subscribe("contact.queue_timeout", lambda e: seen.append((e.data["queue"], e.data["to"])))
    contact = world.inject("sales")
    await clock.sleep(31)
    assert contact.state is ContactState.QUEUED and contact.queue == "backup" and seen == [("sales", "backup")]
    sign_in(world, "a3")  # the only agent with the backup queue's skill
    assert policy.offers == [("a3", contact.id)]


async def test_round_robin_remembers_where_it_stopped():
    world, _ = make_world()
    world.queues["sales"].strategy = "round_robin"
    world.agents["a1"].capacity[Channel.CHAT] = 5
    world.agents["a2"].capacity[Channel.CHAT] = 5
    policy = ChatPolicy(world)
    world.register_policy("test", policy)
    sign_in(world, "a1")
    sign_in(world, "a2")
    for _ in range(4):
        world.inject("sales", channel="chat")
    assert [a for a, _ in policy.offers] == ["a1", "a2", "a1", "a2"]


class ClaimingPolicy(ChatPolicy):
    """A face with queues of its own (as XCALLY's with an `xcally` section)."""

    def __init__(self, world: World, claimed: set[str]):
        super().__init__(world)
        self.claimed = claimed

    def claims_queue(self, queue: Queue) -> bool:
        return queue.id in self.claimed


@pytest.mark.parametrize("strategy", ["longest_idle", "round_robin"])
@pytest.mark.parametrize("channel", ["voice", "chat"])
async def test_a_queue_a_face_claims_goes_only_to_that_faces_agents(strategy, channel):
    world, other = make_world()
    world.add_queue(Queue("own", "Own", skills={"sales"}, strategy=strategy))
    for agent in world.agents.values():
        agent.capacity[Channel.CHAT] = 5
    owner = ClaimingPolicy(world, {"own"})
    world.register_policy("owner", owner)  # asked about the queues already there
    sign_in(world, "a1")  # on the other face, with the queue's skill, idle the longest
    first = world.inject("own", channel=channel)
    assert other.offers == [] and first.state is ContactState.QUEUED
    world.sign_in("a2", "owner")
    world.set_presence("a2", "idle")
    assert owner.offers == [("a2", first.id)] and other.offers == []
    world.sign_out("a2")  # off the owner's agents: the next one waits again
    second = world.inject("own", channel=channel)
    assert second.state is ContactState.QUEUED and other.offers == []
    assert world.can_take("a1", second.id) is False  # nor may a transfer hand it over
    sales = world.inject("sales", channel=channel)  # a queue nobody claims: any face's agent
    assert other.offers == [("a1", sales.id)]


async def test_claims_are_asked_again_for_the_queues_a_reset_brings():
    world, other = make_world()
    world.register_policy("owner", ClaimingPolicy(world, {"sales"}))
    sign_in(world, "a1")
    assert world.inject("sales").state is ContactState.QUEUED and other.offers == []
    world.policies["owner"].claimed = {"own"}  # asked again for the reset's fresh queues
    world.reset(queues=[Queue("sales", "Sales", skills={"sales"}), Queue("own", "Own")])
    sign_in(world, "a1")
    contact = world.inject("sales")
    assert other.offers == [("a1", contact.id)]


def test_only_the_newest_ended_contacts_are_kept():
    world, _ = make_world()
    world.ended_contacts_kept = 3
    ids = [world.inject("sales").id for _ in range(5)]
    for contact_id in ids:
        world.end(contact_id, "customer")
    assert sorted(world.contacts) == sorted(ids[2:])
    waiting = world.inject("sales")  # contacts still going on are never forgotten
    assert waiting.id in world.contacts


def test_journal_entries_give_back_what_was_recorded_however_they_are_packed():
    from ccsim.core import Journal, VirtualClock

    journal = Journal(VirtualClock())
    request = {"method": "POST", "path": "/x/" + "long" * 40, "query": {}, "headers": {},
               "body": {"a": [1, 2.5, None, {"b": "ü"}], "n": -3}}
    response = {"status": 200, "headers": {"Content-Type": "application/json"}, "body": [], "extra": object}
    for _ in range(2):  # the second shares the first's header sets and strings
        entry = journal.record("huawei", "http", "op", agent="1", request=request, response=response, types=("T",))
    assert entry.request == request and entry.response == response
    assert entry.request_field("path") == request["path"] and entry.request_field("nothing") is None
    entry.request["body"]["n"] = 4  # a copy each time: the journal cannot be changed through it
    assert entry.request["body"]["n"] == -3
    assert entry.to_dict()["types"] == ["T"] and entry.types == ("T",)
    empty = journal.record("nice", "http", "op", response={"status": 304, "headers": {}, "body": None})
    assert empty.response == {"status": 304, "headers": {}, "body": None} and empty.request == {}
