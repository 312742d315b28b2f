"""The world: agents, queues and contacts, the transitions between their states, and routing.

Every method here is synchronous: a transition runs to completion on the event loop before
anything else can happen, so two requests can never see half a transition. Faces call these
methods to translate wire commands into core commands, and learn what happened from the bus.
"""
from __future__ import annotations

import bisect
import hashlib
import heapq
import itertools
import os
import random
from collections.abc import Iterable
from typing import Any, Protocol

from faker import Faker

from .bus import CoreEvent, EventBus
from .clock import Clock, TimerHandle
from .contacts import ContactStore, note_transition
from .dialled import Dialling
from .errors import UnknownId, WorldError
from .faults import Faults
from .memory import MemoryBudget, MemoryStores
from .model import Agent, Channel, Contact, ContactState, Direction, EndReason, Queue
from .queue_owners import QueueOwners
from .routing_errors import RoutingErrors

__all__ = ["Policy", "UnknownId", "World", "WorldError"]


class Policy(Protocol):
    """What routing asks of the face that owns an agent's session.

    A policy may also say `voice_needs_idle = True`: it is eligible for a voice contact only
    while the agent's presence is "idle". Routing then looks for voice agents among the idle
    ones only, instead of asking every signed-in agent (the difference at 10,000 agents).

    A policy that takes contacts dialled straight to one of its agents (as to an extension, not
    through a queue) lists their channels in `direct_channels` and answers `direct_refusal`:
    None when the agent's phone rings (the contact is then offered), else why the agent
    refuses it now (the contact ends `refused`).

    A policy may also have `claims_queue(queue) -> bool`: True for a queue of its vendor's own
    (served by its membership rules): that queue's contacts then go only to agents signed in
    through a face that claims it (see queue_owners.py)."""

    def eligible(self, agent: Agent, contact: Contact) -> bool: ...

    def offer(self, agent: Agent, contact: Contact) -> None: ...


class World(Dialling):
    """Routing never lets a policy's exception escape: `eligible` raising counts as "no", and an
    `offer` raising puts the contact back in its place in the queue; both go to `routing_errors`."""

    def __init__(self, clock: Clock, seed: int = 0, caller_locale: str = "en_US", ended_contacts_kept: int = 10_000,
                 memory: MemoryBudget | None = None):
        self.clock = clock
        # Every store that grows with traffic reports here (/_ccsim/health), under one budget.
        self.memory = MemoryStores(memory)
        # Ended contacts stay queryable (admin API, faces' reports) up to ended_contacts_kept and
        # memory.contacts_bytes; older ones are forgotten, so that a long run's memory stays flat.
        budget = self.memory.budget
        self._contact_store = ContactStore(budget.contacts_bytes, ended_contacts_kept, budget.contact_data_bytes)
        self.memory.register("contacts", self._contact_store)
        self.bus = EventBus()
        self.seed = seed
        self.agents: dict[str, Agent] = {}
        self.queues: dict[str, Queue] = {}
        self.contacts: dict[str, Contact] = self._contact_store.by_id
        self.policies: dict[str, Policy] = {}
        self.faults = Faults()
        self._caller_locale = caller_locale
        self._timers: dict[str, TimerHandle] = {}  # queue timeouts, by contact id
        self._routing = False
        self._route_again = False
        self.routing_errors = RoutingErrors()  # a face's exceptions inside routing (tests assert none)
        self._failed_offers: set[tuple[str, str]] = set()  # (contact, agent) not offered again this route()
        # Routing's indexes, kept as agents change (each a dict for its order):
        self._rank: dict[str, int] = {}  # configuration order
        self._signed_in: dict[str, Agent] = {}
        self._idle: dict[str, Agent] = {}  # presence "idle", in the order they became idle
        self._unindexed: dict[str, Agent] = {}  # signed in on a face that does not say voice_needs_idle
        self._holders: dict[str, set[str]] = {}  # contact id -> ids of the agents holding it
        # Contacts dialled straight to an agent, id -> agent id, until the next routing pass
        # (which empties it) rings the agent or ends the contact refused.
        self._dialled: dict[str, str] = {}
        self._queue_owners = QueueOwners()  # queues a face claims, and each face's signed-in agents
        # The tests set $CCSIM_VERIFY_ROUTING: every pick is then also made the slow way and compared.
        self.verify_routing = bool(os.environ.get("CCSIM_VERIFY_ROUTING"))
        self._reseed()

    @property
    def ended_contacts_kept(self) -> int:
        return self._contact_store.ledger.max_retired or 0

    @ended_contacts_kept.setter
    def ended_contacts_kept(self, kept: int) -> None:
        self._contact_store.ledger.max_retired = kept

    def _reseed(self) -> None:
        self.rng = random.Random(self.seed)
        self._streams: dict[str, random.Random] = {}
        self.faker = Faker(self._caller_locale)
        self.faker.seed_instance(self.seed)
        self._contact_ids = itertools.count(1)
        self._queue_order = itertools.count(1)
        self._last_pick: dict[str, str] = {}  # round_robin memory: queue id -> agent id

    def rng_for(self, name: str) -> random.Random:
        """The random stream of `name` (a face's name): seeded from (seed, name), so that two
        faces never draw the same numbers and each is the same run after run, and on every
        Python (SHA-256 of the text, not hash(), which varies per process). A reset restarts it."""
        stream = self._streams.get(name)
        if stream is None:
            digest = hashlib.sha256(f"ccsim/{self.seed}/{name}".encode()).digest()
            stream = self._streams[name] = random.Random(int.from_bytes(digest, "big"))
        return stream

    # -- set-up --------------------------------------------------------------------------
    def add_agent(self, agent: Agent) -> None:
        if agent.id in self.agents:
            raise WorldError(f"duplicate agent id {agent.id!r}")
        agent.idle_since = self.clock.now()
        self.agents[agent.id] = agent
        self._rank[agent.id] = len(self._rank)

    def remove_agent(self, agent_id: str) -> None:
        agent = self.agent(agent_id)
        if agent.face is not None:
            self.sign_out(agent_id)
        del self.agents[agent_id]
        self._idle.pop(agent_id, None)
        self._rank = {aid: n for n, aid in enumerate(self.agents)}

    def add_queue(self, queue: Queue) -> None:
        if queue.id in self.queues:
            raise WorldError(f"duplicate queue id {queue.id!r}")
        self.queues[queue.id] = queue
        self._queue_owners.claim(queue, self.policies)

    def register_policy(self, face: str, policy: Policy) -> None:
        self.policies[face] = policy
        self._queue_owners.claim_all(self.queues.values(), self.policies)

    def reset(self, agents: Iterable[Agent] | None = None, queues: Iterable[Queue] | None = None) -> None:
        """Back to the configured start state: nobody signed in, no contacts, same seed. Given
        `agents` and `queues` (fresh ones, built from the configuration), they replace the
        world's: agents and queues added, changed or removed at run time are as configured again."""
        for timer in self._timers.values():
            timer.cancel()
        self._timers.clear()
        self._contact_store.clear()
        self.faults.clear()
        if agents is not None:
            self.agents.clear()
            self._rank.clear()
            for agent in agents:
                self.add_agent(agent)
        if queues is not None:
            self.queues.clear()
            for queue in queues:
                self.add_queue(queue)
            self._queue_owners.claim_all(self.queues.values(), self.policies)  # the old queues' claims go
        for queue in self.queues.values():
            queue.waiting.clear()
        for agent in self.agents.values():
            agent.face = None
            agent.presence = "offline"
            agent.contacts.clear()
            agent.idle_since = self.clock.now()
        self._signed_in.clear()
        self._queue_owners.clear_agents()
        self._unindexed.clear()
        self._idle.clear()
        self._holders.clear()
        self._dialled.clear()
        self._reseed()
        self._publish("world.reset")

    # -- look-ups --------------------------------------------------------------------------
    def agent(self, agent_id: str) -> Agent:
        try:
            return self.agents[agent_id]
        except KeyError:
            raise UnknownId(f"unknown agent {agent_id!r}") from None

    def queue(self, queue_id: str) -> Queue:
        try:
            return self.queues[queue_id]
        except KeyError:
            raise UnknownId(f"unknown queue {queue_id!r}") from None

    def contact(self, contact_id: str) -> Contact:
        try:
            return self.contacts[contact_id]
        except KeyError:
            raise UnknownId(f"unknown contact {contact_id!r}") from None

    def snapshot(self) -> dict[str, Any]:
        return {
            "now": self.clock.now(),
            "agents": [a.snapshot() for a in self.agents.values()],
            "queues": [q.snapshot() for q in self.queues.values()],
            "contacts": [c.snapshot() for c in self.contacts.values()],
        }

    # -- agents ------------------------------------------------------------------------------
    def sign_in(self, agent_id: str, face: str) -> Agent:
        agent = self.agent(agent_id)
        if agent.face is not None and agent.face != face:
            raise WorldError(f"agent {agent_id} is signed in on {agent.face}")
        agent.face = face
        self._signed_in[agent_id] = agent
        self._queue_owners.signed_in(agent, face)
        if not getattr(self.policies.get(face), "voice_needs_idle", False):
            self._unindexed[agent_id] = agent
        self._publish("agent.signed_in", agent=agent_id, face=face)
        return agent

    def sign_out(self, agent_id: str) -> None:
        agent = self.agent(agent_id)
        for cid in list(agent.contacts):
            contact = self.contacts[cid]
            if contact.state is ContactState.OFFERED and contact.queue is not None:
                self.requeue(cid)
            elif not contact.ended:  # connected, or dialled with no queue to go back to
                self.end(cid, EndReason.AGENT)
        self._queue_owners.signed_out(agent_id, agent.face)
        agent.face = None
        self._signed_in.pop(agent_id, None)
        self._unindexed.pop(agent_id, None)
        self.set_presence(agent_id, "offline")
        self._publish("agent.signed_out", agent=agent_id)

    def set_presence(self, agent_id: str, presence: str) -> None:
        """Record the neutral presence a face derives from its own state; routing follows."""
        agent = self.agent(agent_id)
        if presence == agent.presence:
            return
        before, agent.presence = agent.presence, presence
        self._idle.pop(agent_id, None)
        if presence == "idle":
            agent.idle_since = self.clock.now()
            self._idle[agent_id] = agent  # last in: the index stays in idle_since order
        self._publish("agent.presence", agent=agent_id, before=before, presence=presence)
        self.route()

    # -- contacts ------------------------------------------------------------------------------
    def _new_contact(self, channel: Channel, direction: Direction, caller: str, called: str,
                     data: dict[str, Any] | None, *, refusable: bool) -> Contact:
        """Raises ContactDataTooLarge, and StoreFull for a `refusable` one with no room beside
        the live contacts (see core/contacts.py)."""
        store = self._contact_store
        store.check_data(data)
        contact = Contact(id=f"c{next(self._contact_ids)}", channel=channel, direction=direction,
                          caller=caller, called=called, data=dict(data or {}), created=self.clock.now())
        store.admit(contact, refusable=refusable)
        return contact

    def _transition(self, contact: Contact, state: ContactState, kind: str, **data: Any) -> None:
        contact.state = state
        self._contact_store.transitioned(contact)
        note_transition(contact.history, (state.value, self.clock.now()))
        self._publish(kind, contact=contact.id, agent=contact.agent, **data)

    def fake_caller(self) -> str:
        return self.faker.numerify("+1555#######")

    def inject(self, queue_id: str | None = None, *, channel: Channel | str | None = None, caller: str | None = None,
               called: str | None = None, data: dict[str, Any] | None = None, route: bool = True,
               agent: str | None = None) -> Contact:
        """A customer contact arrives in a queue, or is dialled straight to `agent` (as to its
        extension), and is routed, unless `route` is False: then the caller routes when it is
        ready. A dialled contact rings the agent or ends `refused`, as the agent's face says."""
        if (queue_id is None) == (agent is None):
            raise WorldError("a contact arrives in a queue or is dialled to an agent: give one of the two")
        if agent is not None:
            return self._dial_in(agent, Channel(channel or Channel.VOICE), caller, called, data, route)
        queue = self.queue(queue_id or "")
        channel = Channel(channel) if channel is not None else queue.channel
        contact = self._new_contact(channel, Direction.INBOUND, caller or self.fake_caller(),
                                    called or queue.number or queue.id, data, refusable=True)
        self._enqueue(contact, queue)
        if route:
            self.route()
        return contact

    def _enqueue(self, contact: Contact, queue: Queue, front: bool = False) -> None:
        contact.queue = queue.id
        contact.agent = None
        note_transition(contact.queues_visited, queue.id)
        contact.order = -next(self._queue_order) if front else next(self._queue_order)
        (queue.waiting.insert(0, contact.id) if front else queue.waiting.append(contact.id))
        self._transition(contact, ContactState.QUEUED, "contact.queued", queue=queue.id)
        self._arm_timeout(contact, queue)

    def _put_back(self, contact: Contact) -> None:
        """Back in its queue at its own place (an offer that failed): the same visit, the same order."""
        queue = self.queues[contact.queue or ""]
        contact.agent = None
        queue.waiting.insert(bisect.bisect(queue.waiting, contact.order, key=lambda cid: self.contacts[cid].order),
                             contact.id)
        self._transition(contact, ContactState.QUEUED, "contact.queued", queue=queue.id)
        self._arm_timeout(contact, queue)

    def _arm_timeout(self, contact: Contact, queue: Queue) -> None:
        if queue.timeout is not None and contact.id not in self._timers:
            self._timers[contact.id] = self.clock.call_later(queue.timeout, lambda: self._queue_timeout(contact.id))

    def _dequeue(self, contact: Contact) -> None:
        if contact.queue is not None:
            queue = self.queues[contact.queue]
            if contact.id in queue.waiting:
                queue.waiting.remove(contact.id)
        timer = self._timers.pop(contact.id, None)
        if timer is not None:
            timer.cancel()

    def _queue_timeout(self, contact_id: str) -> None:
        """Nobody took the contact in time: it moves on to the queue's overflow, else it ends."""
        self._timers.pop(contact_id, None)
        contact = self.contacts.get(contact_id)
        if contact is None or contact.state is not ContactState.QUEUED:
            return
        queue = self.queues[contact.queue or ""]
        if queue.overflow and queue.overflow in self.queues:
            self._publish("contact.queue_timeout", contact=contact.id, queue=queue.id, to=queue.overflow)
            self._dequeue(contact)
            self._enqueue(contact, self.queues[queue.overflow])
            self.route()
        else:
            self.end(contact_id, EndReason.TIMED_OUT)

    def offer(self, contact_id: str, agent_id: str) -> None:
        """Give a contact to an agent. The agent's face decides what the offer looks like."""
        contact, agent = self.contact(contact_id), self.agent(agent_id)
        if contact.ended:
            raise WorldError(f"contact {contact_id} has ended")
        self._dequeue(contact)
        contact.agent = agent_id
        self._hold(agent, contact_id)
        self._transition(contact, ContactState.OFFERED, "contact.offered", queue=contact.queue)
        policy = self.policies.get(agent.face or "")
        if policy is not None:
            policy.offer(agent, contact)

    def outbound(self, agent_id: str, called: str, *, caller: str = "", channel: Channel = Channel.VOICE,
                 data: dict[str, Any] | None = None, internal: bool = False) -> Contact:
        """An agent starts a contact (callout); it is offered to the far end, not routed. Never
        refused for room: the faces let an agent make one call at a time."""
        agent = self.agent(agent_id)
        contact = self._new_contact(channel, Direction.INTERNAL if internal else Direction.OUTBOUND, caller, called, data,
                                    refusable=False)
        contact.agent = agent_id
        self._hold(agent, contact.id)
        self._transition(contact, ContactState.OFFERED, "contact.dialing", called=called)
        return contact

    def connect(self, contact_id: str) -> None:
        contact = self.contact(contact_id)
        if contact.state not in (ContactState.OFFERED, ContactState.HELD):
            raise WorldError(f"contact {contact_id} is {contact.state.value}, not offered")
        self._transition(contact, ContactState.CONNECTED, "contact.connected")

    def hold(self, contact_id: str) -> None:
        contact = self.contact(contact_id)
        if contact.state is not ContactState.CONNECTED:
            raise WorldError(f"contact {contact_id} is {contact.state.value}, not connected")
        self._transition(contact, ContactState.HELD, "contact.held")

    def resume(self, contact_id: str) -> None:
        contact = self.contact(contact_id)
        if contact.state is not ContactState.HELD:
            raise WorldError(f"contact {contact_id} is {contact.state.value}, not held")
        self._transition(contact, ContactState.CONNECTED, "contact.resumed")

    def _hold(self, agent: Agent, contact_id: str) -> None:
        agent.contacts.append(contact_id)
        self._holders.setdefault(contact_id, set()).add(agent.id)

    def _detach(self, contact: Contact) -> str | None:
        """Take the contact from every agent holding it (an internal call has two)."""
        for agent_id in self._holders.pop(contact.id, ()):
            held = self.agents[agent_id].contacts
            if contact.id in held:
                held.remove(contact.id)
        return contact.agent

    def requeue(self, contact_id: str, queue_id: str | None = None, *, front: bool = True) -> None:
        """Take a contact back from its agent (refused, not answered, transferred to a queue)."""
        contact = self.contact(contact_id)
        if contact.ended:
            raise WorldError(f"contact {contact_id} has ended")
        target = self.queue(queue_id or contact.queue or "")
        previous = self._detach(contact)
        self._publish("contact.requeued", contact=contact.id, agent=previous, queue=target.id)
        self._enqueue(contact, target, front=front)
        self.route()

    def can_take(self, agent_id: str, contact_id: str) -> bool:
        """Would the agent's face accept this contact now?"""
        agent, contact = self.agent(agent_id), self.contact(contact_id)
        policy = self.policies.get(agent.face or "")
        return policy is not None and self._queue_owners.allows(contact.queue, agent.face) and \
            policy.eligible(agent, contact)

    def transfer_to_agent(self, contact_id: str, agent_id: str) -> bool:
        """Move a contact to another agent if that agent's face accepts it; False otherwise."""
        contact = self.contact(contact_id)
        if not self.can_take(agent_id, contact_id):
            return False
        previous = self._detach(contact)
        self._publish("contact.transferred", contact=contact.id, agent=previous, to=agent_id)
        self.offer(contact_id, agent_id)
        return True

    def reassign(self, contact_id: str, agent_id: str) -> None:
        """Hand a connected contact to another agent directly (a consult-then-transfer: the
        agent is already talking to the first one, so it is not offered or routed)."""
        contact, agent = self.contact(contact_id), self.agent(agent_id)
        previous = self._detach(contact)
        contact.agent = agent_id
        self._hold(agent, contact_id)
        self._publish("contact.transferred", contact=contact_id, agent=previous, to=agent_id)

    def end(self, contact_id: str, reason: EndReason | str, **data: Any) -> None:
        contact = self.contact(contact_id)
        if contact.ended:
            raise WorldError(f"contact {contact_id} has already ended")
        reason = EndReason(reason)
        if reason is EndReason.CUSTOMER and contact.state in (ContactState.QUEUED, ContactState.OFFERED):
            reason = EndReason.ABANDONED  # the customer left before anyone answered
        self._dequeue(contact)
        self._detach(contact)
        contact.end_reason = reason
        self._transition(contact, ContactState.ENDED, "contact.ended", reason=reason.value, **data)
        self._contact_store.ended(contact)
        self.route()

    # -- routing (the ACD) ---------------------------------------------------------------------
    def route(self) -> None:
        """Ring the agents of contacts dialled to them, then offer waiting contacts, oldest
        first, to eligible agents, longest idle first.

        Re-entrant calls (an offer that frees another agent) set a flag and the outer call
        loops, so routing always finishes in a consistent state.
        """
        if self._routing:
            self._route_again = True
            return
        self._routing = True
        try:
            while True:
                self._route_again = False
                self._route_pass()
                if not self._route_again:
                    break
        finally:
            self._routing = False
            self._failed_offers.clear()

    def _route_pass(self) -> None:
        while self._dialled:  # contacts dialled straight to an agent first: no queue to wait in
            contact_id = next(iter(self._dialled))
            self._ring_dialled(contact_id, self._dialled.pop(contact_id))
        # A queue whose voice contact found nobody stays without anybody for the rest of the
        # pass: an offer only takes agents away, and whatever frees one routes again.
        nobody_for_voice: set[str] = set()
        for contact in self._waiting_oldest_first():
            if contact.state is not ContactState.QUEUED:
                continue
            voice = contact.channel is Channel.VOICE
            if voice and contact.queue in nobody_for_voice:
                if self.verify_routing:
                    self._verify(contact, None)
                continue
            agent = self._pick_agent(contact)
            if agent is not None:
                self._offer_or_requeue(contact, agent)
            elif voice and contact.queue is not None:
                nobody_for_voice.add(contact.queue)

    def _offer_or_requeue(self, contact: Contact, agent: Agent) -> None:
        try:
            self.offer(contact.id, agent.id)
        except Exception:  # a face's bug: the pass goes on, the contact waits again, the tests fail
            self.routing_errors.record(f"{agent.face} offering {contact.id} to agent {agent.id}")
            self._failed_offers.add((contact.id, agent.id))  # not to that agent again in this route()
            if contact.state is ContactState.OFFERED and contact.agent == agent.id:
                self._detach(contact)
                self._publish("contact.requeued", contact=contact.id, agent=agent.id, queue=contact.queue)
                self._put_back(contact)
                self._route_again = True  # another agent may take it now

    def _waiting_oldest_first(self) -> Iterable[Contact]:
        # Each queue's list is already in `order` (front insertions have negative orders).
        snapshots = [[self.contacts[cid] for cid in q.waiting] for q in self.queues.values() if q.waiting]
        return heapq.merge(*snapshots, key=lambda c: c.order)

    def _can_take(self, agent: Agent, contact: Contact, skills: set[str]) -> bool:
        if agent.face is None or not skills <= agent.skills:
            return False
        if self._failed_offers and (contact.id, agent.id) in self._failed_offers:
            return False
        if not self._queue_owners.allows(contact.queue, agent.face):
            return False
        policy = self.policies.get(agent.face)
        if policy is None:
            return False
        try:
            return policy.eligible(agent, contact)
        except Exception:  # a face's bug counts as "not eligible"
            self.routing_errors.record(f"{agent.face} eligible({agent.id}, {contact.id})")
            return False

    def eligible_agents(self, contact: Contact) -> Iterable[Agent]:
        """Every signed-in agent asked (the slow way, which the routing indexes must agree with)."""
        queue = self.queues[contact.queue] if contact.queue else None
        skills = queue.skills if queue is not None else set()
        return [agent for agent in self._signed_in.values() if self._can_take(agent, contact, skills)]

    def _candidates(self, contact: Contact, queue: Queue | None) -> Iterable[Agent]:
        """The agents who may take the contact; of a claimed queue, only its owning faces' are asked."""
        owners = self._queue_owners.owners(contact.queue)
        if owners is None:
            return self.eligible_agents(contact)
        skills = queue.skills if queue is not None else set()
        return [agent for agent in self._queue_owners.agents_of(owners) if self._can_take(agent, contact, skills)]

    def _pick_agent(self, contact: Contact) -> Agent | None:
        """longest_idle (default): the agent idle the longest, configuration order between equals.
        round_robin: the next agent after the one this queue last chose, in configuration order
        (round robin with memory)."""
        queue = self.queues.get(contact.queue or "")
        if queue is not None and queue.strategy == "round_robin":
            return self._pick_round_robin(contact, queue)
        if contact.channel is Channel.VOICE and self._queue_owners.owners(contact.queue) is None:
            chosen = self._pick_idle_voice(contact, queue.skills if queue is not None else set())
        else:
            chosen = self._longest_idle(self._candidates(contact, queue))
        if self.verify_routing:
            self._verify(contact, chosen)
        return chosen

    def _longest_idle(self, candidates: Iterable[Agent]) -> Agent | None:
        return min(candidates, key=lambda a: (a.idle_since, self._rank[a.id]), default=None)

    def _pick_idle_voice(self, contact: Contact, skills: set[str]) -> Agent | None:
        best: Agent | None = None
        for agent in self._idle.values():  # in idle_since order: stop past the first tie group
            if best is not None and agent.idle_since > best.idle_since:
                break
            if (best is None or self._rank[agent.id] < self._rank[best.id]) and self._can_take(agent, contact, skills):
                best = agent
        # Agents of policies that do not promise "voice needs idle" are asked whatever their presence.
        others = [a for a in self._unindexed.values() if self._can_take(a, contact, skills)]
        return self._longest_idle([*others, *([best] if best else [])]) if others else best

    def _pick_round_robin(self, contact: Contact, queue: Queue) -> Agent | None:
        candidates = list(self._candidates(contact, queue))
        if not candidates:
            return None
        last = self._rank.get(self._last_pick.get(queue.id, ""), -1)
        count = len(self._rank)
        chosen = min(candidates, key=lambda a: (self._rank[a.id] - last - 1) % count)
        self._last_pick[queue.id] = chosen.id
        return chosen

    def _verify(self, contact: Contact, chosen: Agent | None) -> None:
        """The indexed pick against asking every agent (the tests turn this on)."""
        expected = self._longest_idle(self.eligible_agents(contact))
        if expected is not chosen:
            raise AssertionError(f"routing index chose {chosen and chosen.id} for {contact.id}, "
                                 f"asking every agent chooses {expected and expected.id}")

    # -- events ------------------------------------------------------------------------------
    def _publish(self, kind: str, *, contact: str | None = None, agent: str | None = None, **data: Any) -> None:
        self.bus.publish(CoreEvent(kind, self.clock.now(), contact, agent, data))
