"""CXone's users as the token service and the Agent API know them: usernames, agent numbers (no
"60" in them), the tokens handed out (password and refresh grants) and each agent's client data
(MAX's settings, AutoAccept among them)."""
from __future__ import annotations

from typing import Any

from ....core import World
from ....core.credentials import CredentialStream
from ..errors import NiceError
from ..settings import NiceSettings
from .records import ids_without_60

Grant = tuple[str, str]  # (core agent id, role: "max", or "bar" for a trusted client)


class AgentNumberError(ValueError):
    """A configured agent_id the SDK cannot use (the face reports it as a settings error)."""


class Accounts:
    def __init__(self, world: World, settings: NiceSettings):
        self.world, self.clock, self.settings = world, world.clock, settings
        self._index_agents()
        self.tokens: dict[str, tuple[str, str, float]] = {}  # token -> (agent id, role, expiry)
        self.client_data: dict[str, dict[str, Any]] = {}
        self._tokens = CredentialStream(world.seed, "nice token")  # a reset replays the same tokens

    def _index_agents(self) -> None:
        """The world's CXone agents by username, and their agent numbers (from the configuration)."""
        self.usernames: dict[str, str] = {}  # username (lower case) -> core agent id
        numbers = ids_without_60(70001)
        self.numbers: dict[str, str] = {}
        for agent in self.world.agents.values():
            cfg = agent.faces.get("nice")
            if cfg is not None:
                username = str((cfg or {}).get("username", f"{agent.id}@example.com")).lower()
                self.usernames[username] = agent.id
                configured = str((cfg or {}).get("agent_id", ""))
                if configured and (not configured.isdigit() or "60" in configured):
                    raise AgentNumberError(f"agents[{agent.id}].nice.agent_id must be digits without \"60\" "
                                           f"(the CXone SDK rewrites \"60\" in URLs), not {configured!r}")
                self.numbers[agent.id] = configured or (agent.id if agent.id.isdigit() and "60" not in agent.id
                                                        else next(numbers))

    def agent_number(self, agent_id: str) -> str:
        return self.numbers.get(agent_id, agent_id)

    def auto_accept_of(self, agent_id: str) -> bool:
        data = self.client_data.get(agent_id, {})
        if "AutoAccept" in data:
            return bool(data["AutoAccept"])
        cfg = self.world.agents[agent_id].faces.get("nice") or {}
        return bool(cfg.get("auto_accept", self.settings.auto_accept))

    # -- tokens ---------------------------------------------------------------------------------------------
    def password_grant(self, username: str, password: str, client: str) -> Grant | None:
        """The agent and role for a username (and, for MAX, its password), or None."""
        agent_id = self.usernames.get(username)
        role = "bar" if client in self.settings.trusted_clients else "max"
        expected = str((self.world.agents[agent_id].faces.get("nice") or {}).get("password", "")) if agent_id else None
        if agent_id is None or (role == "max" and password != expected):
            return None
        return agent_id, role

    def refresh_grant(self, refresh_token: str) -> Grant | None:
        found = self.tokens.get("r:" + refresh_token)
        if found is None or found[2] <= self.clock.now():
            return None
        return found[0], found[1]

    def issue(self, agent_id: str, role: str) -> tuple[str, str]:
        """A new access token and refresh token for the agent, none guessable from another."""
        access, refresh = self._tokens.token(), self._tokens.token()
        expires = self.clock.now() + self.settings.token_ttl_seconds
        self.tokens[access] = (agent_id, role, expires)
        self.tokens["r:" + refresh] = (agent_id, role, expires + 3600)
        return access, refresh

    def check(self, token: str) -> Grant:
        """The agent and role of a bearer token still valid."""
        found = self.tokens.get(token)
        if found is None or found[2] <= self.clock.now():
            raise NiceError(401, "Unauthorized", "a valid bearer token is required (it may have expired)")
        return found[0], found[1]
