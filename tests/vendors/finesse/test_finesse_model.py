"""The Finesse model on its own: no transport, no journal, no face. Commands go through the
command table (commands.py) as the face sends them; events are what the model publishes."""
from __future__ import annotations

from ccsim.core import Agent, Queue, World
from ccsim.core.clock import TimerScope, VirtualClock
from ccsim.vendors.finesse import protocol as p
from ccsim.vendors.finesse.commands import COMMANDS
from ccsim.vendors.finesse.model import FinesseModel
from ccsim.vendors.finesse.settings import FinesseSettings


class Desk:
    """The model with what the face would give it: a publish that records, a routing policy."""

    def __init__(self, settings: FinesseSettings):
        self.world = World(VirtualClock(), seed=1)
        self.world.add_queue(Queue("sales", "Sales", skills={"sales"}))
        self.world.add_agent(Agent("1001", "Ada Lovelace", skills={"sales"},
                                   faces={"finesse": {"password": "pw", "extension": "3001"}}))
        self.events: list[tuple[str, list[str]]] = []  # (client destination, tokens)
        self.model = FinesseModel(self.world, TimerScope(self.world.clock), settings,
                                  lambda destination, text, agent_id: self.events.append((destination, text.split("#"))),
                                  "finesse")
        self.world.register_policy("finesse", self)

    def eligible(self, agent, contact):
        return self.model.connector.eligible(agent, contact)

    def offer(self, agent, contact):
        self.model.dialogs.offer(agent, contact)

    def send(self, jms_type: str, body: str = "") -> None:
        command = p.parse_command(jms_type, body)
        user = self.model.connector.users.get(command.param)
        if command.name == "Connect":
            self.model.connector.connect(user, command, "desktop-1")
        else:
            COMMANDS[command.name](self.model, user, command)

    def names(self) -> list[str]:
        names = [f"{tokens[1]}:{tokens[2]}" if tokens[1] in ("State", "InboundCall") else tokens[1]
                 for _, tokens in self.events]
        self.events.clear()
        return names

    def sign_in_and_answer(self) -> str:
        self.send("Connect#1001", "ws1,pw")
        self.send("Login#1001", "pw,3001")
        self.send("MakeReady#1001")
        self.world.inject("sales", caller="+15550100")
        dialog = next(t[4].split(":")[1] for _, t in self.events if t[1] == "NewInboundCall")
        self.send("AnswerCall#1001", dialog)
        return dialog


async def test_the_model_signs_an_agent_in_and_connects_its_call_without_a_transport():
    desk = Desk(FinesseSettings())
    desk.sign_in_and_answer()
    assert desk.names() == ["AgentInfo", "State:NOT_READY", "State:READY", "State:RESERVED", "NewInboundCall",
                            "InboundCall:ACTIVE", "State:TALKING"]
    assert {destination for destination, _ in desk.events} <= {"ws1"}
    assert desk.world.agents["1001"].presence == "talking"


async def test_after_a_reset_every_part_of_the_model_reads_the_new_settings():
    desk = Desk(FinesseSettings(deployment="UCCE"))
    desk.model.reset(FinesseSettings(deployment="UCCX"))  # as the face's reset gives it, made afresh
    dialog = desk.sign_in_and_answer()
    desk.names()
    desk.send("HoldCall#1001", dialog)
    assert desk.names() == ["InboundCall:HELD"]  # on UCCX a held agent stays TALKING: no State HOLD


async def test_every_command_the_connector_knows_has_a_handler_but_connect():
    assert set(COMMANDS) == {spec.name for spec in p.COMMANDS.values()} - {"Connect"}
