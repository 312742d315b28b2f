"""Passwords in the journal's commands, masked where people read it (Face.mask_entry): in the
field of its own a command carries it in; and in a command the connector could not parse (a
misspelt `MobileLogin#1001`, a field too many), the field where the closest command that takes a
password carries it, and any field that is one of the configured secrets."""
from __future__ import annotations

import difflib
from typing import Any

from ...core.masking import Masker
from . import protocol as p

# Where each command that takes a password carries it in its comma body (lower-case names).
PASSWORD_FIELD = {name: spec.fields.index("password") for name, spec in p.COMMANDS.items() if "password" in spec.fields}
CLOSE_ENOUGH = 0.6  # difflib ratio: MobileLogin ~ MobileAgentLogin 0.81, Conect ~ Connect 0.92, Logout ~ Login 0.55


def password_field(jms_type: str | None) -> int | None:
    """The password's position for the command `jms_type` names or nearly names, else None."""
    name = (jms_type or "").partition("#")[0].strip().lower()
    if not name:
        return None
    ratio, closest = max((difflib.SequenceMatcher(None, name, known).ratio(), known) for known in PASSWORD_FIELD)
    return PASSWORD_FIELD[closest] if ratio >= CLOSE_ENOUGH else None


def unparsed_body(jms_type: str | None, body: object, mask: Masker) -> str | None:
    """The body with its password masked, or None when there is nothing to mask."""
    if not isinstance(body, str) or not body:
        return None
    fields = body.split(",")
    secret = {i for i, value in enumerate(fields) if value.strip() in mask.known}
    position = password_field(jms_type)
    if position is not None and position < len(fields) and fields[position].strip():
        secret.add(position)
    if not secret:
        return None
    return ",".join(mask.secret(value.strip()) if i in secret else value for i, value in enumerate(fields))


def mask_command(entry: dict[str, Any], mask: Masker) -> dict[str, Any]:
    """A command's comma body carries the password in a field of its own (Connect, Login...),
    both in the command's entry and in the STOMP frame that brought it (JMSType in `type`)."""
    request = entry.get("request") or {}
    jms_type = request.get("type") or (request.get("headers") or {}).get("type")
    try:
        command = p.parse_command(jms_type, request.get("body"))
    except p.ProtocolError:  # the connector could not read it: the password may be anywhere
        body = unparsed_body(jms_type, request.get("body"), mask)
        return entry if body is None else {**entry, "request": {**request, "body": body}}
    if not command.args.get("password"):
        return entry
    fields = [mask.secret(value) if name == "password" else value for name, value in command.args.items()]
    return {**entry, "request": {**request, "body": ",".join(fields)}}
