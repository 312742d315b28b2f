"""The Intermedia -> HaloPSA face in tests: its agents (one also a Huawei agent) and Halo users
beside the test world's, and the two credentials of the receiver."""
from __future__ import annotations

import base64
import copy
from typing import Any

from ccsim import config
from support.world import TEST_CONFIG

HALO_USERS = [{"id": 101, "name": "Carla Diaz", "client_name": "Acme Ltd", "phonenumber": "+442071234567",
               "mobilenumber": "+447700900123"}]
AGENTS = [{"id": "ann", "intermedia": {"number": "+442070000001", "email": "ann@example.com"}},
          # Also a Huawei agent: answers on the Huawei face, and Intermedia still reports it.
          {"id": "4077", "skills": ["sales"], "huawei": {"password": "", "phone": "40077"},
           "intermedia": {"number": "+442070000002", "email": "hub@example.com"}}]
BASIC = "Basic " + base64.b64encode(b"intermedia:ccsim-halo-webhook").decode()
BEARER = {"Authorization": "Bearer ccsim-halo-token"}


def intermedia_config(**settings: Any) -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += AGENTS
    data["queues"].append({"id": "helpdesk", "name": "Helpdesk", "intermedia": {}})
    data["faces"]["intermedia"] = {"halo_users": HALO_USERS, "answer_after_seconds": 2, "talk_seconds": None, **settings}
    return config.from_mapping(data, "tests")
