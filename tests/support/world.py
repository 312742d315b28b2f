"""The test world: the configuration most tests run (three Huawei agents on two queues), variants
of it, and a simulator started on it outside the `sim` fixture."""
from __future__ import annotations

import copy
from typing import Any

from ccsim import config
from ccsim.app import Simulator
from ccsim.core import VirtualClock

TEST_CONFIG: dict[str, Any] = {
    "seed": 11,
    "port_base": 0,
    "queues": [
        {"id": "sales", "name": "Sales", "skills": ["sales"], "number": "4001", "huawei": {"skill_id": 1}},
        {"id": "support", "name": "Support", "skills": ["support"], "number": "4002", "huawei": {"skill_id": 2}},
    ],
    "agents": [
        {"id": "291", "skills": ["sales", "support"], "huawei": {"password": "", "phone": "40038"}},
        {"id": "292", "skills": ["sales"], "huawei": {"password": "secret", "phone": "40039"}},
        {"id": "293", "skills": ["support"], "huawei": {"password": "secret", "phone": "40040"}},
    ],
    # A long ring timeout, so that polls (10 s holds) in tests never time out a call by accident.
    "faces": {"huawei": {"lock_after_failed_logins": 3, "ring_timeout_seconds": 600}},
}


def make_config(**face_settings: dict[str, Any]) -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    for face, settings in face_settings.items():
        data["faces"].setdefault(face, {}).update(settings)
    return config.from_mapping(data, "tests")


def event_types(events: list[dict[str, Any]]) -> list[str]:
    return [e["eventType"] for e in events]


async def started(cfg: config.Config) -> Simulator:
    """A simulator of `cfg` on a virtual clock, started; the caller stops it."""
    sim = Simulator(cfg, VirtualClock())
    await sim.start()
    return sim
