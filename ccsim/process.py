"""Settings of a long-running ccsim process (`ccsim serve`, `ccsim load`), not of the model."""
from __future__ import annotations

import gc

# CPython's default collects the young generation every 700 allocations, and its full passes
# walk everything alive: with a full journal, the Huawei REST benchmark's p99 was 18-46 ms
# against 8 ms with no collector at all (bench/rest_loop.py). Rarer young collections, and the
# start-up's objects (modules, contracts, configuration) moved out of the collector's sight,
# keep the p99 near the latter; cycles are still collected.
YOUNG_GENERATION_THRESHOLD = 50_000


def tune_gc() -> None:
    """Call once, in a process of its own (not in a test run: frozen objects are never freed)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, older, oldest)
