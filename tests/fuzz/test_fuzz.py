"""`ccsim fuzz`: the short profile passes on every face (bad input refused in the vendor's own
words, no 5xx, traceback or hang, a normal flow afterwards), and the campaign fails when ccsim
is broken."""
from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys

import pytest

from ccsim.conformance.check import checked_faces
from ccsim.fuzz.campaign import PROFILES, fuzz_face
from ccsim.vendors.huawei.wire import dispatch


@pytest.mark.parametrize("face", checked_faces())
def test_the_short_profile_passes_on_every_face(face):
    result = asyncio.run(fuzz_face(face, inputs=PROFILES["short"], seed=0))
    assert result.passed, (dict(result.failures), result.examples[:5], result.flow_message)
    assert result.inputs == PROFILES["short"] and result.flow_after
    refused = sum(n for status, n in result.statuses.items()
                  if status == "STOMP ERROR" or isinstance(status, int) and 400 <= status < 500)
    assert refused > PROFILES["short"] // 5, result.statuses  # the inputs were bad, and were refused
    if face != "finesse":
        assert result.corpus > 0 and result.kinds["http"] > 0


def test_a_face_that_crashes_on_bad_json_fails_the_campaign(monkeypatch):
    real = dispatch.json_body

    def fragile(raw: bytes, retcode: str = "000-002"):
        if raw.strip() and not raw.strip().startswith(b"{"):
            raise KeyError("a body that is not an object")  # a bug: not a HuaweiError
        return real(raw, retcode)

    monkeypatch.setattr(dispatch, "json_body", fragile)
    result = asyncio.run(fuzz_face("huawei", inputs=200, seed=0))
    # Huawei answers its internal errors as a retcode envelope: the journal and the log tell.
    assert not result.passed and result.failures["contract"] > 0 and result.failures["traceback"] > 0
    assert any("internal error" in e for e in result.examples)


def test_a_traceback_in_the_logs_fails_the_campaign(monkeypatch):
    from ccsim.vendors.finesse.face import FinesseFace

    real = FinesseFace.on_message

    def noisy(self, message, faulted=False):
        logging.getLogger("ccsim.face").exception("a bug that was caught and logged")
        return real(self, message, faulted)

    monkeypatch.setattr(FinesseFace, "on_message", noisy)
    result = asyncio.run(fuzz_face("finesse", inputs=50, seed=0))
    assert not result.passed and result.failures["traceback"] > 0


def test_the_command_writes_a_table_and_json(tmp_path):
    out = subprocess.run([sys.executable, "-m", "ccsim", "fuzz", "--face", "nice", "--inputs", "60",
                          "--json", str(tmp_path / "fuzz.json")], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "nice" in out.stdout and "flow after" in out.stdout and "Traceback" not in out.stderr
    [row] = json.loads((tmp_path / "fuzz.json").read_text())
    assert row["face"] == "nice" and row["inputs"] == 60 and row["passed"] and row["failures"] == {}
    wrong = subprocess.run([sys.executable, "-m", "ccsim", "fuzz", "--face", "avaya"], capture_output=True,
                           text=True, timeout=60)
    assert wrong.returncode == 2 and "unknown face(s) avaya" in wrong.stderr
