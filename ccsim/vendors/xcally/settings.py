"""XCALLY Motion face settings (config `faces.xcally`). INFERRED choices are marked and listed in
contracts/xcally/README.md."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# The phonebars' ports from the port base: base + 10 .. base + 99 (the faces use base + 0..5);
# here so that vendor.py declares them without importing the face.
PHONEBAR_LABEL = "phonebars' remote control, one per agent that has it on"
PHONEBAR_OFFSET, PHONEBAR_PORTS = 10, 90
DIGITAL = ("chat", "mail", "sms", "openchannel", "fax", "whatsapp")
DEFAULT_PAUSE_TYPE = "DEFAULT PAUSE"  # a pause asked for without a pauseType (the look-alike's pauseType default)
CHANNELS = ("voice", *DIGITAL)

# INFERRED: the real socket.io event names are not public; one table, configurable.
DEFAULT_SOCKET_EVENTS = {
    "offer": "interaction:offer",  # server -> agent: an interaction is notified to you
    "accepted": "interaction:accepted",  # server -> agent: it is yours (you or auto answer accepted it)
    "revoked": "interaction:revoked",  # server -> agent: the offer is gone (taken by another, abandoned)
    "closed": "interaction:closed",  # server -> agent: the interaction was closed
    "accept": "interaction:accept",  # agent -> server: accept {"channel", "id"}
    "reject": "interaction:reject",  # agent -> server: decline {"channel", "id"}
}


@dataclass
class XcallySettings:
    admin_username: str = "admin"  # HTTP Basic for the REST API (role admin)
    admin_password: str = "Admin#2026"
    api_keys: list[str] = field(default_factory=lambda: ["ccsim-xcally-key"])  # accepted as ?apikey=
    # The Security Suite password policy (>= 8 chars, lower, upper, digit, one of ~!@#$%^&-_=+[{]}).
    security_suite: bool = True
    # INFERRED: wrong passwords before an agent's account is locked (the "Locked" flag).
    lock_after_failed_logins: int = 5
    # Global "Interaction tabs limit" (seed 001's Max Open Tab Limit; default 20 tabs).
    tab_limit: int = 20
    # Seed 001's older capacity paragraph passes a follow-up on an interaction the agent handled
    # to that agent anyway; its newer section checks tab limit and capacity first (the default).
    followups_bypass_limits: bool = False
    # INFERRED: an agent's credentials change (close, dispose, write to) only interactions that are
    # its own or offered to it, like its /users/{id} routes; an administrator may act on any.
    agents_own_interactions_only: bool = True
    # INFERRED: seconds a far end takes to answer a phonebar originate.
    far_end_answer_seconds: float = 3.0
    # INFERRED: answering a call while another is active puts that one on hold, as a softphone
    # does with call waiting (Ring in Use on); false leaves both active.
    hold_on_answer: bool = True
    socket_events: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_SOCKET_EVENTS))
    first_internal: int = 1001  # internal numbers generated from here
    # INFERRED: the pause an agent with "Login in Pause" is in on every channel after logging in
    # (the look-alike's pauseType default, the pause of an agent who chose none).
    login_pause_type: str = DEFAULT_PAUSE_TYPE
    # The telephones (Staff -> Telephones) an external agent with Hot Desk chooses from at login:
    # {internal, name, registered (default true)}; only registered ones can be chosen.
    telephones: list[dict[str, Any]] = field(default_factory=list)
    # The license's Mobile feature: without it typology mobile is refused (seed 001).
    mobile_feature: bool = True
    # INFERRED bound: at most this many teams, and as many users with role user (supervisors).
    max_records: int = 10_000

    def __post_init__(self) -> None:
        missing = set(DEFAULT_SOCKET_EVENTS) - set(self.socket_events)
        if missing:
            raise ValueError(f"socket_events needs names for: {', '.join(sorted(missing))}")
        if self.tab_limit < 1:
            raise ValueError("tab_limit must be at least 1")
        if not isinstance(self.login_pause_type, str) or not self.login_pause_type.strip():
            raise ValueError("login_pause_type must be a pause name")
        if not isinstance(self.max_records, int) or self.max_records < 1:
            raise ValueError("max_records must be at least 1")
        seen: set[str] = set()
        for phone in self.telephones:
            internal = phone.get("internal") if isinstance(phone, dict) else None
            if not isinstance(internal, str) or not re.fullmatch(r"[0-9]+", internal) or internal in seen \
                    or set(phone) - {"internal", "name", "registered"} \
                    or not isinstance(phone.get("registered", True), bool):
                raise ValueError("telephones: each one {internal: digits (unique), name, registered: bool}")
            seen.add(internal)
