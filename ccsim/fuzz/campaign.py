"""One fuzz campaign per face, in process on the virtual clock:

1. the face's conformance check runs a few examples: its journal gives the corpus, real
   requests with live ids, GUIDs and tokens, and leaves agents signed in;
2. Hypothesis draws `inputs` bad inputs (http.py, stomp.py, socketio.py) and sends each over
   the real wire; every answer is judged: no 5xx, no traceback (in the answer, the logs or the
   loop), an answer within `hang_seconds`, and every message the face journaled valid against
   contracts/ (the vendor's own error, in the vendor's own shape);
3. the check runs again: the face still serves a normal flow.
"""
from __future__ import annotations

import asyncio
import io
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import yarl
from hypothesis import Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from ..conformance.check import check_config, check_session
from ..contracts.emitted import entry_violations
from ..core.clock import IN_PROCESS_HEADER, wall_seconds
from ..scenario.explore import hypothesis_settings
from ..scenario.session import Portal, Session
from .http import Request, bad_requests
from .socketio import SocketInput, bad_socketio, send_socketio
from .stomp import StompInput, bad_stomp, send_stomp

PROFILES = {"short": 300, "long": 100_000}  # inputs per face
SEED_EXAMPLES = 3  # conformance examples before the campaign (the corpus) and after (the flow)
KEEP_FAILURES = 20


@dataclass
class FuzzResult:
    face: str
    seed: int
    inputs: int = 0
    kinds: Counter = field(default_factory=Counter)  # http, stomp, socketio
    statuses: Counter = field(default_factory=Counter)  # HTTP status (or "STOMP ERROR", "STOMP other") -> count
    failures: Counter = field(default_factory=Counter)  # 5xx, traceback, hang, contract, no answer
    examples: list[str] = field(default_factory=list)  # the first failures, described
    corpus: int = 0
    flow_after: bool = False
    flow_message: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.failures and self.flow_after and self.inputs > 0

    def fail(self, kind: str, what: str) -> None:
        self.failures[kind] += 1
        if len(self.examples) < KEEP_FAILURES:
            self.examples.append(f"{kind}: {what}")

    def to_dict(self) -> dict[str, Any]:
        return {"face": self.face, "seed": self.seed, "passed": self.passed, "inputs": self.inputs,
                "kinds": dict(self.kinds), "statuses": {str(k): v for k, v in sorted(self.statuses.items(), key=str)},
                "failures": dict(self.failures), "examples": self.examples, "corpus": self.corpus,
                "flowAfter": self.flow_after, "flowMessage": self.flow_message, "seconds": round(self.seconds, 1)}


class _Tracebacks(logging.Handler):
    """Whatever any logger reports with a traceback or at ERROR, and what the loop could not handle."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        cause = ""
        if record.exc_info and record.exc_info[1] is not None:
            cause = f" ({type(record.exc_info[1]).__name__}: {str(record.exc_info[1])[:200]})"
        self.seen.append(f"{record.name}: {record.getMessage()[:300]}{cause}")

    def loop_error(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        self.seen.append(f"event loop: {context.get('message')} {context.get('exception')!r}")


def _strategy(face: str, corpus: list[dict[str, Any]]) -> st.SearchStrategy:
    if face == "finesse":
        return bad_stomp()
    if face == "xcally":
        return st.one_of(bad_requests(corpus), bad_requests(corpus), bad_requests(corpus), bad_socketio())
    return bad_requests(corpus)


class Campaign:
    def __init__(self, session: Session, face: str, result: FuzzResult, hang_seconds: float):
        self.session, self.face, self.result, self.hang_seconds = session, face, result, hang_seconds
        self.base = session.urls[face]
        self.http = aiohttp.ClientSession(skip_auto_headers=("User-Agent", "Content-Type"),
                                          timeout=aiohttp.ClientTimeout(total=hang_seconds),
                                          connector=aiohttp.TCPConnector(limit=0, force_close=True))
        self.journal_seen = session.sim.journal.last_seq + 1

    async def send(self, item: Any) -> None:
        self.result.inputs += 1
        if isinstance(item, Request):
            await self._http(item)
        elif isinstance(item, StompInput):
            self.result.kinds["stomp"] += 1
            host, port = self.base.removeprefix("stomp://").split(":")
            try:
                answer = await asyncio.wait_for(send_stomp(host, int(port), item, 0.05), self.hang_seconds)
                self.result.statuses["STOMP ERROR" if b"ERROR\n" in answer else "STOMP other"] += 1
            except TimeoutError:
                self.result.fail("hang", item.describe())
            except OSError as exc:
                self.result.fail("no answer", f"{item.describe()}: {exc}")
        elif isinstance(item, SocketInput):
            self.result.kinds["socketio"] += 1
            try:
                # Waits longer than the 2 s bound on a polling POST (notify.POLLING_POST_SECONDS).
                for status in await send_socketio(self.http, self.base, item, 4.0):
                    self._judge_status(status, "", item.describe())
            except (TimeoutError, aiohttp.ClientError) as exc:
                if isinstance(exc, TimeoutError):
                    self.result.fail("hang", item.describe())
        self._check_journal()

    async def _http(self, req: Request) -> None:
        self.result.kinds["http"] += 1
        clock = self.session.clock
        headers = {**req.headers, IN_PROCESS_HEADER: "1"}
        clock.release()  # as a scenario step does: a long poll held by the face lets time run
        try:
            with clock.activity():
                body = io.BytesIO(req.body) if len(req.body) > 65536 else req.body  # big: streamed
                async with self.http.request(req.method, yarl.URL(req.url(self.base), encoded=True), data=body,
                                             headers=headers) as resp:
                    raw = await resp.read()
            self._judge_status(resp.status, raw.decode("utf-8", "replace"), req.describe())
        except TimeoutError:
            self.result.fail("hang", req.describe())
        except aiohttp.ClientResponseError as exc:  # answered, in a way aiohttp's client would not read
            self._judge_status(exc.status, exc.message, req.describe())
        except aiohttp.ClientError as exc:
            self.result.fail("no answer", f"{req.describe()}: {type(exc).__name__}: {exc}")
        finally:
            clock.hold()

    def _judge_status(self, status: int, text: str, what: str) -> None:
        self.result.statuses[status] += 1
        if status >= 500:
            self.result.fail("5xx", f"HTTP {status} for {what}: {text[:200]}")
        if "Traceback (most recent call last)" in text:
            self.result.fail("traceback", f"in the answer to {what}")

    def _check_journal(self) -> None:
        journal = self.session.sim.journal
        for entry in journal.query(since=self.journal_seen):
            for problem in entry_violations(entry):
                self.result.fail("contract", problem[:300] + " ... " + problem[-300:])
        self.journal_seen = journal.last_seq + 1


async def fuzz_face(face: str, *, inputs: int, seed: int = 0, hang_seconds: float = 10.0) -> FuzzResult:
    started = wall_seconds()
    result = FuzzResult(face, seed)
    catcher = _Tracebacks()
    root = logging.getLogger()
    loop = asyncio.get_running_loop()
    previous_handler = loop.get_exception_handler()
    root.addHandler(catcher)
    loop.set_exception_handler(catcher.loop_error)
    session = await Session.open(check_config(face))
    try:
        warm = await check_session(session, face, examples=SEED_EXAMPLES, seed=seed)
        if not warm.passed:
            result.flow_message = f"the check failed before the campaign: {warm.violations or warm.error}"
            return result
        corpus = [e.request for e in session.sim.journal.query() if e.face == face and e.kind == "http"]
        result.corpus = len(corpus)
        campaign = Campaign(session, face, result, hang_seconds)
        portal = Portal(loop)
        strategy = _strategy(face, corpus)

        @hypothesis_seed(seed)
        @settings(hypothesis_settings(inputs), phases=[Phase.generate])
        @given(st.data())
        def one_input(data: st.DataObject) -> None:
            portal.call(campaign.send(data.draw(strategy)))

        session.hold()
        try:
            await asyncio.to_thread(one_input)
        finally:
            session.unhold()
            await campaign.http.close()
        after = await check_session(session, face, examples=SEED_EXAMPLES, seed=seed + 1)
        result.flow_after = after.passed
        result.flow_message = "" if after.passed else f"after the campaign: {after.violations or after.error}"
    finally:
        await session.close()
        root.removeHandler(catcher)
        loop.set_exception_handler(previous_handler)
        for seen in catcher.seen:
            result.fail("traceback", seen)
        result.seconds = wall_seconds() - started
    return result
