"""/api/{channel}/interactions: the interactions of a digital channel, what agents do with them
(accept, reject, close, write) and their messages."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import fields as f
from .model import XAgent
from .rest import Rest, json_body, listing
from .routing import XcallyError

if TYPE_CHECKING:
    from .face import XcallyFace


def install(r: web.UrlDispatcher, rest: Rest) -> None:
    face: "XcallyFace" = rest.face
    op, channel_of = rest.op, rest.channel_of

    def agent_or_admin(request) -> XAgent | None:
        """Interactions are the agents' (and an administrator's): a user with role user reads only."""
        me = rest.caller(request)
        if me is not None and not isinstance(me, XAgent):
            raise XcallyError(403, "only agents and administrators act on interactions")
        return me

    def interaction_of(request, changes: bool = False):
        interaction = face.get_interaction(channel_of(request), request.match_info["iid"])
        me = agent_or_admin(request) if changes else None
        if me is not None and face.settings.agents_own_interactions_only \
                and interaction.user_id != me.id and me.id not in interaction.offered_to:
            raise XcallyError(403, "an agent may only act on its own interactions")
        return interaction

    def acting_agent(request, body: dict[str, Any]) -> XAgent:
        me = agent_or_admin(request)
        if me is not None:
            return me
        value = body.get("UserId")
        agent = face.agents.get(value) if f.whole(value) else None
        if agent is None:
            raise XcallyError(400, "UserId (the agent) is required when an administrator acts")
        return agent

    @op("list-interactions")
    async def list_interactions(request):
        channel = channel_of(request)
        return listing(request, [i.to_json(face.iso) for (ch, _), i in face.interactions.items() if ch == channel])

    @op("get-interaction")
    async def get_interaction(request):
        return web.json_response(interaction_of(request).to_json(face.iso))

    @op("update-interaction")
    async def update_interaction(request):
        interaction, body = interaction_of(request, changes=True), await json_body(request)
        if set(body) - {"closed", "disposition"} or body.get("closed", True) is not True:
            raise XcallyError(400, "only {closed: true, disposition} can be changed")
        if "disposition" in body and not isinstance(body["disposition"], str):
            raise XcallyError(400, "disposition must be a string")
        if "closed" in body:
            face.close(interaction, body.get("disposition", ""))
        elif "disposition" in body:
            interaction.disposition = body["disposition"]
        return web.json_response(interaction.to_json(face.iso))

    def interaction_action(name: str, action):
        @op(name)
        async def handler(request):
            interaction, body = interaction_of(request), await json_body(request)
            action(acting_agent(request, body), interaction)
            return web.json_response(interaction.to_json(face.iso))
        return handler

    @op("interaction-message")
    async def message(request):
        interaction, body = interaction_of(request, changes=True), await json_body(request)
        if not isinstance(body.get("body"), str) or not body["body"]:
            raise XcallyError(400, "body (the message text) is required")
        if body.get("direction", "in") == "in":
            face.customer_message(interaction, body["body"])
        else:
            interaction.messages.append({"direction": "out", "body": body["body"], "createdAt": face.iso(face.clock.now())})
            face.records.interaction(interaction)
        return web.json_response(interaction.to_json(face.iso), status=201)

    @op("list-messages")
    async def list_messages(request):
        return listing(request, list(interaction_of(request).messages))

    r.add_get("/api/{channel}/interactions", list_interactions)
    r.add_get("/api/{channel}/interactions/{iid}", get_interaction)
    r.add_put("/api/{channel}/interactions/{iid}", update_interaction)
    r.add_post("/api/{channel}/interactions/{iid}/accept", interaction_action("accept", face.accept))
    r.add_post("/api/{channel}/interactions/{iid}/reject", interaction_action("reject", face.reject))
    r.add_post("/api/{channel}/interactions/{iid}/messages", message)
    r.add_get("/api/{channel}/interactions/{iid}/messages", list_messages)
