"""What the dashboard shows: the world in each vendor's words, journal lines and the chart's
samples, as JSON-ready data (contracts/admin/dashboard-message.schema.json)."""
from __future__ import annotations

import itertools
from collections import Counter, deque
from typing import TYPE_CHECKING, Any

from ..core import JournalEntry
from ..core.memory import Ledger
from ..core.model import PRESENCES
from ..core.sizes import deep_size
from ..scenario.runner import describe_entry

if TYPE_CHECKING:
    from ..app import Simulator
    from .playback import Playback

HISTORY_SAMPLES = 600  # the chart's window: ten minutes at one sample a second
CONTACTS_SHOWN = 100  # the oldest live contacts a push carries (a queue of thousands is counted)


class DashboardView:
    def __init__(self, sim: "Simulator", shown: Any, playback: "Playback"):
        self.sim = sim
        self._shown = shown  # an entry as people may see it (secrets masked): AdminApi.shown
        self.playback = playback
        # The chart's samples, oldest first: the newest HISTORY_SAMPLES within memory.dashboard_bytes.
        self.history: deque[dict[str, Any]] = deque()
        self.history_ledger: Ledger[int] = Ledger(sim.config.memory.dashboard_bytes, lambda _: self.history.popleft(),
                                                  max_retired=HISTORY_SAMPLES)
        self._samples = itertools.count()
        sim.world.memory.register("dashboard.history", self.history_ledger)

    def clock(self) -> dict[str, Any]:
        clock = self.sim.clock
        return {"kind": "virtual" if clock.virtual else "real", "now": clock.now(), "iso": clock.now_iso(),
                "speed": getattr(clock, "speed", None), "frozen": getattr(clock, "frozen_at", None) is not None}

    def state(self) -> dict[str, Any]:
        world = self.sim.world
        now = self.sim.clock.now()
        vendor: dict[str, dict[str, dict[str, str]]] = {}
        reasons: dict[str, dict[str, str]] = {}  # agent id -> face -> why its presence
        for name, face in self.sim.faces.items():
            for agent_id, shown in face.vendor_states().items():
                vendor.setdefault(agent_id, {})[name] = shown
            for agent_id, why in face.presence_reasons().items():
                reasons.setdefault(agent_id, {})[name] = why
        agents = [{"id": a.id, "name": a.name, "face": a.face,
                   "faces": [f for f in a.faces if f in self.sim.faces], "presence": a.presence,
                   "reason": self._reason(a.face, reasons.get(a.id, {})),
                   "vendor": vendor.get(a.id, {}), "contacts": list(a.contacts)}
                  for a in world.agents.values()]
        queues = []
        for q in world.queues.values():
            waiting = [world.contacts[c] for c in q.waiting if c in world.contacts]
            queues.append({"id": q.id, "name": q.name, "channel": q.channel.value, "waiting": len(waiting),
                           "longestWait": round(now - min(c.created for c in waiting), 1) if waiting else 0})
        live = [c for c in world.contacts.values() if not c.ended]
        contacts = [{"id": c.id, "channel": c.channel.value, "queue": c.queue, "caller": c.caller,
                     "state": c.state.value, "agent": c.agent, "age": round(now - c.created, 1)}
                    for c in live[:CONTACTS_SHOWN]]
        return {
            "clock": self.clock(),
            "playback": self.playback.status(),
            "faces": list(self.sim.faces),
            "agents": agents,
            "queues": queues,
            "contacts": contacts,
            "contactsLive": len(live),
            "faults": [f.to_dict() for f in world.faults.all()],
        }

    @staticmethod
    def _reason(face: str | None, by_face: dict[str, str]) -> str | None:
        """The reason of the face the agent is on; signed out, the one a face gave for it."""
        if face is not None:
            return by_face.get(face)
        return next(iter(by_face.values()), None)

    def sample(self) -> dict[str, Any]:
        """One point of the chart (calls waiting, agents by presence), kept in the history."""
        world = self.sim.world
        by_presence = Counter(a.presence for a in world.agents.values())
        point = {"at": self.sim.clock.now(), "waiting": sum(len(q.waiting) for q in world.queues.values()),
                 "agents": {p: by_presence.get(p, 0) for p in PRESENCES}}
        self.history.append(point)
        self.history_ledger.keep(next(self._samples), deep_size(point))
        return point

    def line(self, entry: JournalEntry) -> dict[str, Any]:
        shown = self._shown(entry, False)
        return {"seq": entry.seq, "at": entry.at, "face": entry.face, "kind": entry.kind, "op": entry.op,
                "agent": entry.agent, "text": describe_entry(shown)}
