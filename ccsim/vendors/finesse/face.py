"""Cisco Finesse through the Expertflow Generic Connector: ccsim plays the connector.

Commands arrive on the command queue of a STOMP transport (the embedded broker, or a real
ActiveMQ); events go to the topic each client bound with Connect. Calls and dialogs are in
dialogs.py, information queries in queries.py; this module has the agents and the plumbing.
"""
from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...core import Agent, Channel, Contact, Journal, World
from ...core.bus import CoreEvent
from ...core.masking import Masker
from ...serving.face import Face, SettingsError
from . import protocol as p
from .access import CommandAccess
from .dialogs import DialogControl
from .masking import unparsed_body
from .queries import Queries
from .queue_stats import QueueStatistics
from .settings import FinesseSettings
from .supervisor import SupervisorActions
from .transport import Message, Transport
from .users import User, check_user_transition, finesse_time, presence, user_from_config

if TYPE_CHECKING:
    from .stomp.broker import StompBroker

log = logging.getLogger("ccsim.finesse")

Handler = Callable[[User | None, p.Command], None]


class FinesseFace(DialogControl, Queries, CommandAccess, SupervisorActions, Face):
    voice_needs_idle = True
    name = "finesse"
    # One login per user; an extension already in use gets "Device Busy" (Finesse developer guide).
    distinct_agent_keys = {"login_id": "id", "extension": None}
    Settings = FinesseSettings

    def __init__(self, world: World, journal: Journal, settings: FinesseSettings):
        super().__init__(world, journal, settings)
        self.settings: FinesseSettings = settings
        self._load_users()
        self.transport: Transport | None = None
        self.embedded: StompBroker | None = None  # the embedded STOMP broker, when it is the transport
        self.url: str | None = None
        self._handlers: dict[str, Handler] = {
            "Hello": self._hello, "Beat": self._hello,
            "Login": self._login, "MobileAgentLogin": self._login,
            "Logout": self._logout, "logoutwithreason": self._logout, "force_logout": self._force_logout,
            "MakeReady": self._make_ready, "MakeNotReady": self._make_not_ready,
            "MakeNotReadyWithReason": self._make_not_ready, "GetState": lambda u, c: self.send_state(self._need(u, c)),
        }
        self._handlers.update(self.dialog_handlers())
        self._handlers.update(self.query_handlers())
        world.bus.subscribe("contact.ended", self._on_contact_ended)
        self.queue_stats = QueueStatistics(world)
        self._init_dialogs()

    # -- transport ------------------------------------------------------------------------------
    def make_transport(self, host: str, port: int) -> Transport:
        s = self.settings
        if s.transport == "activemq":
            from .external import ActiveMqTransport

            if self.clock.virtual:
                raise SettingsError("faces.finesse.transport activemq needs the real clock: a real broker runs in "
                                    "real time (run the scenario with --speed 1)")
            # The face journals every command and event itself: the transport needs no journal.
            return ActiveMqTransport(self.clock, host=s.activemq_host, port=s.activemq_port, login=s.activemq_login,
                                     passcode=s.activemq_passcode, heartbeat_ms=s.activemq_heartbeat_ms,
                                     heartbeat_grace=s.activemq_heartbeat_grace, name=self.name)
        from .stomp.broker import StompBroker

        broker = StompBroker(self.clock, self.journal, host=host, port=port, max_frame_bytes=s.max_frame_bytes,
                             login=s.stomp_login, passcode=s.stomp_passcode, users=s.users_from_config(),
                             anonymous_access=s.stomp_anonymous_access, authorization=s.authorization_entries(),
                             name=self.name, limits=self.limits, stomp_bytes=self.world.memory.budget.stomp_bytes)
        # What it keeps (queues, slow clients' topic frames, transactions) is within memory.stomp_bytes.
        self.world.memory.register(f"{self.name}.stomp", broker.store)
        self.embedded = broker
        return broker

    async def start(self, host: str, port: int) -> str:
        self.transport = self.make_transport(host, port)
        self.transport.consume(self.settings.command_queue, self.on_message)
        self.url = await self.transport.start()
        return self.url

    async def stop(self) -> None:
        if self.transport is not None:
            await self.transport.stop()

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

    def _load_users(self) -> None:
        """The world's Finesse users as configured, all logged out."""
        self.users: dict[str, User] = {}  # by login id
        self.by_agent: dict[str, User] = {}  # by core agent id
        for agent in self.world.agents.values():
            if "finesse" in agent.faces:
                user = user_from_config(agent.id, agent.name, agent.faces["finesse"] or {}, self.settings.wrap_up_mode)
                self.users[user.login_id] = user
                self.by_agent[agent.id] = user

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

    def reset(self) -> None:
        for user in self.users.values():
            user.cancel_wrap_timer()
        self._load_users()
        self.queue_stats.reset()
        self._init_dialogs()
        if self.embedded is not None:  # a real ActiveMQ's messages are its own
            self.embedded.purge()

    def mask_entry(self, entry: dict[str, Any], mask: Masker) -> dict[str, Any]:
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

    # -- commands in, events out --------------------------------------------------------------------
    def on_message(self, message: Message, faulted: bool = False) -> None:
        """One command from the queue. Whatever happens, the sender hears of a failure."""
        with self.clock.activity():
            command = None
            try:
                command = p.parse_command(message.jms_type, message.body)
                user = self.users.get(command.param)
                if not faulted and self._apply_fault(command, user, message):
                    return
                self.journal.record(self.name, "jms", command.name, agent=user.agent_id if user else None,
                                    request={"destination": message.destination, "type": message.jms_type,
                                             "body": message.body, "sender": message.sender}, types=("command",))
                supervisor = self.acting_supervisor(user, command, message)
                if supervisor is not None and user is not None:
                    self.supervise(supervisor, user, command)
                elif command.name == "Connect":
                    self._connect(user, command, message.sender)
                else:
                    self._handlers[command.name](user, command)
            except p.ProtocolError as exc:
                if command is not None:  # name the command as the connector spells it
                    exc.command, exc.agent = command.name, exc.agent or command.param
                self._error(exc, message)
            except Exception:  # a bug: report it as the connector would, keep serving
                log.exception("finesse: command %r failed", message.jms_type)
                self.journal.record(self.name, "jms", command.name if command else "?", types=("internal",),
                                    response={"internalError": traceback.format_exc()})
                self._error(p.ProtocolError("GENERAL_ERROR", "internal simulator error",
                                            (message.jms_type or "").partition("#")[2] or None), message)

    def _apply_fault(self, command: p.Command, user: User | None, message: Message) -> bool:
        """Injected faults (POST /_ccsim/faults): a delay holds the command on the clock; an
        error answers it with that code (OUT_OF_SERVICE on Hello/Beat: the system status)."""
        fault = self.world.faults.take(self.name, command.name, user.agent_id if user else None)
        if fault is None:
            return False
        if fault.error == "OUT_OF_SERVICE" and command.name in ("Hello", "Beat"):
            respond = lambda: self.publish_to(command.param, p.system_status(command.param, False))  # noqa: E731
        elif fault.error:
            error = p.ProtocolError(fault.error, "(injected fault)", command.param, command.name)
            respond = lambda: self._error(error, message)  # noqa: E731
        else:
            respond = lambda: self.on_message(message, faulted=True)  # noqa: E731
        if fault.delay:
            self.timers.call_later(fault.delay, respond)
        else:
            respond()
        return True

    def fault_error_problem(self, error: str) -> str | None:
        return None if error.replace("_", "").isalnum() and error.upper() == error else \
            "a Finesse connector error code is UPPER_SNAKE_CASE, e.g. CF_RESOURCE_BUSY or OUT_OF_SERVICE"

    def _error(self, exc: p.ProtocolError, message: Message) -> None:
        listener = self.answered_on(self.users.get(exc.agent or ""), message)
        subject = exc.agent or "UNKNOWN"
        text = p.error(subject, exc.command or (message.jms_type or "").partition("#")[0], exc.code, exc.message)
        if listener is not None:
            self.publish(listener, text)
        else:
            # Nobody bound to a topic: the error is only in the journal (and the log).
            self.journal.record(self.name, "jms", "Error", response={"destination": None, "body": text,
                                                                      "tokens": text.split("#")}, types=("Error",))
            log.info("finesse: %s (no topic bound for %r)", text, exc.agent)

    def topic(self, destination: str) -> str:
        return self.settings.topic_prefix + destination

    def publish_to(self, destination: str, text: str, agent_id: str | None = None) -> None:
        topic = self.topic(destination)
        name = text.split("#")[1] if "#" in text else text
        self.journal.record(self.name, "jms", name, agent=agent_id,
                            response={"destination": topic, "body": text, "tokens": text.split("#")}, types=(name,))
        if self.transport is not None:
            self.transport.publish(topic, text)

    def publish(self, user: User, text: str) -> None:
        if user.destination:
            self.publish_to(user.destination, text, user.agent_id)

    def _need(self, user: User | None, command: p.Command | None = None) -> User:
        if user is None:
            param = command.param if command else "?"
            raise p.ProtocolError("USER_NOT_FOUND", f"no agent with login id {param!r}", param,
                                  command.name if command else "")
        return user

    # -- session: Hello, Connect, Login, Logout ----------------------------------------------------------
    def _hello(self, user: User | None, command: p.Command) -> None:
        self.publish_to(command.param, p.system_status(command.param, True))

    def _connect(self, user: User | None, command: p.Command, sender: str | None) -> None:
        destination, password = command.args["destination"], command.args["password"]
        if user is None or password != user.password:
            # The binding fails; the client hears it on the topic it asked for.
            self.publish_to(destination, p.error(command.param, "Connect", "SUBSCRIPTION_FAILED",
                                                 "unknown agent or wrong password"))
            return
        # No response when it works. The agent's commands are now this connection's (access.py).
        user.destination, user.session = destination, sender

    def _login(self, user: User | None, command: p.Command) -> None:
        user = self._need(user, command)
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
        if self.world.agents[user.agent_id].face not in (None, self.name):
            raise p.ProtocolError("CF_RESOURCE_BUSY", "the agent is signed in elsewhere", user.login_id, command.name)
        user.signed_extension = args["extension"]
        self.world.sign_in(user.agent_id, self.name)
        self.publish(user, self._agent_info(user))
        self._set_state(user, "NOT_READY", "-1")  # the first NOT_READY after login carries -1
        if user.mobile:
            mode, number = user.mobile
            self.publish(user, p.event(user.login_id, "DialogStatus", mode, number, "CONNECTED"))

    def _agent_info(self, user: User) -> str:
        teams = [(t, self.settings.teams.get(t, t)) for t in user.teams] if user.supervisor else None
        return p.agent_info(user.login_id, first=user.first_name, last=user.last_name, supervisor=user.supervisor,
                            wrap_up_mode=user.wrap_up_mode, team_id=user.team, full_name=user.full_name,
                            login_name=user.login_name, teams=teams)

    def _logout(self, user: User | None, command: p.Command) -> None:
        user = self._need(user, command)
        check_user_transition(user, "LOGOUT", self.settings.deployment)
        reason = command.args.get("reasonCode", "-1")
        if reason != "-1":
            self._check_code(user, "LOGOUT", reason, command.name)
        self._sign_out(user, reason)

    def _force_logout(self, user: User | None, command: p.Command) -> None:
        user = self._need(user, command)
        if not user.logged_in:
            raise p.ProtocolError("INVALID_STATE", "not logged in", user.login_id, command.name)
        # Its calls end first; it must not be offered the one it was ringing with on the way out.
        user.after_call, user.after_call_reason = "NOT_READY", "-1"
        self.drop_all(user)
        self._sign_out(user, "20002")  # UCCE system code "Force Logout"

    def _sign_out(self, user: User, reason: str) -> None:
        user.cancel_wrap_timer()
        self._set_state(user, "LOGOUT", reason)
        user.mobile, user.signed_extension = None, ""
        self.world.sign_out(user.agent_id)

    # -- agent state -------------------------------------------------------------------------------------
    def _check_code(self, user: User, category: str, code: str, command: str) -> None:
        if code not in {c for c, _ in self.settings.codes(category)}:
            raise p.ProtocolError("CF_INVALID_AGENT_REASON_CODE", f"{code} is not a {category} reason code",
                                  user.login_id, command)

    def _make_ready(self, user: User | None, command: p.Command) -> None:
        user = self._need(user, command)
        check_user_transition(user, "READY", self.settings.deployment)
        if user.state in ("RESERVED", "TALKING", "HOLD", "RESERVED_OUTBOUND_PREVIEW"):
            user.after_call, user.after_call_reason, user.pending = "READY", "", ""
            self.send_state(user)
            return
        user.cancel_wrap_timer()
        self._set_state(user, "READY", "")

    def _make_not_ready(self, user: User | None, command: p.Command) -> None:
        user = self._need(user, command)
        check_user_transition(user, "NOT_READY", self.settings.deployment)
        reason = command.args.get("reasonCode", "-1")
        if reason != "-1":
            self._check_code(user, "NOT_READY", reason, command.name)
        if user.state in ("RESERVED", "TALKING", "HOLD", "RESERVED_OUTBOUND_PREVIEW"):
            user.after_call, user.after_call_reason, user.pending = "NOT_READY", reason, "NOT_READY"
            self.send_state(user)  # pending until the call ends
            return
        user.cancel_wrap_timer()
        self._set_state(user, "NOT_READY", reason)

    def _set_state(self, user: User, state: str, reason: str | None = None) -> None:
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

    # -- routing policy -------------------------------------------------------------------------------------
    def eligible(self, agent: Agent, contact: Contact) -> bool:
        user = self.by_agent.get(agent.id)
        return (user is not None and user.state == "READY" and not user.dialogs
                and contact.channel is Channel.VOICE)

    def offer(self, agent: Agent, contact: Contact) -> None:
        self.ring(self.by_agent[agent.id], contact)

    def _on_contact_ended(self, event: CoreEvent) -> None:
        self.customer_left(event.contact or "")
