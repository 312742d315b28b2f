"""The invariant library: vendor rules, each a named check over what a run has seen so far.

An invariant reads a View (the journal of the run so far, the configuration, and access to the
admin API and the faces' URLs) and returns its violations as sentences; none means it holds.
It is checked after every step, by `ccsim check` and by a scenario that declares it under
`invariants:`, so it must hold on every prefix of a run: an expectation still open (an event
not yet delivered) is a violation only when `view.final` is true, at the end of the run.

Each invariant names its source (a seed document or a reference section), shown by
`ccsim check --list` and in docs/conformance.md. Faces register theirs in their conformance
package (ccsim/vendors/<face>/conformance/, named by its declaration), imported by `load_all()`.
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .. import registry
from ..core.journal import JournalEntry
from ..contracts.emitted import entry_violations

if TYPE_CHECKING:
    from ..config import Config
    from ..clients.admin import AdminClient


@dataclass
class View:
    """What an invariant may look at. `entries` are journal entries as dicts (the admin API's
    `/journal` form), oldest first, since the run started."""

    config: "Config"
    entries: list[dict[str, Any]]
    admin: "AdminClient"
    urls: dict[str, str]
    final: bool = False

    def of(self, face: str | None = None, kind: str | None = None, op: str | None = None,
           agent: str | None = None) -> list[dict[str, Any]]:
        return [e for e in self.entries if (face is None or e["face"] == face) and (kind is None or e["kind"] == kind)
                and (op is None or e["op"] == op) and (agent is None or e.get("agent") == agent)]

    def agents(self, face: str) -> list[dict[str, Any]]:
        """The configured agents that have a section for `face`."""
        return [a for a in self.config.agents if face in a]


Check = Callable[[View], Awaitable[list[str]]]


@dataclass(frozen=True)
class Invariant:
    name: str
    face: str | None  # None: any face
    source: str  # where the rule comes from (seed document, reference section)
    text: str  # what it means, for people
    check: Check


INVARIANTS: dict[str, Invariant] = {}


def invariant(name: str, *, face: str | None, source: str) -> Callable[[Check], Check]:
    """Register `async def check(view) -> list[str]` under `name`; its docstring says what it means."""
    def register(check: Check) -> Check:
        known = INVARIANTS.get(name)
        # The same function again is its module imported anew (a test runner that unloads modules).
        if known is not None and known.check.__qualname__ + known.check.__module__ != check.__qualname__ + check.__module__:
            raise ValueError(f"invariant {name!r} is registered twice")
        INVARIANTS[name] = Invariant(name, face, source, " ".join((check.__doc__ or "").split()), check)
        return check

    return register


def load_all() -> dict[str, Invariant]:
    """Every invariant: the generic ones here and each face's (importing its conformance package)."""
    for vendor in registry.vendors():
        vendor.conformance_package()
    return INVARIANTS


@dataclass
class Violation:
    invariant: str
    messages: list[str]
    step: str | None = None  # the step after which it was seen ("end of run" for a final check)


async def violations(names: list[str], view: View) -> list[Violation]:
    known = load_all()
    found = []
    for name in names:
        messages = await known[name].check(view)
        if messages:
            found.append(Violation(name, messages))
    return found


# -- generic invariants ----------------------------------------------------------------------------------
def _entry(d: dict[str, Any]) -> JournalEntry:
    return JournalEntry(d["seq"], d["at"], d["face"], d["kind"], d["op"], d.get("agent"), d.get("request") or {},
                        d.get("response") or {}, tuple(d.get("types") or ()))


# The contracts invariant sees the whole run after every step: each entry's verdict is kept, by its
# text, so that a run of n steps validates each message once instead of n times.
_VERDICTS_KEPT = 50_000
_verdicts: dict[str, list[str]] = {}


def _verdict(d: dict[str, Any]) -> list[str]:
    key = json.dumps(d, sort_keys=True, default=str)
    found = _verdicts.get(key)
    if found is None:
        if len(_verdicts) >= _VERDICTS_KEPT:
            _verdicts.clear()
        found = _verdicts[key] = entry_violations(_entry(d))
    return found


@invariant("contracts", face=None, source="contracts/ (the references in shared/reference, as JSON Schemas)")
async def _contracts(view: View) -> list[str]:
    """Every message the target emitted (HTTP answers, JMS events, socket.io events, webhooks) validates
    against its schema in contracts/; no exchange answered 5xx or hit an internal error."""
    return [p for e in view.entries for p in _verdict(e)]
