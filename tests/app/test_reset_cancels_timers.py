"""`POST /_ccsim/reset` returns every face to its configured start, timers included.

For each face the same story: some of the face's timers are left pending (a call ringing
towards its ring timeout, a wrap-up, an auto-answer, a rest, a desk pick-up); the simulator is
reset; the agent signs in again as a new client would. Nothing of the old world may fire after
that (the journal stays empty while time goes far past every timer), and a call injected
after the reset is routed as on a fresh start.
"""
from __future__ import annotations

import pytest

from ccsim.scenario import loader
from ccsim.scenario.session import Session

STALE_WAIT_SECONDS = 120  # beyond every timer the "before" steps start

CASES = {
    "huawei": ("""
seed: 5
faces: {huawei: {ring_timeout_seconds: 20}}
queues: [{id: sales, skills: [sales], number: "4001", huawei: {skill_id: 1}}]
agents:
  - {id: "291", skills: [sales], huawei: {password: "", phone: "40038"}}
  - {id: "292", skills: [sales], huawei: {password: "", phone: "40039"}}
""", """
  - agent 291 huawei loginex: {autoanswer: false}
  - agent 292 huawei loginex: {autoanswer: false}
  - agent 292 huawei rest: {time: 30, restcause: 3}
  - customer calls: {queue: sales, as: ringing}
  - expect contact ringing: {state: offered, agent: "291"}
""", """
  - agent 291 huawei loginex: {autoanswer: false}
  - expect events for 291: [AgentOther_InService, AgentState_Ready]
""", """
  - customer calls: {queue: sales, as: fresh}
  - expect events for 291: [AgentState_Busy, AgentOther_PhoneAlerting, AgentOther_PhoneOffhook, AgentEvent_Ringing]
  - expect contact fresh: {state: offered, agent: "291"}
"""),
    "finesse": ("""
seed: 5
queues: [{id: support, skills: [support], number: "4100"}]
agents:
  - {id: "1001", skills: [support], finesse: {password: secret, extension: "2001"}}
""", """
  - agent 1001 finesse Connect: {}
  - agent 1001 finesse Login: {}
  - agent 1001 finesse MakeReady: {}
  - customer calls: {queue: support, as: ringing}
  - expect events for 1001: [AgentInfo, "State:NOT_READY", "State:READY", "State:RESERVED", NewInboundCall]
""", """
  - agent 1001 finesse Connect: {}
  - agent 1001 finesse Login: {}
  - agent 1001 finesse MakeReady: {}
  - expect events for 1001: [AgentInfo, "State:NOT_READY", "State:READY"]
""", """
  - customer calls: {queue: support, as: fresh}
  - expect events for 1001: ["State:RESERVED", NewInboundCall]
  - expect contact fresh: {state: offered, agent: "1001"}
"""),
    "nice": ("""
seed: 5
faces: {nice: {refusal_timeout_seconds: 20, acw_seconds: 30}}
queues: [{id: sales, skills: [sales], number: "8005550100"}]
agents:
  - {id: "7001", skills: [sales], nice: {username: ada@example.com, password: pw, auto_accept: false}}
""", """
  - agent 7001 nice start-session: {}
  - agent 7001 nice set-state: {state: Available}
  - customer calls: {queue: sales, as: ringing}
  - expect events for 7001: [AgentSessionStart, "AgentState:Unavailable", "AgentState:Available",
                             "CallContactEvent:Incoming", "AgentState:InboundContact", "AgentLeg:Dialing"]
""", """
  - agent 7001 nice start-session: {}
  - agent 7001 nice set-state: {state: Available}
  - expect events for 7001: [AgentSessionStart, "AgentState:Unavailable", "AgentState:Available"]
""", """
  - customer calls: {queue: sales, as: fresh}
  - expect events for 7001: ["CallContactEvent:Incoming", "AgentState:InboundContact", "AgentLeg:Dialing"]
  - expect contact fresh: {state: offered, agent: "7001"}
"""),
    "xcally": ("""
seed: 5
queues: [{id: front, name: Front, channel: chat, xcally: {members: [ada]}}]
agents:
  - id: ada
    xcally: {name: ada.lovelace, password: "Analyt1cal!", chatCapacity: 2, chatAutoanswer: true,
             chatAutoanswerDelay: 30}
""", """
  - agent ada xcally login: {}
  - customer calls: {queue: front, channel: chat, caller: visitor-1, as: ringing}
  - expect events for ada: ["offer:chat"]
""", """
  - agent ada xcally login: {}
""", """
  - customer calls: {queue: front, channel: chat, caller: visitor-2, as: fresh}
  - expect events for ada: ["offer:chat"]
  - expect xcally interaction fresh: {status: offered, agent: ada}
"""),
    "intermedia": ("""
seed: 5
faces: {intermedia: {answer_after_seconds: 30}}
queues: [{id: helpdesk, name: Helpdesk, intermedia: {}}]
agents:
  - {id: ann, intermedia: {number: "+442070000001", email: ann@example.com}}
""", """
  - customer calls: {queue: helpdesk, caller: "+447700900123", as: ringing}
  - expect agent ann state: {state: ringing}
""", """
  - expect agent ann state: {state: idle}
""", """
  - customer calls: {queue: helpdesk, caller: "+447700900124", as: fresh}
  - expect agent ann state: {state: ringing}
  - wait: 30s
  - expect contact fresh: {state: connected, agent: ann}
  - expect intermedia webhook: {contact: fresh, status: 200}
"""),
}


def scenario(config: str, steps: str, face: str, part: str) -> loader.Scenario:
    return loader.loads(f"name: {face} reset, {part}\n{config}steps:{steps}", f"<{face} reset {part}>")


async def play(session: Session, run, scenario: loader.Scenario) -> None:
    for step in scenario.steps:
        await session.step(run, step, ["contracts"])


@pytest.mark.parametrize("face", CASES)
async def test_a_reset_cancels_every_pending_timer_of_the_face(face):
    config, before, signed_in_again, after = CASES[face]
    parts = [scenario(config, steps, face, part) for steps, part in
             [(before, "before"), (signed_in_again, "signed in again"), (after, "after")]]
    session = await Session.open(parts[0].config)
    runs = []
    try:
        runs.append(run := await session.new_run(parts[0], reset=False))
        await play(session, run, parts[0])
        await session.end_run(run)  # the old clients go away with the reset, as a test's would
        timers = session.sim.faces[face].timers
        assert timers.pending, "the case must leave some of the face's timers pending"

        runs.append(run := await session.new_run(parts[1], reset=True))
        assert timers.pending == 0
        await play(session, run, parts[1])
        quiet_from = len(await session.entries(run))
        await session.clock.sleep(STALE_WAIT_SECONDS)
        await session.settle()
        # Polls go on (and are journaled); what must not come is anything they carry.
        stale = [(e["op"], e["types"]) for e in (await session.entries(run))[quiet_from:] if e.get("types")]
        assert not stale, f"fired after the reset: {stale}"

        await play(session, run, parts[2])
        await session.finish(run, ["contracts"])
        assert session.clock.callback_errors == []
    finally:
        for run in runs:
            await session.end_run(run)
        await session.close()
