"""What ccsim reads from the MESSAGE frames an external ActiveMQ delivers (activemq.py): the
text of a body, and which client connection sent the message."""
from __future__ import annotations

from typing import Any


def sender_of(message_id: str | None) -> str | None:
    """The connection that sent a message, from ActiveMQ's message-id: `<connection id>:<session>:
    <producer>:<sequence>`, the connection id itself being `ID:<host>-<port>-<time>-<n>:<m>`
    (ActiveMQ MessageId and ProducerId; seen on 5.17: `ID:vm-36501-1796672471910-3:9:-1:1:1`
    for every SEND of one STOMP connection but the last field). The broker sets it: a client's
    own message-id header is dropped. None for an id of another shape."""
    parts = (message_id or "").split(":")
    return ":".join(parts[:-3]) if len(parts) >= 6 and parts[0] == "ID" else None


def text_of(body: Any) -> str:
    if body is None:
        return ""
    if isinstance(body, bytes):
        return body.decode("utf-8", errors="replace")
    return str(body)
