"""One agent's credentials cannot act on another agent, on any face: each face refuses with its own
error and the other agent's state, session and events stay as they were. XCALLY: Basic credentials
act only on their own agent and its interactions."""
from __future__ import annotations

from ccsim.clients.wire import WireClient
from support.world import started
from support.xcally import Motion, xcally_config


async def test_xcally_basic_credentials_act_only_on_their_own_agent():
    sim = await started(xcally_config(tab_limit=2))
    try:
        async with WireClient(sim.clock) as wire:
            motion = Motion(wire, sim)
            ada = await motion.login("ada.lovelace")
            bob = (await motion.user("bob_smith"))["id"]
            for path, body in [(f"/users/{ada}/logout", {}), (f"/users/{ada}/pause", {"channel": "chat"}),
                               (f"/users/{ada}/login", {}), (f"/users/{ada}", None)]:
                method = "GET" if body is None else "POST"
                resp = await motion.call(method, path, body, as_agent="bob_smith")
                assert (resp.status, resp.body["message"]) == (403, "an agent may only act on itself"), path
            await motion.ok("POST", f"/users/{bob}/login", {}, as_agent="bob_smith")
            contact = sim.world.inject("front", channel="chat", caller="carla@example.com")
            await sim.clock.sleep(0)
            interaction = await motion.interaction("chat", contact.caller)
            assert interaction["UserId"] == ada
            iid = interaction["id"]
            closed = await motion.call("PUT", f"/chat/interactions/{iid}", {"closed": True}, as_agent="bob_smith")
            assert closed.status == 403 and "its own interactions" in closed.body["message"]
            wrote = await motion.call("POST", f"/chat/interactions/{iid}/messages", {"body": "hi", "direction": "out"},
                                      as_agent="bob_smith")
            assert wrote.status == 403
            taken = await motion.call("POST", f"/chat/interactions/{iid}/accept", {}, as_agent="bob_smith")
            assert taken.status == 409
            after = await motion.interaction("chat", contact.caller)
            assert (after["status"], after["UserId"], after["messages"]) == \
                (interaction["status"], ada, interaction["messages"])
            assert (await motion.call("PUT", f"/chat/interactions/{iid}", {"closed": True}, as_agent="ada.lovelace")
                    ).status == 200
    finally:
        await sim.stop()
