"""XCALLY REST resources under /api: users (agents), queues per channel, interactions per
channel, realtime agents, login/logout/pause, reports and settings.

Lists answer {"count", "rows"} with limit, offset, page, sort, fields, nolimit and attribute
filters; creation answers 201; errors answer {"message"}. Paths for login, pause and reports
are not public and are INFERRED (contracts/xcally/README.md)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from ...core import Channel, Queue
from ..base import AGENT, OP, read_body
from . import fields as f
from .model import CORE_STRATEGY, STRATEGIES, XAgent, XQueue
from .routing import XcallyError
from .settings import CHANNELS, DIGITAL
from ...core import json_text

if TYPE_CHECKING:
    from .face import XcallyFace

USER = web.RequestKey("xcally_user", object)  # the agent authenticated, None for an administrator


def listing(request: web.Request, rows: list[dict[str, Any]]) -> web.Response:
    """{count, rows} with attribute filters, sort, paging and field selection."""
    q = request.query
    # Any query key naming a row attribute filters on it; others (includeAll, a client's
    # globalStatusFilter=null...) are accepted and ignored, as the real API does.
    attributes = set().union(*(r.keys() for r in rows)) - {"channel"}
    for key, value in q.items():
        if key in attributes:
            rows = [r for r in rows if str(r.get(key)).lower() == value.lower()]
    if q.get("filter"):
        needle = q["filter"].lower()
        rows = [r for r in rows if any(needle in str(v).lower() for v in r.values())]
    if q.get("sort"):
        key = q["sort"].lstrip("-")
        rows = sorted(rows, key=lambda r: _sort_key(r.get(key)), reverse=q["sort"].startswith("-"))
    count = len(rows)
    if q.get("nolimit", "").lower() != "true":
        try:
            limit = int(q.get("limit", 100))
            offset = int(q["offset"]) if "offset" in q else (int(q.get("page", 1)) - 1) * limit
        except ValueError:
            raise XcallyError(400, "limit, offset and page must be whole numbers") from None
        if limit < 0 or offset < 0:
            raise XcallyError(400, "limit, offset and page must not be negative")
        rows = rows[offset:offset + limit]
    if q.get("fields"):
        wanted = [k.strip() for k in q["fields"].split(",") if k.strip()]
        rows = [{k: r[k] for k in wanted if k in r} for r in rows]  # unknown names are left out
    return web.json_response({"count": count, "rows": rows})


def _sort_key(value: Any) -> tuple[int, float, str]:
    """Numbers in order, then text, then nulls: any mix of values sorts without an error."""
    if value is None:
        return (2, 0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value, "")
    return (1, 0, str(value))


async def json_body(request: web.Request) -> dict[str, Any]:
    raw = await read_body(request)
    if not raw and request.content_length:
        raise XcallyError(413, "the request body is too large")
    if not raw.strip():
        return {}
    try:
        body = json_text.loads(raw)
    except ValueError:
        raise XcallyError(400, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise XcallyError(400, "the body must be a JSON object")
    return body


def install(app: web.Application, face: "XcallyFace") -> None:
    @web.middleware
    async def errors(request: web.Request, handler):
        try:
            return await handler(request)
        except XcallyError as exc:
            return web.json_response({"message": exc.message}, status=exc.status)
        except f.Invalid as exc:
            return web.json_response({"message": str(exc)}, status=400)

    app.middlewares.append(errors)
    r = app.router

    def admin_only(request: web.Request) -> None:
        if request.get(USER) is not None:
            raise XcallyError(403, "this resource needs an administrator (Basic admin credentials or ?apikey=)")

    def agent_of(request: web.Request) -> XAgent:
        value = request.match_info["id"]
        agent = face.agents.get(f.as_id(value))
        if agent is None:
            raise XcallyError(404, f"user {value} not found")
        request[AGENT] = agent.core_id
        me = request.get(USER)
        if me is not None and me is not agent:
            raise XcallyError(403, "an agent may only act on itself")
        return agent

    def channel_of(request: web.Request, voice: bool = False) -> str:
        channel = request.match_info["channel"]
        if channel not in (CHANNELS if voice else DIGITAL):
            raise XcallyError(404, f"unknown channel {channel!r}")
        return channel

    def op(name: str):
        """Label the journal entry, then authenticate (so a 401 is journaled under its op)."""
        def wrap(fn):
            async def handler(request: web.Request) -> web.StreamResponse:
                request[OP] = name
                request[USER] = face.authenticate(request)
                return await fn(request)
            return handler
        return wrap

    # -- users (agents) -----------------------------------------------------------------------------------
    @op("list-users")
    async def list_users(request):
        admin_only(request)
        return listing(request, [a.to_json(face.iso) for a in face.agents.values()])

    @op("create-user")
    async def create_user(request):
        admin_only(request)
        body = await json_body(request)
        if body.get("role", "agent") != "agent":
            raise XcallyError(400, "only users with role agent are simulated")
        agent = face.create_agent(body)
        request[AGENT] = agent.core_id
        try:
            await face.sync_phonebar(agent)
        except XcallyError:
            face.delete_agent(agent)  # refused as a whole: nothing half-made stays
            raise
        return web.json_response(agent.to_json(face.iso), status=201)

    @op("get-user")
    async def get_user(request):
        return web.json_response(agent_of(request).to_json(face.iso))

    @op("update-user")
    async def update_user(request):
        admin_only(request)
        agent = agent_of(request)
        face.update_agent(agent, await json_body(request))
        try:
            await face.sync_phonebar(agent)
        except XcallyError:
            agent.remote_control = False  # the port could not be opened: remote control stays off
            raise
        return web.json_response(agent.to_json(face.iso))

    @op("delete-user")
    async def delete_user(request):
        admin_only(request)
        agent = agent_of(request)
        face.delete_agent(agent)
        await face.sync_phonebar(agent)
        return web.Response(status=204)

    def session_action(name: str, action):
        @op(name)
        async def handler(request):
            agent = agent_of(request)
            body = await json_body(request)
            action(agent, body)
            return web.json_response(agent.to_json(face.iso))
        return handler

    r.add_get("/api/users", list_users)
    r.add_post("/api/users", create_user)
    r.add_get("/api/users/{id}", get_user)
    r.add_put("/api/users/{id}", update_user)
    r.add_delete("/api/users/{id}", delete_user)
    r.add_post("/api/users/{id}/login", session_action("login", lambda a, b: face.login(a)))
    r.add_post("/api/users/{id}/logout", session_action("logout", lambda a, b: face.logout(a)))
    r.add_post("/api/users/{id}/pause", session_action(
        "pause", lambda a, b: face.pause(a, str(b.get("channel", "voice")), str(b["pauseType"]) if b.get("pauseType") else None)))
    r.add_post("/api/users/{id}/unpause", session_action("unpause", lambda a, b: face.unpause(a, str(b.get("channel", "voice")))))

    # -- realtime -------------------------------------------------------------------------------------------
    @op("realtime-agents")
    async def realtime(request):
        channel = request.query.get("channel", "voice")
        if channel not in CHANNELS:
            raise XcallyError(400, f"channel must be one of {', '.join(CHANNELS)}")
        key = f"{channel}Status"
        rows = [{"id": a.id, "name": a.name, "fullname": a.fullname, "internal": a.internal, "online": a.online,
                 key: face.status(a, channel), "pauseType": a.paused.get(channel),
                 "openTabs": face.in_tabs(a)} for a in face.agents.values()]
        return listing(request, rows)

    r.add_get("/api/realtime/agents", realtime)

    # -- queues ----------------------------------------------------------------------------------------------
    def queue_of(request, channel: str) -> XQueue:
        value = request.match_info["qid"]
        queue = face.queues.get(f.as_id(value))
        if queue is None or queue.channel != channel:
            raise XcallyError(404, f"{channel} queue {value} not found")
        return queue

    def check_queue(body: dict[str, Any], channel: str, queue: XQueue | None) -> None:
        if queue is None and not body.get("name"):
            raise XcallyError(400, "name is required")
        if "name" in body:
            if not isinstance(body["name"], str) or not body["name"].strip():
                raise XcallyError(400, "name must be a non-empty string")
            if any(q.name == body["name"] and q is not queue and q.channel == channel for q in face.queues.values()):
                raise XcallyError(400, f"a {channel} queue named {body['name']!r} already exists")
        if "strategy" in body and body["strategy"] not in STRATEGIES:
            raise XcallyError(400, f"strategy must be one of {', '.join(STRATEGIES)}")
        if "timeout" in body and (not f.whole(body["timeout"]) or body["timeout"] < 0):
            raise XcallyError(400, "timeout must be a whole number of seconds >= 0")
        failover = body.get("failoverQueueId")
        if failover is not None and (not f.whole(failover) or failover not in face.queues
                                     or face.queues[failover].channel != channel):
            raise XcallyError(400, f"failoverQueueId {failover} is not a {channel} queue")

    def apply_queue(queue: XQueue, body: dict[str, Any]) -> None:
        core = face.world.queues[queue.core_id]
        queue.name = str(body.get("name", queue.name))
        queue.strategy = body.get("strategy", queue.strategy)
        queue.timeout = body.get("timeout", queue.timeout)
        queue.failover = body.get("failoverQueueId", queue.failover)
        core.name, core.timeout = queue.name, (queue.timeout or None)
        core.strategy = CORE_STRATEGY[queue.strategy]
        core.overflow = face.queues[queue.failover].core_id if queue.failover is not None else None

    @op("list-queues")
    async def list_queues(request):
        channel = channel_of(request, voice=True)
        return listing(request, [q.to_json() for q in face.queues.values() if q.channel == channel])

    @op("create-queue")
    async def create_queue(request):
        admin_only(request)
        channel = channel_of(request, voice=True)
        body = await json_body(request)
        check_queue(body, channel, None)
        number = next(face._ids["queue"])
        core = Queue(f"xcally-{channel}-{number}", str(body["name"]), channel=Channel(channel), faces={"xcally": {}})
        face.world.add_queue(core)
        queue = XQueue(number, core.id, channel, str(body["name"]))
        face.queues[number] = queue
        face.queue_of_core[core.id] = number
        apply_queue(queue, body)
        return web.json_response(queue.to_json(), status=201)

    @op("get-queue")
    async def get_queue(request):
        return web.json_response(queue_of(request, channel_of(request, voice=True)).to_json())

    @op("update-queue")
    async def update_queue(request):
        admin_only(request)
        channel = channel_of(request, voice=True)
        queue, body = queue_of(request, channel), await json_body(request)
        check_queue(body, channel, queue)
        apply_queue(queue, body)
        return web.json_response(queue.to_json())

    @op("add-queue-members")
    async def add_members(request):
        admin_only(request)
        queue = queue_of(request, channel_of(request, voice=True))
        body = await json_body(request)
        ids = body.get("ids")
        if not isinstance(ids, list) or not all(f.whole(i) and i in face.agents for i in ids):
            raise XcallyError(400, "ids must be a list of agent ids")
        queue.members += [i for i in dict.fromkeys(ids) if i not in queue.members]
        face.world.route()
        return web.json_response(queue.to_json(), status=201)

    @op("remove-queue-members")
    async def remove_members(request):
        admin_only(request)
        queue = queue_of(request, channel_of(request, voice=True))
        ids = {f.as_id(i) for i in request.query.getall("ids", [])}
        queue.members = [m for m in queue.members if m not in ids]
        return web.json_response(queue.to_json())

    @op("list-queue-members")
    async def list_members(request):
        queue = queue_of(request, channel_of(request, voice=True))
        return listing(request, [face.agents[i].to_json(face.iso) for i in queue.members if i in face.agents])

    r.add_get("/api/{channel}/queues", list_queues)
    r.add_post("/api/{channel}/queues", create_queue)
    r.add_get("/api/{channel}/queues/{qid}", get_queue)
    r.add_put("/api/{channel}/queues/{qid}", update_queue)
    r.add_get("/api/{channel}/queues/{qid}/users", list_members)
    r.add_post("/api/{channel}/queues/{qid}/users", add_members)
    r.add_delete("/api/{channel}/queues/{qid}/users", remove_members)

    # -- interactions ------------------------------------------------------------------------------------------
    def interaction_of(request, changes: bool = False):
        interaction = face.get_interaction(channel_of(request), request.match_info["iid"])
        me = request.get(USER)
        if changes and me is not None and face.settings.agents_own_interactions_only \
                and interaction.user_id != me.id and me.id not in interaction.offered_to:
            raise XcallyError(403, "an agent may only act on its own interactions")
        return interaction

    def acting_agent(request, body: dict[str, Any]) -> XAgent:
        me = request.get(USER)
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

    # -- reports and settings ------------------------------------------------------------------------------------
    @op("report-queue")
    async def report_queue(request):
        channel = channel_of(request)
        return listing(request, [dict(row) for row in face.reports[channel]])

    @op("report-member")
    async def report_member(request):
        return listing(request, [{k: v for k, v in row.items() if not k.startswith("_")} for row in face.member_report])

    @op("settings")
    async def settings(request):
        if request.method == "PUT":
            admin_only(request)
            body = await json_body(request)
            limit = body.get("interactionTabsLimit")
            if not f.whole(limit) or limit < 1:
                raise XcallyError(400, "interactionTabsLimit must be a whole number >= 1")
            face.settings.tab_limit = limit
            face.world.route()
        return web.json_response({"interactionTabsLimit": face.settings.tab_limit,
                                  "securitySuite": face.settings.security_suite})

    r.add_get("/api/reports/{channel}/queue", report_queue)
    r.add_get("/api/reports/member", report_member)
    r.add_get("/api/settings", settings)
    r.add_put("/api/settings", settings)

    @op("unrouted")
    async def not_found(request):
        raise XcallyError(404, f"no resource {request.method} {request.path}")

    r.add_route("*", "/api/{tail:.*}", not_found)
