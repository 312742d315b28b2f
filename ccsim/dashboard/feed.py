"""The dashboard's push: one producer for every open page, over Server-Sent Events.

Changes are learnt from the world's bus and the journal as they happen (no polling). They are
coalesced for PUSH_INTERVAL wall seconds, then one message (the whole state, the new journal
lines) is built and encoded once and queued to every page. Each message says when its first
change happened (`changedAt`, wall ms), so the page can tell how far behind it is. A page that
cannot keep up (its backlog full) is disconnected; its EventSource reconnects and starts again
from a fresh `hello`. Time here is wall time: a page watching must never hold the virtual clock.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web

from ..core import JournalEntry
from ..core.clock import wall_epoch_ms, wall_seconds, wall_sleep
from .view import DashboardView

PUSH_INTERVAL = 0.05  # wall seconds a change waits for the ones that follow it
SAMPLE_SECONDS = 1.0  # a chart sample (and a message) at least this often
JOURNAL_LINES = 200  # journal lines in a hello, and at most in one update
CLIENT_BACKLOG = 64  # messages queued for one page before it is dropped as too slow
STREAM_HEADERS = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}


def encode(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()


class Feed:
    def __init__(self, view: DashboardView):
        self.view = view
        self.sim = view.sim
        self._pages: set[asyncio.Queue[bytes | None]] = set()
        # The journal lines recorded since the last push: counted, and read back from the journal
        # at the push (the newest JOURNAL_LINES of them), so that a burst holds no entry here.
        self._pending_since = 0
        self._pending = 0
        self._changed = asyncio.Event()
        self._changed_at: float | None = None
        self._task: asyncio.Task | None = None
        self._stop_listening: list[Callable[[], None]] = []

    def changed(self, *_: Any) -> None:
        if self._changed_at is None:
            self._changed_at = wall_epoch_ms()
        self._changed.set()

    def _recorded(self, entry: JournalEntry) -> None:
        if not self._pending:
            self._pending_since = entry.seq
        self._pending += 1
        self.changed()

    def hello(self) -> bytes:
        state = self.view.state()
        lines = [self.view.line(e) for e in self.sim.journal.query(limit=JOURNAL_LINES)]
        return encode("hello", {"state": state, "journal": lines, "history": list(self.view.history),
                                       "epoch": self.sim.journal.epoch, "sentAt": wall_epoch_ms()})

    # -- pages -----------------------------------------------------------------------------------------
    async def stream(self, request: web.Request) -> web.StreamResponse:
        if request.method == "HEAD":  # the head a GET gets, and no body: a stream written to it would break HTTP
            return web.Response(headers=STREAM_HEADERS)
        response = web.StreamResponse(headers=STREAM_HEADERS)
        await response.prepare(request)
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(CLIENT_BACKLOG)
        self._join(queue)
        try:
            await response.write(b"retry: 1000\n\n" + self.hello())
            while (data := await queue.get()) is not None:
                await response.write(data)
        except (ConnectionResetError, ConnectionError):
            pass  # the page went away
        finally:
            self._leave(queue)
        return response

    def _join(self, queue: asyncio.Queue[bytes | None]) -> None:
        if not self._pages:
            self._stop_listening = [self.sim.world.bus.subscribe("*", self.changed),
                                    self.sim.journal.listen(self._recorded)]
            self._task = asyncio.get_running_loop().create_task(self._produce())
        self._pages.add(queue)

    def _leave(self, queue: asyncio.Queue[bytes | None]) -> None:
        self._pages.discard(queue)
        if not self._pages:
            for stop in self._stop_listening:
                stop()
            self._stop_listening = []
            if self._task is not None:
                self._task.cancel()
                self._task = None
            self._pending, self._changed_at = 0, None  # a next page starts afresh
            self._changed.clear()

    async def close(self) -> None:
        for queue in list(self._pages):
            self._drop(queue)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _drop(self, queue: asyncio.Queue[bytes | None]) -> None:
        self._pages.discard(queue)  # its handler ends on the None and leaves
        while not queue.empty():
            queue.get_nowait()
        queue.put_nowait(None)

    # -- the producer ----------------------------------------------------------------------------------
    async def _produce(self) -> None:
        last_sample = 0.0
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), SAMPLE_SECONDS)
                await wall_sleep(PUSH_INTERVAL)
            self._changed.clear()
            pending, self._pending = self._pending, 0
            entries = self.sim.journal.tail(self._pending_since, JOURNAL_LINES) if pending else []
            skipped = pending - len(entries)  # a burst's older lines, and any the journal has dropped since
            changed_at, self._changed_at = self._changed_at, None
            data: dict[str, Any] = {"epoch": self.sim.journal.epoch, "sentAt": wall_epoch_ms()}
            if changed_at is not None:
                data.update(state=self.view.state(), changedAt=changed_at,
                            journal=[self.view.line(e) for e in entries], skipped=skipped)
            if wall_seconds() - last_sample >= SAMPLE_SECONDS:
                last_sample = wall_seconds()
                data["sample"] = self.view.sample()
            if len(data) == 2:
                continue
            message = encode("update", data)
            for queue in list(self._pages):
                if queue.full():
                    self._drop(queue)  # too slow: it reconnects and starts from a hello
                else:
                    queue.put_nowait(message)
