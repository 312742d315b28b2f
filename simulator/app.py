"""The Simulator: one world, one journal, the enabled faces and the admin API, in one process."""
from __future__ import annotations

import logging
from typing import Any

from faker import Faker

from .config import Config, build_agents, build_queues
from .control.admin import AdminApi
from .core import Clock, Journal, RealClock, World
from .vendors import face_class
from .vendors.base import Face, build_settings

log = logging.getLogger("ccsim")


class Simulator:
    def __init__(self, config: Config, clock: Clock | None = None):
        self.config = config
        self.clock = clock or RealClock()
        self.world = World(self.clock, seed=config.seed, caller_locale=config.caller_locale,
                           ended_contacts_kept=config.ended_contacts_kept, memory=config.memory)
        self.journal = Journal(self.clock, config.journal_capacity, config.memory.journal_bytes,
                               config.memory.journal_headers_bytes)
        self.world.memory.register("journal", self.journal)
        names = Faker(config.caller_locale)
        names.seed_instance(config.seed)
        for agent in build_agents(config, names):
            self.world.add_agent(agent)
        for queue in build_queues(config):
            self.world.add_queue(queue)
        self.faces: dict[str, Face] = {}
        for name in config.faces_enabled:
            cls = face_class(name)
            self.faces[name] = face = cls(self.world, self.journal, build_settings(cls.Settings, config.faces.get(name), name))
            face.limits = config.limits
        self.admin = AdminApi(self)
        self.urls: dict[str, str] = {}

    async def start(self) -> dict[str, str]:
        """Open every listener; returns {"admin": url, face: url, ...}."""
        try:
            self.urls["admin"] = await self.admin.start(self.config.admin_host, self.config.port_for("admin", 0))
            for name, face in self.faces.items():
                self.urls[name] = await face.start(self.config.host, self.config.port_for(name, face.port_offset))
        except BaseException:
            await self.stop()
            raise
        return dict(self.urls)

    async def stop(self) -> None:
        for face in self.faces.values():
            await face.stop()
        await self.admin.stop()
        close = getattr(self.clock, "close", None)
        if close is not None:
            close()

    def reset(self) -> None:
        """Back to the configured start state: sessions, contacts, pending timers and journal cleared."""
        for face in self.faces.values():
            face.timers.cancel_all()
            face.reset()
        self.world.reset()
        self.journal.clear()

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "clock": {"kind": "virtual" if self.clock.virtual else "real", "now": self.clock.now_iso()},
            "faces": {name: {"url": self.urls.get(name), "description": face.description}
                      for name, face in self.faces.items()},
            "journal": {"entries": len(self.journal), "dropped": self.journal.dropped,
                        "capacity": self.journal.capacity},
            "memory": self.world.memory.health(),
        }
