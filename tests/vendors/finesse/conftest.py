"""The Finesse tests' fixtures: agent applications on the `sim` fixture's STOMP endpoint."""
from __future__ import annotations

from support.finesse import app_factory  # noqa: F401  (a fixture)
