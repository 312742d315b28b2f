"""A ccsim configuration with the Huawei agents locustfile.py signs in:

    python bench/locust/agents.py AGENTS [WORKERS] > agents.yaml

AGENTS per worker (ids 10000 + 1000 x worker + n), for WORKERS workers (default 1)."""
from __future__ import annotations

import sys

import yaml


def config(per_worker: int, workers: int = 1) -> dict:
    ids = [str(10000 + 1000 * w + n) for w in range(workers) for n in range(per_worker)]
    return {"seed": 1, "queues": [{"id": "q", "skills": ["s"], "number": "4000", "huawei": {"skill_id": 1}}],
            "agents": [{"id": a, "skills": ["s"], "huawei": {"password": "", "phone": "7" + a}} for a in ids],
            "faces": {"huawei": {"poll_hold_seconds": 10, "idle_signout_seconds": 600}}}


if __name__ == "__main__":
    if len(sys.argv) < 2 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    per_worker = int(sys.argv[1])
    if per_worker > 1000:
        sys.exit("at most 1000 agents per worker (locustfile.py's AGENTS_PER_WORKER)")
    yaml.safe_dump(config(per_worker, int(sys.argv[2]) if len(sys.argv) > 2 else 1), sys.stdout, sort_keys=False)
