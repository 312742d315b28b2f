"""The Finesse check: two agent applications on the Expertflow connector's JMS protocol (STOMP),
binding their topics, signing in and out, changing state with and without reason codes, and
handling customers' calls (answer, hold, retrieve, release, outbound calls), right or wrong."""
from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from ..machine import FaceMachine

AGENTS = ["1001", "1002"]
CONFIG = {
    "seed": 2,
    "queues": [{"id": "support", "skills": ["support"], "number": "5001"}],
    "agents": [
        {"id": "1001", "name": "Ada Lovelace", "skills": ["support"],
         "finesse": {"password": "pw1001", "extension": "3001"}},
        # 1002 wraps up after its calls (WORK / WORK_READY); 1001 does not (NOT_ALLOWED).
        {"id": "1002", "name": "Bob Hopper", "skills": ["support"],
         "finesse": {"password": "pw1002", "extension": "3002", "wrap_up_mode": "OPTIONAL"}},
    ],
    # No timer may fire during a check: calls ring, wrap-ups last and far ends wait an hour.
    "faces": {"finesse": {"ring_timeout_seconds": 3600, "wrap_up_seconds": 3600, "far_end_answer_seconds": 3600}},
}
NOT_READY_CODES = ["1", "3", "7"]  # 1 and 3 configured (the first and the last), 7 not
LOGOUT_CODES = ["11", "12", "19"]
UNKNOWN_DIALOG = "16777215"  # below the first dialog id: never anyone's


class Machine(FaceMachine):
    face = "finesse"
    config = CONFIG
    track_presence = True
    # The transitions first: a wrongly allowed state change is a wrong transition before it is a missing error.
    invariants = ["finesse state transitions", "finesse errors", "finesse sign-in events", "finesse state answers",
                  "finesse dialog events", "finesse call states"]

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def dialog_of(self, agent: str, which: str = "current") -> str | None:
        """The agent application's own view of its calls (the events it has received)."""
        driver = self.run.drivers.get(("finesse", agent))
        return driver.dialog(which) if driver is not None else None

    @initialize()
    def first_agent_signs_in(self):
        """Every sequence starts with one application bound and signed in: most rules need one."""
        self.do("agent 1001 finesse Connect", {})
        self.do("agent 1001 finesse Login", {})

    @rule(agent=st.sampled_from(AGENTS), right=st.booleans())
    def bind_the_topic(self, agent, right):
        self.do(f"agent {agent} finesse Connect", {} if right else {"password": "wrong"})

    @rule(agent=st.sampled_from(AGENTS), wrong=st.sampled_from([None, "password", "extension"]))
    def sign_in(self, agent, wrong):
        self.do(f"agent {agent} finesse Login", {} if wrong is None else {wrong: "9999"})

    @rule(agent=st.sampled_from(AGENTS))
    def get_ready(self, agent):
        self.do(f"agent {agent} finesse MakeReady", {})

    @rule(agent=st.sampled_from(AGENTS), command=st.sampled_from(["MakeNotReady", "GetState", "force_logout"]))
    def change_state(self, agent, command):
        self.do(f"agent {agent} finesse {command}", {})

    @rule(agent=st.sampled_from(AGENTS))
    def sign_out(self, agent):
        self.do(f"agent {agent} finesse Logout", {})

    @rule(agent=st.sampled_from(AGENTS), code=st.sampled_from(NOT_READY_CODES))
    def not_ready_with_a_reason(self, agent, code):
        self.do(f"agent {agent} finesse MakeNotReadyWithReason", {"reasonCode": code})

    @rule(agent=st.sampled_from(AGENTS), code=st.sampled_from(LOGOUT_CODES))
    def logout_with_a_reason(self, agent, code):
        self.do(f"agent {agent} finesse logoutwithreason", {"reasonCode": code})

    @rule()
    def customer_calls(self):
        self.calls += 1
        self.do("customer calls", {"queue": "support", "caller": f"+1555020{self.calls % 10}"})

    @rule(agent=st.sampled_from(AGENTS))
    def customer_calls_an_agent_made_ready(self, agent):
        """The common path, so that short sequences reach calls: the agent gets ready, a call comes."""
        self.do(f"agent {agent} finesse MakeReady", {})
        self.customer_calls()

    @precondition(lambda self: self.calls)
    @rule()
    def customer_hangs_up(self):
        contact = self.admin(lambda admin: admin.contact(self.run.last_contact))
        if contact["state"] != "ended":
            self.do("customer hangs up", {})

    @rule(agent=st.sampled_from(AGENTS), command=st.sampled_from(["AnswerCall", "HoldCall", "RetrieveCall",
                                                                  "ReleaseCall", "GetDialogState"]),
          which=st.sampled_from(["current", "last", "unknown"]))
    def handle_a_call(self, agent, command, which):
        dialog = UNKNOWN_DIALOG if which == "unknown" else self.dialog_of(agent, which) or UNKNOWN_DIALOG
        self.do(f"agent {agent} finesse {command}", {"dialogId": dialog})

    @rule(agent=st.sampled_from(AGENTS), number=st.sampled_from(["+15550300", "3002"]))
    def make_a_call(self, agent, number):
        self.do(f"agent {agent} finesse MakeCall", {"number": number})

    # Aimed at an agent in a given situation (its presence after the last step), so that short
    # sequences reach it.
    def _aimed(self, data, *presences):
        return data.draw(st.sampled_from(self.agents_in(*presences)))

    @precondition(lambda self: self.agents_in("ringing"))
    @rule(data=st.data())
    def answer_the_ringing_call(self, data):
        agent = self._aimed(data, "ringing")
        self.do(f"agent {agent} finesse AnswerCall", {"dialogId": self.dialog_of(agent) or UNKNOWN_DIALOG})

    @precondition(lambda self: self.agents_in("talking", "held"))
    @rule(data=st.data(), command=st.sampled_from(["HoldCall", "RetrieveCall", "ReleaseCall"]))
    def act_on_the_call_in_progress(self, data, command):
        agent = self._aimed(data, "talking", "held")
        self.do(f"agent {agent} finesse {command}", {"dialogId": self.dialog_of(agent) or UNKNOWN_DIALOG})

    @precondition(lambda self: self.agents_in("idle", "ringing", "talking", "held", "wrapup"))
    @rule(data=st.data(), command=st.sampled_from(["Logout", "MakeReady"]))
    def sign_out_or_get_ready_where_it_is_not_allowed(self, data, command):
        """UCCE signs out only from NOT_READY; READY while READY is refused too."""
        agent = self._aimed(data, "idle", "ringing", "talking", "held", "wrapup")
        self.do(f"agent {agent} finesse {command}", {})
