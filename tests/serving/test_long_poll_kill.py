"""The long-poll race (issue 22, item 13): a poller killed within about a millisecond of an
event. ccsim takes nothing off the queue for a client it can see is gone (its FIN may still be
in the kernel), and takes an answer back when the connection shows it was not read (a reset, or
a close that did not acknowledge it). Real clock, pollers in processes of their own
(tests/support/kill_race.py); bench/long_poll_kill.py measures the same with pollers that read at once."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from support.kill_race import TARGETS, Target, answers, kill_race, race_config
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.contracts.emitted import journal_violations
from ccsim.core import RealClock


@pytest.fixture
async def real_sim() -> AsyncIterator[Simulator]:
    sim = Simulator(race_config(), RealClock())
    await sim.start()
    try:
        yield sim
    finally:
        await sim.stop()
    assert not journal_violations(sim.journal)


@pytest.mark.parametrize("face", sorted(TARGETS))
async def test_a_poller_killed_around_an_event_loses_none_of_what_it_had_not_read(real_sim, face):
    """The poller is at work when an answer comes (it reads 5 ms after the socket is readable)
    and is killed in the 1.5 ms after the event: it never read an answer, so none may be lost."""
    async with WireClient() as wire:
        target = await TARGETS[face](real_sim, wire)
    outcome = await kill_race(target, kills=20, busy=0.005)
    assert not outcome.lost and not outcome.repeated and not outcome.out_of_order, outcome


@pytest.mark.parametrize("face", sorted(TARGETS))
async def test_a_poller_that_reads_at_once_is_never_sent_an_event_twice(real_sim, face):
    """Killed around an event, a poller may have read an answer it never used (no server can
    see that); what it did read must never come again, nor out of order."""
    async with WireClient() as wire:
        target = await TARGETS[face](real_sim, wire)
    outcome = await kill_race(target, kills=20, busy=0.0)
    assert not outcome.repeated and not outcome.out_of_order, outcome


async def _poll(target: Target, *, half_close: bool) -> list[int]:
    host, port = target.url.split("://", 1)[1].rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET {target.path} HTTP/1.1\r\nHost: ccsim\r\nConnection: close\r\n{target.header}\r\n\r\n".encode())
    if half_close:
        writer.write_eof()
        await asyncio.sleep(0.1)
        target.emit(1)  # while the half-closed poll is held
    answer = await asyncio.wait_for(reader.read(), 10)
    writer.close()
    assert answer.startswith(b"HTTP/1.1 "), answer
    return [n for body in answers(answer) for n in target.ids(body)]


@pytest.mark.parametrize("face", sorted(TARGETS))
async def test_a_long_poll_that_half_closes_is_answered_with_no_event_and_the_event_waits(real_sim, face):
    """A FIN is all ccsim sees of a client that died with its poll held: the poll ends with no
    event (as after its hold), and the next poll gets the event."""
    async with WireClient() as wire:
        target = await TARGETS[face](real_sim, wire)
    assert await _poll(target, half_close=True) == []
    assert await _poll(target, half_close=False) == [1]
