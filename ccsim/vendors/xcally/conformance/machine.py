"""The XCALLY Motion check: agents' web clients over REST (Basic credentials) and socket.io,
their phonebars' remote control, customers writing in on chat and mail and calling a voice
queue, and an administrator creating agents, right or wrong."""
from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from ....conformance.machine import FaceMachine

AGENTS = ["ann", "ben"]  # on chat and mail
VOICE_AGENTS = ["ann", "cy"]  # on the voice queue, with their phonebars' remote control
CHANNELS = ["chat", "mail"]
TAB_LIMIT = 2
CONFIG = {
    "seed": 1,
    # Ann takes a chat and two mails by hand (more than the tabs limit of 2 together); Ben one of
    # each, chats answered at once (delay 0: no timer is left to fire between two steps, when time
    # stands still in process). Ann and Cy answer voice calls on their phonebars: Ann with Ring in
    # Use off (a second call passes her by), Cy, on voice only, with it on (it rings while he talks).
    "agents": [
        {"id": "ann", "xcally": {"name": "ann", "password": "Ann#Pass2026", "chatCapacity": 1, "mailCapacity": 2,
                                 "phoneBarRemoteControl": True}},
        {"id": "ben", "xcally": {"name": "ben", "password": "Ben#Pass2026", "chatCapacity": 1, "mailCapacity": 1,
                                 "chatAutoanswer": True, "chatAutoanswerDelay": 0}},
        {"id": "cy", "xcally": {"name": "cy", "password": "Cy#Pass2026", "phoneBarRemoteControl": True,
                                "phoneBarRingInUse": True}},
    ],
    "queues": [
        {"id": "web", "name": "Web", "channel": "chat", "xcally": {"members": AGENTS, "strategy": "rrmemory"}},
        {"id": "inbox", "name": "Inbox", "channel": "mail", "xcally": {"members": AGENTS, "strategy": "rrmemory"}},
        {"id": "lines", "name": "Lines", "channel": "voice", "xcally": {"members": VOICE_AGENTS}},
    ],
    "faces": {"xcally": {"tab_limit": TAB_LIMIT}},
}
QUEUE_OF = {"chat": "web", "mail": "inbox"}
NEW_AGENTS = [  # (body) an administrator tries: each of seed 001's refusals, and valid ones
    {"name": "fay", "password": "N0special"}, {"name": "bad name!", "password": "G00d#Pass"},
    {"name": "cleo", "password": "Cleo#Pass1"}, {"name": "eve-x", "password": "G00d#Pass"},
    {"name": "fay", "password": "password"}, {"name": "fay", "password": "Sh0rt!"},
    {"name": "fay", "password": "nouppercase#1"}, {"name": "dan.o_2", "password": "Dan#Pass99"},
    {"name": "ann", "password": "Fine#Pass1"}, {"password": "Fine#Pass1"}, {"name": "gus"},
    {"name": "hal", "password": "NoSpecial99"}, {"name": "ivy", "password": "Abcdefg1"},  # only the special missing
]
ANY = {"expect": "any"}  # the invariants judge the answer, not the step


class Machine(FaceMachine):
    face = "xcally"
    config = CONFIG
    invariants = ["xcally tab limit", "xcally channel capacity", "xcally pauses", "xcally report rows",
                  "xcally agent validation", "xcally ring in use"]

    def __init__(self) -> None:
        super().__init__()
        self.contacts: list[str] = []  # the scenario names of the customers who wrote in
        self.calls: list[str] = []  # ... and of those who called the voice queue

    @initialize()
    def first_agents_sign_in(self):
        self.do("agent ann xcally login", ANY)
        self.do("agent cy xcally login", ANY)

    @rule(agent=st.sampled_from(AGENTS), op=st.sampled_from(["login", "logout"]))  # Cy stays logged in
    def sign_in_or_out(self, agent, op):
        self.do(f"agent {agent} xcally {op}", ANY)

    @rule(agent=st.sampled_from(AGENTS), channel=st.sampled_from(CHANNELS), pause=st.booleans(),
          customer_follows=st.booleans())
    def pause_or_unpause(self, agent, channel, pause, customer_follows):
        self.do(f"agent {agent} xcally {'pause' if pause else 'unpause'}", {"channel": channel, **ANY})
        if customer_follows:  # aimed at seed 001's pauses: nothing may be offered on a paused channel
            self.do("customer calls", self.new_customer(channel))

    def new_customer(self, channel: str) -> dict[str, str]:
        name = f"c{len(self.contacts) + 1}"
        self.contacts.append(name)
        return {"queue": QUEUE_OF[channel], "channel": channel, "caller": f"customer-{name}", "as": name}

    @rule(channel=st.sampled_from(CHANNELS))
    def customer_writes_in(self, channel):
        self.do("customer calls", self.new_customer(channel))

    @rule()
    def customers_write_in_on_both_channels(self):
        self.do("customer calls", self.new_customer("chat"))
        self.do("customer calls", self.new_customer("mail"))

    @precondition(lambda self: self.contacts)
    @rule(data=st.data(), agent=st.sampled_from(AGENTS), op=st.sampled_from(["accept", "accept", "reject", "close"]))
    def handle_an_interaction(self, data, agent, op):
        contact = data.draw(st.sampled_from(self.contacts))
        self.do(f"agent {agent} xcally {op}", {"interaction": contact, **ANY})

    @precondition(lambda self: self.contacts)
    @rule(data=st.data())
    def customer_writes_again(self, data):
        self.do("xcally customer writes", {"contact": data.draw(st.sampled_from(self.contacts))})

    @precondition(lambda self: self.contacts)
    @rule(data=st.data())
    def customer_gives_up(self, data):
        contact = data.draw(st.sampled_from(self.contacts))
        state = self.admin(lambda admin: admin.contact(self.run.contact_id(contact)))
        if state["state"] in ("queued", "offered"):
            self.do("customer abandons", {"contact": contact})

    # Aimed at an interaction in a given state, so that short sequences reach tabs and limits.
    def in_state(self, *states: str) -> list[tuple[str, str]]:
        """(contact name, its agent) of the customers who wrote in whose contact is in one of these states."""
        found = {c["id"]: c for c in self.admin(lambda admin: admin.state())["contacts"]}
        return [(name, found[cid]["agent"]) for name, cid in sorted(self.run.contacts.items())
                if name in self.contacts and cid in found and found[cid]["state"] in states and found[cid]["agent"]]

    @precondition(lambda self: self.contacts)
    @rule(data=st.data())
    def accept_an_offer(self, data):
        offered = self.in_state("offered")
        if offered:
            contact, agent = data.draw(st.sampled_from(offered))
            self.do(f"agent {agent} xcally accept", {"interaction": contact, **ANY})

    @precondition(lambda self: self.contacts)
    @rule(data=st.data())
    def close_an_open_interaction(self, data):
        open_ = self.in_state("connected")
        if open_:
            contact, agent = data.draw(st.sampled_from(open_))
            self.do(f"agent {agent} xcally close", {"interaction": contact, "disposition": "done", **ANY})

    @rule(body=st.sampled_from(NEW_AGENTS))
    def administrator_creates_an_agent(self, body):
        self.do("xcally create-agent", {**body, **ANY})

    # -- voice: calls to the Lines queue, answered, held and hung up on the agents' phonebars ------------------
    @rule(data=st.data(), op=st.sampled_from(["a call", "three calls answered", "phonebar-answer", "phonebar-hangup",
                                              "phonebar-hold", "customer hangs up"]))
    def voice(self, data, op):
        """A customer calls; or three do, each answered at once by the agent it rings (the next
        ones find agents talking, which Ring in Use is about); or a phonebar answers, hangs up or
        holds; or a caller hangs up."""
        if op.startswith("phonebar-"):
            self.do(f"agent {data.draw(st.sampled_from(VOICE_AGENTS))} xcally {op}", ANY)
            return
        if op == "customer hangs up":
            call = data.draw(st.sampled_from(self.calls)) if self.calls else None
            if call and self.admin(lambda admin: admin.contact(self.run.contact_id(call)))["state"] != "ended":
                self.do("customer hangs up", {"contact": call})
            return
        for _ in range(1 if op == "a call" else 3):
            name = f"v{len(self.calls) + 1}"
            self.calls.append(name)
            self.do("customer calls", {"queue": "lines", "caller": f"+1555000{len(self.calls):04d}", "as": name})
            ringing = self.admin(lambda admin: admin.contact(self.run.contact_id(name)))
            if op != "a call" and ringing["state"] == "offered":
                self.do(f"agent {ringing['agent']} xcally phonebar-answer", ANY)
