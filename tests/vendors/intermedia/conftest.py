"""Huawei agents over the wire as fixtures (an Intermedia agent that is also a Huawei agent answers
on the Huawei face)."""
from __future__ import annotations

from support.huawei import agent291, huawei  # noqa: F401  (fixtures)
