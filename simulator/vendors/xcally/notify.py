"""Agent notifications over socket.io (python-socketio on the face's aiohttp app).

An agent's web client connects with `auth={"username", "password"}` (or `{"apikey", "agent"}`)
and is sent offers, accepts, revocations and closes; it answers with accept or reject. The
event names are one configurable table (settings.socket_events): the real ones are not public
(INFERRED). Every event sent or received is journaled (kind "socketio")."""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import socketio
from aiohttp import web

from .fields import as_id
from .routing import XcallyError

if TYPE_CHECKING:
    from .face import XcallyFace
    from .model import XAgent


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
        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
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

        async def on_accept(sid: str, data: Any = None) -> dict[str, Any]:
            return await on_answer(sid, data, True)

        async def on_reject(sid: str, data: Any = None) -> dict[str, Any]:
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
