"""Who may send an agent's commands, and who hears of a refusal (setting `commands_from`).

Every command names an agent after its '#'; the connector's documents describe no check of who
sent it, so any client could command any agent. With `commands_from: bound_connection` (the
default) an agent's commands are taken only from the client connection that bound it with a right
`Connect#<agent>` (a desktop is its connection: the embedded endpoint's, or ActiveMQ's as its
message-ids give it), and the state commands a supervisor may send (Finesse: READY, NOT_READY,
LOGOUT) also from the connection of a supervisor of the agent's team, which then acts as
supervisor (supervisor.py). Anything else is refused: AUTHORIZATION_FAILURE (Finesse's 401
"Authorization Failure": agents act only on their own User object), or INVALID_SUPERVISOR for a
supervisor outside the agent's team (Finesse's 401 "Invalid Supervisor"). Hello, Beat and
Connect name a destination or carry the password, so anyone may send them.

A refusal is heard on the topic of the connection that sent the command, never on the topic of
the agent it named; a connection that bound nobody hears nothing (the Error is only journaled).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from .. import protocol as p
from .connector import Connector
from .users import User

if TYPE_CHECKING:
    from ..settings import FinesseSettings

OPEN_COMMANDS = frozenset({"Hello", "Beat", "Connect"})
# What a supervisor may send for a team member (Finesse User API: READY, NOT_READY, LOGOUT; and
# reading its state). The reason-code variants are refused there: supervisors send no code.
SUPERVISOR_COMMANDS = frozenset({"MakeReady", "MakeNotReady", "MakeNotReadyWithReason", "Logout",
                                 "logoutwithreason", "GetState"})


class CommandAccess:
    """`sender` names the client connection a command came from (transport.Message.sender)."""

    def __init__(self, connector: Connector):
        self.connector = connector

    @property
    def settings(self) -> FinesseSettings:  # the connector's: a reset gives it the settings made afresh
        return self.connector.settings

    def bound_to(self, sender: str | None) -> list[User]:
        """The users a client connection bound with Connect."""
        return [u for u in self.connector.users.values() if sender is not None and u.session == sender]

    def acting_supervisor(self, user: User | None, command: p.Command, sender: str | None) -> User | None:
        """The supervisor acting on `user` with this command; None when the agent acts itself (or
        nobody is checked). ProtocolError when the sender may not send it."""
        if user is None or command.name in OPEN_COMMANDS:
            return None
        if sender is not None and user.session == sender:
            return None
        check = self.settings.commands_from == "bound_connection"
        supervisor = next((u for u in self.bound_to(sender) if u.supervisor), None)
        if supervisor is not None and command.name in SUPERVISOR_COMMANDS:
            if user.team in supervisor.teams:
                return supervisor
            if check:
                raise p.ProtocolError("INVALID_SUPERVISOR", f"{user.login_id} is not on a team of supervisor "
                                      f"{supervisor.login_id}", user.login_id, command.name)
        if not check:
            return None
        raise p.ProtocolError("AUTHORIZATION_FAILURE", f"this client did not bind {user.login_id} with Connect#"
                              f"{user.login_id}: it may not send its commands", user.login_id, command.name)

    def answered_on(self, user: User | None, sender: str | None) -> User | None:
        """Whose topic hears an Error for a command that names `user`: the sender's."""
        if self.settings.commands_from == "anyone":
            return user if user is not None and user.destination else None
        if user is not None and user.destination and sender is not None and user.session == sender:
            return user
        return next((u for u in self.bound_to(sender) if u.destination), None)
