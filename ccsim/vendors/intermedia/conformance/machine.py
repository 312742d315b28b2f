"""The Intermedia → HaloPSA check: customers call and hang up (Intermedia's agents pick up at once
and the WSCall goes to Halo), a misconfigured or hostile sender posts webhooks by hand, and
someone logs tickets for calls in Halo."""
from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from ....conformance.machine import FaceMachine

ANN = {"number": "+442070000001", "email": "ann@example.com"}
BOB = {"number": "+442070000002", "email": "Bob@Example.com"}
CARLA = {"phonenumber": "+442071234567", "mobilenumber": "+447700900123"}
CONFIG = {
    "seed": 5,
    "queues": [{"id": "helpdesk", "intermedia": {}}, {"id": "billing"}],
    "agents": [{"id": "ann", "name": "Ann", "intermedia": ANN}, {"id": "bob", "name": "Bob", "intermedia": BOB}],
    "faces": {"intermedia": {
        # Agents pick up at once and calls last until the customer hangs up: no timer is left
        # to fire between two steps (time stands still then, in process).
        "answer_after_seconds": 0, "talk_seconds": None, "match_agent_email": True,
        # Bob has no Intermedia number in Halo: only his email (in another case) matches him.
        # Cleo shares Ann's email domain but not her address, and has a number of her own.
        "halo_agents": [
            {"id": 1, "name": "Ann", "email": "ann@example.com", "intermedia_number": ANN["number"], "agent": "ann"},
            {"id": 2, "name": "Bob", "email": "bob@example.com", "agent": "bob"},
            {"id": 3, "name": "Cleo", "email": "cleo@example.com", "intermedia_number": "+442070000003"}],
        "halo_users": [{"id": 101, "name": "Carla Diaz", "client_name": "Acme Ltd", **CARLA},
                       {"id": 102, "name": "Dev Patel", "client_name": "Beta plc", "sitephonenumber": "+15550100"}],
    }},
}
# Carla's two numbers, one with spaces (no match: numbers are exact), Dev's site number, a stranger.
CALLERS = [CARLA["phonenumber"], CARLA["mobilenumber"], "+44 20 7123 4567", "+15550100", "+15559999"]
AGENT_NUMBERS = [ANN["number"], BOB["number"], "+442070000003", "+442079999999", ""]
AGENT_EMAILS = ["", "ann@example.com", "BOB@example.com", "cleo@example.com", "nobody@example.com"]
BAD_BODIES = [
    {"raw": "not json"},
    {"raw": '{ "CallID": "x", "AgentNumber": "1","AgentEmail": "a"b", "UserNumber": "2", "RecordingUrl": "" }'},
    {"body": ["CallID"]},
    {"body": {"AgentNumber": ANN["number"], "UserNumber": CARLA["phonenumber"]}},
    {"body": {"CallID": "hand-x", "AgentNumber": 442070000001, "UserNumber": CARLA["phonenumber"]}},
    {"body": {"CallID": "hand-y", "AgentNumber": ANN["number"], "UserNumber": "  "}},
]
ANY = {"expect": "any"}  # the invariants judge the answer, not the step


class Machine(FaceMachine):
    face = "intermedia"
    config = CONFIG
    invariants = ["halo webhook answers", "halo call log", "intermedia answered-call webhook", "halo recording link"]

    def __init__(self) -> None:
        super().__init__()
        self.contacts: list[str] = []
        self.hand_posted = 0

    def contact_states(self) -> dict[str, str]:
        state = self.admin(lambda admin: admin.state())
        return {c["id"]: c["state"] for c in state["contacts"]}

    @rule(caller=st.sampled_from(CALLERS))
    def customer_calls(self, caller):
        self.contacts.append(f"call{len(self.contacts) + 1}")
        self.do("customer calls", {"queue": "helpdesk", "caller": caller, "as": self.contacts[-1]})

    @rule()
    def customer_calls_a_queue_without_intermedia(self):
        self.contacts.append(f"call{len(self.contacts) + 1}")
        self.do("customer calls", {"queue": "billing", "caller": CALLERS[0], "as": self.contacts[-1]})

    def live(self, *states: str) -> list[str]:
        now = self.contact_states()
        return [name for name, cid in zip(self.contacts, self.ids()) if now.get(cid) in states]

    @precondition(lambda self: self.contacts)
    @rule(data=st.data())
    def customer_hangs_up(self, data):
        live = self.live("queued", "offered", "connected")
        if live:
            self.do("customer hangs up", {"contact": data.draw(st.sampled_from(live))})

    @precondition(lambda self: self.contacts)
    @rule(data=st.data())
    def customer_abandons(self, data):
        waiting = self.live("queued", "offered")
        if waiting:
            self.do("customer abandons", {"contact": data.draw(st.sampled_from(waiting))})

    def ids(self) -> list[str]:
        return [self.run.contact_id(name) for name in self.contacts]

    @rule(number=st.sampled_from(AGENT_NUMBERS), email=st.sampled_from(AGENT_EMAILS),
          user=st.sampled_from(CALLERS), recording=st.booleans())
    def webhook_posted_by_hand(self, number, email, user, recording):
        self.hand_posted += 1
        call_id = f"hand-{self.hand_posted}"
        body = {"CallID": call_id, "AgentNumber": number, "AgentEmail": email, "UserNumber": user,
                "RecordingUrl": f"https://recordings.example.com/{call_id}.wav" if recording else ""}
        self.do("intermedia notify", {"body": body, **ANY})

    @rule(username=st.sampled_from(["intermedia", "Intermedia", "halo", ""]),
          password=st.sampled_from(["ccsim-halo-webhook", "wrong", ""]))
    def webhook_with_other_credentials(self, username, password):
        body = {"CallID": "hand-creds", "AgentNumber": ANN["number"], "AgentEmail": "", "UserNumber": CALLERS[0],
                "RecordingUrl": ""}
        self.do("intermedia notify", {"body": body, "username": username, "password": password, **ANY})

    @rule(bad=st.sampled_from(BAD_BODIES))
    def webhook_with_a_bad_body(self, bad):
        self.do("intermedia notify", {**bad, **ANY})

    @precondition(lambda self: self.contacts)
    @rule(data=st.data(), ticket=st.integers(1, 3))
    def ticket_logged_for_a_call(self, data, ticket):
        """Only for calls Halo has heard of (a WSCall was sent): the step looks their row up."""
        entries = self.admin(lambda admin: admin.journal(since=self.run.journal_start, face="intermedia",
                                                         kind="webhook"))["entries"]
        heard = {e["request"].get("contact") for e in entries if e["response"].get("status") == 200}
        known = [n for n, cid in zip(self.contacts, self.ids()) if cid in heard]
        if known:
            self.do("intermedia log ticket", {"contact": data.draw(st.sampled_from(known)), "ticket": ticket})
