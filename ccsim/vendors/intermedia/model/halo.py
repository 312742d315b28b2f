"""The HaloPSA side: the Intermedia integration's rules (seed 003) over Halo's records.

A webhook is checked (the five fields, as strings; AgentEmail and RecordingUrl may be
missing), its agent matched by Intermedia number and then, with the setting on, by email, its
end user by any phone field as an exact string; a CallLog row is written (reference §3.1; the
field mapping is INFERRED) and the configured answer (call screen or notification) is recorded
for the matched agent. Linking a ticket to the row adds the recording link to that ticket.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from ....core import Agent
from ....core.sizes import deep_size
from ..settings import USER_PHONE_FIELDS, IntermediaSettings
from .records import CallRecords

REQUIRED = ("CallID", "AgentNumber", "UserNumber")
OPTIONAL = ("AgentEmail", "RecordingUrl")  # INFERRED: tolerated when missing (reference checklist 3)


class Invalid(ValueError):
    """A webhook body that is not the seed's shape: 400, with what is wrong per field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def check_body(body: Any) -> dict[str, str]:
    if not isinstance(body, dict):
        raise Invalid({"$": ["The body must be a JSON object."]})
    errors: dict[str, list[str]] = {}
    for name in (*REQUIRED, *OPTIONAL):
        value = body.get(name)
        if value is None:
            if name in REQUIRED:
                errors[name] = [f"The {name} field is required."]
        elif not isinstance(value, str):
            errors[name] = [f"The {name} field must be a string (the WSCall body puts every value in quotes)."]
    for name in REQUIRED:
        if name not in errors and not body[name].strip():
            errors[name] = [f"The {name} field is required."]
    if errors:
        raise Invalid(errors)
    return {name: str(body.get(name) or "") for name in (*REQUIRED, *OPTIONAL)}


@dataclass
class HaloAgent:
    id: int
    name: str
    email: str = ""
    intermedia_number: str = ""
    agent: str | None = None  # the ccsim agent it is (for the journal)


@dataclass
class Halo:
    """Halo's records. Rows are kept under the face's records budget (records.py): when the
    oldest goes, its recording link and its action go with it."""

    agents: list[HaloAgent]
    users: list[dict[str, Any]]
    records: CallRecords
    calls: dict[int, dict[str, Any]] = field(default_factory=dict)  # call log id -> row, oldest first
    actions: dict[int, dict[str, Any]] = field(default_factory=dict)  # action id -> action
    recordings: dict[int, str] = field(default_factory=dict)  # call log id -> recording URL
    _actions_of: dict[int, list[int]] = field(default_factory=dict)  # call log id -> its actions' ids
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    _action_ids: Any = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.records.on_row_dropped = self._forget_row

    def match_agent(self, number: str, email: str, by_email: bool) -> HaloAgent | None:
        """Phone numbers first; emails (any case) only if no number matched and the setting is on."""
        found = next((a for a in self.agents if number and a.intermedia_number == number), None)
        if found is None and by_email and email:
            found = next((a for a in self.agents if a.email and a.email.lower() == email.lower()), None)
        return found

    def match_user(self, number: str) -> dict[str, Any] | None:
        """Every phone field of every user, compared as exact strings: "+1 555..." is not "+1555..."."""
        return next((u for u in self.users if any(u.get(f) == number for f in USER_PHONE_FIELDS)), None)

    def log_call(self, fields: dict[str, str], agent: HaloAgent | None, user: dict[str, Any] | None,
                 when: str) -> dict[str, Any]:
        row = {
            "id": next(self._ids), "start_date": when, "end_date": None, "timetaken": 0.0,
            "agent_id": agent.id if agent else None, "agent_name": agent.name if agent else "",
            "user_id": user["id"] if user else None, "user_name": user.get("name", "") if user else "",
            "client_name": user.get("client_name", "") if user else "",
            "callerid": fields["UserNumber"], "user_number": fields["UserNumber"],
            "diallednumber": fields["AgentNumber"], "agent_number": fields["AgentNumber"],
            "agent_email": fields["AgentEmail"], "third_party_id": fields["CallID"],
            "call_direction": 0, "call_type": "Intermedia", "ticket_id": None, "summary": "", "note": "",
        }
        self.calls[row["id"]] = row
        if fields["RecordingUrl"]:
            self.recordings[row["id"]] = fields["RecordingUrl"]
        self.changed(row)
        return row

    def link_ticket(self, row: dict[str, Any], ticket_id: int, recording_link: bool, when: str) -> None:
        """A ticket logged for the call: the row points at it, and (setting on) the ticket gets
        the recording link as an action, once."""
        row["ticket_id"] = ticket_id
        url = self.recordings.get(row["id"])
        if recording_link and url and not self._actions_of.get(row["id"]):
            self.add_action(row, ticket_id, url, when)
        self.changed(row)

    def add_action(self, row: dict[str, Any], ticket_id: int, url: str, when: str) -> None:
        action = {"id": next(self._action_ids), "ticket_id": ticket_id, "calllog_id": row["id"],
                  "outcome": "Call Recording", "note": f'<a href="{url}">Call recording</a>',
                  "datetime": when, "who": row["agent_name"]}
        self.actions[action["id"]] = action
        self._actions_of.setdefault(row["id"], []).append(action["id"])

    def changed(self, row: dict[str, Any]) -> None:
        """A row written or changed: what it costs now, with its recording link and actions."""
        row_id = row["id"]
        if row_id in self.calls:
            actions = [self.actions[a] for a in self._actions_of.get(row_id, ())]
            self.records.row_changed(row_id, deep_size(row) + deep_size(self.recordings.get(row_id)) + deep_size(actions))

    def _forget_row(self, row_id: int) -> None:
        self.calls.pop(row_id, None)
        self.recordings.pop(row_id, None)
        for action_id in self._actions_of.pop(row_id, ()):
            self.actions.pop(action_id, None)


def halo_agents(intermedia: list[tuple[str, str, dict[str, Any]]], configured: list[dict[str, Any]] | None
                ) -> list[HaloAgent]:
    """Halo's agents: as configured (`halo_agents`), or else one per Intermedia agent (ccsim id,
    name, its `intermedia` section), numbered from 1 in configuration order, same number and email."""
    if configured is not None:
        return [HaloAgent(a["id"], a.get("name") or f"Agent {a['id']}", a.get("email") or "",
                          a.get("intermedia_number") or "", a.get("agent")) for a in configured]
    return [HaloAgent(n, name, str(cfg.get("email", "")), str(cfg.get("number", "")), agent_id)
            for n, (agent_id, name, cfg) in enumerate(intermedia, start=1)]


def build_halo(intermedia: list[tuple[Agent, dict[str, Any]]], settings: IntermediaSettings,
               records: CallRecords) -> Halo:
    """Halo's records from the settings and the Intermedia agents (desk.intermedia_agents), kept
    in the face's records."""
    agents = halo_agents([(a.id, a.name, cfg) for a, cfg in intermedia], settings.halo_agents)
    return Halo(agents, [dict(u) for u in settings.halo_users], records)
