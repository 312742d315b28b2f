"""Finesse (Expertflow connector) rules as invariants over the journal: their registration, with
what each means and its source. The judging is one walk of the journal (replay.py) that serves
every invariant here but the ones about who may send what (authority.py)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....conformance.invariants import View, invariant
from . import authority, replay

Walk = Callable[[View], Any]  # a walk of the journal: problems per invariant name


def _registered(name: str, source: str, walk: Walk = replay.judged) -> Callable[[Callable[..., Any]], Any]:
    def register(doc_holder: Callable[..., Any]) -> Any:
        async def check(view: View) -> list[str]:
            return list(walk(view).problems.get(name, []))

        check.__doc__ = doc_holder.__doc__
        return invariant(name, face="finesse", source=source)(check)

    return register


@_registered("finesse state transitions", "reference finesse.md §6.1 (Unified CCE transitions)")
def _transitions():
    """Every change of an agent's state in its State events is a Unified CCE transition: LOGOUT -> NOT_READY
    (sign in); NOT_READY -> READY, LOGOUT or TALKING (a call placed); READY -> RESERVED,
    RESERVED_OUTBOUND_PREVIEW or NOT_READY; RESERVED and RESERVED_OUTBOUND_PREVIEW -> TALKING, READY or
    NOT_READY; TALKING -> HOLD, READY, NOT_READY, WORK or WORK_READY; HOLD -> TALKING or where TALKING goes;
    WORK and WORK_READY -> READY or NOT_READY. LOGOUT from elsewhere only by force_logout or a supervisor (at
    once, or when the call it waited for ends)."""


@_registered("finesse errors", "seed 002 (error lists), reference finesse.md §5, §6.1, §6.6; contracts/finesse row 8")
def _errors():
    """A command the rules forbid is answered by an Error event with its code in token [3], and an allowed
    one by no Error: SUBSCRIPTION_FAILED for a Connect with a wrong password; CF_INVALID_PASSWORD_SPECIFIED,
    CF_SPECIFIED_AGENT_ALREADY_SIGNED_ON or WRONG_EXTENSION for a wrong Login; INVALID_STATE for a state
    command of an agent not signed in, LOGOUT other than from NOT_READY (UCCE), READY while READY, or a call
    made during a call; CF_INVALID_AGENT_REASON_CODE for a reason code not configured; INVALID_DIALOG_ID for
    a dialog that is not the agent's; INVALID_STATE for a call action its participant state does not allow
    (answer only ALERTING, hold only ACTIVE, retrieve only HELD)."""


@_registered("finesse sign-in events", "reference finesse.md §3.2 (Login: AgentInfo, State), §6.2; seed 002")
def _sign_in():
    """A successful Login is answered by AgentInfo, then State NOT_READY with reason code -1."""


@_registered("finesse state answers", "reference finesse.md §3.2, §4.1 (State tokens), §6.2 (pendingState)")
def _state_answers():
    """A successful state command is answered by the State it asked for: MakeReady -> READY; MakeNotReady ->
    NOT_READY with reason code -1, or with its code; Logout -> LOGOUT with -1 or its code; force_logout ends
    in LOGOUT 20002 (Force Logout); GetState -> the current state. During a call NOT_READY is pending: the
    State stays and token [5] (pendingState) says NOT_READY."""


@_registered("finesse dialog events", "reference finesse.md §4.4-4.5, §6.5 (dialog and participant states)")
def _dialog_events():
    """Each agent's dialog events follow the participant states: a call starts ALERTING (NewInboundCall) or
    INITIATED (a call it made); ALERTING -> ACTIVE or DROPPED; ACTIVE <-> HELD; INITIATED -> ACTIVE, FAILED or
    DROPPED; nothing after DROPPED. A successful AnswerCall, HoldCall, RetrieveCall or ReleaseCall is answered
    by its dialog's InboundCall ACTIVE, HELD, ACTIVE or DROPPED; GetDialogState by a DialogState of its
    current state; MakeCall by an InboundCall INITIATED."""


@_registered("finesse call states", "reference finesse.md §6.1 (transitions), §6.3 (wrap-up modes)")
def _call_states():
    """The agent's state follows its calls: RESERVED before a call rings (NewInboundCall); TALKING on answer
    and retrieve; HOLD on hold (UCCE); when its last call drops, the state it was in or asked for during the
    call (READY or NOT_READY), or with wrap-up allowed after a call it talked on, WORK_READY (from READY)
    or WORK (from NOT_READY)."""


@_registered(authority.SENDERS, "contracts/finesse README (commands_from, INFERRED); Finesse User API security "
             "constraints (reference finesse.md §6.2: agents act only on their own User)", authority.judged)
def _senders():
    """An agent's commands come from the client that bound it with a right Connect: another client's command
    for it (a desktop bound to another agent, or to none) is answered by an Error AUTHORIZATION_FAILURE (a
    supervisor outside the agent's team: INVALID_SUPERVISOR) and takes no effect."""


@_registered(authority.SUPERVISOR_CODES, "reference finesse.md §6.1 (supervisor rules; McDewey #47, #50)",
             authority.judged)
def _supervisor_codes():
    """A supervisor's NOT_READY or LOGOUT of an agent of its team carries Finesse's hard-coded reason code,
    999 on Unified CCE and 33 on Unified CCX (also when the LOGOUT waited for the agent's call to end),
    and happens when the rules allow it (NOT_READY from READY, WORK or WORK_READY; LOGOUT from any signed-in
    state); a reason code sent by a supervisor is refused with INVALID_INPUT."""


@_registered(authority.CALLBACKS, "seed 002 (personal callbacks; SHCEDULECALLBACK targetMediaAddress)",
             authority.judged)
def _callback_ownership():
    """SHCEDULECALLBACK, UPDATECALLBACK, CANCELSHCEDULECALLBACK and RECLASSIFYCALL are refused with an Error,
    never answered by a Control event, when the agent did not deal with the preview call (is not on it and
    did not answer it: INVALID_DIALOG_ID) or names an extension other than its own (WRONG_EXTENSION)."""
