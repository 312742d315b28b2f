"""The Huawei check: an agent desktop's requests over AgentGateway REST, in any order, with
customers calling and hanging up through the admin API."""
from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from ....conformance.machine import FaceMachine

AGENTS = ["291", "292"]
CONFIG = {
    "seed": 3,
    "queues": [{"id": "sales", "skills": ["sales"], "number": "4001", "huawei": {"skill_id": 1}}],
    "agents": [
        {"id": "291", "skills": ["sales"], "huawei": {"password": "", "phone": "40038"}},
        {"id": "292", "skills": ["sales"], "huawei": {"password": "secret", "phone": "40039"}},
    ],
    # No timer may fire during a check (time stands still between steps in process, and runs
    # for milliseconds against a target): calls ring for an hour, nobody is locked out.
    "faces": {"huawei": {"ring_timeout_seconds": 3600, "lock_after_failed_logins": 0,
                         "callout_answer_seconds": 3600}},
}
ANY = {"expect": "any"}  # the invariants judge the answer, not the step


class Machine(FaceMachine):
    face = "huawei"
    config = CONFIG
    invariants = ["huawei sign-in events", "huawei retcodes", "huawei state events", "huawei call events"]
    track_presence = True

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    @initialize()
    def first_agent_signs_in(self):
        """Every sequence starts with one desktop ready, answering by hand: most rules need one."""
        self.do("agent 291 huawei loginex", {"status": 4, "autoanswer": False, **ANY})

    @rule(agent=st.sampled_from(AGENTS), op=st.sampled_from(["login", "loginex", "forcelogin"]),
          status=st.sampled_from([3, 4, 5]), autoanswer=st.booleans())
    def sign_in(self, agent, op, status, autoanswer):
        self.do(f"agent {agent} huawei {op}", {"status": status, "autoanswer": autoanswer, **ANY})

    @rule(agent=st.sampled_from(AGENTS))
    def sign_in_with_a_wrong_password(self, agent):
        self.do(f"agent {agent} huawei loginex", {"password": "not-the-password", **ANY})

    @rule(agent=st.sampled_from(AGENTS), op=st.sampled_from(["sayfree", "cancelbusy", "work", "cancelwork",
                                                             "agentstatus"]))
    def change_state(self, agent, op):
        self.do(f"agent {agent} huawei {op}", ANY)

    @rule(agent=st.sampled_from(AGENTS), reason=st.sampled_from([None, 0, 199, 200, 250, 251]))
    def say_busy(self, agent, reason):
        self.do(f"agent {agent} huawei saybusy", ANY if reason is None else {"reason": reason, **ANY})

    @rule(agent=st.sampled_from(AGENTS), op=st.sampled_from(["logout", "forcelogout"]))
    def sign_out(self, agent, op):
        self.do(f"agent {agent} huawei {op}", ANY)

    @rule()
    def customer_calls(self):
        self.calls += 1
        self.do("customer calls", {"queue": "sales", "caller": f"+1555010{self.calls % 10}"})

    @precondition(lambda self: self.calls)
    @rule()
    def customer_hangs_up(self):
        contact = self.admin(lambda admin: admin.contact(self.run.last_contact))
        if contact["state"] != "ended":
            self.do("customer hangs up", {})

    @rule(agent=st.sampled_from(AGENTS), op=st.sampled_from(["answer", "release", "hold", "beginmute", "endmute"]))
    def handle_the_call(self, agent, op):
        self.do(f"agent {agent} huawei {op}", ANY)

    # Rules aimed at an agent in a given situation, so that short sequences reach it.
    @precondition(lambda self: self.agents_in("ringing"))
    @rule(data=st.data())
    def answer_a_ringing_call(self, data):
        self.do(f"agent {data.draw(st.sampled_from(self.agents_in('ringing')))} huawei answer", ANY)

    @precondition(lambda self: self.agents_in("wrapup", "busy"))
    @rule(data=st.data(), op=st.sampled_from(["cancelwork", "sayfree", "cancelbusy", "work"]))
    def leave_wrap_up_or_busy(self, data, op):
        self.do(f"agent {data.draw(st.sampled_from(self.agents_in('wrapup', 'busy')))} huawei {op}", ANY)

    @precondition(lambda self: self.agents_in("idle", "busy", "wrapup"))
    @rule(data=st.data(), reason=st.sampled_from([200, 250, 251]))
    def say_busy_at_the_edges(self, data, reason):
        agent = data.draw(st.sampled_from(self.agents_in("idle", "busy", "wrapup")))
        self.do(f"agent {agent} huawei saybusy", {"reason": reason, **ANY})

    @rule(agent=st.sampled_from(AGENTS))
    def retrieve_the_held_call(self, agent):
        self.do(f"agent {agent} huawei gethold", {"callid": "current", **ANY})
