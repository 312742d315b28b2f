"""XCALLY Motion: the REST API under /api, socket.io notifications to agents, and the
phonebar remote-control API. Routing rules and reports are in routing.py, the resources in
api.py, notifications in notify.py, the phonebar in phonebar.py."""
from __future__ import annotations

import base64
import itertools
from typing import Any

from aiohttp import web

from ...core import Agent, Channel, Journal, Queue, World, WorldError
from ...core.bus import CoreEvent
from ...core.clock import iso_time
from ...serving.face import SettingsError
from ...serving.http_face import HttpFace
from ...serving.journaling import OP
from . import fields as f
from .model import CORE_STRATEGY, STRATEGIES, Interaction, XAgent, XQueue
from .notify import Notifications, socketio_guard
from .phonebar import Phonebar
from .records import XcallyRecords
from .recovery import Recovery
from .routing import Routing, XcallyError
from .settings import CHANNELS, DEFAULT_PAUSE_TYPE, DIGITAL, XcallySettings
from .staff import Staff, XUser
from .typology import Typology
from .voice import VoiceRules


class XcallyFace(Routing, VoiceRules, Phonebar, Notifications, Staff, Recovery, Typology, HttpFace):
    name = "xcally"
    # As the API refuses a username or internal number that is already taken.
    distinct_agent_keys = {"name": "id", "internal": None}
    Settings = XcallySettings
    passthrough_prefixes = ("/socket.io/",)

    def __init__(self, world: World, journal: Journal, settings: XcallySettings):
        super().__init__(world, journal, settings)
        self.settings: XcallySettings = settings
        self.iso = iso_time
        self.reset()
        world.bus.subscribe("*", self.on_core_event)

    def reset(self) -> None:
        # The world holds the configured agents and queues again (the Simulator rebuilt them):
        # what was made, changed or deleted over the API is forgotten with the old objects.
        self.agents: dict[int, XAgent] = {}
        self.by_core: dict[str, XAgent] = {}
        self.queues: dict[int, XQueue] = {}
        self.queue_of_core: dict[str, int] = {}
        self.interactions: dict[tuple[str, int], Interaction] = {}
        self.by_contact: dict[str, Interaction] = {}
        # Kept within memory.records_bytes, with the interactions (records.py): by id, oldest first.
        self.records = XcallyRecords(self, self.world.memory.budget.records_bytes)
        self.world.memory.register(f"{self.name}.records", self.records.ledger)
        self.reports: dict[str, dict[int, dict[str, Any]]] = {ch: {} for ch in DIGITAL}
        self.member_report: dict[int, dict[str, Any]] = {}
        self._member_row_ids = itertools.count(1)
        self.open_rows: dict[str, dict[str, Any]] = {}
        self.reopening: Interaction | None = None
        self._ids = {kind: itertools.count(1) for kind in ("agent", "queue", *CHANNELS)}
        self._row_ids = {ch: itertools.count(1) for ch in DIGITAL}  # each report_{channel}_queue numbers its own
        self._internals = itertools.count(self.settings.first_internal)
        self._init_staff()
        self._init_recovery()
        self._init_notifications()
        self._init_phonebar()
        for agent in self.world.agents.values():
            if "xcally" in agent.faces:
                self._adopt_agent(agent)
        for queue in self.world.queues.values():
            if "xcally" in queue.faces:
                self._adopt_queue(queue)
        self.link_failover()
        self.reset_phonebars()

    def _adopt_agent(self, agent: Agent) -> XAgent:
        """A configured agent: its `xcally:` section holds the API's fields (name, password,
        chatCapacity...), checked as a create would be; capacities default to `capacity:`."""
        body = {"name": agent.id, "password": "Passw0rd!", "fullname": agent.name,
                **{f.CAPACITY[ch]: agent.capacity_for(Channel(ch)) for ch in DIGITAL},
                **(agent.faces.get("xcally") or {})}
        try:
            f.check_fields(body, creating=True, security_suite=self.settings.security_suite)
        except f.Invalid as exc:
            raise SettingsError(f"agent {agent.id}, xcally section: {exc}") from None
        xagent = XAgent(next(self._ids["agent"]), agent.id, str(body["name"]), str(body["password"]),
                        created=self.clock.now(), updated=self.clock.now())
        xagent.apply(body)
        xagent.internal = xagent.internal or self.next_internal()
        self.agents[xagent.id] = xagent
        self.by_core[agent.id] = xagent
        return xagent

    def _adopt_queue(self, queue: Queue) -> None:
        cfg = queue.faces.get("xcally") or {}
        strategy = str(cfg.get("strategy", "rrmemory" if queue.strategy == "round_robin" else "beepall"))
        if strategy not in STRATEGIES:
            raise SettingsError(f"queue {queue.id}, xcally section: strategy must be one of {', '.join(STRATEGIES)}")
        xqueue = XQueue(next(self._ids["queue"]), queue.id, queue.channel.value, str(cfg.get("name", queue.name)),
                        strategy, int(queue.timeout or 0))
        queue.strategy = CORE_STRATEGY[strategy]
        self.queues[xqueue.id] = xqueue
        self.queue_of_core[queue.id] = xqueue.id
        wanted = {str(m) for m in cfg.get("members", [])}
        xqueue.members = [a.id for a in self.agents.values() if a.core_id in wanted or a.name in wanted]

    def link_failover(self) -> None:
        """Config queues name their routing's next queue (`overflow`) by core id."""
        for xqueue in self.queues.values():
            xqueue.failover = self.queue_of_core.get(self.world.queues[xqueue.core_id].overflow or "")

    # -- HTTP plumbing -----------------------------------------------------------------------------------------
    def routes(self, app: web.Application) -> None:
        from .api import install

        install(app, self)
        self.attach_socketio(app)
        app.middlewares.append(socketio_guard)

        async def outside_api(request: web.Request) -> web.Response:  # last: after socket.io's routes
            request[OP] = "unrouted"
            return web.json_response({"message": f"no resource {request.method} {request.path}"}, status=404)

        app.router.add_route("*", r"/{tail:[\s\S]*}", outside_api)

    def internal_error_response(self, request: web.Request) -> web.StreamResponse:
        return web.json_response({"message": "internal simulator error (a ccsim bug)"}, status=500)

    async def start(self, host: str, port: int) -> str:
        url = await super().start(host, port)
        await self.start_phonebars(host)
        return url

    def extra_urls(self) -> dict[str, str]:
        return {f"phonebar of {self.agents[i].name}": url for i, url in sorted(self.phonebar_urls.items())}

    async def stop(self) -> None:
        await self.stop_phonebars()
        await super().stop()

    def authenticate(self, request: web.Request) -> XAgent | XUser | None:
        """Admin (None), an agent or a user with role user, from ?apikey= or HTTP Basic;
        XcallyError 401 otherwise."""
        if request.query.get("apikey") in self.settings.api_keys:
            return None
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("basic "):
            try:
                user, _, password = base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")
            except ValueError:
                raise XcallyError(401, "Unauthorized") from None
            if user == self.settings.admin_username and password == self.settings.admin_password:
                return None
            account = self.account_named(user)
            if account is None:
                raise XcallyError(401, "Unauthorized")
            return self.check_password(account, password)
        raise XcallyError(401, "Unauthorized: use HTTP Basic or ?apikey=")

    def check_agent_password(self, username: str, password: str) -> XAgent:
        agent = next((a for a in self.agents.values() if a.name == username), None)
        if agent is None:
            raise XcallyError(401, "Unauthorized")
        self.check_password(agent, password)
        return agent

    # -- agents ------------------------------------------------------------------------------------------------
    def create_agent(self, body: dict[str, Any]) -> XAgent:
        f.check_fields(body, creating=True, security_suite=self.settings.security_suite)
        if any(a.name == body["name"] for a in self.agents.values()):
            raise f.Invalid(f"username {body['name']!r} is already taken")
        if "internal" in body and any(a.internal == str(body["internal"]) for a in self.agents.values()):
            raise f.Invalid(f"internal {body['internal']} is already taken")
        number = next(self._ids["agent"])
        core = Agent(f"xcally-{number}", str(body.get("fullname") or body["name"]), faces={"xcally": {}})
        self.world.add_agent(core)
        agent = XAgent(number, core.id, body["name"], body["password"], created=self.clock.now(),
                       updated=self.clock.now())
        agent.apply(body)
        agent.fullname = agent.fullname or agent.name
        agent.internal = agent.internal or self.next_internal()
        self.agents[agent.id] = agent
        self.by_core[core.id] = agent
        return agent

    def next_internal(self) -> str:
        """The next internal number nobody has (one is generated when not given)."""
        taken = {a.internal for a in self.agents.values()}
        return next(i for i in map(str, self._internals) if i not in taken)

    def update_agent(self, agent: XAgent, body: dict[str, Any]) -> None:
        f.check_fields(body, creating=False, security_suite=self.settings.security_suite,
                       current=agent.to_json(self.iso))
        if "name" in body and any(a.name == body["name"] and a is not agent for a in self.agents.values()):
            raise f.Invalid(f"username {body['name']!r} is already taken")
        if "internal" in body and any(a.internal == str(body["internal"]) and a is not agent for a in self.agents.values()):
            raise f.Invalid(f"internal {body['internal']} is already taken")
        agent.apply(body)
        agent.updated = self.clock.now()
        self.world.route()  # a capacity raised or a pause lifted may let waiting interactions through

    def delete_agent(self, agent: XAgent) -> None:
        if agent.online:
            self.logout(agent)
        del self.agents[agent.id]
        del self.by_core[agent.core_id]
        for queue in self.queues.values():
            if agent.id in queue.members:
                queue.members.remove(agent.id)
        if agent.core_id in self.world.agents:
            self.world.remove_agent(agent.core_id)

    # -- login, logout, pause (report_member) --------------------------------------------------------------------
    def login(self, agent: XAgent) -> None:
        if agent.online:
            raise XcallyError(409, f"{agent.name} is already logged in")
        core = self.world.agents[agent.core_id]
        if core.face not in (None, self.name):
            raise XcallyError(409, f"{agent.name} is signed in on {core.face}")
        agent.online = True
        agent.login_row = self._member_row(agent, "LOGIN", "voice")
        self.world.sign_in(agent.core_id, self.name)
        if agent.login_in_pause:
            for channel in CHANNELS:
                self.pause(agent, channel, self.settings.login_pause_type)
        self.world.set_presence(agent.core_id, "busy" if agent.login_in_pause else "idle")
        self.world.route()

    def logout(self, agent: XAgent) -> None:
        if not agent.online:
            raise XcallyError(409, f"{agent.name} is not logged in")
        for channel in list(agent.paused):
            self.unpause(agent, channel, route=False)
        self._close_member_row(agent.login_row)
        agent.online, agent.login_row = False, None
        for interaction in [i for i in self.interactions.values() if i.status == "offered" and agent.id in i.offered_to]:
            self.notify(agent, "revoked", self.offer_body(interaction))
            self.withdraw_offer(interaction, agent)  # the others a beepall offer rings keep theirs
        self.world.sign_out(agent.core_id)

    def pause(self, agent: XAgent, channel: str, pause_type: str | None = None) -> None:
        pause_type = pause_type or DEFAULT_PAUSE_TYPE
        if channel not in CHANNELS:
            raise XcallyError(400, f"unknown channel {channel!r}")
        if not agent.online:
            raise XcallyError(409, f"{agent.name} is not logged in")
        if channel in agent.paused:
            raise XcallyError(409, f"{agent.name} is already paused on {channel}")
        agent.paused[channel] = pause_type
        agent.pause_rows[channel] = self._member_row(agent, "PAUSE", channel, pause_type)

    def unpause(self, agent: XAgent, channel: str, route: bool = True) -> None:
        if channel not in agent.paused:
            raise XcallyError(409, f"{agent.name} is not paused on {channel}")
        del agent.paused[channel]
        self._close_member_row(agent.pause_rows.pop(channel, None))
        if route:
            self.world.route()

    def _member_row(self, agent: XAgent, kind: str, channel: str, data1: str = "") -> dict[str, Any]:
        row = {"id": next(self._member_row_ids), "membername": agent.name, "UserId": agent.id, "channel": channel,
               "type": kind, "data1": data1, "enterAt": self.iso(self.clock.now()), "exitAt": None,
               "duration": None, "createdAt": self.iso(self.clock.now())}
        row["_enter"] = self.clock.now()
        self.member_report[row["id"]] = row
        self.records.member_row(row, open_=True)
        return row

    def _close_member_row(self, row: dict[str, Any] | None) -> None:
        if row is not None:
            row.update(exitAt=self.iso(self.clock.now()), duration=int(self.clock.now() - row["_enter"]))
            self.records.member_row(row, open_=False)

    def status(self, agent: XAgent, channel: str) -> str:
        """Realtime status on a channel: voiceStatus values of the reference (idle, talking,
        ringing, pause, unavailable); the same words on digital channels (INFERRED)."""
        if not agent.online:
            return "unavailable"
        if channel in agent.paused:
            return "pause"
        if channel == "voice":
            return self.voice_status(agent)
        states = [i.status for i in self.interactions.values() if i.user_id == agent.id and i.channel == channel]
        return "talking" if "open" in states else "ringing" if "offered" in states else "idle"

    def set_paused(self, agent: Agent, paused: bool, channel: str | None, pause_type: str | None) -> list[str]:
        """As POST /api/users/{id}/pause and /unpause do; no channel: every channel not yet so.
        Routing is the caller's to run (after it has journaled the action)."""
        xagent = self.by_core[agent.id]
        channels = [channel] if channel else [c for c in CHANNELS if (c in xagent.paused) != paused]
        try:
            for each in channels:
                if paused:
                    self.pause(xagent, each, pause_type)
                else:
                    self.unpause(xagent, each, route=False)
        except XcallyError as exc:
            raise WorldError(exc.message) from None
        return channels

    def vendor_states(self) -> dict[str, dict[str, str]]:
        states = {}
        for agent in self.agents.values():
            statuses = {channel: self.status(agent, channel) for channel in CHANNELS} if agent.online else \
                {"channels": "unavailable"}  # the same on every channel: said once
            shown = {"name": agent.name, **statuses, "tabs": f"{self.in_tabs(agent)}/{self.settings.tab_limit}"}
            if agent.paused:
                shown["paused"] = ", ".join(f"{c} ({t})" for c, t in agent.paused.items())
            states[agent.core_id] = shown
        return states

    # -- interactions --------------------------------------------------------------------------------------------
    def on_contact(self, event: CoreEvent) -> None:
        """A digital contact reached an XCALLY queue: it becomes an interaction of its channel."""
        contact = self.world.contacts.get(event.contact or "")
        if contact is None or contact.id in self.by_contact or contact.channel.value == "voice":
            return
        if event.data.get("queue") not in self.queue_of_core:
            return
        if self.reopening is not None:  # a follow-up: the closed interaction takes the new contact
            interaction = self.reopening
            del self.by_contact[interaction.core_id]
            interaction.core_id, interaction.status, interaction.user_id = contact.id, "queued", None
            self.by_contact[contact.id] = interaction
            return
        channel = contact.channel.value
        interaction = Interaction(next(self._ids[channel]), channel, contact.id, contact.caller,
                                  self.queue_of_core[event.data["queue"]], self.clock.now())
        self.interactions[(channel, interaction.id)] = interaction
        self.by_contact[contact.id] = interaction

    def get_interaction(self, channel: str, interaction_id: str) -> Interaction:
        if channel not in DIGITAL:
            raise XcallyError(404, f"unknown channel {channel!r}")
        found = self.interactions.get((channel, f.as_id(interaction_id)))
        if found is None:
            raise XcallyError(404, f"{channel} interaction {interaction_id} not found")
        return found
