"""XCALLY routing over the face's wire (REST, socket.io as journaled, the phonebar): a beepall
decline leaves the other offers ringing, report rows numbered per report_{channel}_queue."""
from __future__ import annotations

import pytest

from motion import Motion, pushed, xcally_config
from simulator import config
from simulator.app import Simulator
from simulator.client import WireClient


@pytest.fixture
def sim_config() -> config.Config:
    return xcally_config()


@pytest.fixture
def motion(sim: Simulator, wire: WireClient) -> Motion:
    return Motion(wire, sim)


# -- report ids ---------------------------------------------------------------------------------------------
async def test_each_report_channel_queue_numbers_its_rows_from_one(sim, motion, admin):
    """report_chat_queue and report_mail_queue are two tables: each has its own ids."""
    for n in range(2):
        await admin.inject("back", channel="chat", caller=f"chat-{n}")
        await admin.inject("desk", channel="mail", caller=f"mail-{n}@example.com")
    chat = (await motion.ok("GET", "/reports/chat/queue", sort="id"))["rows"]
    mail = (await motion.ok("GET", "/reports/mail/queue", sort="id"))["rows"]
    assert [r["id"] for r in chat] == [1, 2] and [r["id"] for r in mail] == [1, 2]
    assert [r["uniqueid"] for r in mail] == ["mail-1", "mail-2"]
