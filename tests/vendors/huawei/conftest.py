"""Huawei agents over the wire as fixtures (the Huawei face's tests)."""
from __future__ import annotations

from support.huawei import agent291, huawei  # noqa: F401  (fixtures)
