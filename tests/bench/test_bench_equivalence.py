"""bench/equivalence.py's --compare, on small fingerprints: equal files are `identical` (exit 0),
different ones give a line per difference naming where it is (exit 1); its normalisation; and the
Hypothesis hook it turns off. The fingerprint itself is a benchmark (it runs every scenario,
check, fuzz and load): the tests never take one."""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from hypothesis.internal.conjecture import providers

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "equivalence.py"
spec = importlib.util.spec_from_file_location("bench_equivalence", SCRIPT)
equivalence = importlib.util.module_from_spec(spec)
spec.loader.exec_module(equivalence)

FINGERPRINT = {"package": "simulator",
               "scenarios": {"huawei/hold.yaml": {"passed": True, "steps_run": 12, "entries": 40,
                                                  "journal_sha256": "ab" * 32}},
               "check": {"exit": 0, "faces": {"nice": {"passed": True, "steps": 337, "rules": {"accept": 3}}},
                         "order": ["huawei", "nice"]},
               "fuzz": {"exit": 0, "faces": {"nice": {"statuses": {"200": 22, "404": 100}}}}}


def write(tmp_path: Path, name: str, doc: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_equal_fingerprints_are_identical_whatever_the_package(tmp_path, capsys):
    renamed = {**json.loads(json.dumps(FINGERPRINT)), "package": "ccsim"}
    code = equivalence.main(["--compare", str(write(tmp_path, "a.json", FINGERPRINT)),
                             str(write(tmp_path, "b.json", renamed))])
    assert (code, capsys.readouterr().out) == (0, "identical\n")


def test_each_difference_is_reported_by_where_it_is(tmp_path, capsys):
    changed = json.loads(json.dumps(FINGERPRINT))
    changed["scenarios"]["huawei/hold.yaml"]["journal_sha256"] = "cd" * 32
    changed["check"]["faces"]["nice"]["rules"]["accept"] = 4
    changed["check"]["order"] = ["nice", "huawei"]
    changed["fuzz"]["faces"]["nice"]["statuses"]["404"] = 100.0  # a number of another type is a change
    del changed["fuzz"]["faces"]["nice"]["statuses"]["200"]
    code = equivalence.main(["--compare", str(write(tmp_path, "a.json", FINGERPRINT)),
                             str(write(tmp_path, "b.json", changed))])
    out = capsys.readouterr().out
    assert code == 1
    assert out.startswith("6 difference(s) between ")
    for where in ("scenarios.huawei/hold.yaml.journal_sha256: ", "check.faces.nice.rules.accept: 3 != 4",
                  'check.order[0]: "huawei" != "nice"', 'check.order[1]: "nice" != "huawei"',
                  "fuzz.faces.nice.statuses.200: only in the first: 22", "fuzz.faces.nice.statuses.404: 100 != 100.0"):
        assert f"  {where}" in out


def test_the_same_keys_in_another_order_are_a_difference(tmp_path, capsys):
    reordered = {**FINGERPRINT, "scenarios": {"huawei/hold.yaml": dict(
        reversed(FINGERPRINT["scenarios"]["huawei/hold.yaml"].items()))}}
    code = equivalence.main(["--compare", str(write(tmp_path, "a.json", FINGERPRINT)),
                             str(write(tmp_path, "b.json", reordered))])
    assert code == 1
    assert "scenarios.huawei/hold.yaml: the same keys in another order" in capsys.readouterr().out


def test_normalising_replaces_local_addresses_and_varying_keys_only():
    entry = {"request": {"path": "http://127.0.0.1:41234/x", "sid": "Zx9", "headers": {"Host": "localhost:8080"}},
             "response": {"body": {"elapsedMs": 12, "phoneBarRemoteControlPort": 33733, "port": 9888,
                                   "to": "[::1]:5", "at": "10.0.0.1:80"}}}
    assert equivalence.normalised(entry) == {
        "request": {"path": "http://HOST:PORT/x", "sid": "<varies>", "headers": {"Host": "HOST:PORT"}},
        "response": {"body": {"elapsedMs": "<varies>", "phoneBarRemoteControlPort": "<varies>", "port": 9888,
                              "to": "HOST:PORT", "at": "10.0.0.1:80"}}}


def test_the_cli_runs_without_hypothesis_local_constants(monkeypatch):
    # The installed Hypothesis must still have the hook the script empties (else it stops, saying so).
    monkeypatch.setattr(providers, "_get_local_constants", providers._get_local_constants)  # restored after
    assert len(providers._get_local_constants()) > 0  # this checkout's own literals, as an editable install
    equivalence.without_local_constants()
    assert len(providers._get_local_constants()) == 0
