"""Agent notifications over socket.io (python-socketio on the face's aiohttp app).

An agent's web client connects with `auth={"username", "password"}` (or `{"apikey", "agent"}`)
and is sent offers, accepts, revocations and closes; it answers with accept or reject. The
event names are one configurable table (settings.socket_events): the real ones are not public
(INFERRED). Every event sent or received is journaled (kind "socketio")."""
from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import socketio
from aiohttp import web

from .fields import as_id
from .routing import XcallyError

if TYPE_CHECKING:
    from .face import XcallyFace
    from .model import XAgent


log = logging.getLogger("ccsim.face")
# What engine.io raises on a packet that is not one (python-engineio decodes without checking).
_GARBAGE = (ValueError, UnicodeDecodeError, IndexError, TypeError, KeyError,  # KeyError: a session gone
            RecursionError)  # JSON nested deeper than the decoder goes
POLLING_POST_SECONDS = 2.0  # the longest a polling POST is answered in (real seconds)


class _GarbageAtDebug(logging.Filter):
    """engine.io logs a client's undecodable polling payload with a traceback at ERROR (and
    answers it "ok"), and the first request with an unknown session id at ERROR (answered 400):
    a client's mistake, not ccsim's, so both go to debug."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, _GARBAGE) or (record.levelno >= logging.ERROR and isinstance(record.msg, str)
                                         and record.msg.startswith("Invalid session")):
            log.debug("xcally: socket.io garbage from a client: %s", exc or record.getMessage())
            return False
        return True


logging.getLogger("engineio.server").addFilter(_GarbageAtDebug())


@web.middleware
async def socketio_guard(request: web.Request, handler: Any) -> web.StreamResponse:
    """A WebSocket whose first frames engine.io cannot decode raises out of its handler (aiohttp
    would log a traceback): answered as the protocol error it is, and the socket closed."""
    if not request.path.startswith("/socket.io/"):
        return await handler(request)
    try:
        if request.method != "POST":
            return await handler(request)
        # python-engineio answers a polling packet it does not take (a client's ping, a noop) by
        # closing the session, which waits for a GET the client may never send: bounded here.
        return await asyncio.wait_for(handler(request), POLLING_POST_SECONDS)
    except TimeoutError:
        return web.Response(status=400, text="Bad Request")
    except _GARBAGE as exc:
        log.debug("xcally: socket.io garbage from a client: %r", exc)
        return web.Response(status=400, text="Bad Request")


class Notifications:
    def _init_notifications(self: "XcallyFace") -> None:
        self.sockets: dict[str, int] = getattr(self, "sockets", {})  # sid -> agent id (kept across resets)
        self._pending: set[asyncio.Task] = getattr(self, "_pending", set())

    def attach_socketio(self: "XcallyFace", app: web.Application) -> None:
        self.sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*", logger=False,
                                        engineio_logger=False)
        self.sio.attach(app)
        events = self.settings.socket_events

        @self.sio.event
        async def connect(sid: str, environ: Any = None, auth: Any = None, *_: Any) -> bool | None:
            if not isinstance(environ, dict) or "aiohttp.request" not in environ:  # a client event named "connect"
                return None
            auth = auth if isinstance(auth, dict) else {}
            try:
                if auth.get("apikey") in self.settings.api_keys:
                    agent = self.agents.get(as_id(str(auth.get("agent", ""))))
                else:
                    agent = self.check_agent_password(str(auth.get("username", "")), str(auth.get("password", "")))
            except XcallyError:
                agent = None
            if agent is None:
                raise socketio.exceptions.ConnectionRefusedError("authentication failed")
            self.sockets[sid] = agent.id
            self.journal.record(self.name, "socketio", "connect", agent=agent.core_id, request={"sid": sid})
            return True

        @self.sio.event
        async def disconnect(sid: str, *args: Any) -> None:
            self.sockets.pop(sid, None)

        async def on_answer(sid: str, data: Any, accept: bool) -> dict[str, Any]:
            """The agent's accept or reject; the acknowledgement is journaled as what was emitted."""
            agent = self.agents.get(self.sockets.get(sid, -1))
            kind = "accept" if accept else "reject"
            with self.clock.activity():
                try:
                    if agent is None:
                        raise XcallyError(401, "not connected as an agent")
                    if not isinstance(data, dict):
                        raise XcallyError(400, "send {channel, id}")
                    interaction = self.get_interaction(str(data.get("channel")), str(data.get("id")))
                    (self.accept if accept else self.reject)(agent, interaction)
                    ack: dict[str, Any] = {"ok": True}
                except XcallyError as exc:
                    ack = {"ok": False, "status": exc.status, "message": exc.message}
                self.journal.record(self.name, "socketio", kind, agent=agent.core_id if agent else None,
                                    request={"event": events[kind], "sid": sid, "data": data}, response={"body": ack})
            return ack

        # A client may send any number of arguments: the first is the answer, the rest ignored.
        async def on_accept(sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
            return await on_answer(sid, data, True)

        async def on_reject(sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
            return await on_answer(sid, data, False)

        self.sio.on(events["accept"], on_accept)
        self.sio.on(events["reject"], on_reject)

    def notify(self: "XcallyFace", agent: "XAgent", kind: str, body: dict[str, Any]) -> None:
        """Send `kind` (a key of settings.socket_events) to every socket of the agent."""
        name = self.settings.socket_events[kind]
        # Journaled by the table key (offer, accepted...) so contracts do not depend on the names.
        self.journal.record(self.name, "socketio", kind, agent=agent.core_id, response={"event": name, "body": body})
        sio = getattr(self, "sio", None)
        if sio is None:
            return
        for sid, agent_id in list(self.sockets.items()):
            if agent_id == agent.id:
                self.spawn(sio.emit(name, body, to=sid))

    def spawn(self: "XcallyFace", coro: Any) -> None:
        """Run a send in the background, keeping a reference until it is done."""
        task = asyncio.get_running_loop().create_task(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
