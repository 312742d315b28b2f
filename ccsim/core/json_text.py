"""json.loads for what clients send: a nesting too deep for the parser is bad JSON like any
other (a ValueError), not a RecursionError that would escape a face's error handling."""
from __future__ import annotations

import json
from typing import Any


def loads(text: str | bytes) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
