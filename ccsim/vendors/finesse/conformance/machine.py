"""The Finesse check: two agent applications on the Expertflow connector's JMS protocol (STOMP),
binding their topics, signing in and out, changing state with and without reason codes, and
handling customers' calls (answer, hold, retrieve, release, outbound calls), right or wrong; a
supervisor changing their states; each sending commands for the other; personal callbacks on
outbound preview calls, their own or not."""
from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from ....conformance.machine import FaceMachine

AGENTS = ["1001", "1002"]
SUPERVISOR = "9001"  # team 1: 1001's supervisor, not 1002's (team 2)
TEAM_AGENT = "1001"
CONFIG = {
    "seed": 2,
    "queues": [{"id": "support", "skills": ["support"], "number": "5001"}],
    "agents": [
        {"id": "1001", "name": "Ada Lovelace", "skills": ["support"],
         "finesse": {"password": "pw1001", "extension": "3001"}},
        # 1002 wraps up after its calls (WORK / WORK_READY); 1001 does not (NOT_ALLOWED).
        {"id": "1002", "name": "Bob Hopper", "skills": ["support"],
         "finesse": {"password": "pw1002", "extension": "3002", "wrap_up_mode": "OPTIONAL", "team": "2"}},
        {"id": SUPERVISOR, "name": "Grace Turing", "skills": [],
         "finesse": {"password": "pw9001", "extension": "3901", "supervisor": True, "teams": ["1"]}},
    ],
    # No timer may fire during a check: calls ring, wrap-ups last and far ends wait an hour.
    "faces": {"finesse": {"ring_timeout_seconds": 3600, "wrap_up_seconds": 3600, "far_end_answer_seconds": 3600}},
}
NOT_READY_CODES = ["1", "3", "7"]  # 1 and 3 configured (the first and the last), 7 not
LOGOUT_CODES = ["11", "12", "19"]
UNKNOWN_DIALOG = "16777215"  # below the first dialog id: never anyone's
CALLBACK_COMMANDS = ["SHCEDULECALLBACK", "UPDATECALLBACK", "CANCELSHCEDULECALLBACK", "RECLASSIFYCALL"]


class Machine(FaceMachine):
    face = "finesse"
    config = CONFIG
    track_presence = True
    # The transitions first: a wrongly allowed state change is a wrong transition before it is a missing error.
    invariants = ["finesse state transitions", "finesse errors", "finesse sign-in events", "finesse state answers",
                  "finesse dialog events", "finesse call states", "finesse command senders",
                  "finesse supervisor reason codes", "finesse callback ownership"]

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.supervisor_bound = False

    def dialog_of(self, agent: str, which: str = "current") -> str | None:
        """The agent application's own view of its calls (the events it has received)."""
        driver = self.run.drivers.get(("finesse", agent))
        return driver.dialog(which) if driver is not None else None

    @initialize()
    def first_agent_signs_in(self):
        """Every sequence starts with one application bound and signed in, and the other bound: most rules
        need one, and only a bound application's commands are carried out."""
        self.do("agent 1001 finesse Connect", {})
        self.do("agent 1001 finesse Login", {})
        self.do("agent 1002 finesse Connect", {})

    @rule(agent=st.sampled_from(AGENTS), right=st.booleans())
    def bind_the_topic(self, agent, right):
        self.do(f"agent {agent} finesse Connect", {} if right else {"password": "wrong"})

    @rule(agent=st.sampled_from(AGENTS), wrong=st.sampled_from([None, "password", "extension"]))
    def sign_in(self, agent, wrong):
        self.do(f"agent {agent} finesse Login", {} if wrong is None else {wrong: "9999"})

    @rule(agent=st.sampled_from(AGENTS))
    def get_ready(self, agent):
        self.do(f"agent {agent} finesse MakeReady", {})

    @rule(agent=st.sampled_from(AGENTS), command=st.sampled_from(["MakeNotReady", "GetState", "force_logout"]),
          for_the_other=st.sampled_from([False, False, False, True]))
    def change_state(self, agent, command, for_the_other):
        """Its own state, or now and then the other agent's (which it may not change)."""
        other = next(a for a in AGENTS if a != agent)
        self.do(f"agent {agent} finesse {command}", {"target": other} if for_the_other else {})

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

    @rule(agent=st.sampled_from(AGENTS), preview=st.booleans(), then=st.sampled_from(["ring", "answer", "hold"]))
    def customer_calls_an_agent_made_ready(self, agent, preview, then):
        """The common path, so that short sequences reach calls (the check tries random subsets of the
        rules): the agent gets ready, a call comes (an outbound preview, or an inbound call), and it may
        answer at once, and hold."""
        if self.presences.get(agent, "offline") == "offline":
            self.do(f"agent {agent} finesse Login", {})
        self.do(f"agent {agent} finesse MakeReady", {})
        if preview:
            self.calls += 1
            self.do("customer calls", {"queue": "support", "caller": f"+1555030{self.calls % 10}",
                                       "data": {"preview": True}})
        else:
            self.customer_calls()
        ringing = [a for a in self.agents_in("ringing") if a in AGENTS]  # it, or the agent READY longer
        if then != "ring" and ringing:
            self.do(f"agent {ringing[0]} finesse AnswerCall", {"dialogId": self.dialog_of(ringing[0]) or UNKNOWN_DIALOG})
            if then == "hold":
                self.do(f"agent {ringing[0]} finesse HoldCall", {"dialogId": self.dialog_of(ringing[0]) or UNKNOWN_DIALOG})

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

    @precondition(lambda self: self.agents_in("ringing", "talking", "held"))
    @rule(data=st.data())
    def act_on_the_call_in_progress(self, data):
        """A ringing call answered (or refused); a call in progress held, retrieved or released."""
        agent = self._aimed(data, "ringing", "talking", "held")
        commands = ["AnswerCall", "AnswerCall", "ReleaseCall"] if self.presences.get(agent) == "ringing" else \
            ["HoldCall", "RetrieveCall", "ReleaseCall"]
        command = data.draw(st.sampled_from(commands))
        self.do(f"agent {agent} finesse {command}", {"dialogId": self.dialog_of(agent) or UNKNOWN_DIALOG})

    @precondition(lambda self: self.agents_in("idle", "ringing", "talking", "held", "wrapup"))
    @rule(data=st.data(), command=st.sampled_from(["Logout", "MakeReady"]))
    def sign_out_or_get_ready_where_it_is_not_allowed(self, data, command):
        """UCCE signs out only from NOT_READY; READY while READY is refused too."""
        agent = self._aimed(data, "idle", "ringing", "talking", "held", "wrapup")
        self.do(f"agent {agent} finesse {command}", {})

    # -- who sends what: a supervisor, callbacks -------------------------------------------------------------
    @rule(data=st.data(), command=st.sampled_from(["MakeNotReady", "Logout", "MakeNotReady", "Logout", "MakeReady",
                                                   "GetState", "MakeNotReadyWithReason", "logoutwithreason"]))
    def supervisor_changes_an_agents_state(self, data, command):
        """For its own team's agent (1001) or another team's (1002), mostly its team's agent when it is
        READY or in wrap-up (where Finesse lets a supervisor set NOT_READY), or one on a call; signed in
        first (mostly with the right password); with a reason code too, which a supervisor may not send."""
        if not self.supervisor_bound:
            right = data.draw(st.sampled_from([True, True, True, False]))
            self.do(f"agent {SUPERVISOR} finesse Connect", {} if right else {"password": "wrong"})
            self.do(f"agent {SUPERVISOR} finesse Login", {})
            self.supervisor_bound = right
        team = [a for a in self.agents_in("idle", "wrapup") if a == TEAM_AGENT]
        busy = [a for a in self.agents_in("talking", "held") if a in AGENTS]
        agent = data.draw(st.sampled_from(team * 3 + busy + AGENTS))
        codes = {"MakeNotReadyWithReason": {"reasonCode": "1"}, "logoutwithreason": {"reasonCode": "11"}}
        self.do(f"agent {SUPERVISOR} finesse {command}", {"target": agent, **codes.get(command, {})})

    @rule(data=st.data(), agent=st.sampled_from(AGENTS), command=st.sampled_from(CALLBACK_COMMANDS),
          own_extension=st.booleans())
    def set_a_callback(self, data, agent, command, own_extension):
        """On the newest call it or the other agent heard of (one that had a call, mostly), naming its own
        extension or not."""
        had_calls = [a for a in AGENTS if self.dialog_of(a, "last")]
        whose = data.draw(st.sampled_from(had_calls or AGENTS))
        args = {"dialogId": self.dialog_of(whose, "last") or UNKNOWN_DIALOG}
        if command in ("SHCEDULECALLBACK", "UPDATECALLBACK"):
            args["callbackTime"] = "2026-03-07T14:30"
        if command == "RECLASSIFYCALL":
            args["value"] = "VOICE"
        if not own_extension:
            args["extension"] = "3999"
        self.do(f"agent {agent} finesse {command}", args)
