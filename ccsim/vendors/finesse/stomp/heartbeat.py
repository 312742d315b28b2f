"""STOMP heart-beating (1.1+): negotiation and the two timers, on the injected clock.

CONNECT carries `heart-beat: cx,cy` (the client can send every cx ms; it wants to receive every
cy ms); CONNECTED answers `sx,sy`. Then (spec, "Heart-beating"):

* server -> client every max(sx, cy) ms, none when either is 0;
* client -> server every max(cx, sy) ms, none when either is 0.

Each side writes an EOL when it has written nothing else for a whole interval, and may
consider the peer dead when nothing at all (frames or EOLs) arrived for a while: here
`grace` (default 2) times the interval.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from ....core.clock import Clock, TimerHandle

_HEARTBEAT_RE = re.compile(r"\s*([0-9]+)\s*,\s*([0-9]+)\s*")


def parse_heartbeat(value: str | None) -> tuple[int, int]:
    """(x, y) from a heart-beat header; (0, 0) when absent. ValueError when malformed."""
    if value is None:
        return (0, 0)
    m = _HEARTBEAT_RE.fullmatch(value)
    if not m:
        raise ValueError(f"heart-beat must be two non-negative integers 'x,y', not {value!r}")
    return int(m.group(1)), int(m.group(2))


def negotiate(ours: tuple[int, int], theirs: tuple[int, int]) -> tuple[int, int]:
    """(send every, expect every) in ms, for the side whose header is `ours` (can-send,
    wants-to-receive) facing a peer that announced `theirs`."""
    send = max(ours[0], theirs[1]) if ours[0] and theirs[1] else 0
    expect = max(ours[1], theirs[0]) if ours[1] and theirs[0] else 0
    return send, expect


class HeartBeats:
    """The two timers of one connection. Call `sent()` after every write and `received()`
    after every read; `send_eol` writes a heart-beat, `on_timeout` is called once when the peer
    has been silent for grace x the expected interval."""

    def __init__(self, clock: Clock, send_eol: Callable[[], None], on_timeout: Callable[[float], None], *,
                 grace: float = 2.0):
        self.clock = clock
        self._send_eol = send_eol
        self._on_timeout = on_timeout
        self.grace = grace
        self.send_ms = 0
        self.expect_ms = 0
        self.last_sent = clock.now()
        self.last_received = clock.now()
        self._send_timer: TimerHandle | None = None
        self._check_timer: TimerHandle | None = None
        self._stopped = False
        self.paused = False  # a test hook: stop writing EOLs (a hung peer), keep checking

    def start(self, send_ms: int, expect_ms: int) -> None:
        self.stop()
        self._stopped = False
        self.send_ms, self.expect_ms = send_ms, expect_ms
        now = self.clock.now()
        self.last_sent = self.last_received = now
        if send_ms:
            self._send_timer = self.clock.call_later(send_ms / 1000, self._send_tick)
        if expect_ms:
            self._check_timer = self.clock.call_later(self.timeout_seconds, self._check_tick)

    @property
    def timeout_seconds(self) -> float:
        return self.expect_ms * self.grace / 1000

    def sent(self) -> None:
        self.last_sent = self.clock.now()

    def received(self) -> None:
        self.last_received = self.clock.now()

    def stop(self) -> None:
        self._stopped = True
        for timer in (self._send_timer, self._check_timer):
            if timer is not None:
                timer.cancel()
        self._send_timer = self._check_timer = None

    def _send_tick(self) -> None:
        if self._stopped:
            return
        interval = self.send_ms / 1000
        idle = self.clock.now() - self.last_sent
        if idle >= interval * 0.999 and not self.paused:
            self._send_eol()
            self.last_sent = self.clock.now()
            idle = 0.0
        if not self._stopped:
            self._send_timer = self.clock.call_later(max(interval - idle, interval / 100), self._send_tick)

    def _check_tick(self) -> None:
        if self._stopped:
            return
        silent = self.clock.now() - self.last_received
        if silent >= self.timeout_seconds * 0.999:
            self.stop()
            self._on_timeout(silent)
            return
        self._check_timer = self.clock.call_later(self.timeout_seconds - silent, self._check_tick)
