"""An agent's CC-Gateway state: free, busy, rest, wrap-up, what follows a call, and its skills.

Every change goes through Gateway.enter (the event first, then the core's presence)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..retcodes import HuaweiError
from .session import AgentState, Session

if TYPE_CHECKING:
    from .gateway import Gateway


class AgentStates:
    def __init__(self, gateway: Gateway):
        self.gateway = gateway

    def say_free(self, session: Session) -> None:
        if session.call is not None:
            session.pending = None  # cancels a busy/rest requested during the call
            return
        leave = {AgentState.BUSY: "AgentState_CancelNotReady_Success", AgentState.WORK: "AgentState_CancelWork_Success",
                 AgentState.REST: "AgentState_CancelRest_Success"}
        if session.state in leave:
            self.gateway.enter(session, AgentState.IDLE, leave[session.state])

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
        self.gateway.enter(session, AgentState.BUSY, "AgentState_SetNotReady_Success", content)

    def cancel_busy(self, session: Session) -> None:
        if session.call is not None and session.pending and session.pending[0] == "busy":
            session.pending = None
            return
        if session.state is not AgentState.BUSY:
            raise HuaweiError("100-009")
        self.gateway.enter(session, AgentState.IDLE, "AgentState_CancelNotReady_Success")

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
        self.gateway.enter(session, AgentState.REST, "AgentState_SetRest_Success", {"reason": str(cause)})
        session.rest_timer = self.gateway.timers.call_later(seconds, lambda: self._rest_timeout(session))

    def _rest_timeout(self, session: Session) -> None:
        session.rest_timer = None
        if session.signed_in and session.state is AgentState.REST:
            self.gateway.emit(session, "AgentState_Rest_Timeout")  # a reminder only: rest goes on

    def cancel_rest(self, session: Session) -> None:
        if session.state is AgentState.PRE_REST and session.pending:
            session.pending = None
            session.state = AgentState.TALKING
            return
        if session.state is not AgentState.REST:
            raise HuaweiError("100-009")
        self.gateway.enter(session, AgentState.IDLE, "AgentState_CancelRest_Success")

    def work(self, session: Session) -> None:
        if session.call is not None or session.state in (AgentState.REST, AgentState.WORK):
            raise HuaweiError("100-009")
        self.gateway.enter(session, AgentState.WORK, "AgentState_SetWork_Success")

    def cancel_work(self, session: Session) -> None:
        if session.state is not AgentState.WORK:
            raise HuaweiError("100-009")
        self.gateway.enter(session, AgentState.IDLE, "AgentState_CancelWork_Success")

    def after_call(self, session: Session) -> None:
        """Where an agent goes when its call is over: what it asked for during the call, else
        idle (autoenteridle) or wrap-up."""
        pending, session.pending = session.pending, None
        if pending and pending[0] == "busy":
            self.gateway.enter(session, AgentState.BUSY, "AgentState_SetNotReady_Success", pending[1])
        elif pending and pending[0] == "rest":
            self._start_rest(session, pending[1], pending[2])
        elif session.params.autoenteridle:
            self.gateway.enter(session, AgentState.IDLE, "AgentState_Ready")
        else:
            self.gateway.enter(session, AgentState.WORK, "AgentState_Work")

    # -- skills ----------------------------------------------------------------------------------
    def reset_skills(self, session: Session, all_skills: bool, skill_ids: list[str]) -> None:
        known = {str(q.faces.get("huawei", {}).get("skill_id", q.id)) for q in self.gateway.world.queues.values()}
        unknown = [s for s in skill_ids if s not in known]
        if unknown:
            raise HuaweiError("000-002", f"unknown skill id(s): {', '.join(unknown)}")
        session.active_skills = None if all_skills or not skill_ids else set(skill_ids)

    def skill_id(self, queue_id: str | None) -> str | None:
        """The Huawei skill id of a core queue (its `skill_id`, else its id)."""
        if queue_id is None:
            return None
        queue = self.gateway.world.queues[queue_id]
        return str(queue.faces.get("huawei", {}).get("skill_id", queue.id))
