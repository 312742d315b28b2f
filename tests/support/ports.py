"""Port bases for tests that start `ccsim serve` on a fixed base (as a user does) on a machine
shared with other runs: a base whose hundred ports are all free now."""
from __future__ import annotations

import random
import socket

SPAN = 100  # admin and faces at base + 0..5, phonebars at base + 10..99


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("0.0.0.0", port))
        except OSError:
            return False
    return True


def free_base(avoid: set[int] = frozenset()) -> int:
    """A base in 10000-32600 whose SPAN ports are free, with no "60" in the NICE face's port
    (the CXone SDK rewrites it) and not in `avoid`. Below Linux's ephemeral ports (32768 up),
    which other processes' connections and free-port listeners take at any moment."""
    bases = [b for b in range(10000, 32700 - SPAN, SPAN) if b not in avoid and "60" not in str(b + 3)]
    random.shuffle(bases)
    for base in bases[:200]:
        if all(_free(p) for p in range(base, base + SPAN)):
            return base
    raise RuntimeError("no free range of ports for a port base")
