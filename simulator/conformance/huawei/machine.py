"""The Huawei check: an agent desktop's requests over AgentGateway REST, in any order."""
from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import rule

from ..machine import FaceMachine

AGENTS = ["291", "292"]
CONFIG = {
    "seed": 3,
    "queues": [{"id": "sales", "skills": ["sales"], "number": "4001", "huawei": {"skill_id": 1}}],
    "agents": [
        {"id": "291", "skills": ["sales"], "huawei": {"password": "", "phone": "40038"}},
        {"id": "292", "skills": ["sales"], "huawei": {"password": "secret", "phone": "40039"}},
    ],
    "faces": {"huawei": {"ring_timeout_seconds": 3600, "lock_after_failed_logins": 0}},
}


class Machine(FaceMachine):
    face = "huawei"
    config = CONFIG
    invariants = ["huawei sign-in events"]

    @rule(agent=st.sampled_from(AGENTS), op=st.sampled_from(["login", "loginex"]), status=st.sampled_from([3, 4, 5]))
    def sign_in(self, agent, op, status):
        self.do(f"agent {agent} huawei {op}", {"status": status, "autoanswer": False, "expect": {}})

    @rule(agent=st.sampled_from(AGENTS), op=st.sampled_from(["sayfree", "saybusy", "cancelbusy", "logout"]))
    def state(self, agent, op):
        self.do(f"agent {agent} huawei {op}", {"expect": {}})
