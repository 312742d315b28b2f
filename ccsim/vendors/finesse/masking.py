"""A password in a command the connector could not parse (a misspelt `MobileLogin#1001`, a field
too many), masked where people read the journal: the field where the closest command that takes
a password carries it, and any field that is one of the configured secrets."""
from __future__ import annotations

import difflib

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
