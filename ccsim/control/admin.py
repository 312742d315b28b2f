"""The admin API under /_ccsim/: health, state, contact injection, reset, journal.

Described by contracts/admin/openapi.json, served at /_ccsim/openapi.json. Errors are JSON
`{"error": "<message>"}` with 400 (bad input), 404 (unknown id), 409 (wrong state) or 507 (a
store is full of what it may not drop: live contacts past memory.contacts_bytes); 403 and 415
refuse cross-site use (guard.py), 401 a missing admin token.
"""
from __future__ import annotations

import dataclasses
import hmac
import json
import re
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .. import contracts
from ..clients.admin import MAX_WAIT_SECONDS
from ..core import Channel, ContactDataTooLarge, EndReason, Match, StoreFull, UnknownId, WorldError
from ..core.masking import Masker, secrets_in
from ..core.model import ContactState
from ..dashboard import STREAM_PATH, UI_PREFIX, is_public
from ..serving.journaling import served_activity
from ..serving.listeners import serve_app
from ..core import json_text
from .guard import allowed_hosts, cross_site_refusal, json_only_refusal

if TYPE_CHECKING:
    from ..app import Simulator


class BadRequest(Exception):
    pass


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


async def json_body(request: web.Request) -> dict[str, Any]:
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json_text.loads(raw)
    except ValueError:
        raise BadRequest("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


async def checked_body(request: web.Request, schema: str) -> dict[str, Any]:
    """The JSON body, valid against contracts/<schema>, else BadRequest naming each problem."""
    body = await json_body(request)
    problems = contracts.errors(schema, body)
    if problems:
        raise BadRequest("; ".join(problems))
    return body


def _whole(text: str, name: str) -> int:
    """An integer as the document says: digits (a leading minus), nothing around them."""
    if not re.fullmatch(r"-?[0-9]{1,18}", text):
        raise ValueError(f"{name} must be an integer, not {text!r}")
    return int(text)


def _match(query: dict[str, str]) -> tuple[Match, int, int | None]:
    q = dict(query)
    try:
        since = _whole(q.pop("since", "0"), "since")
        limit = _whole(q.pop("limit"), "limit") if "limit" in q else None
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0")
        return Match.from_mapping(q), since, limit
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def _reveal(query: dict[str, str]) -> bool:
    """`secrets=show`: the entries as they went over the wire (for conformance checks of a target)."""
    value = query.pop("secrets", "masked")
    if value not in ("masked", "show"):
        raise BadRequest("secrets must be 'masked' (the default) or 'show'")
    return value == "show"


def configured_secrets(sim: "Simulator") -> set[str]:
    """The secrets the configuration holds, the faces' defaults included (XCALLY's API key, Halo's
    token): a request that sends one shows ***, any other ***other***."""
    found = secrets_in(sim.config.to_mapping())
    for face in sim.faces.values():
        if dataclasses.is_dataclass(face.settings):
            found |= secrets_in(dataclasses.asdict(face.settings))
    return found


class AdminApi:
    def __init__(self, sim: "Simulator"):
        self.sim = sim
        self._runner: web.AppRunner | None = None
        self._mask = Masker(configured_secrets(sim))  # what the journal's views hide
        self._hosts = allowed_hosts(sim.config)
        from ..dashboard.routes import Dashboard  # here: the dashboard builds on this module

        self.dashboard = Dashboard(self)

    def build_app(self) -> web.Application:
        app = web.Application(middlewares=[self._middleware], client_max_size=256 * 1024)
        r = app.router
        r.add_get("/_ccsim/health", self.health)
        r.add_get("/_ccsim/state", self.state)
        r.add_get("/_ccsim/config", self.config)
        r.add_get("/_ccsim/agents/{id}", self.agent)
        r.add_post("/_ccsim/agents/{id}/pause", self.pause)
        r.add_post("/_ccsim/agents/{id}/unpause", self.pause)
        r.add_post("/_ccsim/contacts", self.inject)
        r.add_get("/_ccsim/contacts/{id}", self.contact)
        r.add_post("/_ccsim/contacts/{id}/hangup", self.hangup)
        r.add_post("/_ccsim/contacts/{id}/abandon", self.abandon)
        r.add_post("/_ccsim/reset", self.reset)
        r.add_get("/_ccsim/journal", self.journal)
        r.add_get("/_ccsim/journal/wait", self.journal_wait)
        r.add_get("/_ccsim/faults", self.faults)
        r.add_post("/_ccsim/faults", self.add_fault)
        r.add_delete("/_ccsim/faults/{id}", self.remove_fault)
        r.add_get("/_ccsim/openapi.json", self.openapi)
        self.dashboard.add_routes(r)
        return app

    def _authorized(self, request: web.Request) -> bool:
        token = self.sim.config.admin_token
        if not token or is_public(request.path):
            return True
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if request.path == STREAM_PATH and "access_token" in request.query:
            # A browser's EventSource cannot send headers: the stream takes the token as a query
            # parameter (RFC 6750 section 2.3), and only the stream does.
            scheme, given = "bearer", request.query["access_token"]
        return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())

    @web.middleware
    async def _middleware(self, request: web.Request, handler):
        if request.path.startswith(UI_PREFIX):  # the page and its stream: never a request in flight
            return await self._guarded(request, handler)
        with served_activity(self.sim.clock, request):
            return await self._guarded(request, handler)

    async def _guarded(self, request: web.Request, handler):
        refusal = cross_site_refusal(request, self._hosts)
        if refusal is not None:
            return _error(403, refusal)
        if not self._authorized(request):
            response = _error(401, "this ccsim wants its admin token: Authorization: Bearer <token> "
                                   "(ccsim serve --admin-token, $CCSIM_ADMIN_TOKEN)")
            response.headers["WWW-Authenticate"] = 'Bearer realm="ccsim admin"'
            return response
        refusal = json_only_refusal(request)
        if refusal is not None:
            return _error(415, refusal)
        try:
            return await handler(request)
        except (BadRequest, ContactDataTooLarge) as exc:
            return _error(400, str(exc))
        except UnknownId as exc:
            return _error(404, str(exc))
        except StoreFull as exc:
            # 507 Insufficient Storage (RFC 4918): no room until what is kept ends; 503 would
            # invite a blind retry of something that fails the same way until then.
            return _error(507, str(exc))
        except WorldError as exc:
            return _error(409, str(exc))
        except web.HTTPException as exc:
            if exc.status >= 400:
                response = _error(exc.status, exc.reason)
                if "Allow" in exc.headers:  # a 405 says what the route takes (RFC 9110)
                    response.headers["Allow"] = exc.headers["Allow"]
                return response
            raise

    async def start(self, host: str, port: int) -> str:
        self._runner, url = await serve_app(self.build_app(), host, port, self.sim.config.limits, "admin")
        return url

    async def stop(self) -> None:
        await self.dashboard.playback.stop()
        await self.dashboard.feed.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- handlers ---------------------------------------------------------------------------
    async def health(self, request: web.Request) -> web.Response:
        return web.json_response(self.sim.health())

    async def state(self, request: web.Request) -> web.Response:
        return web.json_response(self.sim.world.snapshot())

    async def agent(self, request: web.Request) -> web.Response:
        return web.json_response(self.sim.world.agent(request.match_info["id"]).snapshot())

    async def contact(self, request: web.Request) -> web.Response:
        return web.json_response(self.sim.world.contact(request.match_info["id"]).snapshot())

    async def inject(self, request: web.Request) -> web.Response:
        """A contact arrives in a queue, or is dialled straight to an agent. An agent its face
        cannot be asked about (not signed in, a face that takes no such contact) is a 409 and
        nothing is created; one whose face refuses it (do not disturb) gives a contact that
        has ended `refused` (201): the refusal is what happened to the call."""
        body = await json_body(request)
        if ("queue" in body) == ("agent" in body):
            raise BadRequest("give a queue (the contact arrives there) or an agent (the contact is dialled "
                             "straight to it): one of the two")
        body = await checked_body(request, "admin/inject.schema.json")
        world = self.sim.world
        contact = world.inject(body.get("queue"), channel=Channel(body["channel"]) if "channel" in body else None,
                               caller=body.get("caller"), called=body.get("called"), data=body.get("data"),
                               agent=body.get("agent"), route=False)
        self._journal("inject", body, contact.snapshot())
        world.route()  # after the journal entry, so that what routing causes comes after it
        return web.json_response(contact.snapshot(), status=201)

    async def hangup(self, request: web.Request) -> web.Response:
        contact = self.sim.world.contact(request.match_info["id"])
        if contact.ended:
            raise WorldError(f"contact {contact.id} has already ended")
        self._journal("hangup", None, contact.snapshot())
        self.sim.world.end(contact.id, EndReason.CUSTOMER)
        return web.json_response(contact.snapshot())

    async def abandon(self, request: web.Request) -> web.Response:
        contact = self.sim.world.contact(request.match_info["id"])
        if contact.state not in (ContactState.QUEUED, ContactState.OFFERED):
            raise WorldError(f"contact {contact.id} is {contact.state.value}; only a waiting contact can be abandoned")
        self._journal("abandon", None, contact.snapshot())
        self.sim.world.end(contact.id, EndReason.ABANDONED)
        return web.json_response(contact.snapshot())

    async def pause(self, request: web.Request) -> web.Response:
        """Pause or unpause an agent on one channel, or on every channel: XCALLY's per-channel pause."""
        body = await checked_body(request, "admin/pause.schema.json")
        agent = self.sim.world.agent(request.match_info["id"])
        face = self.sim.faces.get(agent.face or "")
        if face is None:
            raise WorldError(f"agent {agent.id} is not signed in on any face")
        paused = request.path.endswith("/pause")
        channels = face.set_paused(agent, paused, body.get("channel"), body.get("type"))
        # Journaled once done (a refused one is not part of the record), before what it lets routing do.
        self.sim.journal.record("admin", "control", "pause" if paused else "unpause", agent=agent.id,
                                request={"body": body}, response={"body": agent.snapshot(), "channels": channels})
        self.sim.world.route()
        return web.json_response(agent.snapshot())

    def _journal(self, op: str, body: Any, contact: dict[str, Any]) -> None:
        """World actions are part of the record (`ccsim record` turns them into steps). They are
        journaled as asked, before they take effect, so that their consequences follow them."""
        self.sim.journal.record("admin", "control", op, request={"body": body}, response={"body": contact})

    async def config(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        reveal = _reveal(query)
        mapping = self.sim.config.to_mapping()
        return web.json_response(mapping if reveal else self._mask(mapping))

    async def reset(self, request: web.Request) -> web.Response:
        self.sim.reset()
        return web.json_response({"status": "reset", "since": self.sim.journal.last_seq + 1})

    def shown(self, entry: Any, reveal: bool) -> dict[str, Any]:
        """An entry as the API shows it: secrets masked unless the caller asked for them."""
        if reveal:
            return entry.to_dict()
        mask = self._mask
        face = self.sim.faces.get(entry.face)
        shown = mask(entry.to_dict())
        return face.mask_entry(shown, mask) if face is not None else shown

    async def journal(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        reveal = _reveal(query)
        match, since, limit = _match(query)
        entries = self.sim.journal.query(match, since, limit)
        return web.json_response({"entries": [self.shown(e, reveal) for e in entries],
                                  "dropped": self.sim.journal.dropped, "lastSeq": self.sim.journal.last_seq})

    async def journal_wait(self, request: web.Request) -> web.Response:
        query = dict(request.query)
        reveal = _reveal(query)
        try:
            timeout = float(query.pop("timeout", 10))
        except ValueError:
            timeout = -1.0
        if not 0 <= timeout <= MAX_WAIT_SECONDS:  # also refuses nan
            raise BadRequest(f"timeout must be a number of seconds from 0 to {MAX_WAIT_SECONDS:g}")
        match, since, _ = _match(query)  # limit: checked, and ignored (a wait returns one entry)
        try:
            entry = await self.sim.journal.wait_for(match, timeout, since)
        except TimeoutError:
            return web.json_response({"matched": False, "entry": None})
        return web.json_response({"matched": True, "entry": self.shown(entry, reveal)})

    async def faults(self, request: web.Request) -> web.Response:
        return web.json_response({"faults": [f.to_dict() for f in self.sim.world.faults.all()]})

    async def add_fault(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        if "error" not in body and not body.get("delay"):  # the schema's anyOf, in words
            raise BadRequest("a fault needs an error (the face's own code, e.g. 100-006) or a delay in seconds, or both")
        problems = contracts.errors("admin/fault.schema.json", body)
        if problems:
            raise BadRequest("; ".join(problems))
        face = self.sim.faces.get(body["face"])
        if face is None:
            raise UnknownId(f"unknown face {body['face']!r}; serving: {', '.join(self.sim.faces)}")
        problem = body.get("error") and face.fault_error_problem(body["error"])
        if problem:
            raise BadRequest(f"error {body['error']!r}: {problem}")
        fault = self.sim.world.faults.add(body["face"], op=body.get("op"), agent=body.get("agent"),
                                          error=body.get("error"), delay=body.get("delay", 0.0), times=body.get("times"))
        self.dashboard.feed.changed()  # faults are neither journaled nor on the bus
        return web.json_response(fault.to_dict(), status=201)

    async def remove_fault(self, request: web.Request) -> web.Response:
        if not self.sim.world.faults.remove(request.match_info["id"]):
            raise UnknownId(f"unknown fault {request.match_info['id']!r}")
        self.dashboard.feed.changed()
        return web.json_response({"status": "removed"})

    async def openapi(self, request: web.Request) -> web.Response:
        return web.json_response(contracts.load("admin/openapi.json"))
