"""CXone get-next-event events: PascalCase keys, every value a string, ISO-8601 times (the
SDK maps the keys to camelCase and throws on dates it cannot parse). Reference §4."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def flag(value: bool) -> str:
    return "True" if value else "False"


def event(kind: str, hosts: tuple[str, str], **fields: Any) -> dict[str, Any]:
    """One event; values become strings (lists of mappings, as NextStates, stay lists)."""
    body: dict[str, Any] = {"Type": kind, "IISHost": hosts[0], "VCHost": hosts[1]}
    for key, value in fields.items():
        if isinstance(value, list):
            body[key] = [{k: _text(v) for k, v in item.items()} for item in value]
        else:
            body[key] = _text(value)
    return body


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return flag(value)
    return str(value)
