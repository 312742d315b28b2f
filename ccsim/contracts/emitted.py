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

import json
from functools import lru_cache
from typing import Any

from .. import contracts
from ..core import Journal, JournalEntry
from ..registry import on_change


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
    if any(key.endswith("Truncated") for key in emitted):  # over the journal's limits: only a head was kept
        return problems
    if not _has_contract(relative):
        problems.append(f"{where}: no contract {relative}")
    else:
        problems += [f"{where}: {p}" for p in _errors(relative, emitted)]
    return problems


@lru_cache(maxsize=None)
def _has_contract(relative: str) -> bool:
    return contracts.exists(relative)


def _errors(relative: str, emitted: Any) -> tuple[str, ...]:
    """A journal repeats the same messages (poll answers, events): each distinct one is checked once."""
    try:
        text = json.dumps(emitted, sort_keys=True)
    except (TypeError, ValueError):
        return tuple(contracts.errors(relative, emitted))
    return _errors_of_text(relative, text)


@lru_cache(maxsize=8192)
def _errors_of_text(relative: str, text: str) -> tuple[str, ...]:
    return tuple(contracts.errors(relative, json.loads(text)))


def journal_violations(journal: Journal) -> list[str]:
    return [p for entry in journal.query() for p in entry_violations(entry)]


def _forget() -> None:
    """A vendor came or went: its contracts may be new, or gone."""
    _has_contract.cache_clear()
    _errors_of_text.cache_clear()


on_change(_forget)
