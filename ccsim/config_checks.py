"""A configuration's checks after its schema: what makes it unusable although every value has
the right shape. Two agents or queues with one id, an overflow to a queue that is not there,
settings a face cannot take, two agents sharing what must be one agent's own (a login, a phone).

Each problem is (where, message): `where` the keys down to the value at fault, so that a caller
can say the line; `message` one line naming it. Nothing here raises; config.py does.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from . import registry
from .user_text import short_repr
from .serving.face import SettingsError, build_settings

Problem = tuple[tuple[Any, ...], str]
MAX_LISTED = 10  # names listed in a message; the rest are counted


def listing(names: list[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")


def problems(data: dict[str, Any]) -> Iterator[Problem]:
    """Every problem of ids, overflows and agents' face values, in that order."""
    yield from _duplicate_ids(data, "agents", "agent")
    yield from _duplicate_ids(data, "queues", "queue")
    yield from _unknown_overflow(data)
    yield from _shared_agent_values(data)


def settings_problems(data: dict[str, Any]) -> Iterator[Problem]:
    """faces.<name> mappings the face's settings dataclass refuses (types, ranges, choices)."""
    for name, values in data.get("faces", {}).items():
        try:
            build_settings(registry.get(name).face_class().Settings, values, name)
        except SettingsError as exc:
            yield ("faces", name, *([exc.setting] if exc.setting else [])), str(exc)


def _duplicate_ids(data: dict[str, Any], kind: str, noun: str) -> Iterator[Problem]:
    seen: set[str] = set()
    for index, item in enumerate(data.get(kind, [])):
        ident = str(item["id"])  # "291" and 291 are one id: the world keys them as strings
        if ident in seen:
            yield (kind, index, "id"), f"{kind}: {noun} id {short_repr(ident)} is given twice"
        seen.add(ident)


def _unknown_overflow(data: dict[str, Any]) -> Iterator[Problem]:
    queues = data.get("queues", [])
    ids = [str(q["id"]) for q in queues]
    for index, queue in enumerate(queues):
        target = queue.get("overflow")
        if target and str(target) not in ids:  # as build_queues reads it: empty means none
            yield (("queues", index, "overflow"),
                   f"queue {short_repr(str(queue['id']))}: overflow {short_repr(str(target))} is not a queue; "
                   f"queues: {listing(ids)}")


def _shared_agent_values(data: dict[str, Any]) -> Iterator[Problem]:
    agents = data.get("agents", [])
    for face in registry.names():
        for key, default in registry.get(face).face_class().distinct_agent_keys.items():
            owners: dict[str, str] = {}
            for index, agent in enumerate(agents):
                if face not in agent:
                    continue
                section = agent[face] or {}
                value = section.get(key, agent["id"] if default == "id" else None)
                if value is None or value == "":
                    continue
                value, ident = str(value), str(agent["id"])
                if value in owners:
                    yield (("agents", index, face, key) if key in section else ("agents", index),
                           f"agents {short_repr(owners[value])} and {short_repr(ident)} have the same {face} {key} "
                           f"{short_repr(value)}: each agent needs its own")
                else:
                    owners[value] = ident
