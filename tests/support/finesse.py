"""The Finesse face in tests: its agents beside the test world's, an agent application (one STOMP
connection, its own topic), and the `app_factory` fixture that makes them
(tests/vendors/finesse/conftest.py)."""
from __future__ import annotations

import copy
from collections.abc import AsyncIterator

import pytest

from ccsim import config
from ccsim.vendors.finesse.stomp.client import StompClient
from support.world import TEST_CONFIG

FINESSE_AGENTS = [
    {"id": "1001", "name": "Ada Lovelace", "skills": ["sales"], "finesse": {"password": "pw", "extension": "2001"}},
    {"id": "1002", "name": "Alan Turing", "skills": ["sales"], "finesse": {"password": "pw", "extension": "2002"}},
    {"id": "1003", "name": "Edsger Dijkstra", "skills": ["sales"],
     "finesse": {"password": "pw", "extension": "2003", "wrap_up_mode": "REQUIRED"}},
    {"id": "9001", "name": "Grace Hopper", "skills": ["sales"],
     "finesse": {"password": "pw", "extension": "2901", "supervisor": True, "teams": ["1"]}},
]


def finesse_config(**settings):
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += FINESSE_AGENTS
    data["faces"]["finesse"] = {"phonebooks": [{"id": "7", "name": "Partners", "type": "GLOBAL", "contacts": [
        {"id": "1", "firstName": "Bob", "lastName": "Lee", "phoneNumber": "5550001", "description": "Supplier"}]}],
        **settings}
    return config.from_mapping(data, "tests")


class App:
    """An agent application: one STOMP connection, its own topic, commands to the queue."""

    def __init__(self, client: StompClient, destination: str):
        self.client, self.destination = client, destination

    async def send(self, jms_type: str, body: str = "") -> None:
        await self.client.send("/queue/Connector1", body, {"type": jms_type}, receipt=True)

    async def event(self, timeout: float = 30) -> list[str]:
        frame = await self.client.next_message(timeout)
        assert frame.get("content-length") is None and frame.get("type") is None  # a JMS TextMessage, JMSType null
        return frame.body.decode().split("#")

    async def events(self, n: int) -> list[list[str]]:
        return [await self.event() for _ in range(n)]

    async def quiet(self, seconds: float = 5) -> bool:
        try:
            await self.client.next_message(seconds)
        except TimeoutError:
            return True
        return False

    async def answered_call(self, admin, agent: str, **contact) -> str:
        """A customer call rings for `agent` (already READY) and is answered; its dialog id."""
        await admin.inject("sales", **contact)
        dialog = (await self.events(2))[1][4].split(":")[1]
        await self.send(f"AnswerCall#{agent}", dialog)
        await self.events(2)
        return dialog

    async def sign_in(self, agent: str, extension: str, ready: bool = True) -> None:
        await self.send(f"Connect#{agent}", f"{self.destination},pw")
        await self.send(f"Login#{agent}", f"pw,{extension}")
        assert [e[1] for e in await self.events(2)] == ["AgentInfo", "State"]
        if ready:
            await self.send(f"MakeReady#{agent}")
            assert (await self.event())[2] == "READY"


@pytest.fixture
async def app_factory(sim) -> AsyncIterator:
    clients = []
    host, port = sim.urls["finesse"].removeprefix("stomp://").split(":")

    async def make(destination: str) -> App:
        client = await StompClient.connect(host, int(port), clock=sim.clock)
        await client.subscribe(f"/topic/{destination}", id="events")
        clients.append(client)
        return App(client, destination)

    yield make
    for client in clients:
        client.close()
