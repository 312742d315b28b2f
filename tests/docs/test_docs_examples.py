"""The README and docs/*.md as tests: every example is run (against `ccsim serve` on the demo
configuration) and must print what the text says, or says why it is not run; every `ccsim`
command line in them parses; every scenario in them passes. The conventions are in
tests/support/docblocks.py."""
from __future__ import annotations

import argparse
import asyncio
import re
from pathlib import Path

import pytest
import yaml
from support.docblocks import (CONFIG_KEYS, KNOWN_LANGS, ROOT, Block, all_blocks, blocks, ccsim_problems, commands,
                               expects_something, find, read, with_ports)
from support.docrun import DemoServer, ExampleFailed, run, workdir

from ccsim import cli
from ccsim import config as config_mod
from ccsim.scenario import loader
from ccsim.scenario.runner import run_scenario

BLOCKS = all_blocks()
EXAMPLES = [b for b in BLOCKS if b.runnable]


def _yaml_kind(block: Block) -> str:
    data = yaml.safe_load(block.text)
    if isinstance(data, dict) and "steps" in data:
        return "scenario"
    if isinstance(data, dict) and set(data) <= CONFIG_KEYS:
        return "configuration"
    return "fragment"


YAML = [b for b in BLOCKS if b.lang == "yaml" and b.marker is None]


@pytest.fixture(scope="module")
def demo():
    server = DemoServer.start()
    yield server
    server.stop()


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    return workdir(tmp_path)


def _block(doc: str, lang: str, heading: str, text: str | None = None) -> Block:
    found = [b for b in blocks(text or read(doc), doc) if b.lang == lang and heading in b.heading and b.runnable]
    assert found, f"no {lang} block under a heading with {heading!r} in {doc}"
    return found[0]


# -- what every block is ----------------------------------------------------------------------------
def test_every_block_says_what_it_is():
    unknown = [f"{b.where}: ```{b.lang}" for b in BLOCKS if b.lang not in KNOWN_LANGS]
    assert not unknown, f"give these blocks one of {sorted(KNOWN_LANGS)} (tests/support/docblocks.py): {unknown}"


def test_every_example_is_run_or_says_why_not():
    unexplained = [b.where for b in BLOCKS if b.marker and b.marker[0] == "not run" and not b.marker[1]]
    assert not unexplained, f"`<!-- not run: REASON -->` needs its reason: {unexplained}"
    for block in BLOCKS:
        if block.marker and block.marker[0] == "tested by":
            path, _, test = block.marker[1].partition("::")
            assert (ROOT / path).is_file() and f"def {test}(" in (ROOT / path).read_text(encoding="utf-8"), \
                f"{block.where}: {block.marker[1]} does not exist"
    markers_on_what_is_no_example = [b.where for b in BLOCKS if b.marker and b.lang not in ("sh", "python", "yaml")]
    assert not markers_on_what_is_no_example, markers_on_what_is_no_example
    assert len(EXAMPLES) >= 5, [b.where for b in EXAMPLES]


def test_every_example_that_is_run_expects_something():
    silent = [b.where for b in EXAMPLES if not expects_something(b)]
    assert not silent, f"say what these print (`# ->` or an ```output block): {silent}"
    orphans = [b.where for i, b in enumerate(BLOCKS) if b.lang == "output"
               and (i == 0 or BLOCKS[i - 1].output is not b or not BLOCKS[i - 1].runnable)]
    assert not orphans, f"an ```output block must follow an example that is run: {orphans}"
    python_arrows = [b.where for b in BLOCKS if b.lang == "python" and re.search(r"#\s*->", b.text)]
    assert not python_arrows, f"`# ->` is checked in sh blocks only; use an ```output block: {python_arrows}"


# -- the examples, run ----------------------------------------------------------------------------
@pytest.mark.parametrize("block", EXAMPLES, ids=[b.where for b in EXAMPLES])
def test_the_example_does_what_the_text_says(block: Block, demo: DemoServer, cwd: Path):
    demo.reset()
    run(block, demo, cwd)
    assert not demo.journal_problems()


def test_the_finesse_example_runs_twice_in_a_row(demo: DemoServer, cwd: Path):
    """It signs its agent out again: a second run is not CF_SPECIFIED_AGENT_ALREADY_SIGNED_ON."""
    block = _block("README.md", "python", "Finesse")
    demo.reset()
    run(block, demo, cwd)
    second = run(block, demo, cwd)
    assert "Error" not in second, second


@pytest.mark.parametrize("wrong, right", [
    # The quick start as it was: the documentation's loginex body leaves auto-answer on.
    ("# -> AgentEvent_Ringing", "# -> AgentEvent_Auto_Answer"),
    ("# -> AgentEvent_Talking", "# -> AgentEvent_Auto_Answer"),
])
def test_an_example_that_stops_doing_what_the_readme_says_fails(wrong, right, demo: DemoServer, cwd: Path):
    readme = read("README.md")
    assert right in readme
    block = _block("README.md", "sh", "Quick start", readme.replace(right, wrong))
    demo.reset()
    with pytest.raises(ExampleFailed, match=f"the text says `{wrong[5:]}` comes back"):
        run(block, demo, cwd)


def test_an_output_block_that_stops_matching_fails(demo: DemoServer, cwd: Path):
    readme = read("README.md")
    block = _block("README.md", "python", "Finesse", readme.replace("1001#State#READY#\n", "1001#State#TALKING#\n"))
    demo.reset()
    with pytest.raises(ExampleFailed, match="shows `1001#State#TALKING#`"):
        run(block, demo, cwd)


# -- scenarios and configurations in the docs -------------------------------------------------------
@pytest.mark.parametrize("block", YAML, ids=[b.where for b in YAML])
def test_the_yaml_in_the_docs_is_what_it_claims(block: Block, tmp_path: Path):
    kind = _yaml_kind(block)
    path = tmp_path / "block.yaml"
    path.write_text(block.text, encoding="utf-8")
    if kind == "scenario":
        result = asyncio.run(run_scenario(loader.load(path)))
        assert result.passed, f"{block.where}: {result.message}"
    elif kind == "configuration":
        config_mod.load(str(path))


# -- every ccsim command line and synopsis --------------------------------------------------------
SHELL = [b for b in BLOCKS if b.lang == "sh"]


@pytest.mark.parametrize("block", SHELL, ids=[b.where for b in SHELL])
def test_every_ccsim_command_in_the_docs_parses_and_names_files_that_exist(block: Block):
    assert not ccsim_problems(block)


def test_a_command_with_a_file_that_is_not_there_is_caught():
    """`ccsim run demo.yaml --speed 1`, as the README had it: ccsim/demo.yaml is the serve
    configuration, and demo.yaml no file at all."""
    block = Block("README.md", 1, "sh", "ccsim run demo.yaml --speed 1\nccsim run --sped 1 x/\n", "")
    assert ccsim_problems(block) == ["README.md:2: `ccsim run demo.yaml --speed 1` reads demo.yaml, which does not exist",
                                     "README.md:3: `ccsim run --sped 1 x/`: ccsim: error: unrecognized arguments: --sped"]


def test_every_synopsis_names_options_its_command_has():
    parsers = _subcommands()
    synopses = [b for b in BLOCKS if b.lang == "text" and re.match(r"ccsim \w+ [A-Z\[]", b.text)]
    assert len(synopses) >= 3, [b.where for b in synopses]
    for block in synopses:
        name = block.text.split()[1]
        known = {o for action in parsers[name]._actions for o in action.option_strings}
        unknown = sorted(set(re.findall(r"--[\w-]+", block.text)) - known)
        assert not unknown, f"{block.where}: `ccsim {name}` has no {unknown}"


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = cli.build_parser()
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


# -- the harness itself ---------------------------------------------------------------------------
def test_expectations_match_in_order_with_ellipses():
    printed = '{"message": "", "retcode": "0", "result": {"vdnid": 1, "workno": "291"}}'
    assert find('{"message": "", "retcode": "0", ...}', printed) is not None
    assert find('..."workno": "291"...', printed) is not None
    assert find('"workno": "292"', printed) is None
    assert find('"workno" ... "retcode"', printed) is None  # in order


def test_only_whole_default_ports_are_rewritten():
    ports = {8800: 41001, 8810: 41002}
    assert with_ports("http://127.0.0.1:8800/x 18800 88001 :8810 (\"127.0.0.1\", 8800)", ports) == \
        "http://127.0.0.1:41001/x 18800 88001 :41002 (\"127.0.0.1\", 41001)"


def test_commands_join_continuations_and_take_the_arrows_after_them():
    block = Block("x.md", 1, "sh", "a \\\n  b   # -> one\n# -> two\n# prose\nc # -> three\n", "")
    assert [(c.text, c.expected) for c in commands(block)] == [("a \\\n  b   # -> one", ["one", "two"]),
                                                              ("c # -> three", ["three"])]
