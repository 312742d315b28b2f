"""Cisco Finesse through the Expertflow Generic Connector: ccsim plays the connector.

Commands arrive on the command queue of a STOMP transport (the embedded broker, or a real
ActiveMQ); events go to the topic each client bound with Connect. This module is the wire: the
transport, the journal and injected faults. The connector's state rules are the model's
(model/), its commands the table in commands.py.
"""
from __future__ import annotations

import logging
import traceback
from typing import Any

from ...core import Agent, Contact, Journal, World
from ...core.masking import Masker
from ...serving.face import Face, SettingsError
from . import protocol as p
from .activemq import ActiveMqTransport
from .commands import COMMANDS
from .masking import mask_command
from .model import FinesseModel
from .model.users import User
from .settings import FinesseSettings
from .stomp.broker import StompBroker
from .transport import Message, Transport

log = logging.getLogger("ccsim.finesse")


class FinesseFace(Face):
    voice_needs_idle = True
    name = "finesse"
    # One login per user; an extension already in use gets "Device Busy" (Finesse developer guide).
    distinct_agent_keys = {"login_id": "id", "extension": None}
    Settings = FinesseSettings

    def __init__(self, world: World, journal: Journal, settings: FinesseSettings):
        super().__init__(world, journal, settings)
        self.settings: FinesseSettings = settings
        self.model = FinesseModel(world, self.timers, settings, self.publish_to, self.name)
        self.transport: Transport | None = None
        self.embedded: StompBroker | None = None  # the embedded STOMP broker, when it is the transport
        self.url: str | None = None

    # -- transport ------------------------------------------------------------------------------
    def make_transport(self, host: str, port: int) -> Transport:
        s = self.settings
        if s.transport == "activemq":
            if self.clock.virtual:
                raise SettingsError("faces.finesse.transport activemq needs the real clock: a real broker runs in "
                                    "real time (run the scenario with --speed 1)")
            # The face journals every command and event itself: the transport needs no journal.
            return ActiveMqTransport(self.clock, host=s.activemq_host, port=s.activemq_port, login=s.activemq_login,
                                     passcode=s.activemq_passcode, heartbeat_ms=s.activemq_heartbeat_ms,
                                     heartbeat_grace=s.activemq_heartbeat_grace, name=self.name)
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

    # -- commands in, events out --------------------------------------------------------------------
    def on_message(self, message: Message, faulted: bool = False) -> None:
        """One command from the queue. Whatever happens, the sender hears of a failure."""
        with self.clock.activity():
            command = None
            try:
                command = p.parse_command(message.jms_type, message.body)
                user = self.model.connector.users.get(command.param)
                if not faulted and self._apply_fault(command, user, message):
                    return
                self.journal.record(self.name, "jms", command.name, agent=user.agent_id if user else None,
                                    request={"destination": message.destination, "type": message.jms_type,
                                             "body": message.body, "sender": message.sender}, types=("command",))
                supervisor = self.model.access.acting_supervisor(user, command, message.sender)
                if supervisor is not None and user is not None:
                    self.model.supervisor.supervise(supervisor, user, command)
                elif command.name == "Connect":
                    self.model.connector.connect(user, command, message.sender)
                else:
                    COMMANDS[command.name](self.model, user, command)
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
        listener = self.model.access.answered_on(self.model.connector.users.get(exc.agent or ""), message.sender)
        subject = exc.agent or "UNKNOWN"
        text = p.error(subject, exc.command or (message.jms_type or "").partition("#")[0], exc.code, exc.message)
        if listener is not None:
            self.model.connector.publish(listener, text)
        else:
            # Nobody bound to a topic: the error is only in the journal (and the log).
            self.journal.record(self.name, "jms", "Error", response={"destination": None, "body": text,
                                                                      "tokens": text.split("#")}, types=("Error",))
            log.info("finesse: %s (no topic bound for %r)", text, exc.agent)

    def publish_to(self, destination: str, text: str, agent_id: str | None = None) -> None:
        """An event to a client's destination: journaled, then sent to its topic."""
        topic = self.settings.topic_prefix + destination
        name = text.split("#")[1] if "#" in text else text
        self.journal.record(self.name, "jms", name, agent=agent_id,
                            response={"destination": topic, "body": text, "tokens": text.split("#")}, types=(name,))
        if self.transport is not None:
            self.transport.publish(topic, text)

    def mask_entry(self, entry: dict[str, Any], mask: Masker) -> dict[str, Any]:
        return mask_command(entry, mask)

    # -- the model's, for the core and the admin API ------------------------------------------------
    def eligible(self, agent: Agent, contact: Contact) -> bool:
        return self.model.connector.eligible(agent, contact)

    def offer(self, agent: Agent, contact: Contact) -> None:
        self.model.dialogs.offer(agent, contact)

    def vendor_states(self) -> dict[str, dict[str, str]]:
        return self.model.connector.vendor_states()

    def presence_reasons(self) -> dict[str, str]:
        return self.model.connector.presence_reasons()

    def reset(self) -> None:
        self.model.reset(self.settings)
        if self.embedded is not None:  # a real ActiveMQ's messages are its own
            self.embedded.purge()
