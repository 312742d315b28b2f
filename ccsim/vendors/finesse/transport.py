"""What the Finesse face needs from a message transport, and nothing more.

Two implementations: the embedded STOMP broker (stomp/broker.py; the default, nothing to
install) and an external ActiveMQ reached with stomp.py (activemq.py). The face consumes the
command queue and publishes events to per-client topics; it never sees frames or sockets.

Destinations are STOMP-style names: "/queue/Connector1", "/topic/<client destination>".
Handlers run on the simulator's event loop and must not block.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Message:
    """One JMS TextMessage as the face sees it. `jms_type` is the STOMP `type` header
    (JMSType); None when absent. `body` is the text ("" for an empty or null body). `sender`
    names the client connection that sent it, as the broker knows it (the embedded endpoint's
    connection id; ActiveMQ's connection id, the message-id without its last three fields);
    None when the broker does not say (a message published in process)."""

    destination: str
    body: str
    jms_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    sender: str | None = None


CommandHandler = Callable[[Message], None]


class Transport(Protocol):
    async def start(self) -> str:
        """Start; returns a URL for people (e.g. "stomp://127.0.0.1:8802")."""
        ...

    async def stop(self) -> None: ...

    def consume(self, destination: str, handler: CommandHandler) -> None:
        """Deliver every message sent to `destination` (a queue) to `handler`. Call before start()."""
        ...

    def publish(self, destination: str, body: str, jms_type: str | None = None) -> None:
        """Send a TextMessage (no content-length on ActiveMQ) to `destination`; never blocks."""
        ...
