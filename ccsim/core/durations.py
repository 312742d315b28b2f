"""Durations as people write them in scenarios, `ccsim load` options and step arguments."""
from __future__ import annotations

import re
from typing import Any

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, None: 1}


def seconds(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    found = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", str(value).strip())
    if not found:
        raise ValueError(f"{value!r} is not a duration (e.g. 500ms, 10s, 3m, 2h)")
    return float(found.group(1)) * _UNITS[found.group(2)]
