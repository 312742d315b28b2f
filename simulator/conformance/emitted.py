"""Check what a simulator emitted against contracts/.

Every journaled HTTP response of a face is validated against
contracts/<face>/responses/<op>.schema.json; every other message a face emitted (a journal
entry of another kind whose `response` carries a body: a JMS event, a STOMP frame, a socket.io
event) against contracts/<face>/<kind>/<op>.schema.json, and so is a request ccsim sent as a
client (a webhook). A message without a contract is itself a violation, and no exchange may
have hit an internal error or answered 5xx. The test suite runs this over the journal after
every test.
"""
from __future__ import annotations

from pathlib import Path

from .. import contracts
from ..core import Journal, JournalEntry


# Kinds where ccsim is the client: what it emitted is the request (the answer is the peer's).
OUTBOUND_KINDS = {"webhook"}


def entry_violations(entry: JournalEntry) -> list[str]:
    where = f"#{entry.seq} {entry.face} {entry.op} {entry.request.get('method', '')} {entry.request.get('path', '')}"
    problems = []
    if "internalError" in entry.response:
        problems.append(f"{where}: internal error:\n{entry.response['internalError']}")
    status = entry.response.get("status")
    if isinstance(status, int) and status >= 500 and entry.kind not in OUTBOUND_KINDS:
        problems.append(f"{where}: answered HTTP {status}")
    emitted = entry.response
    if entry.kind == "http":
        relative = f"{entry.face}/responses/{entry.op}.schema.json"
    elif entry.kind in OUTBOUND_KINDS:
        relative, emitted = f"{entry.face}/{entry.kind}/{entry.op}.schema.json", entry.request
    elif entry.kind != "control" and "body" in entry.response:
        relative = f"{entry.face}/{entry.kind}/{entry.op}.schema.json"
    else:
        return problems  # nothing was emitted (a command received, a world action)
    if not (contracts.contracts_dir() / Path(relative)).is_file():
        problems.append(f"{where}: no contract {relative}")
    else:
        problems += [f"{where}: {p}" for p in contracts.errors(relative, emitted)]
    return problems


def journal_violations(journal: Journal) -> list[str]:
    return [p for entry in journal.query() for p in entry_violations(entry)]
