"""Queues that belong to faces: which agents may take a queue's contacts at all.

A face may claim a queue (its policy's `claims_queue(queue)` says so): the queue is one of that
vendor's own, served by its own membership rules (an XCALLY queue's `members`), so its contacts
go only to agents signed in through a face that claims it, whatever skills another face's agents
have. A queue no face claims is served on skills by every face whose policy accepts the contact
(the demo's sales and support: Huawei, Finesse and CXone agents alike).

Claims are asked once, when a queue is added or a policy registered (a claim depends on the
queue's configuration, not on traffic). Routing then looks a claimed queue's agents up by face,
so a contact of one face's queue never costs a look at every other face's agents.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .model import Agent, Queue


class QueueOwners:
    def __init__(self) -> None:
        self._owners: dict[str, frozenset[str]] = {}  # queue id -> the faces that claim it (none: absent)
        self._signed_in: dict[str, dict[str, Agent]] = {}  # face -> its signed-in agents, by id

    # -- claims ----------------------------------------------------------------------------------
    def claim(self, queue: Queue, policies: Mapping[str, Any]) -> None:
        """Ask every policy whether `queue` is its own (a policy without `claims_queue` claims nothing)."""
        owners = frozenset(face for face, policy in policies.items()
                           if getattr(policy, "claims_queue", None) is not None and policy.claims_queue(queue))
        if owners:
            self._owners[queue.id] = owners
        else:
            self._owners.pop(queue.id, None)

    def claim_all(self, queues: Iterable[Queue], policies: Mapping[str, Any]) -> None:
        self._owners.clear()
        for queue in queues:
            self.claim(queue, policies)

    def owners(self, queue_id: str | None) -> frozenset[str] | None:
        """The faces whose agents alone may take the queue's contacts; None: any face's."""
        return self._owners.get(queue_id or "")

    def allows(self, queue_id: str | None, face: str | None) -> bool:
        owners = self._owners.get(queue_id or "")
        return owners is None or face in owners

    # -- the agents of each face -------------------------------------------------------------------
    def signed_in(self, agent: Agent, face: str) -> None:
        self._signed_in.setdefault(face, {})[agent.id] = agent

    def signed_out(self, agent_id: str, face: str | None) -> None:
        agents = self._signed_in.get(face or "")
        if agents is not None:
            agents.pop(agent_id, None)

    def clear_agents(self) -> None:
        self._signed_in.clear()

    def agents_of(self, faces: Iterable[str]) -> list[Agent]:
        """The signed-in agents of `faces` (a claimed queue's owners)."""
        return [agent for face in faces for agent in self._signed_in.get(face, {}).values()]
