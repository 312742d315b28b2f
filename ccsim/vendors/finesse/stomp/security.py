"""Broker security as ActiveMQ Classic has it, for the embedded STOMP endpoint: who may connect
(the simpleAuthenticationPlugin: users with passwords and groups, optional anonymous access) and
who may read, write and create which destinations (the authorizationPlugin's authorizationEntries).
Both are off unless configured, as in ActiveMQ's stock configuration.

ActiveMQ's rules, kept here (sources: activemq.apache.org Security and Wildcards pages; apache/activemq
SimpleAuthenticationBroker.java, AuthorizationBroker.java, DefaultAuthorizationMap.java; the
messages and the connection's fate checked on ActiveMQ 5.17.2):

* A wrong login or password: ERROR `User name [<login>] or password is invalid.`, connection closed.
  With anonymous access, a CONNECT with neither login nor passcode is user `anonymous` in group
  `anonymous`.
* An entry names a queue or a topic, by name or with wildcards (`.` separates segments, `*` is one
  segment, `>` the rest of the name, none included: `desk.>` covers `desk` too), and the groups
  that may `read` (SUBSCRIBE), `write` (SEND) and `admin` (create the destination when it does not
  exist yet). The groups of every matching entry add up; group `*` is everyone; a destination no
  entry matches is closed to all.
* A refused SUBSCRIBE or SEND gets ERROR `User <user> is not authorized to read from: topic://x`
  (`write to`, `create`), with the frame's receipt-id, and the connection stays open. The operation
  is checked first, then creation. A SEND inside a transaction is refused when it is sent.
* With authorization but no authentication, every operation is refused: `User is not authenticated.`

The simulator's own consumer and publisher (the face) are the broker itself: never checked.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .connection import StompError

ANONYMOUS = "anonymous"  # ActiveMQ's default anonymousUser and anonymousGroup
EVERYONE = "*"
OPERATIONS = ("read", "write", "admin")
_VERBS = {"read": "read from", "write": "write to", "admin": "create"}


@dataclass(frozen=True)
class Principal:
    """Who a connection authenticated as."""

    user: str
    groups: frozenset[str]


@dataclass(frozen=True)
class StompUser:
    username: str
    password: str
    groups: frozenset[str]


@dataclass(frozen=True)
class AuthorizationEntry:
    kind: str  # "queue" or "topic"
    pattern: str  # an ActiveMQ destination name, wildcards allowed
    read: frozenset[str]
    write: frozenset[str]
    admin: frozenset[str]

    def matches(self, kind: str, name: str) -> bool:
        return kind == self.kind and wildcard_match(self.pattern, name)


def wildcard_match(pattern: str, name: str) -> bool:
    """ActiveMQ destination wildcards: `*` one segment, `>` the rest (possibly nothing)."""
    wanted, parts = pattern.split("."), name.split(".")
    for index, segment in enumerate(wanted):
        if segment == ">":
            return True
        if index >= len(parts) or (segment != "*" and segment != parts[index]):
            return False
    return len(wanted) == len(parts)


def groups_of(value: Any, what: str) -> frozenset[str]:
    """Groups as ActiveMQ writes them ("a,b") or as a YAML list."""
    if value is None:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(g, str) for g in items):
        raise ValueError(f"{what}: groups are a comma-separated string or a list of strings")
    return frozenset(g.strip() for g in items if g.strip())


def users_from(items: Iterable[Mapping[str, Any]]) -> list[StompUser]:
    """`[{username, password, groups}]`, as simpleAuthenticationPlugin's authenticationUser elements."""
    users = []
    for index, item in enumerate(items):
        if not isinstance(item, Mapping) or not isinstance(item.get("username"), str) or not item["username"]:
            raise ValueError(f"stomp_users[{index}]: needs a username (and password, groups)")
        unknown = set(item) - {"username", "password", "groups"}
        if unknown:
            raise ValueError(f"stomp_users[{index}]: unknown key(s) {', '.join(sorted(unknown))}")
        users.append(StompUser(item["username"], str(item.get("password", "")),
                               groups_of(item.get("groups"), f"stomp_users[{index}]")))
    return users


def entries_from(items: Iterable[Mapping[str, Any]]) -> list[AuthorizationEntry]:
    """`[{queue|topic: pattern, read, write, admin}]`, as authorizationEntry elements."""
    entries = []
    for index, item in enumerate(items):
        where = f"stomp_authorization[{index}]"
        kinds = [k for k in ("queue", "topic") if isinstance(item, Mapping) and k in item]
        if len(kinds) != 1 or not isinstance(item[kinds[0]], str) or not item[kinds[0]]:
            raise ValueError(f"{where}: needs exactly one of queue or topic (a destination name, wildcards * and >)")
        unknown = set(item) - {"queue", "topic", *OPERATIONS}
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        entries.append(AuthorizationEntry(kinds[0], item[kinds[0]], *(groups_of(item.get(op), where) for op in OPERATIONS)))
    return entries


class BrokerSecurity:
    """Authentication and authorization of one broker. `accounts` is the older login -> passcode
    map (a None login: any login; a None passcode: any passcode), whose users have no group."""

    def __init__(self, *, users: Iterable[StompUser] = (), accounts: Mapping[str | None, str | None] | None = None,
                 anonymous_access: bool = False, entries: Iterable[AuthorizationEntry] = ()):
        self.users = {u.username: u for u in users}
        self.accounts = dict(accounts) if accounts is not None else None
        self.anonymous_access = anonymous_access
        self.entries = list(entries)

    @property
    def authenticating(self) -> bool:
        return bool(self.users) or self.accounts is not None

    def authenticate(self, login: str | None, passcode: str | None) -> Principal | None:
        """The connection's principal; None when authentication is off. StompError (the
        connection closes) for credentials that are not valid."""
        if not self.authenticating:
            return None
        if self.anonymous_access and login is None and passcode is None:
            return Principal(ANONYMOUS, frozenset({ANONYMOUS}))
        user = self.users.get(login or "")
        if user is not None and login is not None:
            if passcode == user.password:
                return Principal(user.username, user.groups)
        elif self.accounts is not None:
            expected = self.accounts.get(login) if login in self.accounts else self.accounts.get(None, "")
            if (login in self.accounts or None in self.accounts) and (expected is None or expected == (passcode or "")):
                return Principal(login or "", frozenset())
        text = f"User name [{'null' if login is None else login}] or password is invalid."
        raise StompError(text, text)

    def authorize(self, principal: Principal | None, operation: str, destination: str, exists: bool) -> None:
        """Refuse (StompError, the connection stays open) what the authorization entries do not
        allow: `read` a destination (SUBSCRIBE) or `write` to it (SEND), and `admin` to create it."""
        if not self.entries:
            return
        if principal is None:
            raise StompError("User is not authenticated.", "User is not authenticated.", fatal=False)
        kind, _, name = destination.strip("/").partition("/")
        for needed in (operation,) if exists else (operation, "admin"):
            allowed = set().union(*(getattr(e, needed) for e in self.entries if e.matches(kind, name)))
            if EVERYONE not in allowed and not allowed & principal.groups:
                text = f"User {principal.user} is not authorized to {_VERBS[needed]}: {kind}://{name}"
                raise StompError(text, text, fatal=False)
