"""The connector's agents: its users, their sessions (Hello, Connect, Login, Logout) and their
states, and what every other part of the model tells them with. Events leave through `publish`,
the face's: this object knows topics by their client destination only, never a transport.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ....core import Agent, Channel, Contact, World
from ....core.clock import TimerScope
from .. import protocol as p
from .users import User, check_user_transition, finesse_time, presence, user_from_config

if TYPE_CHECKING:
    from ..settings import FinesseSettings

# The face's: journal an event to a client destination and send it on the transport.
Publish = Callable[[str, str, str | None], None]


class Connector:
    def __init__(self, world: World, timers: TimerScope, settings: FinesseSettings, publish: Publish, face: str):
        self.world = world
        self.clock = world.clock
        self.timers = timers
        self.settings = settings
        self.face = face  # the face's name: where the world signs its agents in
        self._publish = publish
        self.load_users()

    def load_users(self) -> None:
        """The world's Finesse users as configured, all logged out."""
        self.users: dict[str, User] = {}  # by login id
        self.by_agent: dict[str, User] = {}  # by core agent id
        for agent in self.world.agents.values():
            if "finesse" in agent.faces:
                user = user_from_config(agent.id, agent.name, agent.faces["finesse"] or {}, self.settings.wrap_up_mode)
                self.users[user.login_id] = user
                self.by_agent[agent.id] = user

    def reset(self, settings: FinesseSettings) -> None:
        """Every user logged out, as `settings` (made afresh from the configuration) say."""
        for user in self.users.values():
            user.cancel_wrap_timer()
        self.settings = settings
        self.load_users()

    def vendor_states(self) -> dict[str, dict[str, str]]:
        states = {}
        for user in self.users.values():
            shown = {"state": user.state, "reasonCode": user.reason_code}
            if user.pending:
                shown["pendingState"] = user.pending
            if user.signed_extension:
                shown["extension"] = user.signed_extension
            if user.dialogs:
                shown["dialogs"] = ", ".join(user.dialogs)
            states[user.agent_id] = shown
        return states

    def presence_reasons(self) -> dict[str, str]:
        """NOT_READY (and LOGOUT, when given one) with its reason code's label and number."""
        labels = dict(self.settings.codes("NOT_READY") + self.settings.codes("LOGOUT"))
        reasons = {}
        for user in self.users.values():
            if user.state in ("NOT_READY", "LOGOUT") and user.reason_code not in ("", "-1"):
                label = labels.get(user.reason_code)
                reasons[user.agent_id] = f"{user.state}: " + (f"{label} ({user.reason_code})" if label
                                                              else f"reason code {user.reason_code}")
        return reasons

    # -- events out -----------------------------------------------------------------------------------------
    def publish_to(self, destination: str, text: str, agent_id: str | None = None) -> None:
        self._publish(destination, text, agent_id)

    def publish(self, user: User, text: str) -> None:
        if user.destination:
            self.publish_to(user.destination, text, user.agent_id)

    def need(self, user: User | None, command: p.Command | None = None) -> User:
        if user is None:
            param = command.param if command else "?"
            raise p.ProtocolError("USER_NOT_FOUND", f"no agent with login id {param!r}", param,
                                  command.name if command else "")
        return user

    # -- session: Hello, Connect, Login, Logout ----------------------------------------------------------
    def hello(self, user: User | None, command: p.Command) -> None:
        self.publish_to(command.param, p.system_status(command.param, True))

    def connect(self, user: User | None, command: p.Command, sender: str | None) -> None:
        destination, password = command.args["destination"], command.args["password"]
        if user is None or password != user.password:
            # The binding fails; the client hears it on the topic it asked for.
            self.publish_to(destination, p.error(command.param, "Connect", "SUBSCRIPTION_FAILED",
                                                 "unknown agent or wrong password"))
            return
        # No response when it works. The agent's commands are now this connection's (access.py).
        user.destination, user.session = destination, sender

    def login(self, user: User | None, command: p.Command) -> None:
        user = self.need(user, command)
        args, mobile = command.args, command.name == "MobileAgentLogin"
        if args["password"] != user.password:
            raise p.ProtocolError("CF_INVALID_PASSWORD_SPECIFIED", "wrong password", user.login_id, command.name)
        if user.logged_in:
            raise p.ProtocolError("CF_SPECIFIED_AGENT_ALREADY_SIGNED_ON", "already logged in", user.login_id, command.name)
        if user.extension and args["extension"] != user.extension:
            raise p.ProtocolError("WRONG_EXTENSION", f"extension {args['extension']} is not the agent's", user.login_id,
                                  command.name)
        if mobile:
            if self.settings.deployment != "UCCE" or not user.mobile_allowed:
                raise p.ProtocolError("CF_INVALID_LOGON_DEVICE_SPECIFIED", "mobile agent mode is not allowed",
                                      user.login_id, command.name)
            flag = args["connectionMode"].lower()
            if flag not in ("true", "false"):
                raise p.ProtocolError("GENERAL_ERROR", "connection_mode must be true or false", user.login_id, command.name)
            user.mobile = ("CALL_BY_CALL" if flag == "true" else "NAILED_CONNECTION", args["dialNumber"])
        if self.world.agents[user.agent_id].face not in (None, self.face):
            raise p.ProtocolError("CF_RESOURCE_BUSY", "the agent is signed in elsewhere", user.login_id, command.name)
        user.signed_extension = args["extension"]
        self.world.sign_in(user.agent_id, self.face)
        self.publish(user, self.agent_info(user))
        self.set_state(user, "NOT_READY", "-1")  # the first NOT_READY after login carries -1
        if user.mobile:
            mode, number = user.mobile
            self.publish(user, p.event(user.login_id, "DialogStatus", mode, number, "CONNECTED"))

    def agent_info(self, user: User) -> str:
        teams = [(t, self.settings.teams.get(t, t)) for t in user.teams] if user.supervisor else None
        return p.agent_info(user.login_id, first=user.first_name, last=user.last_name, supervisor=user.supervisor,
                            wrap_up_mode=user.wrap_up_mode, team_id=user.team, full_name=user.full_name,
                            login_name=user.login_name, teams=teams)

    def logout(self, user: User | None, command: p.Command) -> None:
        user = self.need(user, command)
        check_user_transition(user, "LOGOUT", self.settings.deployment)
        reason = command.args.get("reasonCode", "-1")
        if reason != "-1":
            self.check_code(user, "LOGOUT", reason, command.name)
        self.sign_out(user, reason)

    def sign_out(self, user: User, reason: str) -> None:
        user.cancel_wrap_timer()
        self.set_state(user, "LOGOUT", reason)
        user.mobile, user.signed_extension = None, ""
        self.world.sign_out(user.agent_id)

    # -- agent state -------------------------------------------------------------------------------------
    def check_code(self, user: User, category: str, code: str, command: str) -> None:
        if code not in {c for c, _ in self.settings.codes(category)}:
            raise p.ProtocolError("CF_INVALID_AGENT_REASON_CODE", f"{code} is not a {category} reason code",
                                  user.login_id, command)

    def make_ready(self, user: User | None, command: p.Command) -> None:
        user = self.need(user, command)
        check_user_transition(user, "READY", self.settings.deployment)
        if user.state in ("RESERVED", "TALKING", "HOLD", "RESERVED_OUTBOUND_PREVIEW"):
            user.after_call, user.after_call_reason, user.pending = "READY", "", ""
            self.send_state(user)
            return
        user.cancel_wrap_timer()
        self.set_state(user, "READY", "")

    def make_not_ready(self, user: User | None, command: p.Command) -> None:
        user = self.need(user, command)
        check_user_transition(user, "NOT_READY", self.settings.deployment)
        reason = command.args.get("reasonCode", "-1")
        if reason != "-1":
            self.check_code(user, "NOT_READY", reason, command.name)
        if user.state in ("RESERVED", "TALKING", "HOLD", "RESERVED_OUTBOUND_PREVIEW"):
            user.after_call, user.after_call_reason, user.pending = "NOT_READY", reason, "NOT_READY"
            self.send_state(user)  # pending until the call ends
            return
        user.cancel_wrap_timer()
        self.set_state(user, "NOT_READY", reason)

    def get_state(self, user: User | None, command: p.Command) -> None:
        self.send_state(self.need(user, command))

    def set_state(self, user: User, state: str, reason: str | None = None) -> None:
        """Change state, tell the agent (and its supervisors), then the core (which may route)."""
        user.state = state
        if reason is not None:
            user.reason_code = reason
        elif state not in ("NOT_READY", "LOGOUT"):
            user.reason_code = ""  # a reason code belongs to NOT_READY and LOGOUT only
        if state in ("READY", "NOT_READY"):
            user.after_call, user.after_call_reason = state, user.reason_code
        user.changed_at = self.clock.now()
        self.send_state(user)
        if state != "LOGOUT":
            self.world.set_presence(user.agent_id, presence(state))

    def send_state(self, user: User) -> None:
        label = dict(self.settings.codes("NOT_READY") + self.settings.codes("LOGOUT")).get(user.reason_code, "")
        when = finesse_time(user.changed_at or self.clock.now())
        text = p.state(user.login_id, state_name=user.state, reason_code=user.reason_code, change_time=when,
                       pending=user.pending, full_name=user.full_name, extension=user.signed_extension or user.extension,
                       reason_label=label, login_name=user.login_name)
        self.publish(user, text)
        for supervisor in self.users.values():  # team members' State events reach their supervisors
            if supervisor.supervisor and supervisor is not user and user.team in supervisor.teams and supervisor.destination:
                self.publish(supervisor, text)

    def user_by_extension(self, extension: str) -> User | None:
        return next((u for u in self.users.values() if u.logged_in and (u.signed_extension or u.extension) == extension),
                    None)

    # -- routing policy -------------------------------------------------------------------------------------
    def eligible(self, agent: Agent, contact: Contact) -> bool:
        user = self.by_agent.get(agent.id)
        return (user is not None and user.state == "READY" and not user.dialogs
                and contact.channel is Channel.VOICE)
