"""A supervisor's state commands for the agents of its team, over the embedded STOMP endpoint:
Finesse's rules (reference finesse.md §6.1): READY, NOT_READY and LOGOUT only, own team only, no
reason code (Finesse applies 999 on Unified CCE, 33 on Unified CCX). Every event is checked
against contracts/finesse by the conftest `sim` fixture."""
from __future__ import annotations

import pytest

from ccsim.scenario import loader
from ccsim.scenario.record import dump, scenario_from_journal
from ccsim.scenario.runner import run_scenario
from test_finesse_face import App, app_factory, finesse_config  # noqa: F401  (fixture)


def supervised_config(**settings):
    cfg = finesse_config(**settings)
    cfg.agents = [dict(a, finesse={**a["finesse"], "team": "2"}) if a["id"] == "1002" else a for a in cfg.agents]
    return cfg


@pytest.fixture
def sim_config():
    return supervised_config()


async def desks(app_factory) -> tuple[App, App]:  # noqa: F811
    """Ada (1001, team 1) signed in and READY; Grace (9001), supervisor of team 1, signed in."""
    ada, grace = await app_factory("ws1"), await app_factory("ws9")
    await grace.sign_in("9001", "2901", ready=False)
    await ada.sign_in("1001", "2001")
    await grace.events(2)  # Ada's NOT_READY and READY, fanned out to her supervisor
    return ada, grace


def state(event: list[str]) -> tuple[str, ...]:
    return event[0], event[2], event[3], event[5]  # subject, state, reasonCodeId, pendingState


async def test_a_supervisors_not_ready_and_logout_carry_999_on_ucce(app_factory, sim):  # noqa: F811
    ada, grace = await desks(app_factory)
    await grace.send("MakeNotReady#1001")
    assert state(await ada.event()) == ("1001", "NOT_READY", "999", "")
    assert state(await grace.event()) == ("1001", "NOT_READY", "999", "")
    await grace.send("MakeReady#1001")
    assert state(await ada.event()) == ("1001", "READY", "", "")
    await grace.event()
    await grace.send("Logout#1001")  # a supervisor may sign an agent out from READY, even on UCCE
    assert state(await ada.event()) == ("1001", "LOGOUT", "999", "")
    assert sim.world.agents["1001"].presence == "offline"
    # The supervisor's own state is untouched.
    assert sim.faces["finesse"].model.connector.users["9001"].reason_code == "-1"


@pytest.mark.parametrize("sim_config", [supervised_config(deployment="UCCX")])
async def test_on_uccx_the_supervisor_code_is_33(app_factory, sim_config):  # noqa: F811
    ada, grace = await desks(app_factory)
    await grace.send("logout#1001")  # the WPF client's spelling
    assert state(await ada.event()) == ("1001", "LOGOUT", "33", "")


async def test_what_a_supervisor_may_not_do(app_factory, sim):  # noqa: F811
    ada, grace = await desks(app_factory)
    alan = await app_factory("ws2")
    await alan.sign_in("1002", "2002")  # team 2: not Grace's
    for jms_type, body, code in [("MakeNotReadyWithReason#1001", "1", "INVALID_INPUT"),
                                 ("logoutwithreason#1001", "11", "INVALID_INPUT"),  # no reason code from a supervisor
                                 ("MakeReady#1001", "", "INVALID_STATE"),  # READY while READY
                                 ("MakeNotReady#1002", "", "INVALID_SUPERVISOR"),  # not on her team
                                 ("AnswerCall#1001", "16777216", "AUTHORIZATION_FAILURE")]:  # no call control
        await grace.send(jms_type, body)
        error = await grace.event()
        assert error[:4] == [jms_type.split("#")[1], "Error", jms_type.split("#")[0], code], error
    assert await ada.quiet(1) and await alan.quiet(1)
    assert sim.faces["finesse"].model.connector.users["1001"].state == "READY"
    sim.world.inject("sales", caller="+15550100")
    dialog = (await ada.events(2))[1][4].split(":")[1]
    await ada.send("AnswerCall#1001", dialog)
    await ada.events(2)
    await grace.events(2)  # RESERVED, TALKING
    await grace.send("MakeNotReady#1001")  # NOT_READY only from READY, WORK or WORK_READY
    assert (await grace.event())[3] == "INVALID_STATE"


@pytest.mark.parametrize("sim_config", [supervised_config(supervisor_logout_in_call="after_call")])
async def test_a_supervisors_logout_during_a_call_waits_for_the_call_to_end(app_factory, sim, admin):  # noqa: F811
    ada, grace = await desks(app_factory)
    contact = sim.world.inject("sales", caller="+15550100")
    dialog = (await ada.events(2))[1][4].split(":")[1]
    await ada.send("AnswerCall#1001", dialog)
    await ada.events(2)
    await grace.send("Logout#1001")
    assert state(await ada.event()) == ("1001", "TALKING", "", "LOGOUT")  # pending
    await admin.hangup(contact.id)
    assert (await ada.event())[1:3] == ["InboundCall", "DROPPED"]
    assert state(await ada.event()) == ("1001", "LOGOUT", "999", "")
    assert sim.world.agents["1001"].presence == "offline"


@pytest.mark.parametrize("sim_config", [supervised_config(supervisor_logout_in_call="now")])
async def test_a_supervisors_logout_during_a_call_can_drop_the_call(app_factory, sim):  # noqa: F811
    ada, grace = await desks(app_factory)
    contact = sim.world.inject("sales", caller="+15550100")
    dialog = (await ada.events(2))[1][4].split(":")[1]
    await ada.send("AnswerCall#1001", dialog)
    await ada.events(2)
    await grace.send("Logout#1001")
    events = await ada.events(3)
    assert [e[1:3] for e in events] == [["InboundCall", "DROPPED"], ["State", "NOT_READY"], ["State", "LOGOUT"]]
    assert events[2][3] == "999" and contact.ended


async def test_a_pending_logout_waits_until_a_call_still_dialing_is_over(app_factory, sim):  # noqa: F811
    """The agent hangs up its outbound call before the far end answers: the call ends first (it
    was not a queue's: nothing to requeue), then the agent is signed out with 999."""
    ada, grace = await desks(app_factory)
    await ada.send("MakeCall#1001", "5557777")
    events = [await ada.event() for _ in range(3)]  # NOT_READY 50006, InboundCall INITIATED, TALKING
    dialog = next(e for e in events if e[1] == "InboundCall")[3].split(":")[1]
    await grace.send("Logout#1001")
    assert state(await ada.event()) == ("1001", "TALKING", "", "LOGOUT")
    await ada.send("ReleaseCall#1001", dialog)
    assert (await ada.event())[1:3] == ["InboundCall", "DROPPED"]
    assert state(await ada.event()) == ("1001", "LOGOUT", "999", "")
    assert not sim.world.agents["1001"].contacts and sim.world.agents["1001"].presence == "offline"


async def test_a_recorded_supervisor_session_replays_with_the_supervisor_acting(app_factory, sim, admin):  # noqa: F811
    """`ccsim record`: a command a supervisor sent for an agent becomes the supervisor's step with
    `target`, so that the replay sends it from the supervisor's desktop and gets 999 again."""
    ada, grace = await desks(app_factory)
    await grace.send("MakeNotReady#1001")
    assert state(await ada.event()) == ("1001", "NOT_READY", "999", "")
    await grace.event()
    entries = (await admin.get("/journal")).body["entries"]
    recorded = dump(scenario_from_journal(entries, (await admin.get("/config")).body, "supervisor"))
    assert "agent 9001 finesse MakeNotReady:\n    target: '1001'" in recorded, recorded
    result = await run_scenario(loader.loads(recorded, "recorded.yaml"))
    assert result.passed, (result.failed_step, result.message)
