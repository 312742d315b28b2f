"""The long-poll kill race (issue 22, item 13): an event poller in a process of its own, killed
(SIGKILL) within about a millisecond of an event, then a new poller takes over the same session.
Every event carries a unique id; what each poller printed is what it received. Used by
tests/serving/test_long_poll_kill.py and bench/long_poll_kill.py."""
from __future__ import annotations

import asyncio
import copy
import json
import os
import random
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from support.world import TEST_CONFIG
from ccsim import config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.vendors.huawei.client import HuaweiAgentClient
from support.nice import NICE_AGENTS
from support.nice import Client as NiceClient

# The poller: raw sockets, one keep-alive connection. Every byte it reads goes to stdout at once
# (os.write, no buffer a kill could lose), so what it wrote is what it got; "polling" lines on
# stderr say when it asks again. With `busy` > 0 it is a client at work when an answer comes: it
# reads that many seconds after the socket became readable.
POLLER = r"""
import os, select, socket, sys, time
host, port, path, header, busy = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5])
request = ("GET %s HTTP/1.1\r\nHost: ccsim\r\n%s\r\n\r\n" % (path, header)).encode()
sock = socket.create_connection((host, port))
buf = b""
def fill(enough):
    global buf
    while not enough():
        if busy:
            select.select([sock], [], [])
            time.sleep(busy)
        chunk = sock.recv(65536)
        os.write(1, chunk)
        if not chunk:
            sys.exit(0)
        buf += chunk
while True:
    os.write(2, b"polling\n")
    sock.sendall(request)
    fill(lambda: b"\r\n\r\n" in buf)
    head, _, buf = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    fill(lambda: len(buf) >= length)
    buf = buf[length:]
"""


def answers(stream: bytes) -> list[dict]:
    """The JSON bodies of the complete HTTP responses in `stream` (a 304 has none)."""
    found = []
    while b"\r\n\r\n" in stream:
        head, _, rest = stream.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        if len(rest) < length:
            break
        if length:
            found.append(json.loads(rest[:length]))
        stream = rest[length:]
    return found


@dataclass
class Target:
    """One face's event queue for one client: where it is polled, how to make an event with a
    given id, how many are queued, and the ids an answer carried."""

    url: str
    path: str
    header: str
    emit: Callable[[int], None]
    queued: Callable[[], int]
    ids: Callable[[dict], list[int]]


@dataclass
class Outcome:
    kills: int = 0
    generated: list[int] = field(default_factory=list)
    received: list[int] = field(default_factory=list)

    @property
    def lost(self) -> list[int]:
        got = set(self.received)
        return [n for n in self.generated if n not in got]

    @property
    def repeated(self) -> list[int]:
        return sorted(n for n, count in Counter(self.received).items() if count > 1)

    @property
    def out_of_order(self) -> bool:
        seen = list(dict.fromkeys(self.received))
        return seen != sorted(seen)

    def __repr__(self) -> str:
        return (f"{len(self.lost)} of {len(self.generated)} events lost over {self.kills} kills, "
                f"{len(self.repeated)} received twice{', out of order' if self.out_of_order else ''}")


class _Poller:
    def __init__(self, process: asyncio.subprocess.Process, target: Target):
        self.process, self.target = process, target
        self.stream = b""
        self.polls = 0
        self.readers = asyncio.gather(self._read_answers(), self._count_polls())

    async def _read_answers(self) -> None:
        assert self.process.stdout is not None
        self.stream = await self.process.stdout.read()

    async def _count_polls(self) -> None:
        assert self.process.stderr is not None
        async for _ in self.process.stderr:
            self.polls += 1

    def received(self) -> list[int]:
        return [n for answer in answers(self.stream) for n in self.target.ids(answer)]


async def _start(target: Target, busy: float) -> _Poller:
    host, port = target.url.split("://", 1)[1].rsplit(":", 1)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-I", "-S", "-c", POLLER, host, port, target.path, target.header, str(busy),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    return _Poller(process, target)


async def _held(poller: _Poller, target: Target) -> None:
    """Until the poller has taken every queued event and its next poll is being held."""
    for _ in range(500):
        polls = poller.polls
        await asyncio.sleep(0.02)
        if polls and polls == poller.polls and not target.queued():
            return
    raise AssertionError("the poller never settled into a held poll")


async def kill_race(target: Target, *, kills: int, busy: float = 0.0, events_per_kill: int = 3,
                    spacing: float = 0.0005, kill_within: float = 0.0015, seed: int = 22) -> Outcome:
    """`kills` rounds of: a poller (reading `busy` seconds late) holds a poll, `events_per_kill`
    events come `spacing` seconds apart, the poller is killed at a random moment in the first
    `kill_within` seconds. Then a last poller takes what is left."""
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    outcome = Outcome(kills=kills)

    def emit() -> None:
        n = len(outcome.generated) + 1
        outcome.generated.append(n)
        target.emit(n)

    for _ in range(kills):
        poller = await _start(target, busy)
        await _held(poller, target)
        delay = rng.uniform(0, kill_within)
        # The kill comes from another thread: the event loop (the server) runs on meanwhile.
        killer = threading.Timer(delay, os.kill, (poller.process.pid, signal.SIGKILL))
        emit()
        killer.start()
        for k in range(1, events_per_kill):
            loop.call_later(k * spacing, emit)
        await poller.process.wait()
        await poller.readers
        killer.join()
        await asyncio.sleep(events_per_kill * spacing + 0.05)  # the server sees the connection go
        outcome.received += poller.received()
    last = await _start(target, 0.0)
    await _held(last, target)
    last.process.kill()
    await last.process.wait()
    await last.readers
    outcome.received += last.received()
    return outcome


# -- the faces' long polls -------------------------------------------------------------------------
def race_config() -> config.Config:
    """The tests' configuration with CXone agents, and Huawei polls held 5 s."""
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += NICE_AGENTS
    data["faces"]["nice"] = {}
    data["faces"]["huawei"]["poll_hold_seconds"] = 5
    return config.from_mapping(data, "tests")


async def huawei_target(sim: Simulator, wire: WireClient) -> Target:
    """Agent 291's agentevent; each event an AgentEvent_Hold whose callid carries its id."""
    agent = HuaweiAgentClient(wire, sim.urls["huawei"], "291")
    assert (await agent.sign_in("", autoanswer=False)).body["retcode"] == "0"
    await agent.drain()
    gateway = sim.faces["huawei"].gateway
    session = gateway.sessions["291"]
    return Target(url=sim.urls["huawei"], path="/agentgateway/resource/agentevent/291", header=f"Guid: {agent.guid}",
                  emit=lambda n: gateway.emit(session, "AgentEvent_Hold", f"{n}-1"),
                  queued=lambda: len(session.events),
                  ids=lambda answer: [int(answer["event"]["content"].split("-")[0])] if answer.get("event") else [])


async def nice_target(sim: Simulator, wire: WireClient) -> Target:
    """Agent 7001's get-next-event; each event an AgentLeg whose AgentLegId carries its id."""
    ada = NiceClient(wire, sim.urls["nice"])
    assert (await ada.sign_in("ada@example.com")).status == 200
    await ada.start()
    await ada.events()
    face = sim.faces["nice"]
    session = face.sessions["7001"]
    api = face.api_sessions[ada.session]
    path = ada.api.split("://", 1)[1].split("/", 1)[1]
    return Target(url=sim.urls["nice"], path=f"/{path}agent-sessions/{ada.session}/get-next-event?timeout=5",
                  header=f"Authorization: Bearer {ada.token}",
                  emit=lambda n: face.emit(session, "AgentLeg", AgentLegId=_base6(n), Status="Dialing",
                                           FinalState=False),
                  queued=lambda: len(api.events),
                  ids=lambda answer: [int(e["AgentLegId"], 6) for e in answer.get("events", [])
                                      if e["Type"] == "AgentLeg"])


def _base6(n: int) -> str:
    """CXone ids have no "60" in them (contracts/nice/defs.schema.json): base 6 has no 6."""
    digits = ""
    while n:
        n, digit = divmod(n, 6)
        digits = str(digit) + digits
    return digits or "0"


TARGETS = {"huawei": huawei_target, "nice": nice_target}
