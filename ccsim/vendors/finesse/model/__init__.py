"""The Finesse connector's state rules, as plain objects wired together: no transport, no
journal, no web server. Events leave through the `publish` the face gives; commands come in
through the face's command table (commands.py)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ....core import World
from ....core.bus import CoreEvent
from ....core.clock import TimerScope
from .access import CommandAccess
from .connector import Connector, Publish
from .dialogs import Dialogs
from .features import Features
from .queries import Queries
from .queue_stats import QueueStatistics
from .supervisor import SupervisorActions

if TYPE_CHECKING:
    from ..settings import FinesseSettings

__all__ = ["FinesseModel"]


class FinesseModel:
    def __init__(self, world: World, timers: TimerScope, settings: FinesseSettings, publish: Publish, face: str):
        self.connector = Connector(world, timers, settings, publish, face)
        self.dialogs = Dialogs(self.connector)
        self.features = Features(self.connector, self.dialogs)
        self.supervisor = SupervisorActions(self.connector, self.dialogs)
        self.access = CommandAccess(self.connector)
        world.bus.subscribe("contact.ended", self._on_contact_ended)  # before the statistics count it
        self.queue_stats = QueueStatistics(world)
        self.queries = Queries(self.connector, self.dialogs, self.queue_stats)

    def reset(self, settings: FinesseSettings) -> None:
        self.connector.reset(settings)
        self.queue_stats.reset()
        self.dialogs.reset()

    def _on_contact_ended(self, event: CoreEvent) -> None:
        self.dialogs.customer_left(event.contact or "")
