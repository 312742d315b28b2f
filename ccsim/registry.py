"""The vendors ccsim serves, as their folders declare them.

Each vendor folder has a vendor.py with `VENDOR = Vendor(...)`: data, the way a Starlette Route or
Tavern's tavernhook.py is. The registry finds declarations in the entry-point group `ccsim.vendors`
(pyproject.toml has one line per built-in vendor; a vendor in a distribution of its own declares the
same group) and through register() at run time (tests). Nothing here imports a vendor's code until it
is asked for: a declaration names its parts as "package.module:attribute" references. Everything
above the core asks this module; none of it names a vendor.
"""
from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from types import ModuleType
from typing import Any

ENTRY_POINT_GROUP = "ccsim.vendors"
PER_CHANNEL_PAUSE = "per-channel-pause"  # Face.set_paused: the admin API's and the dashboard's pause
CAPABILITIES = frozenset({PER_CHANNEL_PAUSE})
# First words of the step library's own steps (and the admin API's listener name). A vendor so
# named would shadow them, because a face's step is `<face> <op>` (scenario/steps.py).
RESERVED = frozenset({"admin", "agent", "customer", "customers", "calls", "wait", "repeat", "concurrently",
                      "expect", "events", "queue", "contact", "contacts", "request", "dashboard"})
NAME = re.compile(r"[a-z][a-z0-9_]{0,15}")
MAIN_OFFSETS = range(1, 10)  # 0 is the admin API; 10-99 hold the extra listeners
EXTRA_OFFSETS = range(10, 100)
NO_VENDOR = (f"no vendor is registered (entry-point group {ENTRY_POINT_GROUP}): is ccsim installed? "
             "run make venv")


class RegistryError(ValueError):
    """A bad declaration, a clash between two, or an entry point that does not load."""


class UnknownVendor(KeyError):
    """A name no registered vendor has; the message names the known ones."""

    def __str__(self) -> str:
        return str(self.args[0])


@lru_cache(maxsize=None)
def resolve(ref: str) -> Any:
    """"package.module:attribute" -> the attribute; "package.module" -> the module (imported)."""
    module, _, attribute = ref.partition(":")
    found: Any = importlib.import_module(module)
    for part in filter(None, attribute.split(".")):
        found = getattr(found, part)
    return found


@dataclass(frozen=True)
class Vendor:
    """One vendor, declared once, as data, by its folder (`<package>/vendor.py`: `VENDOR = Vendor(...)`).
    Code is named, not imported: each reference is resolved (and cached) when it is first asked for,
    so reading every declaration imports no face, no Hypothesis and no load agent. The registry
    checks a declaration when it reads it (name, ports, capabilities); the test suite resolves
    every reference of every registered vendor."""

    name: str  # the face's name: `faces.<name>`, an agent's `<name>:` section, `agent 291 <name> <op>`,
    #            the journal's `face`; NAME, not in RESERVED; equals the face class's `name`
    title: str  # as people name the vendor in messages ("XCALLY": "pause is XCALLY's")
    description: str  # one line: `ccsim serve`'s listing, GET /_ccsim/health
    port_offset: int  # its listener: port base + this (in MAIN_OFFSETS, unique)
    face: str  # ref to a serving.face.Face subclass
    steps: str  # module: parse(agent, op, args, ctx) -> Action; optionally parse_face_step,
    #             record_step, recorded_events (ccsim record)
    extra_ports: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # label -> (first offset, count), in 10-99
    conformance: str | None = None  # package exporting Machine (a FaceMachine) and MUTANTS; importing it
    #                                 registers its invariants
    load_agent: str | None = None  # ref to its synthetic agents' class in `ccsim load`
    fuzz: str | None = None  # ref to inputs(corpus, http_inputs) -> a Hypothesis strategy of fuzz inputs
    #                          (None: bad HTTP requests built from the corpus)
    outcome: str | None = None  # ref to a function journal entry (dict) -> the vendor's outcome ("100-006") or None
    outcome_label: str = "outcome"  # how one-line listings name it (pytest plugin: "retcode=100-006")
    capabilities: frozenset[str] = frozenset()  # of CAPABILITIES
    contracts: str | None = None  # "package:folder" of its contracts; None: ccsim's contracts/<name>/

    def face_class(self) -> type:
        cls = resolve(self.face)
        if getattr(cls, "name", None) != self.name:
            raise RegistryError(f"vendor {self.name}: its face {self.face} is named {getattr(cls, 'name', None)!r}, "
                                f"not {self.name!r}")
        return cls

    def steps_module(self) -> ModuleType:
        return resolve(self.steps)

    def conformance_package(self) -> ModuleType | None:
        return resolve(self.conformance) if self.conformance else None

    def load_agent_class(self) -> type | None:
        return resolve(self.load_agent) if self.load_agent else None

    def fuzz_inputs(self) -> Callable[..., Any] | None:
        return resolve(self.fuzz) if self.fuzz else None

    def outcome_of(self, entry: Mapping[str, Any]) -> str | None:
        return resolve(self.outcome)(entry) if self.outcome else None

    def can(self, capability: str) -> bool:
        return capability in self.capabilities

    def contracts_folder(self) -> Path | None:
        """Its own contracts folder, when it brings one (else its contracts are ccsim's contracts/<name>/)."""
        if not self.contracts:
            return None
        package, _, folder = self.contracts.partition(":")
        return Path(str(resources.files(package).joinpath(folder)))

    def listener_offsets(self) -> list[int]:
        """Every port offset it listens on: its own, then each of its extra listeners'."""
        return [self.port_offset] + [first + i for first, count in self.extra_ports.values() for i in range(count)]


# -- the registry's state -----------------------------------------------------------------------------
_registered: dict[str, Vendor] = {}  # register()'s, by name
_declared: tuple[Vendor, ...] | None = None  # the entry points', read once
_ordered: tuple[Vendor, ...] | None = None  # both, checked together, by port_offset
_by_name: dict[str, Vendor] = {}
_callbacks: list[Callable[[], None]] = []


def _problems(vendor: Any) -> list[str]:
    """What is wrong with one declaration by itself."""
    if not isinstance(vendor, Vendor):
        return [f"is a {type(vendor).__name__}, not a ccsim.registry.Vendor"]
    problems = []
    if not isinstance(vendor.name, str) or not NAME.fullmatch(vendor.name):
        problems.append(f"name {vendor.name!r} must be a lowercase letter, then up to 15 of a-z, 0-9, _")
    elif vendor.name in RESERVED:
        problems.append(f"name {vendor.name!r} is a word of the step library's own steps "
                        f"({', '.join(sorted(RESERVED))})")
    if not isinstance(vendor.port_offset, int) or vendor.port_offset not in MAIN_OFFSETS:
        problems.append(f"port_offset {vendor.port_offset!r} must be from {MAIN_OFFSETS[0]} to {MAIN_OFFSETS[-1]}")
    for label, span in vendor.extra_ports.items():
        first, count = span if isinstance(span, tuple) and len(span) == 2 else (None, None)
        if not (isinstance(first, int) and isinstance(count, int) and count >= 1
                and first in EXTRA_OFFSETS and first + count - 1 in EXTRA_OFFSETS):
            problems.append(f"extra_ports {label!r}: {span!r} must be (first offset, count) lying in "
                            f"{EXTRA_OFFSETS[0]}-{EXTRA_OFFSETS[-1]}")
    unknown = set(vendor.capabilities) - CAPABILITIES
    if unknown:
        problems.append(f"unknown capabilities {', '.join(sorted(unknown))} (known: {', '.join(sorted(CAPABILITIES))})")
    return problems


def _check(vendor: Any, where: str) -> Vendor:
    problems = _problems(vendor)
    if problems:
        raise RegistryError(f"{where}: " + "; ".join(problems))
    return vendor


def _clashes(vendor: Vendor, others: tuple[Vendor, ...] | list[Vendor], where: str) -> None:
    """`vendor` against those already read: names, main ports and extra port ranges are each one vendor's."""
    for other in others:
        if other.name == vendor.name:
            raise RegistryError(f"{where}: vendor {vendor.name!r} is registered twice")
        if other.port_offset == vendor.port_offset:
            raise RegistryError(f"{where}: port_offset {vendor.port_offset} of {vendor.name} is {other.name}'s too")
        shared = set(vendor.listener_offsets()[1:]) & set(other.listener_offsets()[1:])
        if shared:
            raise RegistryError(f"{where}: extra ports of {vendor.name} and {other.name} overlap "
                                f"(offset {min(shared)})")


def _from_entry_points() -> tuple[Vendor, ...]:
    found: list[Vendor] = []
    for point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        dist = point.dist.name if point.dist is not None else "?"
        where = f"entry point {point.name} = {point.value} (distribution {dist}, group {ENTRY_POINT_GROUP})"
        try:
            vendor = point.load()
        except Exception as exc:  # whatever a broken declaration raises, it is the declaration's fault
            raise RegistryError(f"{where} does not load: {type(exc).__name__}: {exc}") from exc
        _check(vendor, where)
        if vendor.name != point.name:
            raise RegistryError(f"{where}: declares vendor {vendor.name!r}, not {point.name!r}")
        _clashes(vendor, found, where)
        found.append(vendor)
    return tuple(found)


def vendors() -> tuple[Vendor, ...]:
    """Every vendor (the entry points', then those registered at run time), ordered by port_offset."""
    global _declared, _ordered, _by_name
    if _ordered is None:
        if _declared is None:
            _declared = _from_entry_points()
        every = list(_declared)
        for vendor in _registered.values():
            _clashes(vendor, every, f"registered vendor {vendor.name}")
            every.append(vendor)
        if not every:
            raise RegistryError(NO_VENDOR)
        _ordered = tuple(sorted(every, key=lambda v: v.port_offset))
        _by_name = {v.name: v for v in _ordered}
    return _ordered


def names() -> tuple[str, ...]:
    return tuple(v.name for v in vendors())


def get(name: str) -> Vendor:
    vendors()
    try:
        return _by_name[name]
    except KeyError:
        raise UnknownVendor(f"unknown face {name!r}; known: {', '.join(_by_name)}") from None


def with_capability(capability: str) -> tuple[Vendor, ...]:
    return tuple(v for v in vendors() if v.can(capability))


def outcome(entry: Mapping[str, Any]) -> tuple[str, str] | None:
    """(label, value) of the vendor outcome a journal entry carries, by its face's declaration, if any."""
    vendors()
    vendor = _by_name.get(entry.get("face"))  # type: ignore[arg-type]
    value = vendor.outcome_of(entry) if vendor is not None else None
    return None if value is None else (vendor.outcome_label, value)  # type: ignore[union-attr]


def _changed() -> None:
    global _ordered
    _ordered = None
    for callback in list(_callbacks):
        callback()


def register(vendor: Vendor) -> None:
    """Add a vendor at run time (tests), checked as an entry point's declaration is."""
    where = f"registered vendor {getattr(vendor, 'name', vendor)!r}"
    _check(vendor, where)
    _clashes(vendor, vendors(), where)
    _registered[vendor.name] = vendor
    _changed()


def unregister(name: str) -> None:
    """Remove a vendor register() added (the entry points' stay)."""
    if name not in _registered:
        raise UnknownVendor(f"no vendor {name!r} was registered at run time; registered: {', '.join(_registered)}")
    del _registered[name]
    _changed()


@contextmanager
def registered(vendor: Vendor) -> Iterator[Vendor]:
    """`vendor` registered while inside, and not after."""
    register(vendor)
    try:
        yield vendor
    finally:
        unregister(vendor.name)


def on_change(callback: Callable[[], None]) -> None:
    """Call `callback` whenever a vendor is registered or unregistered (caches of what vendors bring)."""
    _callbacks.append(callback)
