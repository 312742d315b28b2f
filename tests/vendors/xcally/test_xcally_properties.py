"""Seed 001's routing rules as properties, checked over any sequence of arrivals, accepts,
rejects, closes, follow-ups, pauses, logins, logouts, abandons and passing time:

- no agent is ever over the tab limit or a channel capacity;
- every interaction has exactly one report_{channel}_queue row per queue it entered (a
  requeue into the same queue keeps its row), only its current queue's row is still open,
  and a row says `accepted` exactly when it carries the accepting agent's UserId.

The face is driven through its own methods (what the REST handlers call) on a virtual clock
moved by hand, so that hypothesis can run hundreds of sequences in seconds.
"""
from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from ccsim import config
from ccsim.app import Simulator
from ccsim.core import EndReason, VirtualClock
from ccsim.vendors.xcally.routing import XcallyError

AGENTS = ["ann", "ben", "cy"]
CHANNELS = ["chat", "mail"]
QUEUES = {"chat-a": "chat", "chat-b": "chat", "mail": "mail"}
CONFIG = {
    "seed": 5,
    "port_base": 0,
    "enable": ["xcally"],
    "faces": {"xcally": {"tab_limit": 3}},
    "agents": [
        {"id": "ann", "xcally": {"chatCapacity": 1, "chatAutoanswer": True, "chatAutoanswerDelay": 4}},
        {"id": "ben", "xcally": {"chatCapacity": 2, "mailCapacity": 1, "mailAutoanswer": True}},
        {"id": "cy", "xcally": {"chatCapacity": 0, "mailCapacity": 2}},
    ],
    "queues": [
        {"id": "chat-a", "channel": "chat", "timeout": 20, "overflow": "chat-b",
         "xcally": {"members": ["ann", "ben"], "strategy": "beepall"}},
        {"id": "chat-b", "channel": "chat", "timeout": 40, "xcally": {"members": ["ann", "ben", "cy"],
                                                                      "strategy": "rrmemory"}},
        {"id": "mail", "channel": "mail", "xcally": {"members": ["ben", "cy"], "strategy": "leastrecent"}},
    ],
}


def collapse(visits: list[str]) -> list[str]:
    """Queue visits, a requeue into the queue it was already in counting once."""
    return [q for i, q in enumerate(visits) if i == 0 or visits[i - 1] != q]


class XcallyRouting(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = VirtualClock()
        self.sim = Simulator(config.from_mapping(CONFIG, "property"), self.clock)
        self.face = self.sim.faces["xcally"]
        self.contacts_of: dict[tuple[str, int], list[str]] = {}  # interaction -> its core contacts
        self.arrivals = 0

    def agent(self, name: str):
        return self.face.by_core[name]

    def interactions(self, *statuses: str):
        return sorted((i for i in self.face.interactions.values() if not statuses or i.status in statuses),
                      key=lambda i: (i.channel, i.id))

    def track(self) -> None:
        for key, interaction in self.face.interactions.items():
            contacts = self.contacts_of.setdefault(key, [])
            if interaction.core_id not in contacts:
                contacts.append(interaction.core_id)

    def act(self, action, *args) -> None:
        """What an API call does: either it works or it is refused with the vendor's error."""
        try:
            action(*args)
        except XcallyError as exc:
            assert exc.status in (400, 404, 409), exc
        self.track()

    # -- rules --------------------------------------------------------------------------------------------
    @rule(name=st.sampled_from(AGENTS))
    def login_or_logout(self, name):
        agent = self.agent(name)
        self.act(self.face.logout if agent.online else self.face.login, agent)

    @rule(name=st.sampled_from(AGENTS), channel=st.sampled_from(CHANNELS))
    def pause_or_unpause(self, name, channel):
        agent = self.agent(name)
        self.act(self.face.unpause if channel in agent.paused else self.face.pause, agent, channel)

    @rule(queue=st.sampled_from(sorted(QUEUES)))
    def arrive(self, queue):
        self.arrivals += 1
        self.sim.world.inject(queue, caller=f"customer-{self.arrivals}")
        self.track()

    @precondition(lambda self: self.interactions("offered"))
    @rule(data=st.data(), accept=st.booleans())
    def answer_an_offer(self, data, accept):
        interaction = data.draw(st.sampled_from(self.interactions("offered")))
        agent = self.face.agents[data.draw(st.sampled_from(interaction.offered_to))]
        self.act(self.face.accept if accept else self.face.reject, agent, interaction)

    @precondition(lambda self: self.interactions())
    @rule(data=st.data())
    def close(self, data):
        self.act(self.face.close, data.draw(st.sampled_from(self.interactions())), "done")

    @precondition(lambda self: self.interactions("closed"))
    @rule(data=st.data())
    def follow_up(self, data):
        self.act(self.face.customer_message, data.draw(st.sampled_from(self.interactions("closed"))), "and another thing")

    @precondition(lambda self: self.interactions("queued", "offered"))
    @rule(data=st.data())
    def abandon(self, data):
        interaction = data.draw(st.sampled_from(self.interactions("queued", "offered")))
        self.sim.world.end(interaction.core_id, EndReason.ABANDONED)

    @rule(seconds=st.sampled_from([1, 4, 15, 30, 60]))
    def time_passes(self, seconds):
        self.clock.advance(seconds)
        self.track()

    # -- the properties -------------------------------------------------------------------------------------
    @invariant()
    def nobody_is_over_a_limit(self):
        for agent in self.face.agents.values():
            assert self.face.in_tabs(agent) <= self.face.settings.tab_limit, agent.name
            for channel in CHANNELS:
                capacity = agent.capacity[channel]
                assert not capacity or self.face.in_tabs(agent, channel) <= capacity, (agent.name, channel)

    @invariant()
    def one_report_row_per_queue_entered(self):
        for (channel, number), interaction in self.face.interactions.items():
            rows = [r for r in self.face.reports[channel].values() if r["interactionId"] == number]
            visits = [q for cid in self.contacts_of.get((channel, number), [])
                      for q in collapse(self.sim.world.contacts[cid].queues_visited)]
            assert [r["queueId"] for r in rows] == [self.face.queue_of_core[q] for q in visits], (interaction, rows)
            still_open = [r for r in rows if r["reason"] is None]
            assert len(still_open) == (1 if interaction.status in ("queued", "offered") else 0), (interaction, rows)
            if still_open:
                assert still_open[0] is rows[-1]
            for row in rows:
                assert (row["reason"] == "accepted") == (row["UserId"] is not None), row


XcallyRouting.TestCase.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)
test_xcally_routing_rules_hold_for_any_sequence = XcallyRouting.TestCase
