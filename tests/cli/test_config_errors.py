"""Every bad configuration gets a one-line error (issue 22, item 9): the real `ccsim serve` and
`ccsim run`, each refusing before anything listens or runs, with exit status 2, one line on stderr
naming the problem (and the file and line), and no traceback."""
from __future__ import annotations

from pathlib import Path

import pytest

from ccsim import config
from ccsim.contracts import load as load_contract
from support.serve import run

HEAD = "queues: [{id: sales, skills: [sales]}]\n"


def refused(out, *needles: str) -> str:
    assert out.returncode == 2, (out.returncode, out.stdout[-400:], out.stderr[-400:])
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr[:2000]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.mark.parametrize("text, line, needles", [
    # Tracebacks before.
    (HEAD + "agents:\n  - {id: '291'}\n  - {id: 291}\n", 4, ["agent id '291' is given twice"]),
    ("queues:\n  - {id: sales}\n  - {id: sales}\n", 3, ["queue id 'sales' is given twice"]),
    # Unclear before ("'<' not supported between instances of 'str' and 'int'").
    ("faces:\n  huawei:\n    poll_hold_seconds: '10'\n", 3, ["faces.huawei.poll_hold_seconds must be a number, not '10'"]),
    ("faces:\n  nice: {auto_accept: 'yes'}\n", 2, ["faces.nice.auto_accept must be true or false"]),
    # Accepted silently before.
    ("queues:\n  - {id: sales}\n  - {id: vip, overflow: salse}\n", 3,
     ["queue 'vip': overflow 'salse' is not a queue; queues: sales, vip"]),
    ("faces:\n  intermedia:\n    webhooks: [{url: 'halo.example.com/api/notify/intermedia'}]\n", 3,
     ["faces.intermedia: webhook url must be an http:// or https:// URL"]),
    (HEAD + "agents:\n  - {id: '1', huawei: {phone: '40038'}}\n  - {id: '2', huawei: {phone: '40038'}}\n", 4,
     ["agents '1' and '2' have the same huawei phone '40038'"]),
    (HEAD + "agents:\n  - {id: '1', finesse: {extension: '1001'}}\n  - {id: '2', finesse: {extension: 1001}}\n", 4,
     ["agents '1' and '2' have the same finesse extension '1001'"]),
    (HEAD + "agents:\n  - {id: '1', huawei: {}}\n  - {id: '2', huawei: {workno: '1'}}\n", 4,
     ["agents '1' and '2' have the same huawei workno '1'"]),
    (HEAD + "agents:\n  - {id: a, xcally: {internal: '1001'}}\n  - {id: b, xcally: {internal: '1001'}}\n", 4,
     ["agents 'a' and 'b' have the same xcally internal '1001'"]),
    (HEAD + "agents:\n  - {id: '1', intermedia: {number: '+1555'}}\n  - {id: '2', intermedia: {number: '+1555'}}\n",
     4, ["agents '1' and '2' have the same intermedia number '+1555'"]),
])
def test_ccsim_serve_refuses_a_bad_configuration_in_one_line(tmp_path: Path, text, line, needles):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    refused(run("serve", "--port-base", "0", "--config", str(path)), f"ccsim: {path}:{line}: ", *needles)


def test_ccsim_serve_refuses_a_configuration_that_is_not_utf8(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(HEAD.encode() + "agents:\n  - {id: '1', name: 'Zoë'}\n".encode("latin-1"))
    refused(run("serve", "--port-base", "0", "--config", str(path)), f"{path}:3: not UTF-8 text (byte 0xeb)")


@pytest.mark.parametrize("args, needles", [
    (["--port", "huawei=70000"], ["--port huawei=70000: a port is from 0 (a free one) to 65535"]),
    (["--port-base", "-1"], ["--port-base -1: the port base must be 0 (free ports) or from 1 to 65436"]),
    (["--port-base", "65535"], ["--port-base 65535:", "plus up to 99"]),
    (["--port-base", "65437"], ["--port-base 65437:", "the listeners are on it plus up to 99"]),
])
def test_ccsim_serve_refuses_ports_out_of_range_before_anything_listens(args, needles):
    refused(run("serve", *args), *needles)


@pytest.mark.parametrize("env, needles", [
    ({"CCSIM_PORT_BASE": "eighty-eight"}, ["CCSIM_PORT_BASE: expected a whole number, got 'eighty-eight'"]),
    ({"CCSIM_PORT_BASE": "65534"}, ["CCSIM_PORT_BASE=65534: the port base must be"]),
    ({"CCSIM_PUBLIC_URL": "ccsim.example.com"}, ["$CCSIM_PUBLIC_URL"]),
    ({"CCSIM_SEED": "7.5"}, ["CCSIM_SEED: expected a whole number, got '7.5'"]),
    ({"CCSIM_CONFIG": "/no/such/ccsim.yaml"}, ["CCSIM_CONFIG: /no/such/ccsim.yaml: cannot read"]),
])
def test_a_bad_environment_variable_is_named(env, needles):
    refused(run("serve", env=env), *needles)


@pytest.mark.parametrize("body, line, needles", [
    ("agents:\n  - {id: '291'}\n  - {id: '291'}\n", 4, ["agent id '291' is given twice"]),
    ("queues:\n  - {id: q, overflow: nowhere}\n", 3, ["queue 'q': overflow 'nowhere' is not a queue"]),
    ("agents:\n  - {id: '1', huawei: {}}\n  - {id: '2', huawei:\n      {phone: '40038'}}\n  - {id: '3', huawei: "
     "{phone: '40038'}}\n", 6, ["agents '2' and '3' have the same huawei phone '40038'"]),
    ("faces:\n  huawei:\n    ring_timeout_seconds: .inf\n", 4, ["faces.huawei.ring_timeout_seconds must be a number"]),
])
def test_ccsim_run_refuses_a_scenario_with_a_bad_world_before_anything_runs(tmp_path: Path, body, line, needles):
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\n" + body + "steps:\n  - wait: 1s\n")
    out = run("run", str(path))
    refused(out, f"ccsim: {path}:{line}: ", *needles)
    assert "PASS" not in out.stdout


def test_ccsim_run_refuses_a_scenario_that_is_not_utf8(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Zoë's call\nsteps:\n  - wait: 1s\n".encode("latin-1"))
    refused(run("run", str(path)), f"{path}:1: not UTF-8 text")
    folder = tmp_path / "suite"
    folder.mkdir()
    (folder / "latin1.yaml").write_bytes(path.read_bytes())  # found in a folder, then refused the same way
    refused(run("run", str(folder)), "latin1.yaml:1: not UTF-8 text")


def test_the_schema_allows_the_port_bases_the_flag_does():
    """A port base in a file is bounded by the same offsets as --port-base (the schema states it)."""
    highest = config.highest_port_offset()
    assert load_contract("config.schema.json")["properties"]["port_base"]["maximum"] == config.MAX_PORT - highest
    assert config.port_base_problem(config.MAX_PORT - highest) is None
    assert config.port_base_problem(config.MAX_PORT - highest + 1) is not None
