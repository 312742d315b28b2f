"""The broker's STOMP semantics, one hook per client command (`handle_<COMMAND>`), in the
manner of an aiosmtpd handler. A hook gets the connection and the frame, acts through the
router, writes any answer with `conn.send_frame`, and raises StompError for a client error
(the connection then answers ERROR and closes). Receipts, the "CONNECT first" rule and unknown
commands are the connection's business (connection.py). Subclass to change a behaviour (e.g.
for fault injection) and pass the instance to StompBroker(handler=...).

Decisions (ActiveMQ Classic 5.x is the model; see shared/reference/finesse.md section 7):

* MESSAGE frames carry `content-length` only for a bytes message, as ActiveMQ does: a SEND
  with `content-length` (stomp.py's default) makes a BytesMessage, one without it (or with
  `amq-msg-type:text`) a TextMessage, and a TextMessage goes out with no `content-length`.
  (A body containing NUL gets one anyway: the frame could not be read without it.)
* MESSAGE carries what the SEND carried (`type`, i.e. JMSType, and any other header as a
  property) plus ActiveMQ's `expires`, `priority`, `timestamp`; `redelivered:true` on
  redelivery; `ack` (1.2, client acks only); `subscription` when the subscription has an id.
* Security is optional (security.py): with no users configured any login is accepted (ActiveMQ
  without an authentication plugin); otherwise a wrong login or passcode gets ActiveMQ's ERROR
  "User name [x] or password is invalid." and the connection closes. With authorization entries,
  SUBSCRIBE needs `read` and SEND `write` on the destination (and `admin` to create it); a refused
  one gets ActiveMQ's ERROR and the connection stays open.
* `host` is recorded but not checked (ActiveMQ does not check it either).
* `selector` on SUBSCRIBE is refused with an ERROR rather than silently ignored.
* Memory (store.py): a SEND to a queue, or in a transaction, that would take the broker's store
  past its budget is refused with ActiveMQ's ERROR `Usage Manager Memory Limit reached. Stopping
  producer (<producer id>) to prevent flooding queue://<name>. ...` (ActiveMQ's
  `sendFailIfNoSpace`), with the frame's receipt-id; the connection goes on. A transaction's SEND
  is admitted, and its message made, when it is sent, as ActiveMQ does. A SUBSCRIBE, or a BEGIN,
  ACK or NACK a transaction would hold, past the whole budget (messages leave it a reserve) gets
  ERROR `Usage Manager Memory Limit reached` (ccsim's own: ActiveMQ does not count them).
"""
from __future__ import annotations

import itertools
from collections.abc import Callable

from ....core.clock import Clock
from ....core.errors import StoreFull
from .connection import StompConnection, StompError
from .frames import SUPPORTED_VERSIONS, Frame
from .heartbeat import negotiate, parse_heartbeat
from .router import (ACK_MODES, DestinationError, Router, StoredMessage, Subscription, check_destination,
                     qualified_name)
from .security import BrokerSecurity
from .store import HELD_BYTES, SUBSCRIPTION_BYTES, USAGE_LIMIT, Key, frame_size, message_size, usage_limit_text

# SEND headers that are about the frame, not the message: never carried to MESSAGE frames.
NOT_CARRIED = frozenset({"destination", "receipt", "transaction", "content-length", "message-id", "redelivered",
                         "subscription", "ack", "amq-msg-type", "JMSXUserID"})
SERVER = "ccsim-stomp/1.0"


def carried_headers(frame: Frame) -> list[tuple[str, str]]:
    """The headers of a SEND that become message properties (first occurrence of each)."""
    return [(k, v) for k, v in frame.header_map.items() if k not in NOT_CARRIED]


def is_bytes_message(frame: Frame) -> bool:
    kind = frame.get("amq-msg-type")
    if kind in ("text", "bytes"):
        return kind == "bytes"
    return "content-length" in frame


def _required(frame: Frame, name: str) -> str:
    value = frame.get(name)
    if value is None:
        raise StompError(f"Missing header: {name}", f"a {frame.command} frame must have a '{name}' header")
    return value


class StompHandler:
    def __init__(self, router: Router, clock: Clock, *, heartbeat: tuple[int, int] = (10000, 10000),
                 security: BrokerSecurity | None = None, server: str = SERVER, session_prefix: str = "ccsim"):
        self.router = router
        self.clock = clock
        self.heartbeat = heartbeat
        self.security = security or BrokerSecurity()
        self.server = server
        self.session_prefix = session_prefix
        self.store = router.store
        self._sessions = itertools.count(1)

    # -- lifecycle hooks ------------------------------------------------------------------
    def connection_made(self, conn: StompConnection) -> None:
        pass

    def connection_lost(self, conn: StompConnection) -> None:
        """The connection is gone or closing: leave every destination (unacked messages of
        queues are redelivered to the remaining subscribers), forget its transactions."""
        subs = list(conn.subscriptions.items())
        conn.subscriptions.clear()
        for held in conn.transactions.values():
            for key, _ in held:
                self.store.forget(key)
        conn.transactions.clear()
        for key, sub in subs:
            self.store.forget(_subscription_key(conn, key))
            self.router.unsubscribe(sub)

    def writable(self, conn: StompConnection) -> None:
        """The client has read what waited for it: its queue subscriptions take messages again."""
        for sub in list(conn.subscriptions.values()):
            if sub.is_queue:
                self.router.dispatch(sub.destination)

    # -- connecting -----------------------------------------------------------------------
    def handle_CONNECT(self, conn: StompConnection, frame: Frame) -> None:
        if conn.connected:
            raise StompError("Already connected", f"{frame.command} was sent on a connection that is already established")
        version = self.negotiate_version(frame.get("accept-version"))
        principal = self.security.authenticate(frame.get("login"), frame.get("passcode"))
        send_ms = expect_ms = 0
        if version != "1.0":
            try:
                theirs = parse_heartbeat(frame.get("heart-beat"))
            except ValueError as exc:
                raise StompError("Invalid heart-beat header", str(exc)) from None
            send_ms, expect_ms = negotiate(self.heartbeat, theirs)
        conn.version = conn.parser.version = version
        conn.connected = True
        conn.login, conn.host, conn.principal = frame.get("login"), frame.get("host"), principal
        conn.session_id = f"{self.session_prefix}-session-{next(self._sessions)}"
        headers: list[tuple[str, str]] = []
        if version != "1.0":
            headers += [("version", version), ("heart-beat", f"{self.heartbeat[0]},{self.heartbeat[1]}")]
        headers += [("server", self.server), ("session", conn.session_id)]
        conn.send_frame(Frame("CONNECTED", headers))
        if send_ms or expect_ms:
            conn.heartbeats.start(send_ms, expect_ms)

    handle_STOMP = handle_CONNECT

    def negotiate_version(self, accept: str | None) -> str:
        if accept is None:
            return "1.0"
        offered = {v.strip() for v in accept.split(",")}
        common = [v for v in SUPPORTED_VERSIONS if v in offered]
        if not common:
            raise StompError(f"Supported protocol versions are {','.join(SUPPORTED_VERSIONS)}",
                             f"the client accepts only {accept!r}", headers=[("version", ",".join(SUPPORTED_VERSIONS))])
        return common[-1]

    def handle_DISCONNECT(self, conn: StompConnection, frame: Frame) -> None:
        conn.close_requested = True  # the connection writes the RECEIPT, then closes

    # -- messages -------------------------------------------------------------------------
    def handle_SEND(self, conn: StompConnection, frame: Frame) -> None:
        destination = self._destination(_required(frame, "destination"))
        self.security.authorize(conn.principal, "write", destination, self.router.exists(destination))
        tx = self._transaction(conn, frame)
        msg = self.router.new_message(destination, carried_headers(frame), frame.body, is_bytes_message(frame),
                                      sender=conn.id)
        if tx is not None:  # admitted now, kept until COMMIT: its room then passes to the queue's message
            size = message_size(msg)
            if not self.store.admit_message(size):
                raise self._usage_limit(conn, destination)
            conn.transactions[tx].append((self.store.hold(size), lambda: self.router.send(msg, reserved=True)))
            return
        try:
            self.router.send(msg)
        except StoreFull:
            raise self._usage_limit(conn, destination) from None

    def _usage_limit(self, conn: StompConnection, destination: str) -> StompError:
        """ActiveMQ's refusal of a SEND under sendFailIfNoSpace. Its producer id, in ActiveMQ's
        shape: <connection id>:<session>:<producer>, a STOMP connection's session being -1."""
        text = usage_limit_text(f"ID:{self.session_prefix}-{conn.id}:-1:1", qualified_name(destination))
        return StompError(text, f"javax.jms.ResourceAllocationException: {text}\n"
                                f"(ccsim: the broker's messages fill memory.stomp_bytes, {self.store.budget:,} bytes)",
                          fatal=False)

    def _over_limit(self, frame: Frame) -> StompError:
        """A SUBSCRIBE, or a frame other than SEND a transaction would hold, that does not fit
        (ccsim's own: ActiveMQ does not count them)."""
        return StompError(USAGE_LIMIT, f"{USAGE_LIMIT}: what the broker holds (messages, transactions, subscriptions) "
                                       f"fills memory.stomp_bytes ({self.store.budget:,} bytes); {frame.command} refused",
                          fatal=False)

    def deliver(self, conn: StompConnection, sub: Subscription, msg: StoredMessage, tag: str) -> None:
        """Write one MESSAGE frame (a router delivery to a STOMP subscription)."""
        headers: list[tuple[str, str]] = []
        if sub.id is not None:
            headers.append(("subscription", sub.id))
        headers += [("message-id", msg.message_id), ("destination", msg.destination)]
        if conn.version == "1.2" and sub.ack != "auto":
            headers.append(("ack", tag))
        names = {k for k, _ in msg.headers}
        for name, default in (("expires", "0"), ("priority", "4"), ("timestamp", str(msg.timestamp_ms))):
            if name not in names:
                headers.append((name, default))
        headers += msg.headers
        if msg.redelivered:
            headers.append(("redelivered", "true"))
        dropped = None if sub.is_queue else (lambda: self.router.undelivered(sub, tag))  # a slow client's may go
        conn.send_frame(Frame("MESSAGE", headers, msg.body), content_length=msg.bytes_message, dropped=dropped)

    # -- subscriptions --------------------------------------------------------------------
    def handle_SUBSCRIBE(self, conn: StompConnection, frame: Frame) -> None:
        destination = self._destination(_required(frame, "destination"))
        sub_id = frame.get("id") if conn.version == "1.0" else _required(frame, "id")
        ack = frame.get("ack", "auto")
        if ack not in ACK_MODES:
            raise StompError("Invalid ack mode", f"ack must be one of {', '.join(ACK_MODES)}, not {ack!r}")
        if "selector" in frame:
            raise StompError("Selectors are not supported", "the ccsim broker has no JMS selectors: subscribe to a narrower destination")
        key = sub_id if sub_id is not None else destination
        if key in conn.subscriptions:
            raise StompError("Duplicate subscription", f"this connection already has a subscription with id {key!r}")
        self.security.authorize(conn.principal, "read", destination, self.router.exists(destination))
        if not self.store.admit(SUBSCRIPTION_BYTES):
            raise self._over_limit(frame)
        self.store.keep(_subscription_key(conn, key), SUBSCRIPTION_BYTES)
        conn.subscriptions[key] = self.router.subscribe(conn, sub_id, destination, ack)

    def handle_UNSUBSCRIBE(self, conn: StompConnection, frame: Frame) -> None:
        if conn.version == "1.0":
            key = frame.get("id") or frame.get("destination")
            if key is None:
                raise StompError("Missing header: id", "an UNSUBSCRIBE frame must have an 'id' or a 'destination' header")
        else:
            key = _required(frame, "id")
        sub = conn.subscriptions.pop(key, None)
        if sub is None:
            raise StompError("No subscription matched", f"this connection has no subscription {key!r}")
        self.store.forget(_subscription_key(conn, key))
        self.router.unsubscribe(sub)

    # -- acknowledgement ------------------------------------------------------------------
    def handle_ACK(self, conn: StompConnection, frame: Frame) -> None:
        sub, tag = self._unacked(conn, frame)
        self._maybe_in_transaction(conn, frame, lambda: self._settle(self.router.ack, sub, tag))

    def handle_NACK(self, conn: StompConnection, frame: Frame) -> None:
        if conn.version == "1.0":
            raise StompError("Unknown STOMP action: NACK", "NACK exists from STOMP 1.1 on; this connection speaks 1.0")
        sub, tag = self._unacked(conn, frame)
        self._maybe_in_transaction(conn, frame, lambda: self._settle(self.router.nack, sub, tag))

    def _maybe_in_transaction(self, conn: StompConnection, frame: Frame, action: Callable[[], None]) -> None:
        tx = self._transaction(conn, frame)
        if tx is None:
            action()
        else:
            self._hold(conn, frame, tx, action)

    @staticmethod
    def _settle(action: Callable[[Subscription, str], None], sub: Subscription, tag: str) -> None:
        if sub.active and tag in sub.unacked:  # a transaction may commit after it was settled
            action(sub, tag)

    def _unacked(self, conn: StompConnection, frame: Frame) -> tuple[Subscription, str]:
        """The subscription and ack tag an ACK or NACK designates."""
        if conn.version == "1.2":
            ack_id = _required(frame, "id")
            for sub in conn.subscriptions.values():
                if ack_id in sub.unacked:
                    return sub, ack_id
            raise StompError(f"Unexpected {frame.command}", f"no message awaiting acknowledgement has the ack id {ack_id!r}")
        message_id = _required(frame, "message-id")
        if conn.version == "1.1":
            sub_id = _required(frame, "subscription")
            subs = [conn.subscriptions[sub_id]] if sub_id in conn.subscriptions else []
        else:
            subs = list(conn.subscriptions.values())
        for sub in subs:
            tag = sub.find_tag(message_id)
            if tag is not None:
                return sub, tag
        raise StompError(f"Unexpected {frame.command}", f"no message awaiting acknowledgement has the message-id {message_id!r}")

    # -- transactions ---------------------------------------------------------------------
    def handle_BEGIN(self, conn: StompConnection, frame: Frame) -> None:
        tx = _required(frame, "transaction")
        if tx in conn.transactions:
            raise StompError("Transaction already started", f"transaction {tx!r} is already open on this connection")
        size = frame_size(frame) + HELD_BYTES  # the transaction's own entry
        if not self.store.admit(size):
            raise self._over_limit(frame)
        conn.transactions[tx] = [(self.store.hold(size), _nothing)]

    def handle_COMMIT(self, conn: StompConnection, frame: Frame) -> None:
        for key, action in self._end_transaction(conn, frame):
            self.store.forget(key)  # a SEND's room passes to its message
            action()

    def handle_ABORT(self, conn: StompConnection, frame: Frame) -> None:
        for key, _ in self._end_transaction(conn, frame):
            self.store.forget(key)

    def _end_transaction(self, conn: StompConnection, frame: Frame) -> list[tuple[Key, Callable[[], None]]]:
        tx = _required(frame, "transaction")
        if tx not in conn.transactions:
            raise StompError("Invalid transaction id", f"no transaction {tx!r} is open on this connection (BEGIN it first)")
        return conn.transactions.pop(tx)

    @staticmethod
    def _transaction(conn: StompConnection, frame: Frame) -> str | None:
        """The open transaction a frame is part of; None outside one."""
        tx = frame.get("transaction")
        if tx is not None and tx not in conn.transactions:
            raise StompError("Invalid transaction id", f"no transaction {tx!r} is open on this connection (BEGIN it first)")
        return tx

    def _hold(self, conn: StompConnection, frame: Frame, tx: str, action: Callable[[], None]) -> None:
        """A transaction keeps an ACK's or NACK's `action` until COMMIT, counted in the store
        (refused when it does not fit)."""
        size = frame_size(frame) + HELD_BYTES
        if not self.store.admit(size):
            raise self._over_limit(frame)
        conn.transactions[tx].append((self.store.hold(size), action))

    @staticmethod
    def _destination(destination: str) -> str:
        try:
            return check_destination(destination)
        except DestinationError as exc:
            raise StompError("Illegal destination", str(exc)) from None


def _nothing() -> None:
    pass


def _subscription_key(conn: StompConnection, key: str) -> Key:
    return ("subscription", conn.id, key)
