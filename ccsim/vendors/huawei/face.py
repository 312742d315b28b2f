"""Huawei CC-Gateway agent face: sessions, sign-in/out, agent state, and the routing policy.

Wire details (paths, envelope, parsing) are in routes.py and wire.py; voice call control is in
calls.py. Everything here is synchronous: one request's transition completes before the next.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ...core import Agent, Channel, Contact, Journal, World
from ...core.bus import CoreEvent
from ...core.credentials import CredentialStream
from ...serving.http_face import HttpFace
from . import wire
from .calls import CallControl
from .retcodes import HuaweiError
from .session import PRESENCE, AgentState, LoginParams, Session
from .settings import HuaweiSettings

# Sign-in status -> events after AgentOther_InService, AgentState_Ready (the seed's table).
_LOGIN_STATUS = {3: AgentState.BUSY, 4: AgentState.IDLE, 5: AgentState.WORK}


class HuaweiFace(CallControl, HttpFace):
    voice_needs_idle = True
    name = "huawei"
    # A work number signs one agent in; the phone is the one the agent's calls ring (INFERRED).
    distinct_agent_keys = {"workno": "id", "phone": None}
    Settings = HuaweiSettings

    def __init__(self, world: World, journal: Journal, settings: HuaweiSettings):
        super().__init__(world, journal, settings)
        self.settings: HuaweiSettings = settings
        self.sessions: dict[str, Session] = {}  # by workno
        world.bus.subscribe("contact.ended", self._on_contact_ended)
        self.reset()

    def routes(self, app: web.Application) -> None:
        from .routes import install

        install(app, self)

    def internal_error_response(self, request: web.Request) -> web.StreamResponse:
        # 100-007 is Huawei's own "exception during the agent's operation".
        return web.json_response(wire.error_envelope(HuaweiError("100-007")), content_type="application/json")

    def fault_error_problem(self, error: str) -> str | None:
        return None if re.fullmatch(r"\d{3}-\d{3}", error) else "a Huawei retcode looks like 100-003"

    def reset(self) -> None:
        for session in self.sessions.values():
            session.events.clear()  # nothing of the old world is delivered after a reset
            session.close()
        self.sessions.clear()
        self.workno_of: dict[str, str] = {}  # core agent id -> workno
        self.agent_of: dict[str, str] = {}  # workno -> core agent id
        for agent in self.world.agents.values():
            if "huawei" in agent.faces:
                workno = str(agent.faces["huawei"].get("workno", agent.id))
                self.workno_of[agent.id] = workno
                self.agent_of[workno] = agent.id
        self.failed_logins: dict[str, int] = {}
        self.locked: set[str] = set()
        self.signed_out_why: dict[str, str] = {}  # workno -> why the gateway signed the agent out
        self._guids = CredentialStream(self.world.seed, "huawei guid")  # a reset replays the same GUIDs
        self._init_calls()

    def vendor_states(self) -> dict[str, dict[str, str]]:
        states = {}
        for agent_id, workno in self.workno_of.items():
            session = self.sessions.get(workno)
            state = session.state if session is not None and session.signed_in else AgentState.SIGNED_OUT
            shown = {"workno": workno, "agentState": f"{state.value} {state.name.lower().replace('_', '-')}"}
            if session is not None and session.call is not None:
                shown["call"] = f"{session.call.phase} {session.call.callid}"
            states[agent_id] = shown
        return states

    def presence_reasons(self) -> dict[str, str]:
        return {self.agent_of[workno]: why for workno, why in self.signed_out_why.items()
                if workno in self.agent_of and self.world.agents[self.agent_of[workno]].presence == "offline"}

    # -- helpers ---------------------------------------------------------------------------
    def emit(self, session: Session, event_type: str, content: Any = None) -> None:
        gen = self.clock.now_ms() if self.settings.event_gen_time else None
        session.push(wire.event(event_type, session.workno, content, gen))

    def new_guid(self) -> str:
        return f"{self._guids.uuid4()}.{self.settings.guid_node}"  # none guessable from another

    def session_for(self, workno: str, guid: str | None, *, allow_closed: bool = False) -> Session:
        """The caller's session, after the sign-in and Guid checks every operation makes."""
        session = self.sessions.get(workno)
        if session is None or (not session.signed_in and not allow_closed):
            raise HuaweiError("100-006")
        if not session.guid_valid(guid):
            raise HuaweiError("000-003")
        return session

    def enter(self, session: Session, state: AgentState, event_type: str | None, content: Any = None) -> None:
        """Change CC-Gateway state: emit the event first, then tell the core (which may route)."""
        session.state = state
        if event_type:
            self.emit(session, event_type, content)
        if state is not AgentState.REST and session.rest_timer is not None:
            session.rest_timer.cancel()
            session.rest_timer = None
        presence = PRESENCE.get(state)
        if presence is not None:
            self.world.set_presence(session.agent_id, presence)

    def touch(self, session: Session) -> None:
        """The agent is alive (it polled or sent a heartbeat): the sign-out deadline moves on.
        One timer per session, which looks again when it fires: a timer per poll would pile
        cancelled ones up on the clock (two per poll, each kept for the whole idle period)."""
        session.last_seen = self.clock.now()
        if session.idle_timer is None:
            session.idle_timer = self.timers.call_later(self.settings.idle_signout_seconds,
                                                        lambda: self._idle_check(session))

    def _idle_check(self, session: Session) -> None:
        session.idle_timer = None
        if not session.signed_in or self.sessions.get(session.workno) is not session:
            return
        remaining = session.last_seen + self.settings.idle_signout_seconds - self.clock.now()
        if remaining > 0:
            session.idle_timer = self.timers.call_later(remaining, lambda: self._idle_check(session))
        else:
            self.signed_out_why[session.workno] = (f"signed out: no poll or heartbeat for "
                                                   f"{self.settings.idle_signout_seconds:g} s")
            self.sign_out(session, force=True)

    async def next_event(self, session: Session, gone: Callable[[], bool] = lambda: False) -> dict[str, Any] | None:
        """The long poll: the oldest queued event at once, else wait up to the hold time. Once the
        client has hung up (`gone`), nothing is taken off the queue: the next poll gets it."""
        if session.signed_in:
            self.touch(session)
        deadline = self.clock.now() + self.settings.poll_hold_seconds
        try:
            while True:
                if gone():
                    return None
                if session.events:
                    return session.events.popleft()
                if not session.signed_in:
                    if self.sessions.get(session.workno) is session:
                        del self.sessions[session.workno]  # drained: the agent is gone
                    raise HuaweiError("100-006")
                remaining = deadline - self.clock.now()
                if remaining <= 0:
                    return None
                session.wake.clear()
                try:
                    await self.clock.wait_for(session.wake.wait(), remaining)
                except TimeoutError:
                    return None
        finally:
            if session.signed_in:
                self.touch(session)

    def rotate_guid(self, session: Session) -> str | None:
        """Dynamic mode: a new GUID once per interval, the old one valid until it times out."""
        if self.settings.auth_mode != "dynamic":
            return None
        now = self.clock.now()
        if now - session.guid_rotated_at < self.settings.guid_interval_seconds:
            return None
        session.old_guids = {g: t for g, t in session.old_guids.items() if t > now}
        session.old_guids[session.guid] = now + self.settings.guid_timeout_seconds
        session.guid = self.new_guid()
        session.guid_rotated_at = now
        return session.guid

    # -- sign-in -----------------------------------------------------------------------------
    def parse_login(self, body: dict[str, Any], *, phone_required: bool, releasephone_default: bool = True) -> LoginParams:
        bad = "100-001"
        password = wire.as_str(body, "password", max_len=32, retcode=bad, required=True)
        phonenum = wire.as_str(body, "phonenum", max_len=24, retcode=bad, required=phone_required)
        if phone_required and not phonenum:
            raise HuaweiError(bad, "phonenum is mandatory.")
        agenttype = wire.as_int(body, "agenttype", 4, bad)
        if agenttype not in (4, 11):
            raise HuaweiError("100-012")
        status = wire.as_int(body, "status", 4, bad)
        if status not in _LOGIN_STATUS:
            raise HuaweiError(bad, "status must be 3, 4 or 5.")
        ip = wire.as_str(body, "ip", max_len=64, retcode=bad, default="127.0.0.1")
        if len(ip) > 15 or not wire.valid_ipv4(ip):
            raise HuaweiError("100-016")
        for name in ("entryIp", "vcPhoneNumber"):
            wire.as_str(body, name, max_len=24 if name == "vcPhoneNumber" else 64, retcode=bad)
        for name, default in (("phonelinkage", False), ("checkInMailm", False), ("listenStatus", False)):
            wire.as_bool(body, name, default, bad)
        return LoginParams(
            password=password, phonenum=phonenum,
            autoanswer=wire.as_bool(body, "autoanswer", True, bad),
            autoenteridle=wire.as_bool(body, "autoenteridle", True, bad),
            releasephone=wire.as_bool(body, "releasephone", releasephone_default, bad),
            webm=wire.as_bool(body, "checkInWebm", True, bad),
            agenttype=agenttype, status=status, ip=ip,
        )

    def sign_in(self, workno: str, params: LoginParams, *, force: bool) -> Session:
        agent_id = self.agent_of.get(workno)
        if agent_id is None:
            raise HuaweiError("100-004")  # unknown work number: reported as bad credentials
        if workno in self.locked:
            raise HuaweiError("110-016")
        expected = str(self.world.agents[agent_id].faces["huawei"].get("password", ""))
        if params.password != expected:
            self.failed_logins[workno] = self.failed_logins.get(workno, 0) + 1
            limit = self.settings.lock_after_failed_logins
            if limit and self.failed_logins[workno] >= limit:
                self.locked.add(workno)
            raise HuaweiError("100-004")
        self.failed_logins.pop(workno, None)
        self.signed_out_why.pop(workno, None)
        existing = self.sessions.get(workno)
        agent = self.world.agents[agent_id]
        if existing is not None and existing.signed_in:
            if not force:
                raise HuaweiError("100-002")
            if not self.settings.allow_force_login:
                raise HuaweiError("100-015")
            self.sign_out(existing, force=True)
        elif agent.face is not None and agent.face != self.name:
            raise HuaweiError("100-002", f"The agent is signed in on {agent.face}.")
        if not params.phonenum:
            params.phonenum = str(agent.faces["huawei"].get("phone", ""))
        session = Session(workno, agent_id, params, self.clock.now_ms(), self.new_guid(), self.clock,
                          guid_rotated_at=self.clock.now())
        self.sessions[workno] = session
        self.world.sign_in(agent_id, self.name)
        # All sign-in events are queued before the core hears of the final state, so that no
        # call can be routed between AgentState_Ready and a busy or wrap-up status.
        self.emit(session, "AgentOther_InService")
        self.emit(session, "AgentState_Ready")
        target = _LOGIN_STATUS[params.status]
        if target is AgentState.BUSY:
            self.emit(session, "AgentState_SetNotReady_Success", {"reason": "0"})
        elif target is AgentState.WORK:
            self.emit(session, "AgentState_Work")
        self.enter(session, target, None)
        self.touch(session)
        return session

    def login_result(self, session: Session) -> dict[str, Any]:
        return {
            "vdnid": self.settings.vdnid, "workno": session.workno, "mediatype": "T" + ("T" if session.params.webm else "F") + "F",
            "loginTime": str(session.login_time_ms), "isForceChange": "false",
            "serverName": self.settings.server_name, "timeRemaining": self.settings.time_remaining,
        }

    def sign_out(self, session: Session, *, force: bool) -> None:
        if session.call is not None:
            if not force:
                raise HuaweiError("100-010", "The agent is handling a call.")
            self.release_call(session, by_agent=True, silent_state=True)
        self.emit(session, "AgentOther_ShutdownService", {"loginTime": str(session.login_time_ms)})
        session.close()
        self.world.sign_out(session.agent_id)

    # -- agent state ---------------------------------------------------------------------------
    def say_free(self, session: Session) -> None:
        if session.call is not None:
            session.pending = None  # cancels a busy/rest requested during the call
            return
        leave = {AgentState.BUSY: "AgentState_CancelNotReady_Success", AgentState.WORK: "AgentState_CancelWork_Success",
                 AgentState.REST: "AgentState_CancelRest_Success"}
        if session.state in leave:
            self.enter(session, AgentState.IDLE, leave[session.state])

    def say_busy(self, session: Session, reason: int | None) -> None:
        if reason is not None and reason != 0 and not 200 <= reason <= 250:
            raise HuaweiError("000-002", "reason must be 200-250.")
        if session.state is AgentState.BUSY and not reason:
            raise HuaweiError("100-009", "A reason is mandatory when the agent is already busy.")
        if session.state is AgentState.REST:
            raise HuaweiError("100-009")
        content = {"reason": str(reason or 0)}
        if session.call is not None:
            session.pending = ("busy", content)
            return
        self.enter(session, AgentState.BUSY, "AgentState_SetNotReady_Success", content)

    def cancel_busy(self, session: Session) -> None:
        if session.call is not None and session.pending and session.pending[0] == "busy":
            session.pending = None
            return
        if session.state is not AgentState.BUSY:
            raise HuaweiError("100-009")
        self.enter(session, AgentState.IDLE, "AgentState_CancelNotReady_Success")

    def rest(self, session: Session, seconds: int, cause: int) -> None:
        if not 1 <= seconds <= 86399 or not 0 <= cause <= 255:
            raise HuaweiError("000-002", "time must be 1-86399 and restcause 0-255.")
        if session.state is AgentState.REST:
            raise HuaweiError("100-009")
        if session.call is not None:
            session.pending = ("rest", seconds, cause)
            session.state = AgentState.PRE_REST
            return
        self._start_rest(session, seconds, cause)

    def _start_rest(self, session: Session, seconds: int, cause: int) -> None:
        self.enter(session, AgentState.REST, "AgentState_SetRest_Success", {"reason": str(cause)})
        session.rest_timer = self.timers.call_later(seconds, lambda: self._rest_timeout(session))

    def _rest_timeout(self, session: Session) -> None:
        session.rest_timer = None
        if session.signed_in and session.state is AgentState.REST:
            self.emit(session, "AgentState_Rest_Timeout")  # a reminder only: rest goes on

    def cancel_rest(self, session: Session) -> None:
        if session.state is AgentState.PRE_REST and session.pending:
            session.pending = None
            session.state = AgentState.TALKING
            return
        if session.state is not AgentState.REST:
            raise HuaweiError("100-009")
        self.enter(session, AgentState.IDLE, "AgentState_CancelRest_Success")

    def work(self, session: Session) -> None:
        if session.call is not None or session.state in (AgentState.REST, AgentState.WORK):
            raise HuaweiError("100-009")
        self.enter(session, AgentState.WORK, "AgentState_SetWork_Success")

    def cancel_work(self, session: Session) -> None:
        if session.state is not AgentState.WORK:
            raise HuaweiError("100-009")
        self.enter(session, AgentState.IDLE, "AgentState_CancelWork_Success")

    def after_call(self, session: Session) -> None:
        """Where an agent goes when its call is over: what it asked for during the call, else
        idle (autoenteridle) or wrap-up."""
        pending, session.pending = session.pending, None
        if pending and pending[0] == "busy":
            self.enter(session, AgentState.BUSY, "AgentState_SetNotReady_Success", pending[1])
        elif pending and pending[0] == "rest":
            self._start_rest(session, pending[1], pending[2])
        elif session.params.autoenteridle:
            self.enter(session, AgentState.IDLE, "AgentState_Ready")
        else:
            self.enter(session, AgentState.WORK, "AgentState_Work")

    def reset_skills(self, session: Session, all_skills: bool, skill_ids: list[str]) -> None:
        known = {str(q.faces.get("huawei", {}).get("skill_id", q.id)) for q in self.world.queues.values()}
        unknown = [s for s in skill_ids if s not in known]
        if unknown:
            raise HuaweiError("000-002", f"unknown skill id(s): {', '.join(unknown)}")
        session.active_skills = None if all_skills or not skill_ids else set(skill_ids)

    # -- routing policy --------------------------------------------------------------------------
    def skill_id(self, queue_id: str | None) -> str | None:
        if queue_id is None:
            return None
        queue = self.world.queues[queue_id]
        return str(queue.faces.get("huawei", {}).get("skill_id", queue.id))

    def eligible(self, agent: Agent, contact: Contact) -> bool:
        session = self.sessions.get(self.workno_of.get(agent.id, ""))
        if session is None or not session.signed_in or session.state is not AgentState.IDLE or session.call is not None:
            return False
        if contact.channel is not Channel.VOICE:
            return False
        return session.active_skills is None or contact.queue is None or self.skill_id(contact.queue) in session.active_skills

    def offer(self, agent: Agent, contact: Contact) -> None:
        self.ring(self.sessions[self.workno_of[agent.id]], contact)

    def _on_contact_ended(self, event: CoreEvent) -> None:
        for session in self.sessions_on(event.contact or ""):
            self.far_end_left(session, event.data.get("reason", ""))
