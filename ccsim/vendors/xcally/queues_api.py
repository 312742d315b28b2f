"""/api/{channel}/queues: queues of every channel and their member agents."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from ...core import Channel, Queue
from . import fields as f
from .model import CORE_STRATEGY, STRATEGIES, XQueue
from .rest import Rest, json_body, listing
from .routing import XcallyError

if TYPE_CHECKING:
    from .face import XcallyFace


def install(r: web.UrlDispatcher, rest: Rest) -> None:
    face: "XcallyFace" = rest.face
    op, channel_of = rest.op, rest.channel_of

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
        rest.admin_only(request)
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
        rest.admin_only(request)
        channel = channel_of(request, voice=True)
        queue, body = queue_of(request, channel), await json_body(request)
        check_queue(body, channel, queue)
        apply_queue(queue, body)
        return web.json_response(queue.to_json())

    @op("add-queue-members")
    async def add_members(request):
        rest.admin_only(request)
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
        rest.admin_only(request)
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
