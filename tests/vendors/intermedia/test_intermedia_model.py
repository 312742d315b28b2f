"""The Intermedia face's model on its own: a Desk over a bare World and a virtual clock, with no
listener and no HTTP, hands the IVR events of a call to whatever Webhooks it is given; Halo is
built from the desk's Intermedia agents."""
from __future__ import annotations

from ccsim.core import Agent, Queue, VirtualClock, World
from ccsim.core.clock import TimerScope
from ccsim.vendors.intermedia.model.desk import Desk
from ccsim.vendors.intermedia.model.halo import build_halo
from ccsim.vendors.intermedia.model.records import CallRecords
from ccsim.vendors.intermedia.settings import IntermediaSettings

ANN = {"number": "+442070000001", "email": "ann@example.com"}


class Sent:
    """The Webhooks port, recording what the desk fires."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, str], str | None, str]] = []

    def fire(self, event: str, values: dict[str, str], agent: str | None, contact: str) -> None:
        self.events.append((event, values, agent, contact))


def desk_world(**settings) -> tuple[World, Desk, Sent]:
    world = World(VirtualClock(), seed=5)
    world.add_queue(Queue("helpdesk", "Helpdesk", faces={"intermedia": {}}))
    world.add_agent(Agent("ann", "Ann", faces={"intermedia": dict(ANN)}))
    world.add_agent(Agent("bob", "Bob", faces={"huawei": {}}))  # not an Intermedia agent
    sent = Sent()
    desk = Desk(world, TimerScope(world.clock), "intermedia", IntermediaSettings(**settings),
                CallRecords(1 << 20), sent, lambda: "http://halo.example")
    world.register_policy("intermedia", desk)
    world.bus.subscribe("*", desk.on_core_event)
    return world, desk, sent


async def test_a_desk_agent_picks_up_hangs_up_and_each_ivr_event_goes_to_the_webhooks():
    world, desk, sent = desk_world(answer_after_seconds=3, talk_seconds=10)
    desk.sign_in_desk_agents()
    assert [a.id for a in desk.desk_agents()] == ["ann"] and world.agents["ann"].presence == "idle"
    contact = world.inject("helpdesk", caller="+15550100")
    assert world.agents["ann"].presence == "ringing" and sent.events == []
    await world.clock.sleep(3)
    assert world.agents["ann"].presence == "talking"
    [(event, values, agent, contact_id)] = sent.events
    call_id = values["CallID"]
    assert (event, agent, contact_id) == ("Agent Answers Call", "ann", contact.id)
    assert values == {"CallID": call_id, "AgentNumber": ANN["number"], "AgentEmail": ANN["email"],
                      "UserNumber": "+15550100", "RecordingUrl": f"http://halo.example/recordings/{call_id}.wav"}
    assert desk.vendor_states()["ann"]["answered"] == contact.id
    await world.clock.sleep(10)
    assert contact.ended and world.agents["ann"].presence == "idle"
    assert [e[0] for e in sent.events] == ["Agent Answers Call", "Agent Hangs Up", "Call Ended"]
    assert {e[1]["CallID"] for e in sent.events} == {call_id}  # one CallID per call
    assert desk.desk_timers == {} and desk.answered == {}


async def test_halo_is_built_from_the_desks_intermedia_agents():
    _, desk, _ = desk_world()
    halo = build_halo(desk.intermedia_agents(), IntermediaSettings(), CallRecords(1 << 20))
    [ann] = halo.agents
    assert (ann.id, ann.name, ann.intermedia_number, ann.email, ann.agent) == (1, "Ann", ANN["number"], ANN["email"],
                                                                             "ann")
    assert halo.match_agent(ANN["number"], "", by_email=False) is ann
    assert halo.match_agent("+1", "ANN@example.com", by_email=False) is None
    assert halo.match_agent("+1", "ANN@example.com", by_email=True) is ann
