"""Synchronous publish/subscribe for core events.

Handlers run inside the transition that published the event, on the event loop, so a face
sees every change in order and before anything else can interleave.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CoreEvent:
    """Something that happened in the world: `kind` is e.g. "contact.offered"."""

    kind: str
    at: float
    contact: str | None = None
    agent: str | None = None
    data: dict[str, Any] = field(default_factory=dict)


Handler = Callable[[CoreEvent], None]


class EventBus:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, kind: str, handler: Handler) -> Callable[[], None]:
        """Subscribe to one kind, or to every kind with "*". Returns an unsubscribe function."""
        self._handlers[kind].append(handler)
        return lambda: self._handlers[kind].remove(handler)

    def publish(self, event: CoreEvent) -> None:
        for handler in (*self._handlers.get(event.kind, ()), *self._handlers.get("*", ())):
            handler(event)
