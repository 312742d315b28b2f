"""Agent fields on the wire, and their validation.

The JSON names of capacity, auto answer and remote control are not public (reference §3.2):
they come from a look-alike codebase and are INFERRED. They live in this one table so that a
correction is one edit here (and in contracts/xcally/agent.schema.json); the rest of the agent
form (Voice, Phonebar, WebRTC, Permissions) is the table of agent_settings.py.
"""
from __future__ import annotations

import re
from typing import Any

from . import agent_settings
from .rules import Invalid, as_id, whole  # noqa: F401 (the face's modules know them as fields.*)
from .settings import DIGITAL

# (setting, channel) -> JSON key
CAPACITY = {ch: f"{ch}Capacity" for ch in DIGITAL}
AUTOANSWER = {ch: f"{ch}Autoanswer" for ch in DIGITAL}
AUTOANSWER_DELAY = {ch: f"{ch}AutoanswerDelay" for ch in DIGITAL}
VOICE_AUTOANSWER, VOICE_AUTOANSWER_DELAY = "phoneBarAutoAnswer", "phoneBarAutoAnswerDelay"
REMOTE_CONTROL, REMOTE_CONTROL_PORT = "phoneBarRemoteControl", "phoneBarRemoteControlPort"
DEFAULT_REMOTE_CONTROL_PORT = 9888  # seed 001: the phonebar's remote control listens on 9888 by default
# Phonebar settings "Ring in Use" and "Do not disturb during pause" (seed 001); names as in CLONE.
RING_IN_USE, DND_DURING_PAUSE = "phoneBarRingInUse", "phoneBarDnd"
TYPOLOGIES = ("phonebar", "external", "webrtc", "mobile")

USERNAME = re.compile(r"[A-Za-z0-9._]+")  # matched whole (fullmatch): no trailing newline
PASSWORD_SPECIALS = "~!@#$%^&-_=+[{]}"
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def password_problem(password: str) -> str | None:
    if len(password) < 8:
        return "the password must have at least 8 characters"
    for test, what in ((str.islower, "a lowercase letter"), (str.isupper, "an uppercase letter"),
                       (str.isdigit, "a digit")):
        if not any(test(ch) for ch in password):
            return f"the password must contain {what}"
    if not any(ch in PASSWORD_SPECIALS for ch in password):
        return f"the password must contain one of {PASSWORD_SPECIALS}"
    return None


def check_fields(body: dict[str, Any], *, creating: bool, security_suite: bool,
                 current: dict[str, Any] | None = None) -> None:
    """Raise Invalid with a message a person understands. `current` is the agent as it is (an
    update), for the rules between fields; a create is checked against the defaults."""
    if creating:
        for name in ("name", "password"):
            if not body.get(name):
                raise Invalid(f"{name} is required")
    if "name" in body and (not isinstance(body["name"], str) or not USERNAME.fullmatch(body["name"])):
        raise Invalid(f"invalid username {body['name']!r}: only letters, numbers, '.' and '_' are allowed")
    if "password" in body:
        if not isinstance(body["password"], str):
            raise Invalid("password must be a string")
        problem = password_problem(body["password"]) if security_suite else None
        if problem:
            raise Invalid(f"password refused by the Security Suite: {problem}")
    for key in ("fullname", "email", "internal"):
        if key in body and not isinstance(body[key], str) and not (key == "internal" and whole(body[key])):
            raise Invalid(f"{key} must be a string")
    if body.get("email") and not EMAIL.fullmatch(body["email"]):
        raise Invalid(f"invalid email {body['email']!r}")
    if "typology" in body and body["typology"] not in TYPOLOGIES:
        raise Invalid(f"typology must be one of {', '.join(TYPOLOGIES)}")
    if "internal" in body and (as_id(str(body["internal"])) is None or isinstance(body["internal"], bool)):
        raise Invalid("internal must be a number")
    if "fullname" in body and "internal" in body and str(body["fullname"]) == str(body["internal"]):
        raise Invalid("fullname must not be the internal number")
    for key in (*CAPACITY.values(), *AUTOANSWER_DELAY.values(), VOICE_AUTOANSWER_DELAY):
        if key in body and (not whole(body[key]) or body[key] < 0):
            raise Invalid(f"{key} must be a whole number >= 0")
    for key in (*AUTOANSWER.values(), VOICE_AUTOANSWER, REMOTE_CONTROL, RING_IN_USE, DND_DURING_PAUSE, "loginInPause",
                "disabled", "locked"):
        if key in body and not isinstance(body[key], bool):
            raise Invalid(f"{key} must be true or false")
    if REMOTE_CONTROL_PORT in body:
        port = body[REMOTE_CONTROL_PORT]
        if not whole(port) or not 0 <= port <= 65535:
            raise Invalid(f"{REMOTE_CONTROL_PORT} must be a port number")
    agent_settings.check(body)
    agent_settings.check_together({**(current if current is not None else agent_settings.defaults()), **body})
