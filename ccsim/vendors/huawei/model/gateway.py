"""The CC-Gateway of one Huawei face: its agents' sessions, sign-in and sign-out, GUIDs, the event
queue's long poll, and the routing policy's answers.

Plain state rules: no HTTP here. The wire adapter (wire/) turns requests into calls on this object
and its parts, `states` (agent state) and `calls` (voice call control). Everything here is
synchronous but the long poll: one request's transition completes before the next.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....core import Agent, Channel, Contact, World
from ....core.bus import CoreEvent
from ....core.clock import Clock, TimerScope
from ....core.credentials import CredentialStream
from .. import envelope
from ..retcodes import HuaweiError
from ..settings import HuaweiSettings
from .calls import Calls
from .session import LOGIN_STATUS, PRESENCE, AgentState, LoginParams, Session
from .states import AgentStates

FACE = "huawei"  # the face's name: the agents' and queues' sections, the world's sign-in, faults


class Gateway:
    def __init__(self, world: World, clock: Clock, timers: TimerScope, settings: HuaweiSettings):
        self.world, self.clock, self.timers, self.settings = world, clock, timers, settings
        self.sessions: dict[str, Session] = {}  # by workno
        self.states = AgentStates(self)
        self.calls = Calls(self, self.states)
        self.reset(settings)

    def reset(self, settings: HuaweiSettings) -> None:
        """Back to the start, with the face's settings as they now are; the world is reset already."""
        self.settings = settings
        for session in self.sessions.values():
            session.events.clear()  # nothing of the old world is delivered after a reset
            session.close()
        self.sessions.clear()
        self.workno_of: dict[str, str] = {}  # core agent id -> workno
        self.agent_of: dict[str, str] = {}  # workno -> core agent id
        for agent in self.world.agents.values():
            if FACE in agent.faces:
                workno = str(agent.faces[FACE].get("workno", agent.id))
                self.workno_of[agent.id] = workno
                self.agent_of[workno] = agent.id
        self.failed_logins: dict[str, int] = {}
        self.locked: set[str] = set()
        self.signed_out_why: dict[str, str] = {}  # workno -> why the gateway signed the agent out
        self._guids = CredentialStream(self.world.seed, "huawei guid")  # a reset replays the same GUIDs
        self.calls.reset()

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

    # -- sessions ------------------------------------------------------------------------------
    def emit(self, session: Session, event_type: str, content: Any = None) -> None:
        gen = self.clock.now_ms() if self.settings.event_gen_time else None
        session.push(envelope.event(event_type, session.workno, content, gen))

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
    def sign_in(self, workno: str, params: LoginParams, *, force: bool) -> Session:
        agent_id = self.agent_of.get(workno)
        if agent_id is None:
            raise HuaweiError("100-004")  # unknown work number: reported as bad credentials
        if workno in self.locked:
            raise HuaweiError("110-016")
        expected = str(self.world.agents[agent_id].faces[FACE].get("password", ""))
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
        elif agent.face is not None and agent.face != FACE:
            raise HuaweiError("100-002", f"The agent is signed in on {agent.face}.")
        if not params.phonenum:
            params.phonenum = str(agent.faces[FACE].get("phone", ""))
        session = Session(workno, agent_id, params, self.clock.now_ms(), self.new_guid(), self.clock,
                          guid_rotated_at=self.clock.now())
        self.sessions[workno] = session
        self.world.sign_in(agent_id, FACE)
        # All sign-in events are queued before the core hears of the final state, so that no
        # call can be routed between AgentState_Ready and a busy or wrap-up status.
        self.emit(session, "AgentOther_InService")
        self.emit(session, "AgentState_Ready")
        target = LOGIN_STATUS[params.status]
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
            self.calls.release_call(session, by_agent=True, silent_state=True)
        self.emit(session, "AgentOther_ShutdownService", {"loginTime": str(session.login_time_ms)})
        session.close()
        self.world.sign_out(session.agent_id)

    # -- routing policy --------------------------------------------------------------------------
    def eligible(self, agent: Agent, contact: Contact) -> bool:
        session = self.sessions.get(self.workno_of.get(agent.id, ""))
        if session is None or not session.signed_in or session.state is not AgentState.IDLE or session.call is not None:
            return False
        if contact.channel is not Channel.VOICE:
            return False
        return (session.active_skills is None or contact.queue is None
                or self.states.skill_id(contact.queue) in session.active_skills)

    def offer(self, agent: Agent, contact: Contact) -> None:
        self.calls.ring(self.sessions[self.workno_of[agent.id]], contact)

    def contact_ended(self, event: CoreEvent) -> None:
        for session in self.calls.sessions_on(event.contact or ""):
            self.calls.far_end_left(session, event.data.get("reason", ""))
