"""Time, injected.

Every timer in ccsim goes through a Clock: long-poll holds, ring timeouts, rest timers,
journal waits. Two implementations share one interface:

* RealClock: wall time on the running event loop.
* VirtualClock: simulated time that jumps to the next timer as soon as the system is
  quiescent (no request or frame in flight, nothing ready to run) — the idea of trio's
  autojump MockClock. Hours of simulated time then run in milliseconds, and the same
  inputs give the same timestamps every run.

"In flight" is declared with `clock.activity()`: a face wraps each request it serves in it,
and an in-process client wraps each request it sends. A task waiting on the clock inside an
activity does not count as in flight while it waits (a long poll holding for ten seconds is
quiescent, not busy). An in-process client marks its requests with IN_PROCESS_HEADER; the
server then serves them with `activity(carries=1)`, so that while the handler waits on the
clock the client waiting for it is not counted either.
"""
from __future__ import annotations

import asyncio
import contextlib
import contextvars
import heapq
import itertools
import logging
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any, TypeVar

T = TypeVar("T")

# 2026-01-01T00:00:00Z: a fixed origin makes virtual timestamps identical between runs.
VIRTUAL_EPOCH = 1767225600.0

# How many in-flight tokens the current task stands for (0 outside any activity).
_activity_weight: contextvars.ContextVar[int] = contextvars.ContextVar("ccsim_activity", default=0)

IN_PROCESS_HEADER = "X-Ccsim-In-Process"


def iso_time(epoch: float) -> str:
    """Epoch seconds as ISO-8601 UTC with milliseconds: 2026-01-01T00:00:00.000Z."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TimerHandle:
    """A scheduled callback; cancel() is idempotent."""

    __slots__ = ("deadline", "callback", "cancelled", "_loop_handle")

    def __init__(self, deadline: float, callback: Callable[[], Any]):
        self.deadline = deadline
        self.callback = callback
        self.cancelled = False
        self._loop_handle: asyncio.TimerHandle | None = None

    def cancel(self) -> None:
        self.cancelled = True
        if self._loop_handle is not None:
            self._loop_handle.cancel()


class Clock:
    """Interface shared by both clocks. Times are epoch seconds (floats)."""

    virtual = False

    def now(self) -> float:
        raise NotImplementedError

    def call_later(self, delay: float, callback: Callable[[], Any]) -> TimerHandle:
        raise NotImplementedError

    def now_ms(self) -> int:
        return int(round(self.now() * 1000))

    def now_iso(self) -> str:
        return iso_time(self.now())

    async def sleep(self, delay: float) -> None:
        loop = asyncio.get_running_loop()
        done = loop.create_future()
        handle = self.call_later(max(0.0, delay), lambda: done.done() or done.set_result(None))
        try:
            with self._parked():
                await done
        finally:
            handle.cancel()

    async def wait_for(self, awaitable: Awaitable[T], timeout: float | None) -> T:
        """Like asyncio.wait_for, with the timeout measured on this clock.

        Raises TimeoutError when the timeout elapses first.
        """
        # The inner task runs outside the activity flag so that it parks on its own terms.
        ctx = contextvars.copy_context()
        ctx.run(_activity_weight.set, 0)
        task = asyncio.ensure_future(awaitable) if not asyncio.iscoroutine(awaitable) else asyncio.create_task(awaitable, context=ctx)
        if timeout is None:
            with self._parked():
                return await task
        loop = asyncio.get_running_loop()
        expired = loop.create_future()
        handle = self.call_later(max(0.0, timeout), lambda: expired.done() or expired.set_result(None))
        try:
            with self._parked():
                await asyncio.wait({task, expired}, return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            task.cancel()
            raise
        finally:
            handle.cancel()
        if task.done():
            return task.result()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        raise TimeoutError

    # Activity tracking: a no-op for real time, the quiescence signal for virtual time.
    @contextlib.contextmanager
    def activity(self, carries: int = 0):
        yield

    @contextlib.contextmanager
    def _parked(self):
        yield

    def hold(self) -> None:
        """Keep time still until release(), for a driver in another thread (a Hypothesis state
        machine) that thinks between two steps: its pause is not the system being quiescent."""

    def release(self) -> None:
        pass


class RealClock(Clock):
    """Wall time; with speed != 1, wall time scaled (speed 10 plays ten times faster). The speed
    can change while it runs, and time can be frozen and thawed (the dashboard's playback): time
    stays continuous and the pending timers fire at their deadlines under the new speed."""

    def __init__(self, speed: float = 1.0):
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._origin = time.time()
        self._start = time.monotonic()
        # Timers not yet fired, for a change of speed or a thaw to reschedule. Held strongly (a
        # fire-and-forget timer has no other owner once its loop handle is cancelled); the
        # cancelled ones are pruned whenever the set has doubled.
        self._pending: set[TimerHandle] = set()
        self._prune_at = 1024
        self.frozen_at: float | None = None

    def now(self) -> float:
        if self.frozen_at is not None:
            return self.frozen_at
        return self._origin + (time.monotonic() - self._start) * self.speed

    def call_later(self, delay: float, callback: Callable[[], Any]) -> TimerHandle:
        handle = TimerHandle(self.now() + delay, callback)
        self._schedule(handle, max(0.0, delay))
        return handle

    def _schedule(self, handle: TimerHandle, delay: float) -> None:
        def fire() -> None:
            self._pending.discard(handle)
            if not handle.cancelled:
                handle.callback()

        self._pending.add(handle)
        if len(self._pending) > self._prune_at:
            self._pending = {h for h in self._pending if not h.cancelled}
            self._prune_at = max(1024, 2 * len(self._pending))
        if self.frozen_at is None:  # frozen: it waits in _pending for thaw()
            handle._loop_handle = asyncio.get_running_loop().call_later(delay / self.speed, fire)

    def _reschedule(self) -> None:
        now = self.now()
        for handle in list(self._pending):
            if handle._loop_handle is not None:
                handle._loop_handle.cancel()
                handle._loop_handle = None
            if not handle.cancelled:
                self._schedule(handle, max(0.0, handle.deadline - now))

    def set_speed(self, speed: float) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        if self.frozen_at is None:
            self._origin, self._start = self.now(), time.monotonic()
        self.speed = speed
        self._reschedule()

    def freeze(self) -> None:
        """Time stands still (timers, waits, ring timeouts) until thaw()."""
        if self.frozen_at is None:
            self.frozen_at = self.now()
            self._reschedule()

    def thaw(self) -> None:
        if self.frozen_at is not None:
            self._origin, self._start, self.frozen_at = self.frozen_at, time.monotonic(), None
            self._reschedule()


class VirtualClock(Clock):
    """Simulated time that autojumps to the next timer when nothing is in flight."""

    virtual = True

    # At most this many loop rounds with nothing in flight before time jumps (see _quiescent).
    def __init__(self, start: float = VIRTUAL_EPOCH, settle_rounds: int = 32):
        self._now = start
        self._timers: list[tuple[float, int, TimerHandle]] = []
        self._seq = itertools.count()
        self._active = 0
        # Holds count apart from activity: a long poll its client gave up on (aiohttp does not cancel
        # the handler) releases the client's carried token a second time while it waits, so
        # `_active` dips below zero until it times out; a hold must keep time still even then.
        self._holds = 0
        self._settle_rounds = settle_rounds
        self._wakeup: asyncio.Event | None = None
        self._runner: asyncio.Task | None = None
        self.callback_errors: list[str] = []  # tracebacks of timer callbacks that raised (tests assert none)

    def now(self) -> float:
        return self._now

    def call_later(self, delay: float, callback: Callable[[], Any]) -> TimerHandle:
        handle = TimerHandle(self._now + max(0.0, delay), callback)
        heapq.heappush(self._timers, (handle.deadline, next(self._seq), handle))
        self._ensure_runner()
        self._poke()
        return handle

    def advance(self, seconds: float) -> None:
        """Move time forward by hand, firing due timers in order (for unit tests)."""
        target = self._now + seconds
        while self._timers and self._timers[0][0] <= target:
            self._fire_next()
        self._now = max(self._now, target)

    @contextlib.contextmanager
    def activity(self, carries: int = 0):
        # Counts once; while parked it releases itself and the `carries` tokens it stands for.
        token = _activity_weight.set(1 + carries)
        self._active += 1
        try:
            yield
        finally:
            self._active -= 1
            _activity_weight.reset(token)
            self._poke()

    @contextlib.contextmanager
    def _parked(self):
        weight = _activity_weight.get()
        self._active -= weight
        if weight:
            self._poke()
        try:
            yield
        finally:
            self._active += weight

    def hold(self) -> None:
        self._holds += 1

    def release(self) -> None:
        self._holds -= 1
        self._poke()

    def _busy(self) -> bool:
        return self._active > 0 or self._holds > 0

    async def settle(self, rounds: int = 100) -> None:
        """Return once everything due at this instant has happened (chains of zero delays
        included) and nothing is in flight: a sleep(0) parked with no other timer due fires
        only when the system is quiescent."""
        for _ in range(rounds):
            was_due = self._due_now()
            await self.sleep(0)
            if not was_due and not self._due_now():
                return

    def _due_now(self) -> bool:
        self._drop_cancelled()
        return bool(self._timers) and self._timers[0][0] <= self._now

    @property
    def pending_timers(self) -> int:
        return sum(1 for _, _, h in self._timers if not h.cancelled)

    def close(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            self._runner = None

    # -- the autojump loop -------------------------------------------------------------
    def _poke(self) -> None:
        if self._wakeup is not None:
            self._wakeup.set()

    def _ensure_runner(self) -> None:
        if self._runner is None or self._runner.done():
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                return  # no loop yet: timers wait until something async runs
            self._wakeup = asyncio.Event()
            self._runner = loop.create_task(self._autojump(), name="ccsim-virtual-clock")

    def _fire_next(self) -> None:
        deadline, _, handle = heapq.heappop(self._timers)
        if handle.cancelled:
            return
        self._now = max(self._now, deadline)
        handle.cancelled = True  # fired timers cannot be cancelled again
        try:
            handle.callback()
        except Exception:  # a bug in a timer must not stop time for everyone: keep the evidence
            self.callback_errors.append(traceback.format_exc())
            logging.getLogger("ccsim.clock").error("timer callback failed:\n%s", self.callback_errors[-1])

    def _drop_cancelled(self) -> None:
        while self._timers and self._timers[0][2].cancelled:
            heapq.heappop(self._timers)

    async def _quiescent(self) -> bool:
        """Let every ready callback run (responses written, handlers resumed) before deciding
        that nothing is in flight. Done after two rounds in which the loop had nothing else to
        run and no socket to read: a frame on its way between in-process peers (a STOMP event to
        a desktop) is readable at once on loopback, though no activity counts it. Else up to
        `settle_rounds` rounds (8 let a Finesse answer arrive 3 virtual seconds late under
        `ccsim load`, with a thousand sockets ready; 32 made it none)."""
        loop = asyncio.get_running_loop()
        idle = 0
        for _ in range(self._settle_rounds):
            if self._busy():
                return False
            await asyncio.sleep(0)
            idle = idle + 1 if _loop_idle(loop) else 0
            if idle == 2:
                break
        return not self._busy()

    async def _autojump(self) -> None:
        assert self._wakeup is not None
        while True:
            self._drop_cancelled()
            if not self._timers or self._busy():
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            if not await self._quiescent():
                continue
            self._drop_cancelled()
            if not self._timers:
                continue
            self._fire_next()
            # Fire everything due at the same instant, in scheduling order.
            while self._timers and self._timers[0][0] <= self._now:
                self._fire_next()


def _loop_idle(loop: asyncio.AbstractEventLoop) -> bool:
    """Nothing queued to run and no socket ready (the standard selector loop; any other loop
    is never called idle, so the full rounds apply)."""
    ready, selector = getattr(loop, "_ready", None), getattr(loop, "_selector", None)
    if ready is None or selector is None:
        return False
    return not ready and not selector.select(0)  # level-triggered: this consumes nothing


class TimerScope:
    """The timers that belong to one piece of state (a face's sessions, calls, wrap-ups): a
    reset cancels every one still pending, so nothing of the old world fires into the new one.
    Transport timers (heart-beats of live connections) stay on the clock itself."""

    def __init__(self, clock: Clock):
        self.clock = clock
        self._pending: set[TimerHandle] = set()
        self._prune_at = 64

    def call_later(self, delay: float, callback: Callable[[], Any]) -> TimerHandle:
        def fire() -> None:
            self._pending.discard(handle)
            callback()

        handle = self.clock.call_later(delay, fire)
        self._pending.add(handle)
        if len(self._pending) >= self._prune_at:  # timers cancelled by their owners go
            self._pending = {h for h in self._pending if not h.cancelled}
            self._prune_at = max(64, 2 * len(self._pending))
        return handle

    @property
    def pending(self) -> int:
        return sum(1 for h in self._pending if not h.cancelled)

    def cancel_all(self) -> None:
        for handle in self._pending:
            handle.cancel()
        self._pending.clear()


def wall_seconds() -> float:
    """Monotonic wall time, for reporting how long something took (never for behaviour)."""
    return time.monotonic()


def wall_epoch_ms() -> float:
    """Wall time as epoch milliseconds, for what a browser compares with its own Date.now()
    (the dashboard's push latency; never for behaviour)."""
    return time.time() * 1000


async def wall_sleep(seconds: float) -> None:
    """A pause in wall time, for presentation only (the dashboard coalescing its pushes)."""
    await asyncio.sleep(seconds)


def wall_call_later(delay: float, callback: Callable[[], Any]) -> asyncio.TimerHandle:
    """A wall-time timer, for transport deadlines that a virtual clock must not move (a real
    client still on its way to a STOMP CONNECT while scenario time leaps)."""
    return asyncio.get_running_loop().call_later(delay, callback)


def make_clock(kind: str, speed: float = 1.0) -> Clock:
    if kind == "real":
        return RealClock(speed)
    if kind == "virtual":
        return VirtualClock()
    raise ValueError(f"unknown clock {kind!r}: use 'real' or 'virtual'")
