"""Safe YAML (issue 22, item 4): one loader for configurations and scenarios refuses alias bombs,
self-referring aliases, deep nesting and oversize files before anything is built, with a one-line
error naming the file and line that never quotes the expanded data; anchors used as people use
them keep working."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from ccsim import config
from ccsim.safe_yaml import MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_VALUES, YamlError, parse_yaml
from ccsim.scenario import loader
from support.serve import run

# 599 bytes that stand for 9**9 (387 million) strings: the bomb.
BOMB = "\n".join(
    [f'a: &a [{",".join(["lol"] * 9)}]']
    + [f"{name}: &{name} [{','.join(['*' + prev] * 9)}]" for prev, name in zip("abcdefgh", "bcdefghi")]
) + "\n"
SCENARIO_STEPS = "name: bomb\nsteps:\n  - wait: 1s\n"


def _one_line_error(out, *needles: str) -> str:
    assert out.returncode == 2, (out.returncode, out.stdout[-500:], out.stderr[-500:])
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) < 300, out.stderr[:1000]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


# -- the loader -------------------------------------------------------------------------------------
def test_an_alias_bomb_is_refused_at_once_naming_the_anchor_line():
    started = time.monotonic()
    with pytest.raises(YamlError) as caught:
        parse_yaml(BOMB, "bomb.yaml")
    assert time.monotonic() - started < 5
    error = caught.value
    assert error.line == 6  # f: nine aliases of e (9**5 values each) pass the budget
    assert f"more than {MAX_YAML_VALUES:,} values" in error.message and "lol" not in str(error)


def test_anchors_used_as_people_use_them_still_work(tmp_path: Path):
    team = tmp_path / "team.yaml"
    team.write_text(
        "queues: [{id: sales, skills: [sales]}]\n"
        "agents:\n"
        "  - &agent {id: '0', skills: [sales], capacity: {chat: 2}, huawei: {password: ''}}\n"
        + "".join(f"  - {{<<: *agent, id: '{n}', huawei: {{password: '', phone: '4{n}'}}}}\n" for n in range(1, 300)))
    cfg = config.load(team)
    assert len(cfg.agents) == 300
    assert cfg.agents[7] == {"id": "7", "skills": ["sales"], "capacity": {"chat": 2},
                             "huawei": {"password": "", "phone": "47"}}
    scenario = tmp_path / "shared.yaml"
    scenario.write_text("name: shared\nqueues: [{id: q}]\nsteps:\n  - &call {customer calls: {queue: q}}\n"
                        "  - *call\n  - wait: &pause 30s\n  - wait: *pause\n")
    assert len(loader.load(scenario).steps) == 4


def test_an_alias_inside_its_own_anchor_is_refused():
    for text in ("a: &a [1, *a]\n", "a: &a {b: {c: *a}}\n"):
        with pytest.raises(YamlError, match="inside the value it names") as caught:
            parse_yaml(text, "loop.yaml")
        assert caught.value.line == 1


def test_nesting_deeper_than_the_limit_is_refused_and_the_limit_itself_is_fine():
    ok = "[" * MAX_YAML_DEPTH + "]" * MAX_YAML_DEPTH
    assert parse_yaml(ok, "ok.yaml") is not None
    with pytest.raises(YamlError, match=f"nested more than {MAX_YAML_DEPTH} levels deep"):
        parse_yaml("[" * 500 + "]" * 500, "deep.yaml")
    with pytest.raises(YamlError, match="nesting depth|nested more than"):  # libyaml's own limit is 1000
        parse_yaml("[" * 50_000 + "]" * 50_000, "deeper.yaml")


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path: Path):
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as f:
        f.truncate(100 * 1024 * 1024)  # 100 MB, sparse: refused by its size alone
    started = time.monotonic()
    with pytest.raises(config.ConfigError, match="is over 10 MiB"):
        config.load(huge)
    assert time.monotonic() - started < 2
    with pytest.raises(YamlError, match="is over 10 MiB"):
        parse_yaml(b"#" * (MAX_YAML_BYTES + 1), "bytes.yaml")


def test_a_key_given_twice_is_refused_in_a_configuration_too_but_a_merged_key_may_be_overridden():
    with pytest.raises(YamlError, match="'seed' is given twice") as caught:
        parse_yaml("seed: 1\nagents: []\nseed: 2\n", "twice.yaml")
    assert caught.value.line == 3
    assert parse_yaml("d: &d {a: 1, b: 2}\nx: {<<: *d, a: 5}\n", "m.yaml")["x"] == {"a": 5, "b": 2}


def test_non_utf8_text_is_refused_with_its_line():
    with pytest.raises(YamlError, match=r"not UTF-8 text \(byte 0xff\)") as caught:
        parse_yaml(b"seed: 1\nagents:\n  - {id: '1', name: \"\xff\"}\n", "latin.yaml")
    assert caught.value.line == 3
    assert parse_yaml("\ufeffseed: 3\n".encode(), "bom.yaml") == {"seed": 3}  # an editor's BOM is fine


def test_a_huge_value_is_not_echoed_in_the_error(tmp_path: Path):
    text = "seed: [" + ", ".join(["123456789"] * 50_000) + "]\n"
    with pytest.raises(config.ConfigError) as caught:
        config.from_mapping(parse_yaml(text, "big.yaml"), "big.yaml")
    assert "seed" in str(caught.value) and "is not of type 'integer'" in str(caught.value)
    assert len(str(caught.value)) < 300
    with pytest.raises(loader.ScenarioError) as scenario:
        loader.loads("name: big\nsteps:\n  - wait: [" + ", ".join(["1"] * 100_000) + "]\n", "big.yaml")
    assert scenario.value.line == 3 and len(str(scenario.value)) < 600


# -- the commands ---------------------------------------------------------------------------------
def test_ccsim_run_refuses_a_bomb_scenario_and_a_bomb_in_a_step(tmp_path: Path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(SCENARIO_STEPS + "x-data:\n" + "".join("  " + line + "\n" for line in BOMB.splitlines()))
    _one_line_error(run("run", str(bomb)), f"{bomb}:10:", "more than 1,000,000 values")
    waits = tmp_path / "wait.yaml"
    waits.write_text(BOMB + "name: wait\nsteps:\n  - wait: *i\n")
    _one_line_error(run("run", str(waits)), f"{waits}:6:", "more than 1,000,000 values")


def test_ccsim_serve_refuses_a_bomb_configuration(tmp_path: Path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB.replace("i: &i", "agents: &i"))
    _one_line_error(run("serve", "--port-base", "0", "--config", str(bomb)), f"{bomb}:6:", "1,000,000")


def test_ccsim_run_refuses_a_100_mb_scenario_at_once(tmp_path: Path):
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as f:
        f.write(SCENARIO_STEPS.encode())
        f.truncate(100 * 1024 * 1024)
    started = time.monotonic()
    _one_line_error(run("run", str(huge)), f"{huge}: is over 10 MiB")
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("text, line, needle", [
    ("seed: 1\nqueues:\n  - {id: q, timeout: 2026-13-45}\n", 3, "month must be in 1..12"),
    ("seed: !!int seven\n", 1, "invalid literal for int()"),
    ("seed: " + "9" * 5000 + "\n", 1, "not valid YAML"),
    ("agents:\n  - {id: 0x" + "f" * 5000 + "}\n", 2, "a whole number of 5,002 characters"),
])
def test_a_value_its_type_cannot_hold_is_refused_with_its_line(text, line, needle):
    with pytest.raises(YamlError) as caught:
        parse_yaml(text, "values.yaml")
    assert caught.value.line == line and needle in caught.value.message and len(str(caught.value)) < 600


def test_ccsim_serve_refuses_an_impossible_date_or_number(tmp_path: Path):
    for text, needle in (("seed: 2026-02-30\n", "day is out of range for month"),
                         ("agents:\n  - {id: 0x" + "f" * 5000 + "}\n", "longer than any value ccsim takes")):
        path = tmp_path / "values.yaml"
        path.write_text(text)
        _one_line_error(run("serve", "--port-base", "0", "--config", str(path)), f"{path}:", needle)
