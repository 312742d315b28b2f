"""The NICE CXone check: MAX and the Media Bar of two agents (auto-accept off and on) over the
Agent API, in any order, with customers calling and hanging up through the admin API, and
clients sending what they should not (a wrong password, a bogus token, unknown ids, bad bodies)."""
from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from ....conformance.machine import FaceMachine

AGENTS = ["7001", "7003"]
CLIENTS = ["max", "bar"]
CONFIG = {
    "seed": 9,
    "queues": [{"id": "sales", "skills": ["sales"], "number": "8005550100"}],
    "agents": [
        {"id": "7001", "skills": ["sales"], "nice": {"username": "ada@example.com", "password": "pw",
                                                    "auto_accept": False}},
        {"id": "7003", "skills": ["sales"], "nice": {"username": "grace@example.com", "password": "pw",
                                                    "auto_accept": True}},
    ],
    # No timer may fire during a check (time stands still between steps in process): contacts are
    # never refused by timeout, after-call work lasts until a disposition, tokens do not expire;
    # the softphone (auto-accept) and the far end of an outbound call answer at once.
    "faces": {"nice": {"refusal_timeout_seconds": 10_000_000, "acw_seconds": 10_000_000,
                       "token_ttl_seconds": 100_000_000, "leg_answer_seconds": 0, "far_end_answer_seconds": 0}},
}
ANY = {"expect": "any"}  # the invariants judge the answer, not the step
BAD_BODIES = ["not json", "[1, 2]", '{"state": "Available"', "42"]  # ("null" is journaled as no body)
# (operation, arguments) a client should not send: a bad body, an unknown state, an unknown
# contact, a poll timeout out of 0-60, an unknown session id, another agent's session id (or
# none), a token never issued. One rule draws them all, so that they do not crowd out the rest.
WRONG_REQUESTS = [
    *(("set-state", {"raw": body}) for body in BAD_BODIES),
    *(("set-state", {"state": state}) for state in ["Sleeping", "available", ""]),
    *((op, {"contact": "999"}) for op in ["accept", "end", "hold"]),
    *(("get-next-event", {"timeout": timeout}) for timeout in [61, -1, "x"]),
    *((op, {**({"state": "Available"} if op == "set-state" else {}), **wrong})
      for op in ["set-state", "get-next-event", "end-session", "dial-agent-leg"]
      for wrong in [{"session": "1234567"}, {"token": "ccsim-not-issued"}, {"session": "1001004"}]),
]


class Machine(FaceMachine):
    face = "nice"
    config = CONFIG
    invariants = ["nice error statuses", "nice get-next-event answers", "nice logout rules", "nice agent leg",
                  "nice auto-accept"]

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def heard(self, agent: str, client: str = "max") -> list[dict]:
        """The events this client's polls delivered so far."""
        driver = self.run.drivers.get(("nice", agent if client == "max" else f"{agent}/bar"))
        return driver.events if driver else []

    def last(self, agent: str, client: str, *types: str) -> dict:
        return next((e for e in reversed(self.heard(agent, client)) if e.get("Type") in types), {})

    def leg(self, agent: str, client: str = "max") -> str | None:
        """The agent leg's last status as this client heard it (None: it heard of no leg)."""
        return self.last(agent, client, "AgentLeg").get("Status")

    def on(self, client: str) -> list[str]:
        """The agents whose `client` was told its session started and not yet that it ended."""
        ends = ("AgentSessionStart", "AgentSessionEnd", "RemoteAgentSessionEnd")
        return [a for a in AGENTS if self.last(a, client, *ends).get("Type") == "AgentSessionStart"]

    def in_a_call(self, client: str) -> list[str]:
        """The agents of `on(client)` whose client knows of a call not yet disconnected."""
        return [a for a in self.on(client)
                if self.last(a, client, "CallContactEvent").get("Status") not in (None, "Disconnected")]

    def available(self) -> list[str]:
        """The agents MAX shows Available with no agent leg up."""
        return [a for a in self.on("max") if self.last(a, "max", "AgentState").get("CurrentState") == "Available"
                and self.leg(a) in (None, "Disconnected")]

    def ready_to_be(self) -> list[str]:
        return [a for a in self.on("max") if self.last(a, "max", "AgentState").get("CurrentState") == "Unavailable"]

    @initialize(bar=st.booleans())
    def max_signs_in(self, bar):
        """Every sequence starts with agent 7001 in MAX, and half of them with the Media Bar
        joined: most rules need a session, the logout rules need both."""
        self.do("agent 7001 nice start-session", ANY)
        if bar:
            self.do("agent 7001 nice join-session", {"client": "bar", **ANY})

    @rule(agent=st.sampled_from(AGENTS), client=st.sampled_from(CLIENTS), op=st.sampled_from(["start-session",
                                                                                               "join-session"]))
    def sign_in(self, agent, client, op):
        self.do(f"agent {agent} nice {op}", {"client": client, **ANY})

    @rule(agent=st.sampled_from(AGENTS), client=st.sampled_from(CLIENTS), end_contacts=st.booleans())
    def log_out(self, agent, client, end_contacts):
        self.do(f"agent {agent} nice end-session", {"client": client, **({"endContacts": True} if end_contacts
                                                                          else {}), **ANY})

    @rule(agent=st.sampled_from(AGENTS), client=st.sampled_from(CLIENTS),
          state=st.sampled_from([("Available", None), ("Unavailable", None), ("Unavailable", "Lunch")]))
    def set_state(self, agent, client, state):
        self.do(f"agent {agent} nice set-state", {"client": client, "state": state[0],
                                                  **({"reason": state[1]} if state[1] else {}), **ANY})

    @rule(agent=st.sampled_from(AGENTS))
    def connect_the_agent_leg_in_max(self, agent):
        """Seed 000: connect the agent leg from MAX; with auto-accept off, the agent answers it in MAX."""
        self.do(f"agent {agent} nice dial-agent-leg", ANY)
        if self.leg(agent) == "Dialing":
            self.do(f"agent {agent} nice accept", {"contact": "leg", **ANY})

    @rule(agent=st.sampled_from(AGENTS))
    def connect_the_agent_leg_from_the_bar(self, agent):
        self.do(f"agent {agent} nice dial-agent-leg", {"client": "bar", **ANY})

    @rule(agent=st.sampled_from(AGENTS), client=st.sampled_from(CLIENTS))
    def disconnect_the_agent_leg(self, agent, client):
        self.do(f"agent {agent} nice end-agent-leg", {"client": client, **ANY})

    @rule(agent=st.sampled_from(AGENTS), enabled=st.booleans())
    def set_auto_accept(self, agent, enabled):
        self.do(f"agent {agent} nice set-auto-accept", {"enabled": enabled, **ANY})

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

    @rule(agent=st.sampled_from(AGENTS), client=st.sampled_from(CLIENTS),
          op=st.sampled_from(["accept", "reject", "hold", "resume", "end"]), which=st.sampled_from(["current", "leg"]))
    def handle_the_contact(self, agent, client, op, which):
        self.do(f"agent {agent} nice {op}", {"client": client, "contact": which, **ANY})

    @rule(agent=st.sampled_from(AGENTS), disposition=st.sampled_from(["1", "4", "9"]))
    def disposition(self, agent, disposition):
        self.do(f"agent {agent} nice disposition", {"primaryDispositionId": disposition, **ANY})

    @rule(agent=st.sampled_from(AGENTS), number=st.sampled_from(["5551234", "not a number"]))
    def dial_out(self, agent, number):
        self.do(f"agent {agent} nice dial-phone", {"phoneNumber": number, "skillId": "1", **ANY})

    @rule(agent=st.sampled_from(AGENTS), client=st.sampled_from(CLIENTS))
    def poll_at_once(self, agent, client):
        """A poll besides the background poller's, with timeout 0: answered at once."""
        self.do(f"agent {agent} nice get-next-event", {"client": client, "timeout": 0, **ANY})

    @rule(agent=st.sampled_from(AGENTS), client=st.sampled_from(CLIENTS), password=st.sampled_from(["pw", "wrong", ""]),
          username=st.sampled_from([None, "nobody@example.com"]))
    def request_a_token(self, agent, client, password, username):
        self.do(f"agent {agent} nice sign-in", {"client": client, "password": password,
                                                **({"username": username} if username else {}), **ANY})

    @rule(agent=st.sampled_from(AGENTS), wrong=st.sampled_from(WRONG_REQUESTS))
    def send_what_a_client_should_not(self, agent, wrong):
        op, args = wrong
        self.do(f"agent {agent} nice {op}", {**args, **ANY})

    # Aimed at a client in a given situation (as its own events tell it), so that short
    # sequences reach the seed's logout, leg and auto-accept rules.
    @precondition(lambda self: set(self.on("max")) - set(self.on("bar")))
    @rule(data=st.data())
    def the_bar_joins_max(self, data):
        agent = data.draw(st.sampled_from(sorted(set(self.on("max")) - set(self.on("bar")))))
        self.do(f"agent {agent} nice join-session", {"client": "bar", **ANY})

    @precondition(lambda self: set(self.on("max")) & set(self.on("bar")))
    @rule(data=st.data(), client=st.sampled_from(CLIENTS))
    def one_client_logs_out_while_the_other_is_on(self, data, client):
        agent = data.draw(st.sampled_from(sorted(set(self.on("max")) & set(self.on("bar")))))
        self.do(f"agent {agent} nice end-session", {"client": client, **ANY})

    @precondition(lambda self: self.in_a_call("bar"))
    @rule(data=st.data())
    def the_bar_logs_out_during_a_call(self, data):
        """Seed 000: MAX stays as it is."""
        self.do(f"agent {data.draw(st.sampled_from(self.in_a_call('bar')))} nice end-session",
                {"client": "bar", **ANY})

    @precondition(lambda self: self.on("bar"))
    @rule(data=st.data())
    def the_bar_tries_to_connect_the_agent_leg(self, data):
        """Seed 000: the agent leg is connected from MAX only."""
        self.do(f"agent {data.draw(st.sampled_from(self.on('bar')))} nice dial-agent-leg", {"client": "bar", **ANY})

    @precondition(lambda self: self.ready_to_be())
    @rule(data=st.data())
    def an_agent_in_max_gets_ready(self, data):
        self.do(f"agent {data.draw(st.sampled_from(self.ready_to_be()))} nice set-state", {"state": "Available", **ANY})

    @precondition(lambda self: self.available())
    @rule()
    def customer_calls_an_available_agent(self):
        """With no agent leg up, auto-accept decides whether the call waits for an accept in MAX."""
        self.calls += 1
        self.do("customer calls", {"queue": "sales", "caller": f"+1555010{self.calls % 10}"})
