"""bench/load_counting.py at a small scale: more agents than aiohttp's default connection pool
(100), every one with a held long poll or a STOMP subscription, on the virtual clock. Every event
the journal says was sent reaches its client once and in order; a client that loses, repeats
or reorders events is caught by the ledger."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import load_counting  # noqa: E402


async def test_150_agents_under_load_receive_every_event_once_in_order():
    r = await load_counting.run(150, 20, 10, (2.0, 6.0), 20.0, 5_000)
    assert r["agents"] == 150 and r["injected"] > 100
    assert sum(r["ended"].values()) == r["injected"]  # every call answered and ended, none stuck
    assert r["events"] > 5 * r["injected"]
    assert (r["lost"], r["duplicated"], r["reordered"], r["timer_errors"]) == (0, 0, 0, 0)


def test_the_ledger_catches_a_lost_a_repeated_and_a_reordered_event():
    class Journal:
        def record(self, face, kind, op, **kw):
            return type("E", (), {"face": face, "kind": kind, "op": op, "agent": kw["agent"],
                                  "response": kw["response"]})()

    journal = Journal()
    ledger = load_counting.Ledger(journal)
    for text in ["1#State#READY", "1#NewInboundCall#5", "1#State#TALKING", "1#State#READY"]:
        journal.record("finesse", "jms", "State", agent="1", response={"tokens": text.split("#"), "body": text})
    for text in ["1#State#READY", "1#State#TALKING", "1#State#TALKING"]:
        ledger.received("finesse", "1", text)
    assert (ledger.reordered, ledger.duplicated, ledger.lost) == (1, 1, 2)
