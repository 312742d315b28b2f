"""Access to contracts/: the JSON Schemas every wire message is checked against.

The folder lives at the top of the repository; a built wheel carries a copy inside the
package (ccsim/_contracts), so both layouts are searched. A vendor that brings its own contracts
(its declaration's `contracts`, see ccsim/registry.py) has them known as `<name>/...` all the
same: a path's first segment picks the folder.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from ..registry import on_change, vendors

_HERE = Path(__file__).resolve().parent.parent  # the ccsim package (this is ccsim/contracts/__init__.py)


def contracts_dir() -> Path:
    for candidate in (_HERE / "_contracts", _HERE.parent / "contracts"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("contracts/ not found next to the simulator package")


BASE_URI = "https://ccsim.dev/contracts/"


@lru_cache(maxsize=None)
def vendor_roots() -> dict[str, Path]:
    """The contracts folders vendors bring, by vendor name (ccsim's own vendors bring none)."""
    return {v.name: folder for v in vendors() if (folder := v.contracts_folder()) is not None}


def path_of(relative: str) -> Path:
    """The file known as contracts/<relative>: in its vendor's own folder when the first segment
    names a vendor that brings one, else in contracts/."""
    first, _, rest = relative.partition("/")
    own = vendor_roots().get(first) if rest else None
    return own / rest if own is not None else contracts_dir() / relative


def exists(relative: str) -> bool:
    return path_of(relative).is_file()


@lru_cache(maxsize=None)
def registry() -> Registry:
    """Every contract file, known by BASE_URI + its path (and by its own $id if it has one),
    so that files can $ref each other whatever their kind (a schema, an OpenAPI document)."""
    roots = [(contracts_dir(), "")] + [(root, f"{name}/") for name, root in vendor_roots().items()]
    resources = []
    for root, prefix in roots:
        for path in root.rglob("*.json"):
            doc = json.loads(path.read_text(encoding="utf-8"))
            resource = Resource.from_contents(doc, default_specification=DRAFT202012)
            resources.append((BASE_URI + prefix + path.relative_to(root).as_posix(), resource))
            if isinstance(doc, dict) and isinstance(doc.get("$id"), str):
                resources.append((doc["$id"], resource))
    return Registry().with_resources(resources)


@lru_cache(maxsize=None)
def load(relative: str) -> dict[str, Any]:
    return json.loads(path_of(relative).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def validator(relative: str) -> Draft202012Validator:
    """A validator for contracts/<relative>, resolving $refs between contract files by $id."""
    return Draft202012Validator(load(relative), registry=registry())


def errors(relative: str, instance: Any) -> list[str]:
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
            for e in validator(relative).iter_errors(instance)]


def _forget() -> None:
    """A vendor came or went: what was read from its folder (or looked for in vain) is read again."""
    for cached in (vendor_roots, registry, load, validator):
        cached.cache_clear()


on_change(_forget)
