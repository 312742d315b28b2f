"""Cisco Finesse (Expertflow connector) conformance: the state machine, its invariants and its mutants."""
from . import invariants  # noqa: F401  (registers the invariants)
from .machine import Machine
from .mutants import MUTANTS

__all__ = ["Machine", "MUTANTS"]
