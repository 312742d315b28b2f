"""The embedded STOMP endpoint's security, as ActiveMQ Classic's: simple authentication (users,
groups, anonymous access) and the authorization map (read, write and admin per queue or topic,
wildcards). Off by default; configured, a desktop can neither read another desktop's topic nor
forge events on it. The messages and the connection's fate are those ActiveMQ 5.17 gives."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from ccsim.app import Simulator
from ccsim.contracts.emitted import journal_violations
from ccsim.core import Match, RealClock, VirtualClock
from ccsim.vendors.finesse.settings import FinesseSettings
from ccsim.vendors.finesse.stomp import StompBroker, StompClient, StompClientError
from ccsim.vendors.finesse.stomp.security import entries_from, users_from, wildcard_match
from support.finesse import finesse_config

USERS = [{"username": "gc", "password": "gc-pw", "groups": "connector"},
         {"username": "ws1", "password": "ws1-pw", "groups": ["desks", "ws1"]},
         {"username": "ws2", "password": "ws2-pw", "groups": "desks,ws2"}]
AUTHORIZATION = [
    {"queue": "Connector1", "read": "connector", "write": "desks", "admin": "connector,desks"},
    {"topic": "ws1.>", "read": "ws1", "write": "connector", "admin": "ws1,connector"},
    {"topic": "ws2", "read": "ws2", "write": "connector", "admin": "ws2,connector"},
    {"topic": "news.*.today", "read": "*", "write": "connector", "admin": "*"},
    {"topic": "shared", "read": "desks", "write": "desks", "admin": "connector"},
]


@pytest.fixture
async def secured() -> AsyncIterator[StompBroker]:
    broker = StompBroker(RealClock(), heartbeat=(0, 0), users=users_from(USERS), authorization=entries_from(AUTHORIZATION))
    await broker.start()
    yield broker
    await broker.stop()


async def connect(broker: StompBroker, login: str | None = None, passcode: str | None = None) -> StompClient:
    return await StompClient.connect("127.0.0.1", broker.port, broker.clock, login=login, passcode=passcode)


async def refused(request) -> tuple[str, str, str | None]:
    """The ERROR a refused request got: its message, body and receipt-id."""
    with pytest.raises(StompClientError) as caught:
        await request
    frame = caught.value.frame
    assert frame is not None and frame.command == "ERROR"
    return frame["message"], frame.body.decode(), frame.get("receipt-id")


def test_wildcards_as_activemq_matches_them():
    assert wildcard_match("ws1.>", "ws1") and wildcard_match("ws1.>", "ws1.a.b") and wildcard_match(">", "x.y")
    assert wildcard_match("news.*.today", "news.sport.today")
    assert not wildcard_match("news.*.today", "news.sport.live.today") and not wildcard_match("ws1", "ws1.a")
    assert not wildcard_match("ws1.>", "ws10") and not wildcard_match("ws2", "ws1")


async def test_a_wrong_login_is_refused_with_activemqs_message_and_the_connection_closes(secured):
    for login, passcode in [("ws1", "nope"), ("ws1", None), ("nobody", "x"), (None, None)]:
        with pytest.raises(StompClientError) as caught:
            await connect(secured, login, passcode)
        text = f"User name [{'null' if login is None else login}] or password is invalid."
        assert caught.value.frame is not None and caught.value.frame["message"] == text
    client = await connect(secured, "ws1", "ws1-pw")
    await client.disconnect()


async def test_a_desk_reads_only_its_topic_and_cannot_forge_events_on_another(secured):
    ws1, ws2 = await connect(secured, "ws1", "ws1-pw"), await connect(secured, "ws2", "ws2-pw")
    await ws2.subscribe("/topic/ws2", id="mine")
    await ws1.subscribe("/topic/ws1", id="mine")  # `ws1.>` covers ws1 itself
    message, body, receipt = await refused(ws1.subscribe("/topic/ws2", id="theirs", receipt="r-read"))
    assert (message, body.strip(), receipt) == ("User ws1 is not authorized to read from: topic://ws2",) * 2 + ("r-read",)
    message, _, receipt = await refused(ws1.send("/topic/ws2", "1002#State#READY", receipt="r-write"))
    assert (message, receipt) == ("User ws1 is not authorized to write to: topic://ws2", "r-write")
    # The connection goes on (ActiveMQ closes it only for a failed login): the next frame is served.
    await ws1.send("/queue/Connector1", "", {"type": "Hello#ws1"}, receipt=True)
    with pytest.raises(TimeoutError):
        await ws2.next_message(0.3)  # no forged event reached ws2's desk
    assert secured.pending_count("/queue/Connector1") == 1
    gc = await connect(secured, "gc", "gc-pw")
    await refused(gc.subscribe("/topic/ws1", id="x"))  # the connector writes the topics, reads none
    await gc.send("/topic/ws2", "1002#State#READY", receipt=True)
    assert (await ws2.next_message(3)).body == b"1002#State#READY"
    for client in (ws1, ws2, gc):
        await client.disconnect()


async def test_groups_of_every_matching_entry_and_everyone_and_creation_needs_admin(secured):
    ws1 = await connect(secured, "ws1", "ws1-pw")
    await ws1.subscribe("/topic/news.sport.today", id="n")  # read: "*", admin: "*"
    message, _, _ = await refused(ws1.subscribe("/topic/news.sport.live.today", id="m"))
    assert message == "User ws1 is not authorized to read from: topic://news.sport.live.today"  # no entry: closed
    # `shared`: ws1 may read and write it, not create it: first the operation, then the creation.
    message, _, _ = await refused(ws1.subscribe("/topic/shared", id="s"))
    assert message == "User ws1 is not authorized to create: topic://shared"
    message, _, _ = await refused(ws1.send("/topic/shared", "x", receipt=True))
    assert message == "User ws1 is not authorized to create: topic://shared"
    gc = await connect(secured, "gc", "gc-pw")
    message, _, _ = await refused(gc.subscribe("/topic/shared", id="s"))  # admin, but no read
    assert message == "User gc is not authorized to read from: topic://shared"
    secured.consume("/topic/shared", lambda m: None)  # the broker's own consumer creates it
    await ws1.subscribe("/topic/shared", id="s")
    await ws1.send("/topic/shared", "x", receipt=True)
    await ws1.disconnect()
    await gc.disconnect()


async def test_a_refused_send_in_a_transaction_is_refused_when_sent(secured):
    ws1 = await connect(secured, "ws1", "ws1-pw")
    await ws1.begin("t")
    await refused(ws1.send("/topic/ws2", "forged", transaction="t", receipt=True))
    await ws1.send("/queue/Connector1", "", {"type": "Hello#ws1"}, transaction="t", receipt=True)
    await ws1.commit("t", receipt=True)  # the transaction goes on, without the refused SEND
    assert secured.pending_count("/queue/Connector1") == 1
    await ws1.disconnect()


async def test_anonymous_access_and_authorization_without_authentication():
    clock = RealClock()
    entries = entries_from([{"topic": "lobby", "read": "anonymous", "write": "anonymous", "admin": "anonymous"}])
    broker = StompBroker(clock, heartbeat=(0, 0), users=users_from(USERS[:1]), anonymous_access=True,
                         authorization=entries)
    await broker.start()
    try:
        guest = await connect(broker)  # neither login nor passcode: user and group "anonymous"
        await guest.subscribe("/topic/lobby", id="l")
        message, _, _ = await refused(guest.subscribe("/topic/ws1", id="w"))
        assert message == "User anonymous is not authorized to read from: topic://ws1"
        with pytest.raises(StompClientError):
            await connect(broker, "ws1", "ws1-pw")  # anonymous access lets in no unknown user
        await guest.disconnect()
    finally:
        await broker.stop()
    broker = StompBroker(clock, heartbeat=(0, 0), authorization=entries)  # ActiveMQ: no security context
    await broker.start()
    try:
        client = await connect(broker)
        message, _, _ = await refused(client.subscribe("/topic/lobby", id="l"))
        assert message == "User is not authenticated."
        await client.disconnect()
    finally:
        await broker.stop()


def test_settings_refuse_a_malformed_security_configuration():
    for bad in [{"stomp_users": [{"password": "x"}]}, {"stomp_users": [{"username": "a", "group": "x"}]},
                {"stomp_authorization": [{"read": "x"}]}, {"stomp_authorization": [{"queue": "a", "topic": "b"}]},
                {"stomp_authorization": [{"topic": "a", "read": 3}]}, {"stomp_users": {"username": "a"}}]:
        with pytest.raises(ValueError):
            FinesseSettings(**bad)


async def test_the_face_with_security_a_desk_signs_in_and_another_cannot_spy_or_forge():
    cfg = finesse_config(stomp_users=[{"username": "gc", "password": "gc-pw", "groups": "connector"},
                                      {"username": "desk1", "password": "d1", "groups": "desks,ws1"},
                                      {"username": "desk2", "password": "d2", "groups": "desks,ws2"}],
                         stomp_authorization=[{"queue": "Connector1", "write": "desks", "read": "connector"},
                                              {"topic": "ws1", "read": "ws1", "admin": "ws1"},
                                              {"topic": "ws2", "read": "ws2", "admin": "ws2"}])
    sim = Simulator(cfg, VirtualClock())
    await sim.start()
    try:
        host, port = sim.urls["finesse"].removeprefix("stomp://").split(":")
        with pytest.raises(StompClientError):
            await StompClient.connect(host, int(port), sim.clock)  # no login: refused
        ada = await StompClient.connect(host, int(port), sim.clock, login="desk1", passcode="d1")
        eve = await StompClient.connect(host, int(port), sim.clock, login="desk2", passcode="d2")
        await ada.subscribe("/topic/ws1", id="events")
        await eve.subscribe("/topic/ws2", id="events")
        await refused(eve.subscribe("/topic/ws1", id="spy"))
        await refused(eve.send("/topic/ws1", "1001#State#LOGOUT#-1", receipt=True))
        await ada.send("/queue/Connector1", "ws1,pw", {"type": "Connect#1001"}, receipt=True)
        await ada.send("/queue/Connector1", "pw,2001", {"type": "Login#1001"}, receipt=True)
        assert [(await ada.next_message()).body.split(b"#")[1] for _ in range(2)] == [b"AgentInfo", b"State"]
        with pytest.raises(TimeoutError):
            await ada.next_message(1)  # nothing forged arrived
        errors = sim.journal.query(Match(face="finesse", kind="frame", op="ERROR"))
        assert len(errors) == 3 and all("authorized" in e.response["headers"]["message"] for e in errors[1:])
        assert journal_violations(sim.journal) == []  # the ERROR frames follow contracts/finesse/frame
    finally:
        await sim.stop()
