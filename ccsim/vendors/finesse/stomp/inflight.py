"""Bytes on the wire between an in-process StompClient and the broker count as in flight.

A VirtualClock jumps when nothing is in flight. An HTTP client declares a request in flight
until its response arrives; STOMP has no responses to wait for, and a frame written to a
socket may take a while to become readable at the other end (more than the clock's settle
rounds on some network stacks), during which the clock would see a quiet system and jump.

So both ends of a connection made by an in-process client (client.py) keep a count of the
bytes written and not yet read, per direction, shared through this registry and keyed by the
socket addresses: while a count is above zero, a clock activity is held. Connections of
other clients (stomp.py, a real GC client) are not in the registry and cost one dict lookup.

An activity is a context manager that sets a context variable; it is entered and exited here
in a private Context, so that it can end in another callback than the one it began in.
"""
from __future__ import annotations

import contextvars
from typing import Any

from ....core.clock import Clock

Address = tuple[Any, ...]


class Flight:
    """One direction of one connection: bytes written, not yet read."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self.pending = 0
        self._hold: Any = None
        self._context: contextvars.Context | None = None

    def sent(self, n: int) -> None:
        if n <= 0:
            return
        if self._hold is None:
            self._context = contextvars.Context()
            self._hold = self.clock.activity()
            self._context.run(self._hold.__enter__)
        self.pending += n

    def received(self, n: int) -> None:
        if self._hold is None:
            return
        self.pending -= n
        if self.pending <= 0:
            self.release()

    def release(self) -> None:
        self.pending = 0
        hold, context = self._hold, self._context
        self._hold = self._context = None
        if hold is not None and context is not None:
            context.run(hold.__exit__, None, None, None)


_flights: dict[tuple[Address, Address], Flight] = {}


def _key(src: Any, dst: Any) -> tuple[Address, Address] | None:
    if not isinstance(src, tuple) or not isinstance(dst, tuple):
        return None
    return (src[:2], dst[:2])


def register(local: Any, peer: Any, clock: Clock) -> None:
    """An in-process client's socket: track both directions on `clock`."""
    for key in (_key(local, peer), _key(peer, local)):
        if key is not None:
            _flights[key] = Flight(clock)


def forget(local: Any, peer: Any) -> None:
    """A socket closed (either end): nothing more will be read; release both directions."""
    for key in (_key(local, peer), _key(peer, local)):
        flight = _flights.pop(key, None) if key is not None else None
        if flight is not None:
            flight.release()


def sent(local: Any, peer: Any, n: int) -> None:
    key = _key(local, peer)
    flight = _flights.get(key) if key is not None else None
    if flight is not None:
        flight.sent(n)


def received(local: Any, peer: Any, n: int) -> None:
    key = _key(peer, local)
    flight = _flights.get(key) if key is not None else None
    if flight is not None:
        flight.received(n)
