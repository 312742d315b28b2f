"""Contacts dialled straight to one agent (the admin API's inject with `agent`, the scenario step
`customer calls: {agent}`), as a call to the agent's extension: a face that takes none, an
agent that cannot be asked, bad bodies; a face that refuses one ends it `refused`."""
from __future__ import annotations

import asyncio
import textwrap

import pytest

from support.xcally import PASSWORD, xcally_config
from ccsim.scenario import loader
from ccsim.scenario.record import scenario_from_journal
from ccsim.scenario.runner import run_scenario


async def test_a_face_that_takes_no_direct_contact_is_a_409_and_nothing_is_created(sim, admin, agent291):
    resp = await admin.post("/contacts", {"agent": "291", "caller": "+15550100"})
    assert resp.status == 409
    assert "takes no voice contact dialled straight to an agent (agent 291 is signed in on it)" in resp.body["error"]
    assert (await admin.get("/state")).body["contacts"] == []
    assert [e for e in sim.journal.query() if e.face == "admin" and e.op == "inject"] == []


async def test_an_agent_that_cannot_be_asked_is_a_409_or_404(admin):
    not_in = await admin.post("/contacts", {"agent": "292"})
    assert (not_in.status, not_in.body["error"]) == (409, "agent 292 is not signed in on any face")
    assert (await admin.post("/contacts", {"agent": "nobody"})).status == 404
    assert (await admin.get("/state")).body["contacts"] == []


@pytest.mark.parametrize("body", [{}, {"queue": "sales", "agent": "291"}])
async def test_a_queue_or_an_agent_one_of_the_two(admin, body):
    resp = await admin.post("/contacts", body)
    assert resp.status == 400 and "give a queue" in resp.body["error"] and "one of the two" in resp.body["error"]


async def test_a_bad_agent_field_is_a_400_naming_it(admin):
    resp = await admin.post("/contacts", {"agent": 291})
    assert resp.status == 400 and resp.body["error"] == "agent: 291 is not of type 'string'"


@pytest.mark.parametrize("sim_config", [xcally_config()])
async def test_a_refused_direct_contact_ends_refused_and_is_journaled_before_it_ends(sim, admin):
    """ada logged in and paused on voice (Do not disturb during pause, on by default)."""
    face = sim.faces["xcally"]
    ada = face.by_core["ada"]
    face.login(ada)
    face.pause(ada, "voice")
    contact = (await admin.post("/contacts", {"agent": "ada", "caller": "+15550100"})).body
    assert (contact["state"], contact["endReason"], contact["agent"], contact["called"]) == ("ended", "refused", "ada", "ada")
    [inject] = [e for e in sim.journal.query() if e.face == "admin" and e.op == "inject"]
    assert inject.response["body"]["state"] == "queued"  # as asked, before the face refused it


# -- the scenario step, and recording -----------------------------------------------------------------------
def _scenario(steps: str, agents: str) -> loader.Scenario:
    text = textwrap.dedent(f"""\
        name: dialled straight to an agent
        agents: {agents}
        queues: [{{id: lines, channel: voice, xcally: {{members: [ada]}}}}]
        steps:
        """) + textwrap.indent(textwrap.dedent(steps), "  ")
    return loader.loads(text, "direct.yaml")


ADA = f'[{{id: ada, xcally: {{name: ada, password: "{PASSWORD}", phoneBarRemoteControl: true}}}}]'


def test_the_step_rings_an_agent_or_ends_refused_as_its_face_says():
    scenario = _scenario("""\
        - agent ada xcally login: {}
        - customer calls: {agent: ada, caller: "+15550100", as: first}
        - agent ada xcally phonebar-calls: {expect: {body: [{number: "+15550100", direction: in, status: 32}]}}
        - expect contact first: {state: offered, agent: ada}
        - agent ada xcally phonebar-hangup: {}
        - agent ada xcally pause: {channel: voice}
        - customer calls: {agent: ada, caller: "+15550101"}
        - expect contact last: {state: ended, endReason: refused}
        """, ADA)
    result = asyncio.run(run_scenario(scenario))
    assert result.passed, result.message


def test_the_step_fails_clearly_on_a_face_that_takes_no_direct_contact():
    scenario = _scenario("""\
        - agent 291 huawei loginex: {}
        - customer calls: {agent: 291}
        """, '[{id: "291", huawei: {password: "", phone: "40038"}}]')
    result = asyncio.run(run_scenario(scenario))
    assert not result.passed
    assert "409: the huawei face takes no voice contact dialled straight to an agent" in result.message


@pytest.mark.parametrize("step, message", [
    ("customer calls: {agent: nobody}", "unknown agent 'nobody'"),
    ("customer calls: {agent: ada, queue: lines}", "a queue, or one agent straight .* one of the two"),
])
def test_the_step_is_checked_before_the_run(step, message):
    with pytest.raises(loader.ScenarioError, match=message):
        _scenario(f"- {step}\n", ADA)


def test_a_recorded_direct_contact_replays_as_the_step_with_its_agent():
    snapshot = {"id": "c1", "queue": None, "caller": "+15550100", "agent": "ada"}
    entry = {"seq": 1, "at": 0.0, "face": "admin", "kind": "control", "op": "inject", "agent": None,
             "request": {"body": {"agent": "ada", "caller": "+15550100"}}, "response": {"body": snapshot}}
    recorded = scenario_from_journal([entry], {"agents": [], "queues": []}, "Recorded")
    assert recorded["steps"] == [{"customer calls": {"agent": "ada", "caller": "+15550100", "as": "c1"}}]
