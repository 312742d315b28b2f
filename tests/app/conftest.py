"""Huawei agents over the wire as fixtures (the simulator's tests drive Huawei agents)."""
from __future__ import annotations

from support.huawei import agent291, huawei  # noqa: F401  (fixtures)
