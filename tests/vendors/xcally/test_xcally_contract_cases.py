"""Hand-made XCALLY objects against contracts/xcally/: good ones pass, and each wrong one (a
renamed or mis-cased key, a string id, a reason without its UserId, statuses that disagree)
fails, so the contracts can catch what the face might get wrong."""
from __future__ import annotations

from typing import Any

import pytest

from ccsim import contracts
from ccsim.vendors.xcally.model import XAgent

PASSWORD = "Passw0rd!"


def errors(relative: str, instance: Any) -> list[str]:
    return contracts.errors(f"xcally/{relative}", instance)


# -- hand-made wrong objects fail ---------------------------------------------------------------------------------------
ISO = "2026-01-01T00:00:00.000Z"


def good_agent() -> dict[str, Any]:
    return XAgent(7, "core-7", "ada.l", PASSWORD, fullname="Ada", internal="1001").to_json(lambda t: ISO)


def good_row(**changes: Any) -> dict[str, Any]:
    row = {"id": 1, "uniqueid": "chat-1", "interactionId": 1, "queue": "support", "queueId": 1,
           "reason": "accepted", "UserId": 7, "enterAt": ISO, "exitAt": ISO, "createdAt": ISO}
    row.update(changes)
    return row


def response(status: int, body: Any) -> dict[str, Any]:
    return {"status": status, "headers": {"Content-Type": "application/json; charset=utf-8"}, "body": body}


def test_hand_made_good_objects_pass():
    assert not errors("agent.schema.json", good_agent())
    assert not errors("report-queue-row.schema.json", good_row())
    assert not errors("report-queue-row.schema.json", good_row(reason=None, UserId=None, exitAt=None))
    assert not errors("responses/get-user.schema.json", response(200, good_agent()))
    assert not errors("responses/list-users.schema.json", response(200, {"count": 3, "rows": [{"id": 1}]}))
    assert not errors("responses/delete-user.schema.json", {"status": 204, "headers": {}, "body": None})
    assert not errors("phonebar/phonebar-originate.schema.json", {"status": 200, "body": {
        "sessionId": "s1", "number": "5551234", "direction": "out", "status": 4, "statusName": "ALERTING",
        "startedAt": ISO}})


@pytest.mark.parametrize("relative, instance", [
    # a renamed key (the INFERRED names live in fields.py; a different spelling must fail)
    ("agent.schema.json", {**{k: v for k, v in good_agent().items() if k != "chatCapacity"}, "chat_capacity": 0}),
    ("agent.schema.json", {**{k: v for k, v in good_agent().items() if k != "mailCapacity"}, "emailCapacity": 0}),
    ("agent.schema.json", {k: v for k, v in good_agent().items() if k != "phoneBarRemoteControl"}),
    # a string id, a boolean count, a wrong typology, a bad username
    ("agent.schema.json", {**good_agent(), "id": "7"}),
    ("agent.schema.json", {**good_agent(), "chatCapacity": True}),
    ("agent.schema.json", {**good_agent(), "typology": "Phonebar"}),
    ("agent.schema.json", {**good_agent(), "name": "ada l"}),
    ("agent.schema.json", {**good_agent(), "name": "ada\n"}),  # Python's $ would let a final newline through
    ("agent.schema.json", {**good_agent(), "email": None}),
    ("agent.schema.json", {**good_agent(), "internal": "\uff11\uff12"}),  # str.isdigit() says yes to these
    ("agent.schema.json", {**good_agent(), "internal": 1001}),
    ("agent.schema.json", {**good_agent(), "phoneBarRemoteControl": True, "phoneBarRemoteControlPort": 0}),
    ("agent-request.schema.json", {"name": "ada", "password": "password1!"}),
    ("agent-request.schema.json", {"name": "ada"}),
    # a bad reason, UserId on a timeout, an open row with an exit time, accepted without UserId
    ("report-queue-row.schema.json", good_row(reason="timedout")),
    ("report-queue-row.schema.json", good_row(reason="timeout")),
    ("report-queue-row.schema.json", good_row(reason=None, UserId=None)),
    ("report-queue-row.schema.json", good_row(UserId=None)),
    ("report-queue-row.schema.json", good_row(UserId="7")),
    ("report-member-row.schema.json", {"id": 1, "membername": "ada", "UserId": 1, "channel": "chat", "type": "LOGIN",
                                       "data1": "", "enterAt": ISO, "exitAt": None, "duration": None, "createdAt": ISO}),
    ("report-member-row.schema.json", {"id": 1, "membername": "ada", "UserId": 1, "channel": "voice", "type": "PAUSE",
                                       "data1": "Lunch", "enterAt": ISO, "exitAt": ISO, "duration": None, "createdAt": ISO}),
    # realtime: two status keys; a status word outside the reference's; pause without a pause type
    ("realtime-agent.schema.json", {"id": 1, "name": "ada", "fullname": "Ada", "internal": "1001", "online": True,
                                    "voiceStatus": "idle", "chatStatus": "idle", "pauseType": None, "openTabs": 0}),
    ("realtime-agent.schema.json", {"id": 1, "name": "ada", "fullname": "Ada", "internal": "1001", "online": True,
                                    "chatStatus": "ready", "pauseType": None, "openTabs": 0}),
    ("realtime-agent.schema.json", {"id": 1, "name": "ada", "fullname": "Ada", "internal": "1001", "online": True,
                                    "chatStatus": "pause", "pauseType": None, "openTabs": 0}),
    ("realtime-agent.schema.json", {"id": 1, "name": "ada", "fullname": "Ada", "internal": "1001", "online": False,
                                    "chatStatus": "idle", "pauseType": None, "openTabs": 0}),
    ("interaction.schema.json", {"id": 1, "channel": "chat", "status": "closed", "closed": False, "disposition": "",
                                 "UserId": None, "queueId": 1, "contact": "v", "createdAt": ISO, "messages": []}),
    ("interaction.schema.json", {"id": 1, "channel": "voice", "status": "queued", "closed": False, "disposition": "",
                                 "UserId": None, "queueId": 1, "contact": "v", "createdAt": ISO, "messages": []}),
    ("queue.schema.json", {"id": 1, "name": "q", "channel": "chat", "strategy": "ringall", "timeout": 0,
                           "failoverQueueId": None, "members": []}),
    # envelopes and statuses
    ("responses/list-users.schema.json", response(200, {"count": 1, "rows": [{"id": 1, "nickname": None}]})),
    ("responses/list-users.schema.json", response(200, {"total": 1, "rows": []})),
    ("responses/list-users.schema.json", response(200, [good_agent()])),
    ("responses/create-user.schema.json", response(200, good_agent())),
    ("responses/get-user.schema.json", response(409, {"message": "x"})),
    ("responses/get-user.schema.json", response(404, {"message": "x", "code": 1})),
    ("responses/get-user.schema.json", response(404, {"error": "NotFound"})),
    ("responses/delete-user.schema.json", response(204, {})),
    ("responses/login.schema.json", response(200, {**good_agent(), "online": False})),
    ("responses/unrouted.schema.json", response(405, {"message": "x"})),
    ("responses/settings.schema.json", response(200, {"interactionTabsLimit": 0, "securitySuite": True})),
    # socket.io and phonebar
    ("socketio/offer.schema.json", {"event": "interaction:offer", "body": {"channel": "chat", "id": "1",
                                                                          "contact": "v", "queueId": 1}}),
    ("socketio/offer.schema.json", {"event": "interaction:offer", "body": {"channel": "chat", "id": 1, "contact": "v"}}),
    ("socketio/accept.schema.json", {"body": {"ok": False, "status": 500, "message": "x"}}),
    ("phonebar/phonebar-calls.schema.json", {"status": 200, "body": [{
        "sessionId": "s1", "number": "1", "direction": "in", "status": 8, "statusName": "HOLDING", "startedAt": ISO}]}),
    ("phonebar/phonebar-calls.schema.json", {"status": 200, "body": [{
        "sessionId": "s1", "number": "1", "direction": "out", "status": 32, "statusName": "INCOMING", "startedAt": ISO}]}),
    ("phonebar/phonebar-hangup.schema.json", {"status": 200, "body": []}),
    ("phonebar/phonebar-originate.schema.json", {"status": 500, "body": {"message": "x"}}),
])
def test_hand_made_wrong_objects_fail(relative, instance):
    assert errors(relative, instance), f"{relative} accepted {instance!r}"
