"""One agent's credentials cannot act on another agent, on any face: each face refuses with its own
error and the other agent's state, session and events stay as they were. NICE CXone: a token reaches
only its agent's sessions."""
from __future__ import annotations

from support.nice import Client as NiceClient
from support.nice import signed_in


async def test_nice_a_token_reaches_only_its_agents_sessions(client):
    ada, alan = await signed_in(client), await signed_in(client, "alan@example.com")
    intruder = NiceClient(ada.wire, ada.base)
    intruder.token, intruder.api, intruder.session = ada.token, ada.api, alan.session
    for path, params, method in [("state", {"state": "Unavailable"}, "POST"), ("get-next-event", None, "GET"),
                                 ("", None, "DELETE"), ("interactions/1/end", None, "POST")]:
        resp = await intruder.do(path, params, method)
        assert (resp.status, resp.body["error"]) == (404, "SessionNotFound"), (path, resp.status, resp.body)
    joined = await ada.call("POST", "agent-sessions/join", {"asAgentId": "7002"})
    assert joined.status == 403
    assert await alan.events() == []  # nothing of Alan's was consumed or changed
    assert (await alan.do("state", {"state": "Unavailable"})).status == 202
    assert await alan.events() == ["AgentState:Unavailable"]
