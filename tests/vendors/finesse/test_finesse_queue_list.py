"""getqueuelist: the QueueList event. UCCE: agents talking on inbound, outbound and internal calls
counted apart (Finesse's agentsTalkingInbound / Outbound / Internal); UCCX: the seed's per-CSQ
fields; both carry the asking user's full name. Every event is checked against
contracts/finesse/jms/QueueList.schema.json by the conftest `sim` fixture."""
from __future__ import annotations

import pytest

from support.finesse import App, finesse_config


@pytest.fixture
def sim_config():
    return finesse_config()


async def queue_list(app: App, agent: str) -> dict[str, dict[str, str]]:
    await app.send(f"getqueuelist#{agent}")
    event = await app.event()
    while event[1] == "State" and event[0] != agent:  # a team member's State reaching a supervisor
        event = await app.event()
    assert event[:2] == [agent, "QueueList"]
    entries = [dict(field.split(":", 1) for field in token.split(",")) for token in event[2:]]
    return {entry["QueueName"]: entry for entry in entries}


def talking(entry: dict[str, str]) -> tuple[int, int, int]:
    return int(entry["TalkingIN"]), int(entry["TalkingINT"]), int(entry["TalkingOUT"])


async def test_ucce_talking_inbound_outbound_and_internal_are_counted_apart(app_factory, sim):  # noqa: F811
    grace, ada, alan, edsger = [await app_factory(d) for d in ("ws9", "ws1", "ws2", "ws3")]
    await grace.sign_in("9001", "2901", ready=False)
    await ada.sign_in("1001", "2001", ready=False)
    await alan.sign_in("1002", "2002")
    await edsger.sign_in("1003", "2003", ready=False)
    await ada.send("MakeCall#1001", "5557777")  # an outbound call
    await ada.events(3)  # InboundCall INITIATED, State TALKING, InboundCall ACTIVE (the far end answers)
    sim.world.inject("sales", caller="+15550100")  # an inbound call for Alan, the only READY agent
    dialog = (await alan.events(2))[1][4].split(":")[1]
    await alan.send("AnswerCall#1002", dialog)
    await alan.events(2)
    sales = (await queue_list(grace, "9001"))["Sales"]
    assert talking(sales) == (1, 0, 1), sales  # Alan inbound, Ada outbound (was: Ada counted inbound)
    assert sales["FullName"] == "Grace Hopper" and sales["Ready"] == "0" and sales["NotReady"] == "2"
    await edsger.send("MakeReady#1003")
    await edsger.event()
    await alan.send("ConsultCall#1002", f"2003,{dialog}")  # Alan consults Edsger: a call between agents
    consult = (await edsger.events(2))[1][4].split(":")[1]
    await edsger.send("AnswerCall#1003", consult)
    await edsger.events(2)
    sales = (await queue_list(grace, "9001"))["Sales"]
    assert talking(sales) == (0, 2, 1), sales  # Alan and Edsger on the consult, Ada outbound


@pytest.mark.parametrize("sim_config", [finesse_config(deployment="UCCX", ring_timeout_seconds=3600)])
async def test_uccx_reports_the_seeds_per_csq_fields(app_factory, sim, admin):  # noqa: F811
    ada = await app_factory("ws1")
    await ada.sign_in("1001", "2001")
    answered = sim.world.inject("sales", caller="+15550100")
    dialog = (await ada.events(2))[1][4].split(":")[1]
    await ada.send("AnswerCall#1001", dialog)
    await ada.events(2)
    sales = (await queue_list(ada, "1001"))["Sales"]  # on UCCX an agent gets the list too
    assert list(sales) == ["QueueName", "WaitingCalls", "AgentsLoggedIn", "AgentsInAfterCallWork", "AgentsTalking",
                           "AgentsReserved", "HandledCalls", "AbandonedCalls", "TotalCalls", "LongestHandleTime",
                           "FullName"]
    assert (sales["AgentsLoggedIn"], sales["AgentsTalking"], sales["HandledCalls"], sales["TotalCalls"],
            sales["FullName"]) == ("1", "1", "1", "1", "Ada Lovelace")
    await sim.clock.sleep(95)
    await admin.hangup(answered.id)
    await ada.events(2)  # DROPPED, READY
    await ada.send("MakeNotReady#1001")
    await ada.event()
    left = sim.world.inject("sales", caller="+15550101")  # nobody READY: it waits, then the caller leaves
    waiting = (await queue_list(ada, "1001"))["Sales"]
    assert (waiting["WaitingCalls"], waiting["TotalCalls"]) == ("1", "2")
    await admin.hangup(left.id)
    sales = (await queue_list(ada, "1001"))["Sales"]
    assert {k: sales[k] for k in ("WaitingCalls", "HandledCalls", "AbandonedCalls", "TotalCalls", "LongestHandleTime",
                                  "AgentsTalking")} == {"WaitingCalls": "0", "HandledCalls": "1", "AbandonedCalls": "1",
                                                        "TotalCalls": "2", "LongestHandleTime": "95",
                                                        "AgentsTalking": "0"}
    assert (await queue_list(ada, "1001"))["Support"]["TotalCalls"] == "0"
