"""Queues that belong to one face (issue 22, item 8): a queue with an `xcally` section is a Motion
queue, served only by its members, never by another face's agent, however well that agent's
skills match (in a soak, 255 of 275 XCALLY chats went to a CXone agent); a voice queue with an
`xcally` section and `skills` is a phone line shared on skills. And the converse: a face with
queue membership rules (XCALLY, Intermedia's desk agents) takes only its own queues. Driven over
the wire, with every routing pick also made by asking every agent (CCSIM_VERIFY_ROUTING, set by
conftest)."""
from __future__ import annotations

import copy
from collections import Counter

import pytest

from support.world import TEST_CONFIG
from support.xcally import XCALLY_AGENTS, XCALLY_QUEUES, Motion
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from support.nice import NICE_AGENTS, Client

INTERMEDIA_DESK = {"id": "desk1", "skills": ["sales"], "intermedia": {"number": "+442070000009",
                                                                       "email": "desk1@example.com"}}


@pytest.fixture
def sim_config() -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    # XCALLY's agents have the sales skill too: only membership keeps them off other queues.
    data["agents"] += [{**a, "skills": ["sales"]} for a in copy.deepcopy(XCALLY_AGENTS)]
    data["agents"] += copy.deepcopy(NICE_AGENTS) + [INTERMEDIA_DESK]
    data["queues"] += copy.deepcopy(XCALLY_QUEUES)
    # A Motion chat queue whose skills every CXone agent here has (the soak's case).
    data["queues"].append({"id": "web", "name": "Web", "channel": "chat", "skills": ["sales"],
                           "xcally": {"members": ["ada"]}})
    # A phone line shared on skills (as `ccsim load`'s one queue): every face's sales agents, and
    # of XCALLY's only its members.
    data["queues"].append({"id": "shared-line", "name": "Shared line", "skills": ["sales"],
                           "xcally": {"members": ["ada"]}})
    data["queues"].append({"id": "helpdesk", "name": "Helpdesk", "skills": ["sales"], "intermedia": {}})
    data["faces"].update({"xcally": {"tab_limit": 2}, "nice": {},
                          "intermedia": {"answer_after_seconds": None, "talk_seconds": None}})
    return config.from_mapping(data, "tests")


@pytest.fixture
def motion(sim: Simulator, wire: WireClient) -> Motion:
    return Motion(wire, sim)


async def cxone_available(sim: Simulator, wire: WireClient) -> Client:
    """CXone agent 7001 (sales) in a session, Available: free for any sales call or chat."""
    agent = Client(wire, sim.urls["nice"])
    assert (await agent.sign_in("ada@example.com")).status == 200
    await agent.start()
    assert (await agent.do("state", {"state": "Available"})).status == 202
    return agent


@pytest.fixture
def offers(sim: Simulator) -> list[tuple[str, str]]:
    """(queue, agent) of every offer the world makes."""
    seen: list[tuple[str, str]] = []
    sim.world.bus.subscribe("contact.offered", lambda e: seen.append((e.data["queue"], e.agent)))
    return seen


async def test_xcally_chats_go_only_to_the_queue_members_not_to_an_available_cxone_agent(sim, wire, admin, motion,
                                                                                       offers):
    await cxone_available(sim, wire)
    await motion.login("ada.lovelace")  # the web queue's only member: one chat at a time (chatCapacity 1)
    chats = [await admin.inject("web", channel="chat", caller=f"visitor-{n}") for n in range(8)]
    mails = [await admin.inject("desk", channel="mail", caller=f"m{n}@example.com") for n in range(3)]
    await sim.clock.sleep(2)
    assert Counter(agent for _, agent in offers) == Counter({"ada": 2}), offers  # a chat and a mail: her tab limit
    states = Counter(sim.world.contacts[c["id"]].state.value for c in chats + mails)
    assert states == Counter({"queued": 9, "offered": 2}), states
    await motion.login("bob_smith")  # a member of the mail queue only
    await sim.clock.sleep(2)
    assert {agent for _, agent in offers} == {"ada", "bob"} and ("web", "bob") not in offers, offers
    assert all(c["id"] not in sim.faces["nice"].sessions["7001"].contacts for c in chats + mails)


async def test_an_xcally_voice_queue_rings_its_members_only(sim, admin, huawei, motion, offers):
    agent = huawei("291")
    assert (await agent.sign_in(phonenum="40038", autoanswer=False)).body["retcode"] == "0"  # idle, any queue
    call = await admin.inject("lines", caller="+15550100")
    await sim.clock.sleep(1)
    assert offers == [] and sim.world.contacts[call["id"]].state.value == "queued"
    await motion.login("ada.lovelace")
    await sim.clock.sleep(1)
    assert offers == [("lines", "ada")]
    sales = await admin.inject("sales", caller="+15550101")  # a queue of no face's own: 291 takes it
    await sim.clock.sleep(1)
    assert offers[-1] == ("sales", "291") and sim.world.contacts[sales["id"]].agent == "291"


async def test_a_face_with_queue_membership_takes_only_its_own_queues(sim, wire, admin, motion, offers):
    """The converse: XCALLY and Intermedia agents with the sales skill, free, and nobody else:
    a sales chat and a sales call wait; a CXone agent takes the chat, the helpdesk's desk agent
    only its helpdesk call."""
    await motion.login("ada.lovelace")
    await motion.login("bob_smith")
    chat = await admin.inject("sales", channel="chat", caller="visitor")
    call = await admin.inject("sales", caller="+15550102")
    await sim.clock.sleep(1)
    assert offers == [] and {sim.world.contacts[c["id"]].state.value for c in (chat, call)} == {"queued"}
    await cxone_available(sim, wire)
    await sim.clock.sleep(1)
    assert offers == [("sales", "7001")] and sim.world.contacts[chat["id"]].agent == "7001"
    desk = await admin.inject("helpdesk", caller="+15550103")
    await sim.clock.sleep(1)
    assert offers[-1] == ("helpdesk", "desk1") and sim.world.contacts[desk["id"]].agent == "desk1"
    assert sim.world.contacts[call["id"]].state.value == "queued"


async def test_a_voice_queue_with_skills_and_an_xcally_section_is_shared_on_skills(sim, admin, huawei, motion, offers):
    await motion.login("bob_smith")  # has the sales skill, is no member: never rung
    first = await admin.inject("shared-line", caller="+15550104")
    await sim.clock.sleep(1)
    assert offers == [] and sim.world.contacts[first["id"]].state.value == "queued"
    agent = huawei("291")
    assert (await agent.sign_in(phonenum="40038", autoanswer=False)).body["retcode"] == "0"
    await sim.clock.sleep(1)
    assert offers == [("shared-line", "291")]
    await motion.login("ada.lovelace")
    await admin.inject("shared-line", caller="+15550105")
    await sim.clock.sleep(1)
    assert offers == [("shared-line", "291"), ("shared-line", "ada")]
