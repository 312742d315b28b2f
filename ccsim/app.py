"""The Simulator: one world, one journal, the enabled faces and the admin API, in one process."""
from __future__ import annotations

import copy
import logging
from typing import Any

from faker import Faker

from .config import Config, build_agents, build_queues
from .control.admin import AdminApi
from .core import Agent, Clock, Journal, RealClock, World
from . import registry
from .serving.face import Face, build_settings

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
        for agent in self.configured_agents():
            self.world.add_agent(agent)
        for queue in build_queues(config):
            self.world.add_queue(queue)
        self.faces: dict[str, Face] = {}
        for name in config.faces_enabled:
            face_class = registry.get(name).face_class()
            self.faces[name] = face = face_class(self.world, self.journal, self.configured_settings(name))
            face.limits = config.limits
            face.port_base = config.port_base
        self.admin = AdminApi(self)
        self.urls: dict[str, str] = {}

    async def start(self) -> dict[str, str]:
        """Open every listener; returns {"admin": url, face: url, ...}: URLs to reach them from
        this machine (a loopback address for a wildcard host)."""
        try:
            self.urls["admin"] = await self.admin.start(self.config.admin_host, self.config.port_for("admin", 0))
            for name, face in self.faces.items():
                port = self.config.port_for(name, registry.get(name).port_offset)
                self.urls[name] = url = await face.start(self.config.host, port)
                if url.startswith("http"):  # URLs handed to clients are HTTP ones
                    face.public_url = self.config.public_url_for(name, int(url.rsplit(":", 1)[1]))
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

    def configured_agents(self) -> list[Agent]:
        """The configuration's agents, made afresh (names generated from the seed, as at start)."""
        names = Faker(self.config.caller_locale)
        names.seed_instance(self.config.seed)
        return build_agents(self.config, names)

    def configured_settings(self, face: str) -> Any:
        """A face's settings as configured, made afresh (nothing shared with the configuration)."""
        return build_settings(registry.get(face).face_class().Settings, copy.deepcopy(self.config.faces.get(face)), face)

    def reset(self) -> None:
        """Back to the configured start state: sessions, contacts, pending timers and journal
        cleared; the world's agents and queues and every face's settings made again from the
        configuration, so that whatever was changed at run time (over a face's API, by the admin
        API, by a test) is as configured; then each face rebuilds what it derives from them."""
        for face in self.faces.values():
            face.timers.cancel_all()
        self.world.reset(self.configured_agents(), build_queues(self.config))
        for name, face in self.faces.items():
            face.settings = self.configured_settings(name)
            face.reset()
        self.journal.clear()

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "clock": {"kind": "virtual" if self.clock.virtual else "real", "now": self.clock.now_iso()},
            "faces": {name: {"url": face.advertised_url(), "description": registry.get(name).description}
                      for name, face in self.faces.items()},
            "journal": {"entries": len(self.journal), "dropped": self.journal.dropped,
                        "capacity": self.journal.capacity},
            "memory": self.world.memory.health(),
        }
