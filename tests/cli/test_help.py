"""`ccsim COMMAND --help` explains: every option has help and shows its default, the text is
wrapped (no line over 100 columns, whatever the terminal), the examples it gives run as written,
and its words are the ones contact-center people use."""
from __future__ import annotations

import argparse
import re
import subprocess
import sys

import pytest
from support.docblocks import Block, ccsim_problems

from ccsim import cli
from ccsim.cli_help import MAX_WIDTH

SUBCOMMANDS = list(next(a for a in cli.build_parser()._actions
                        if isinstance(a, argparse._SubParsersAction)).choices)
COMMANDS = [[], *([name] for name in SUBCOMMANDS)]
IDS = ["ccsim", *SUBCOMMANDS]


def help_text(command: list[str], columns: int, monkeypatch: pytest.MonkeyPatch, capsys) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    with pytest.raises(SystemExit) as exit_:
        cli.main([*command, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


def parser_of(name: str) -> argparse.ArgumentParser:
    return next(a for a in cli.build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices[name]


def test_every_command_is_listed():
    assert SUBCOMMANDS == ["serve", "run", "check", "fuzz", "load", "health", "record"]


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_help_exits_0_as_a_process(command):
    done = subprocess.run([sys.executable, "-m", "ccsim", *command, "--help"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("usage: ccsim") and not done.stderr, done


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_option_has_help_and_shows_its_default(name, monkeypatch, capsys):
    text = help_text([name], 250, monkeypatch, capsys)
    for action in parser_of(name)._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        option = "/".join(action.option_strings) or action.dest
        assert action.help, f"ccsim {name} {option} has no help"
        entry = _entry(text, action)
        if action.default not in (None, False, [], argparse.SUPPRESS):
            assert "default" in entry, f"ccsim {name} {option} does not show its default: {entry!r}"


def _entry(text: str, action: argparse.Action) -> str:
    """An option's entry in the help: its line and the continuation lines under it."""
    first = action.option_strings[0] if action.option_strings else action.metavar
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"  {first}"))
    end = start + 1
    while end < len(lines) and lines[end].startswith(" " * 10) and not lines[end].lstrip().startswith("-"):
        end += 1
    return " ".join(line.strip() for line in lines[start:end])


@pytest.mark.parametrize("columns", [60, 80, 250])
@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_no_help_line_is_wider_than_100_columns(command, columns, monkeypatch, capsys):
    text = help_text(command, columns, monkeypatch, capsys)
    wide = [line for line in text.splitlines() if len(line) > MAX_WIDTH]
    assert not wide, wide
    if columns > MAX_WIDTH:  # the descriptions are wrapped: none is a single line of hundreds of characters
        assert max(map(len, text.splitlines())) > 80


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_the_examples_in_the_help_parse_and_name_files_that_exist(name, monkeypatch, capsys):
    text = help_text([name], 250, monkeypatch, capsys)
    examples = re.findall(r"^ {2}((?:ccsim|python) .*(?:\n {4,}.*)*)$", text, re.M)
    assert examples, f"ccsim {name} --help gives no example"
    block = Block(f"ccsim {name} --help", 0, "sh", "\n".join(examples) + "\n", "")
    assert not ccsim_problems(block)


@pytest.mark.parametrize("command", COMMANDS, ids=IDS)
def test_help_uses_contact_center_words_as_contact_centers_do(command, monkeypatch, capsys):
    """`hold` is a call on hold: not the full-rate period of `ccsim load`, nor a long poll's wait."""
    text = help_text(command, 250, monkeypatch, capsys).lower()
    assert not re.search(r"\b(the|in the) hold\b|poll holds?\b", text), text
