"""The synthetic agents of a load run. Each signs in and works through its face's real wire
protocol, with the scenario engine's clients: a Huawei agent long-polls `agentevent` (auto-answer,
then wrap-up in `AgentState_Work` until it sends `cancelwork`), a CXone agent polls
`get-next-event` (auto-accept; it ends its after-call work with a disposition), a Finesse desktop
holds a STOMP subscription and sends `AnswerCall` on `NewInboundCall` and `MakeReady` after
wrap-up, an XCALLY Motion agent logs in over REST and holds a socket.io connection (its phonebar
auto-answers; Motion has no after-call work on voice). Customers are the load generator's
(runner.py); the agents only answer and wrap up."""
from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from typing import Any

from ..core import Clock
from ..scenario.runner import AgentDriver
from ..clients.wire import WireClient
from ..vendors.finesse.steps import dialog_of
from ..vendors.xcally.steps import API_KEY
from ..traffic.profile import LoadProfile

QUEUE = "load"  # one queue that every agent serves: the pool the queueing model describes
_FIRST_ID = {"huawei": 10000, "nice": 20000, "finesse": 30000, "xcally": 40000}
XCALLY_PASSWORD = "Load#2026"
NICE_PASSWORD = "pw"
NICE_TOKEN_SECONDS = 3600  # the CXone tokens' lifetime; a client gets a new one 5 minutes before


def split(agents: int, faces: tuple[str, ...]) -> dict[str, int]:
    """Agents per face, as even as it goes (the first faces take the remainder)."""
    share, extra = divmod(agents, len(faces))
    return {face: share + (1 if n < extra else 0) for n, face in enumerate(faces)}


def agent_ids(face: str, n: int) -> list[str]:
    ids = (str(_FIRST_ID[face] * (1 + n // 10000) + i) for i in range(20 * n + 100))
    return [i for i in ids if "60" not in i][:n]  # no "60": the CXone SDK rewrites it (see the NICE face)


def nice_username(agent: str) -> str:
    return f"u{agent}@example.com"


def scenario_data(profile: LoadProfile) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The run as a scenario: the agents, the one queue, the face settings, the sign-in steps."""
    ids = {face: agent_ids(face, n) for face, n in split(profile.agents, profile.faces).items()}
    wraps = profile.wrap.mean > 0
    people: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    for a in ids.get("huawei", []):
        people.append({"id": a, "skills": ["load"], "huawei": {"password": "", "phone": "4" + a}})
        steps.append({f"agent {a} huawei loginex": {"status": 4, "autoanswer": True, "autoenteridle": not wraps,
                                                       "releasephone": False}})
    for a in ids.get("nice", []):
        people.append({"id": a, "skills": ["load"], "nice": {"username": nice_username(a), "password": NICE_PASSWORD,
                                                            "auto_accept": True}})
        steps += [{f"agent {a} nice start-session": {"stationPhoneNumber": "WebRTC"}},
                  {f"agent {a} nice set-state": {"state": "Available"}}]
    for a in ids.get("finesse", []):
        people.append({"id": a, "skills": ["load"],
                       "finesse": {"password": "pw", "extension": "5" + a,
                                   "wrap_up_mode": "REQUIRED" if wraps else "NOT_ALLOWED"}})
        steps += [{f"agent {a} finesse Connect": {}}, {f"agent {a} finesse Login": {}},
                  {f"agent {a} finesse MakeReady": {}}]
    for a in ids.get("xcally", []):
        people.append({"id": a, "skills": ["load"],
                       "xcally": {"name": f"x{a}", "password": XCALLY_PASSWORD, "phoneBarAutoAnswer": True}})
    # Wrap-up ends when the agent says so, after its drawn time; the faces' own wrap-up timers
    # are only a backstop (CXone's ACW: 0 turns it off, so only when there is no wrap-up).
    backstop = 10 * max(profile.wrap.mean, 1.0) + 3600
    data = {
        "name": "ccsim load", "seed": profile.seed,
        "faces": {"huawei": {"poll_hold_seconds": 30, "ring_timeout_seconds": 60},
                  "nice": {"leg_answer_seconds": 0, "acw_seconds": backstop if wraps else 0,
                           "token_ttl_seconds": NICE_TOKEN_SECONDS},
                  "finesse": {"wrap_up_seconds": backstop}},
        "queues": [{"id": QUEUE, "name": "Load", "skills": ["load"], "number": "4000", "huawei": {"skill_id": 1},
                    **({"xcally": {"members": ids["xcally"]}} if ids.get("xcally") else {})}],
        "agents": people,
        "steps": steps,
    }
    return data, ids


class Bots:
    """Turns each signed-in agent's client into a worker: it answers what its face does not
    answer itself and ends its wrap-up after a drawn time. Events are handled, not kept, so a
    long run's memory stays flat."""

    def __init__(self, clock: Clock, profile: LoadProfile, rng: Any):
        self.clock, self.profile, self.rng = clock, profile, rng
        self.tasks: set[asyncio.Task] = set()
        self.sockets: list[Any] = []  # the XCALLY agents' socket.io clients
        self.failures: list[str] = []
        self.received = 0

    async def sign_in_xcally(self, wire: WireClient, url: str, agent_ids: list[str]) -> None:
        """Log each XCALLY agent in as itself and connect its socket.io client (the clock holds
        still meanwhile: socket.io's handshake runs on real time)."""
        import socketio

        for agent in agent_ids:
            name = f"x{agent}"
            with self.clock.activity():
                found = await wire.request("GET", url + "/api/users", params={"name": name, "fields": "id",
                                                                            "apikey": API_KEY})
                user = found.body["rows"][0]["id"]
                token = base64.b64encode(f"{name}:{XCALLY_PASSWORD}".encode()).decode()
                resp = await wire.request("POST", f"{url}/api/users/{user}/login", headers={"Authorization": f"Basic {token}"})
                if resp.status != 200:
                    self.failures.append(f"xcally login {name}: {resp.status} {resp.body}")
                    continue
                client = socketio.AsyncClient(reconnection=False)
                client.on("*", self._notified)
                await client.connect(url, auth={"username": name, "password": XCALLY_PASSWORD}, transports=["websocket"])
                self.sockets.append(client)

    async def _notified(self, event: str, data: Any = None) -> None:
        self.received += 1

    def work(self, face: str, driver: AgentDriver) -> None:
        driver.events.clear()
        driver.received = {"huawei": self._huawei, "nice": self._nice, "finesse": self._finesse}[face](driver)
        if face == "nice":
            self._later(NICE_TOKEN_SECONDS - 300, lambda: self._renew_token(driver))

    async def _renew_token(self, driver: Any) -> None:
        """A CXone client's token expires: it gets a new one first (its poller and its
        dispositions use the driver's current token), and again before that one expires."""
        resp = await driver.sign_in(nice_username(driver.agent_id), NICE_PASSWORD, bar=False, check=False)
        if resp.status != 200:
            self.failures.append(f"nice token for {driver.agent_id}: {resp.status} {resp.body}")
            return
        self._later(float(resp.body["expires_in"]) - 300, lambda: self._renew_token(driver))

    def _later(self, delay: float, action: Callable[[], Any]) -> None:
        async def run() -> None:
            await self.clock.sleep(delay)
            await action()

        task = asyncio.get_running_loop().create_task(run())
        self.tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.failures.append(repr(task.exception()))

    def _huawei(self, driver: Any) -> Callable[[dict[str, Any]], None]:
        def received(event: dict[str, Any]) -> None:
            self.received += 1
            if event["eventType"] == "AgentState_Work":
                self._later(self.profile.wrap.draw(self.rng),
                            lambda: self._expect_ok(driver.client.call("cancelwork"), "huawei cancelwork"))
        return received

    def _nice(self, driver: Any) -> Callable[[dict[str, Any]], None]:
        """After a call the face puts the agent in ACW (AgentState IsAcw "True", after the
        contact's first Disconnected); the agent ends it with a disposition once its drawn
        wrap-up is over, as an agent does in MAX."""
        ended: list[str] = []  # the contact whose first Disconnected came last

        def received(event: dict[str, Any]) -> None:
            self.received += 1
            kind = event.get("Type")
            first_disconnected = event.get("Status") == "Disconnected" and event.get("FinalState") == "False"
            if kind == "CallContactEvent" and first_disconnected:
                ended[:] = [event["ContactID"]]
            elif kind == "AgentState" and event.get("IsAcw") == "True" and ended:
                contact = ended.pop()
                self._later(self.profile.wrap.draw(self.rng), lambda: self._expect_accepted(
                    driver.request("POST", f"agent-sessions/{driver.session_id}/interactions/{contact}/disposition",
                                   {"primaryDispositionId": "1"}), f"nice disposition {contact}"))
        return received

    def _finesse(self, driver: Any) -> Callable[[dict[str, Any]], None]:
        agent = driver.agent_id

        def received(event: dict[str, Any]) -> None:
            self.received += 1
            kind = driver.event_type(event)
            if kind == "NewInboundCall":
                self._later(0, lambda: self._command(driver, f"AnswerCall#{agent}", dialog_of(event["tokens"]) or ""))
            elif kind == "State" and driver.event_detail(event) in ("WORK_READY", "WORK"):
                self._later(self.profile.wrap.draw(self.rng), lambda: self._command(driver, f"MakeReady#{agent}", ""))
        return received

    async def _command(self, driver: Any, jms_type: str, body: str) -> None:
        """A desktop's command, counted in flight by the clock until the broker has it (its
        RECEIPT), so that a virtual clock never moves on while the frame crosses the socket."""
        with self.clock.activity():
            await driver.client.send(driver.run_setting("command_queue"), body, {"type": jms_type}, receipt=True)

    async def _expect_ok(self, call: Any, what: str) -> None:
        resp = await call
        if resp.status != 200 or not isinstance(resp.body, dict) or resp.body.get("retcode") != "0":
            self.failures.append(f"{what}: {resp.status} {resp.body}")

    async def _expect_accepted(self, call: Any, what: str) -> None:
        resp = await call
        if resp.status != 202:
            self.failures.append(f"{what}: {resp.status} {resp.body}")

    async def stop(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.gather(*(client.disconnect() for client in self.sockets), return_exceptions=True)
