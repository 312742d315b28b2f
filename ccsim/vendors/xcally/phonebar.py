"""The Motion phonebar's "Remote Control" HTTP API: one listener per agent with remote control
on (its own port, default 9888), GET only, JSON only (reference §9): /api/calls,
/api/answer[/{sessionId}], /api/originate/{number}, /api/hangup[/{sessionId}],
/api/hold[/{sessionId}]. Calls are the agent's voice contacts; their status ids are the
phonebar's (INCOMING 32, CONNECTING 2, ALERTING 4, ACTIVE 8, HOLDING 64, TERMINATED 128).
The /api/calls item shape is not public (INFERRED).

Ports: an agent's own `phoneBarRemoteControlPort` when its configuration (or the API) gives one;
else the next free port from the port base + PHONEBAR_OFFSET, in agent order, so that two
`ccsim serve` on different port bases never collide; with port base 0 (tests, in-process runs), a
free port. The port listened on is written back into the agent, where clients read it.

Only a Phonebar agent has a phonebar (typology.py): "any action should start on the Phonebar and
the Web Interface reflects the changes", so the remote control also logs the agent in and out and
pauses it on voice (/api/login, /api/logout, /api/pause[/{pauseType}], /api/unpause; INFERRED
paths, after the legacy phone bar's `holding`, which put an agent not on a call in pause)."""
from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ...core import Contact, EndReason
from ...core.clock import TimerHandle
from ...serving.journaling import OP, body_for_journal, journal_headers, journaled_body, served_activity
from ...serving.listeners import serve_app
from .routing import XcallyError
from .settings import PHONEBAR_OFFSET, PHONEBAR_PORTS

if TYPE_CHECKING:
    from .face import XcallyFace
    from .model import XAgent

log = logging.getLogger("ccsim.xcally")
AGENT_ID = web.AppKey("xcally_agent_id", int)
XAGENT = web.RequestKey("xcally_agent", object)
STATUS = {"NULL": 0, "IDLE": 1, "CONNECTING": 2, "ALERTING": 4, "ACTIVE": 8, "RELEASED": 16, "INCOMING": 32,
          "HOLDING": 64, "TERMINATED": 128}


@dataclass
class PhoneCall:
    session_id: str
    contact_id: str
    agent_id: int
    number: str
    direction: str  # in | out
    status: str
    started: float
    timer: TimerHandle | None = None  # auto answer, or the far end answering


    def to_json(self, iso) -> dict[str, Any]:
        return {"sessionId": self.session_id, "number": self.number, "direction": self.direction,
                "status": STATUS[self.status], "statusName": self.status, "startedAt": iso(self.started)}


class Phonebar:
    def _init_phonebar(self: "XcallyFace") -> None:
        self.calls: dict[str, PhoneCall] = {}
        self._call_ids = itertools.count(1)
        self.phonebar_urls: dict[int, str] = getattr(self, "phonebar_urls", {})

    # -- voice routing -------------------------------------------------------------------------------------
    def agent_calls(self: "XcallyFace", agent: "XAgent") -> list[PhoneCall]:
        return [c for c in self.calls.values() if c.agent_id == agent.id]

    def voice_status(self: "XcallyFace", agent: "XAgent") -> str:
        states = {c.status for c in self.agent_calls(agent)}
        if states & {"ACTIVE", "HOLDING", "CONNECTING", "ALERTING"}:
            return "talking"
        return "ringing" if "INCOMING" in states else "idle"

    def ring_phonebar(self: "XcallyFace", agent: "XAgent", contact: Contact) -> None:
        call = PhoneCall(f"s{next(self._call_ids)}", contact.id, agent.id, contact.caller, "in", "INCOMING",
                         self.clock.now())
        self.calls[call.session_id] = call
        self.sync_voice_presence(agent)
        if agent.voice_autoanswer:
            call.timer = self.timers.call_later(agent.voice_autoanswer_delay, lambda: self.answer(call))

    def answer(self: "XcallyFace", call: PhoneCall) -> None:
        """The agent (or auto answer) answers an incoming call, or the far end an outgoing one.
        A call answered while another is active puts that one on hold (settings.hold_on_answer);
        an internal caller's call becomes active too."""
        if call.timer is not None:
            call.timer.cancel()
            call.timer = None
        agent = self.agents[call.agent_id]
        for other in self.agent_calls(agent):
            if other is not call and other.status == "ACTIVE" and call.direction == "in" and self.settings.hold_on_answer:
                self.world.hold(other.contact_id)
                other.status = "HOLDING"
        call.status = "ACTIVE"
        self.world.connect(call.contact_id)
        for party in [c for c in self.calls.values() if c.contact_id == call.contact_id and c.status == "ALERTING"]:
            party.status = "ACTIVE"
            self.sync_voice_presence(self.agents[party.agent_id])
        self.sync_voice_presence(agent)

    def forget_call(self: "XcallyFace", call: PhoneCall) -> None:
        if call.timer is not None:
            call.timer.cancel()
        self.calls.pop(call.session_id, None)

    def hang_up(self: "XcallyFace", call: PhoneCall) -> None:
        self.forget_call(call)
        agent = self.agents.get(call.agent_id)
        contact = self.world.contacts.get(call.contact_id)
        if contact is not None and not contact.ended:
            if call.status == "INCOMING" and contact.queue:
                self.world.requeue(contact.id)  # a ringing call refused: back to the queue
            else:
                self.world.end(contact.id, EndReason.AGENT)
        if agent is not None:
            self.sync_voice_presence(agent)

    def voice_contact_ended(self: "XcallyFace", contact_id: str) -> None:
        for call in [c for c in self.calls.values() if c.contact_id == contact_id]:
            self.forget_call(call)
            agent = self.agents.get(call.agent_id)
            if agent is not None:
                self.sync_voice_presence(agent)

    # -- the remote control listeners ---------------------------------------------------------------------------
    async def start_phonebars(self: "XcallyFace", host: str) -> None:
        self._phonebar_host, self._phonebar_ephemeral = host, self.port_base == 0
        self._phonebar_runners: dict[int, web.AppRunner] = {}
        for agent in list(self.agents.values()):
            try:
                await self.sync_phonebar(agent)
            except XcallyError as exc:
                await self.stop_phonebars()
                raise OSError(f"xcally {exc.message}") from None  # `ccsim serve` reports it, no traceback

    async def sync_phonebar(self: "XcallyFace", agent: "XAgent") -> None:
        """Listen for the agent's remote control when it is on (and only then), on its own port,
        else the next one from the port base (a free one with port base 0); the bound port is
        written back into the agent, where clients read it."""
        if not hasattr(self, "_phonebar_runners"):
            return  # not started yet: start_phonebars will do it
        runner = self._phonebar_runners.get(agent.id)
        wanted = self.has_remote_control(agent)
        if runner is not None and (not wanted or agent.remote_control_port != self._bound_port(agent.id)):
            await runner.cleanup()
            del self._phonebar_runners[agent.id], self.phonebar_urls[agent.id]
            runner = None
        if wanted and runner is None:
            port = 0 if self._phonebar_ephemeral else agent.remote_control_port or self._next_phonebar_port()
            try:
                runner, url = await serve_app(self._phonebar_app(agent.id), self._phonebar_host, port,
                                               self.limits, f"xcally phonebar {agent.id}")
            except OSError as exc:
                raise XcallyError(400, f"{agent.name}: phonebar remote control port {port} cannot be "
                                       f"opened ({exc.strerror}); give each agent its own "
                                       "phoneBarRemoteControlPort, or another ccsim its own --port-base") from None
            self._phonebar_runners[agent.id], self.phonebar_urls[agent.id] = runner, url
            agent.remote_control_port = self._bound_port(agent.id)

    def reset_phonebars(self: "XcallyFace") -> None:
        """After a reset: configured agents keep their listeners (and bound ports); listeners of
        agents that are gone, or whose remote control is now off, close; a configured listener
        closed at run time (remote control turned off over the API) opens again."""
        if not hasattr(self, "_phonebar_runners"):
            return  # not started yet: start_phonebars will do it
        for agent_id in list(self._phonebar_runners):
            agent = self.agents.get(agent_id)
            if agent is not None and self.has_remote_control(agent):
                agent.remote_control_port = self._bound_port(agent_id)
            else:
                self.phonebar_urls.pop(agent_id)
                self.spawn(self._phonebar_runners.pop(agent_id).cleanup())
        for agent in self.agents.values():
            if agent.remote_control and agent.id not in self._phonebar_runners:
                self.spawn(self._reopen_phonebar(agent.id))

    async def _reopen_phonebar(self: "XcallyFace", agent_id: int) -> None:
        # One at a time, with the agent of now: two quick resets must not open two listeners.
        self._phonebar_reopening = getattr(self, "_phonebar_reopening", None) or asyncio.Lock()
        async with self._phonebar_reopening:
            agent = self.agents.get(agent_id)
            if agent is None:
                return
            try:
                await self.sync_phonebar(agent)
            except XcallyError as exc:
                log.warning("xcally: after a reset, %s", exc.message)

    def has_remote_control(self: "XcallyFace", agent: "XAgent") -> bool:
        """Remote control on, for an agent who has a phonebar (typology phonebar) and exists."""
        return agent.remote_control and agent.typology == "phonebar" and agent.id in self.agents

    def _next_phonebar_port(self: "XcallyFace") -> int:
        """The first port from base + PHONEBAR_OFFSET that no phonebar listens on or is given."""
        taken = {self._bound_port(i) for i in self.phonebar_urls}
        taken |= {a.remote_control_port for a in self.agents.values() if a.remote_control_port and self.has_remote_control(a)}
        first = self.port_base + PHONEBAR_OFFSET
        for port in range(first, min(first + PHONEBAR_PORTS, 65536)):
            if port not in taken:
                return port
        raise XcallyError(400, f"no phonebar remote control port left in {first}-{first + PHONEBAR_PORTS - 1}: "
                               "give the agent its own phoneBarRemoteControlPort")

    def _bound_port(self: "XcallyFace", agent_id: int) -> int:
        return int(self.phonebar_urls[agent_id].rsplit(":", 1)[1])

    async def stop_phonebars(self: "XcallyFace") -> None:
        for runner in getattr(self, "_phonebar_runners", {}).values():
            await runner.cleanup()
        self._phonebar_runners = {}
        self.phonebar_urls.clear()

    def _phonebar_app(self: "XcallyFace", agent_id: int) -> web.Application:
        """The listener of one agent, found by id at each request (a reset replaces the objects)."""
        app = web.Application(middlewares=[self._phonebar_journal], client_max_size=self.limits.max_body_bytes)
        app[AGENT_ID] = agent_id

        def reply(body: Any, status: int = 200) -> web.Response:
            return web.json_response(body, status=status)

        def find(request: web.Request, wanted: tuple[str, ...]) -> PhoneCall | None:
            session = request.match_info.get("session")
            calls = [c for c in self.agent_calls(request[XAGENT]) if session in (None, c.session_id) and c.status in wanted]
            return calls[0] if calls else None

        async def calls(request):
            request[OP] = "phonebar-calls"
            return reply([c.to_json(self.iso) for c in self.agent_calls(request[XAGENT])])

        async def answer(request):
            request[OP] = "phonebar-answer"
            call = find(request, ("INCOMING",))
            if call is None:
                return reply({"message": "no incoming call to answer"}, 404)
            self.answer(call)
            return reply(call.to_json(self.iso))

        async def originate(request):
            request[OP] = "phonebar-originate"
            agent, number = request[XAGENT], request.match_info.get("number", "")
            if not number or not all(ch in "+0123456789*#" for ch in number):
                return reply({"message": "Number is mandatory (digits, +, * or #)"}, 400)
            if not agent.online or self.agent_calls(agent):
                return reply({"message": f"{agent.name} cannot call now (not logged in, or on a call)"}, 409)
            callee = self.agent_with_internal(number)  # another agent's internal number: an internal call
            if callee is agent:
                return reply({"message": f"{agent.name} cannot call its own internal number"}, 409)
            contact = self.world.outbound(agent.core_id, number, caller=agent.internal, internal=callee is not None)
            call = PhoneCall(f"s{next(self._call_ids)}", contact.id, agent.id, number, "out", "CONNECTING", self.clock.now())
            self.calls[call.session_id] = call
            call.status = "ALERTING"  # the called number rings
            self.sync_voice_presence(agent)
            if callee is None:
                call.timer = self.timers.call_later(self.settings.far_end_answer_seconds, lambda: self.answer(call))
            else:
                self.dial_internal(call, callee)  # rings the callee's phonebar, or TERMINATED at once
            return reply(call.to_json(self.iso))

        async def hangup(request):
            request[OP] = "phonebar-hangup"
            targets = [c for c in self.agent_calls(request[XAGENT]) if request.match_info.get("session") in (None, c.session_id)]
            if not targets:
                return reply({"message": "no call to hang up"}, 404)
            for call in targets:
                self.hang_up(call)  # a ringing queue call goes back to its queue
                call.status = "TERMINATED"
            return reply([c.to_json(self.iso) for c in targets])

        async def hold(request):
            request[OP] = "phonebar-hold"
            call = find(request, ("ACTIVE", "HOLDING"))
            if call is None:
                return reply({"message": "no active call to hold"}, 404)
            holding = call.status == "ACTIVE"
            (self.world.hold if holding else self.world.resume)(call.contact_id)
            call.status = "HOLDING" if holding else "ACTIVE"
            return reply(call.to_json(self.iso))

        def session(name: str, action):
            """The phonebar acts on the agent's session; it answers the agent's phonebar status."""
            async def handler(request):
                request[OP] = name
                agent = request[XAGENT]
                try:
                    action(agent, request.match_info.get("type"))
                except XcallyError as exc:
                    return reply({"message": exc.message}, exc.status)
                return reply(self.phonebar_status(agent))
            return handler

        async def unknown(request):
            request[OP] = "phonebar-unrouted"
            return reply({"message": f"no phonebar resource {request.method} {request.path}"}, 404)

        for path, handler in (("/api/calls", calls), ("/api/answer", answer), ("/api/answer/{session}", answer),
                              ("/api/originate/{number}", originate), ("/api/hangup", hangup),
                              ("/api/hangup/{session}", hangup), ("/api/hold", hold), ("/api/hold/{session}", hold),
                              ("/api/login", session("phonebar-login", lambda a, _: self.start_session(a, {}))),
                              ("/api/logout", session("phonebar-logout", lambda a, _: self.logout(a))),
                              ("/api/pause", session("phonebar-pause", lambda a, kind: self.pause(a, "voice", kind))),
                              ("/api/pause/{type}", session("phonebar-pause", lambda a, kind: self.pause(a, "voice", kind))),
                              ("/api/unpause", session("phonebar-unpause", lambda a, _: self.unpause(a, "voice")))):
            app.router.add_get(path, handler)
        app.router.add_route("*", r"/{tail:[\s\S]*}", unknown)
        return app

    def phonebar_status(self: "XcallyFace", agent: "XAgent") -> dict[str, Any]:
        """What the phonebar shows of its agent (INFERRED shape): the voice status of realtime."""
        return {"username": agent.name, "online": agent.online, "voiceStatus": self.status(agent, "voice"),
                "pauseType": agent.paused.get("voice")}

    @web.middleware
    async def _phonebar_journal(self: "XcallyFace", request: web.Request, handler):
        with served_activity(self.clock, request):
            agent = self.agents.get(request.app[AGENT_ID])
            if agent is None or not self.has_remote_control(agent):
                request[OP] = "phonebar-unrouted"
                response: web.StreamResponse = web.json_response({"message": "remote control is off"}, status=404)
            else:
                request[XAGENT] = agent
                response = await handler(request)
            core_id = agent.core_id if agent else None
            self.journal.record(self.name, "phonebar", request.get(OP, "phonebar-unrouted"), agent=core_id,
                                request={"method": request.method, "path": request.path,
                                         "headers": journal_headers(request.headers),
                                         "body": body_for_journal(await journaled_body(request))},
                                response={"status": response.status, "body": body_for_journal(response.body)})
            return response
