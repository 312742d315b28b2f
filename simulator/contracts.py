"""Access to contracts/: the JSON Schemas every wire message is checked against.

The folder lives at the top of the repository; a built wheel carries a copy inside the
package (simulator/_contracts), so both layouts are searched.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

_HERE = Path(__file__).resolve().parent


def contracts_dir() -> Path:
    for candidate in (_HERE / "_contracts", _HERE.parent / "contracts"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("contracts/ not found next to the simulator package")


@lru_cache(maxsize=None)
def _registry() -> Registry:
    root = contracts_dir()
    resources = []
    for path in root.rglob("*.json"):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and "$id" in doc:
            resources.append((doc["$id"], Resource.from_contents(doc)))
    return Registry().with_resources(resources)


@lru_cache(maxsize=None)
def load(relative: str) -> dict[str, Any]:
    return json.loads((contracts_dir() / relative).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validator(relative: str) -> Draft202012Validator:
    """A validator for contracts/<relative>, resolving $refs between contract files by $id."""
    return Draft202012Validator(load(relative), registry=_registry())


def errors(relative: str, instance: Any) -> list[str]:
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
            for e in validator(relative).iter_errors(instance)]
