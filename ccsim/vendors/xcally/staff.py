"""Motion's staff besides agents: users with role `user` (supervisors) and teams of agents.

Seed 001: "You must have an admin role or a user role with agents permission to be able to manage
Agents. Note that a user can only operate on agents that are added to the queues to which they are
enabled." A supervisor here is a user with role `user`, an `agentsPermission` flag (Motion keeps
section permissions in User Profiles; one flag stands for the profile's Agents section, INFERRED)
and the queues it is enabled on (`queueIds`, INFERRED). It signs in with HTTP Basic as agents do.

Teams (Staff -> Teams; "Add Agent to Team"): a name, a description and member agents.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import fields as f
from .routing import XcallyError

if TYPE_CHECKING:
    from .face import XcallyFace
    from .model import XAgent

SUPERVISOR_KEYS = {"name", "password", "fullname", "email", "role", "agentsPermission", "queueIds", "disabled",
                   "locked"}


@dataclass
class XUser:
    """A user with role `user` (a supervisor)."""
    id: int
    name: str
    password: str
    fullname: str = ""
    email: str = ""
    agents_permission: bool = False
    queue_ids: list[int] = field(default_factory=list)
    disabled: bool = False
    locked: bool = False
    failed_logins: int = 0
    created: float = 0.0
    updated: float = 0.0

    def to_json(self, iso) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "fullname": self.fullname, "email": self.email, "role": "user",
                "agentsPermission": self.agents_permission, "queueIds": list(self.queue_ids),
                "disabled": self.disabled, "locked": self.locked, "createdAt": iso(self.created),
                "updatedAt": iso(self.updated)}

    def apply(self, body: dict[str, Any]) -> None:
        for key, attr in (("name", "name"), ("password", "password"), ("fullname", "fullname"), ("email", "email"),
                          ("agentsPermission", "agents_permission"), ("disabled", "disabled"), ("locked", "locked")):
            if key in body:
                setattr(self, attr, body[key])
        if "queueIds" in body:
            self.queue_ids = list(dict.fromkeys(body["queueIds"]))
        if body.get("locked") is False:
            self.failed_logins = 0


@dataclass
class Team:
    id: int
    name: str
    description: str = ""
    members: list[int] = field(default_factory=list)  # agent ids
    created: float = 0.0
    updated: float = 0.0

    def to_json(self, iso) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "description": self.description, "members": list(self.members),
                "createdAt": iso(self.created), "updatedAt": iso(self.updated)}


class Staff:
    def _init_staff(self: "XcallyFace") -> None:
        self.supervisors: dict[int, XUser] = {}
        self.teams: dict[int, Team] = {}
        self._team_ids = itertools.count(1)

    # -- accounts (agents and supervisors sign in alike) ----------------------------------------------------------
    def account_named(self: "XcallyFace", username: str) -> "XAgent | XUser | None":
        return next((a for a in self.agents.values() if a.name == username), None) or \
            next((u for u in self.supervisors.values() if u.name == username), None)

    def check_password(self: "XcallyFace", account: "XAgent | XUser", password: str) -> "XAgent | XUser":
        """401 unless the account may sign in with this password; wrong ones count towards the lock."""
        if account.locked or account.disabled:
            raise XcallyError(401, f"the account {account.name} is {'locked' if account.locked else 'disabled'}")
        if password != account.password:
            account.failed_logins += 1
            limit = self.settings.lock_after_failed_logins
            if limit and account.failed_logins >= limit:
                account.locked = True
            raise XcallyError(401, "Unauthorized")
        account.failed_logins = 0
        return account

    def name_taken(self: "XcallyFace", name: str, by: object = None) -> bool:
        return any(a.name == name and a is not by for a in (*self.agents.values(), *self.supervisors.values()))

    # -- supervisors ------------------------------------------------------------------------------------------------
    def check_supervisor(self: "XcallyFace", body: dict[str, Any], user: XUser | None) -> None:
        """The agent rules for what a user shares with an agent; 400 for a key only agents have."""
        extra = sorted(set(body) - SUPERVISOR_KEYS - {"id", "createdAt", "updatedAt"})
        if extra:
            raise f.Invalid(f"{', '.join(extra)}: not a field of a user with role user")
        f.check_fields({k: v for k, v in body.items() if k != "role"}, creating=user is None,
                       security_suite=self.settings.security_suite)
        if "agentsPermission" in body and not isinstance(body["agentsPermission"], bool):
            raise f.Invalid("agentsPermission must be true or false")
        if "queueIds" in body:
            ids = body["queueIds"]
            if not isinstance(ids, list) or not all(f.whole(i) and i in self.queues for i in ids):
                raise f.Invalid("queueIds must be a list of queue ids")
        if "name" in body and self.name_taken(body["name"], user):
            raise f.Invalid(f"username {body['name']!r} is already taken")

    def create_supervisor(self: "XcallyFace", body: dict[str, Any]) -> XUser:
        self.check_supervisor(body, None)
        if len(self.supervisors) >= self.settings.max_records:
            raise XcallyError(400, f"no more than {self.settings.max_records} users with role user")
        now = self.clock.now()
        user = XUser(next(self._ids["agent"]), body["name"], body["password"], created=now, updated=now)
        user.apply(body)
        user.fullname = user.fullname or user.name
        self.supervisors[user.id] = user
        return user

    def update_supervisor(self: "XcallyFace", user: XUser, body: dict[str, Any]) -> None:
        self.check_supervisor(body, user)
        user.apply(body)
        user.updated = self.clock.now()

    def manages(self: "XcallyFace", user: XUser, agent: "XAgent") -> bool:
        """A user operates only on agents added to the queues it is enabled on (seed 001)."""
        return user.agents_permission and any(
            agent.id in self.queues[q].members for q in user.queue_ids if q in self.queues)

    # -- teams ------------------------------------------------------------------------------------------------------
    def check_team(self: "XcallyFace", body: dict[str, Any], team: Team | None) -> None:
        if team is None and "name" not in body:
            raise f.Invalid("name is required")
        if "name" in body:
            name = body["name"]
            if not isinstance(name, str) or not name.strip() or len(name) > 255:
                raise f.Invalid("name must be a non-empty string of at most 255 characters")
            if any(t.name == name and t is not team for t in self.teams.values()):
                raise f.Invalid(f"a team named {name!r} already exists")
        if "description" in body and (not isinstance(body["description"], str) or len(body["description"]) > 255):
            raise f.Invalid("description must be a string of at most 255 characters")

    def create_team(self: "XcallyFace", body: dict[str, Any]) -> Team:
        self.check_team(body, None)
        if len(self.teams) >= self.settings.max_records:
            raise XcallyError(400, f"no more than {self.settings.max_records} teams")
        now = self.clock.now()
        team = Team(next(self._team_ids), body["name"], body.get("description", ""), created=now, updated=now)
        self.teams[team.id] = team
        return team

    def update_team(self: "XcallyFace", team: Team, body: dict[str, Any]) -> None:
        self.check_team(body, team)
        team.name, team.description = body.get("name", team.name), body.get("description", team.description)
        team.updated = self.clock.now()

    def forget_agent_in_staff(self: "XcallyFace", agent_id: int) -> None:
        """A deleted agent leaves its teams."""
        for team in self.teams.values():
            if agent_id in team.members:
                team.members.remove(agent_id)
