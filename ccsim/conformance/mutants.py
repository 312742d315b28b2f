"""Mutants: deliberately broken variants of ccsim, to prove that `ccsim check` catches faults.

Each face's conformance module lists its MUTANTS: a wrong retcode, a missing event, an
off-by-one limit, a wrong field type, a wrong transition... A mutant patches ccsim's own code
in this process for as long as it is applied; `ccsim check --face F --mutants` runs the check
against each one and reports the kill rate (every mutant must be killed, and by the invariant
it names).
"""
from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ContextManager
from unittest import mock

from .. import registry


@dataclass(frozen=True)
class Mutant:
    name: str  # short, for tables: "tab limit off by one"
    face: str
    breaks: str  # what the mutant does that the vendor does not, in one sentence
    caught_by: str  # the invariant that must catch it
    patch: Callable[[], ContextManager[Any]]  # applies the fault while entered


def replace(owner: Any, attribute: str, make: Callable[[Any], Any]) -> Callable[[], ContextManager[Any]]:
    """A mutant's patch: `owner.attribute` replaced by `make(original)` while applied."""
    @contextlib.contextmanager
    def patch() -> Iterator[None]:
        original = getattr(owner, attribute)
        with mock.patch.object(owner, attribute, make(original)):
            yield

    return patch


def mutants_of(face: str) -> list[Mutant]:
    package = registry.get(face).conformance_package()
    return list(package.MUTANTS) if package is not None else []
