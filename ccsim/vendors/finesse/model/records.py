"""Finesse dialogs as data: a call and its participants."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Party:
    address: str  # extension or number
    _state: str  # ALERTING, INITIATED, ACTIVE, HELD, DROPPED, FAILED
    login_id: str | None = None  # an agent of this face, else an outside party
    flag: str = ""  # e.g. SUPERVISOR_BARGE_IN
    talked: bool = False  # was ever ACTIVE: only then is there wrap-up after the call

    def __post_init__(self) -> None:
        self.talked = self.talked or self._state == "ACTIVE"

    @property
    def state(self) -> str:
        return self._state

    @state.setter
    def state(self, value: str) -> None:
        self._state = value
        self.talked = self.talked or value == "ACTIVE"


@dataclass
class Dialog:
    id: str
    call_type: str  # ACD_IN, OUT, CONSULT, SUPERVISOR_MONITOR (SM), OUTBOUND_PREVIEW
    from_address: str
    to_address: str
    started: float
    contact_id: str | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    parties: list[Party] = field(default_factory=list)
    main: str | None = None  # a consult dialog's main dialog
    callback: dict[str, str] | None = None
    timer: Any = None

    def party(self, login_id: str) -> Party | None:
        return next((x for x in self.parties if x.login_id == login_id and x.state != "DROPPED"), None)

    def agents(self) -> list[str]:
        return [x.login_id for x in self.parties if x.login_id and x.state != "DROPPED"]
