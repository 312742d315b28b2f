"""The README's and docs' fenced code blocks, read as tests: what each block is, and what the text
says it prints. `tests/support/docrun.py` runs them; `tests/docs/test_docs_examples.py` holds the docs to them.

The conventions, for whoever writes the docs:

- A block's info string says what it is. `sh` and `python` blocks are examples: the test suite
  runs each one against `ccsim serve` on the demo configuration, after a reset, unless an HTML
  comment right before the fence says `<!-- not run: REASON -->` (a Docker or a second machine,
  minutes of run time) or `<!-- tested by tests/FILE.py::TEST -->` (another test runs it).
  `output` is what the block before it prints. `yaml`: a scenario (it has `steps:`) is run with
  `ccsim run`, a configuration (`agents`, `queues`, `faces`, ... and no steps) is loaded, other
  YAML is parsed. `text` is shown as it is. Every block has an info string.
- `# -> TEXT` after a shell command, on its line or on lines of their own right after it, is what
  the command prints: TEXT appears in its output (stdout and stderr). `...` in TEXT stands for
  anything, so `# -> {"retcode": "0", ...}` is a start and `# -> ..."agent": "291"...` a part.
- Every line of an `output` block appears in the output of the block before it, in that order;
  lines may come between, and `...` stands for anything.
- Every example that is run expects something (`# ->` or an `output` block), so that it can fail.
- Shell commands run in one bash, one after the other, as a user pastes them: a variable set by
  one (`GUID=$(...)`) is there for the next. Each must exit 0.
- The examples use the demo's default ports (8800 to 8805, anna's phonebar on 8810). The tests
  serve the demo on free ports and rewrite those numbers in the block's text to the ports they
  got, so that they never collide with a `make demo` or another test run on the same machine.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ccsim import cli

ROOT = Path(__file__).resolve().parents[2]
DOCS = ("README.md", *sorted(f"docs/{p.name}" for p in (ROOT / "docs").glob("*.md")))

EXAMPLE_LANGS = {"sh", "python"}
KNOWN_LANGS = EXAMPLE_LANGS | {"output", "yaml", "text"}
CONFIG_KEYS = {"seed", "queues", "agents", "faces", "limits", "journal_capacity", "ended_contacts_kept",
               "port_base", "caller_locale"}

_FENCE = re.compile(r"^(\s*)(```+)\s*([\w-]*)\s*$")
_MARKER = re.compile(r"^<!--\s*(not run|tested by):?\s*(.*?)\s*-->$")
_EXPECT = re.compile(r"(?:^|\s)#\s*->\s?(.*)$")
_HEADING = re.compile(r"^#{1,6}\s+(.*)$")


@dataclass
class Block:
    doc: str  # the document, relative to the repository: "README.md", "docs/load.md"
    line: int  # the line of the opening fence, from 1
    lang: str
    text: str
    heading: str  # the section it is in
    marker: tuple[str, str] | None = None  # ("not run", why) or ("tested by", "tests/x.py::test")
    output: Block | None = None  # the `output` block that follows it

    @property
    def where(self) -> str:
        return f"{self.doc}:{self.line}"

    @property
    def runnable(self) -> bool:
        return self.lang in EXAMPLE_LANGS and self.marker is None


@dataclass
class Command:
    """One shell command as bash runs it (continuation lines kept), with what it must print."""
    text: str
    line: int  # in the document
    expected: list[str] = field(default_factory=list)


def read(doc: str) -> str:
    return (ROOT / doc).read_text(encoding="utf-8")


def blocks(text: str, doc: str) -> list[Block]:
    """The fenced blocks of a Markdown text, each with the marker before it and the `output` block
    after it."""
    found: list[Block] = []
    lines = text.splitlines()
    heading, i = "", 0
    while i < len(lines):
        if (title := _HEADING.match(lines[i])) is not None:
            heading = title.group(1)
        fence = _FENCE.match(lines[i])
        if fence is None:
            i += 1
            continue
        indent, ticks, lang = fence.groups()
        end = i + 1
        while end < len(lines) and lines[end].strip() != ticks:
            end += 1
        body = "\n".join(line[len(indent):] if line.startswith(indent) else line for line in lines[i + 1:end])
        block = Block(doc, i + 1, lang, body + "\n", heading, _marker_before(lines, i))
        if lang == "output" and found and found[-1].output is None:
            found[-1].output = block
        found.append(block)
        i = end + 1
    return found


def _marker_before(lines: list[str], fence: int) -> tuple[str, str] | None:
    """The marker among the HTML comments (and blank lines) right before a fence."""
    before = fence - 1
    while before >= 0 and (not lines[before].strip() or lines[before].strip().startswith("<!--")):
        if (marker := _MARKER.match(lines[before].strip())) is not None:
            return marker.group(1), marker.group(2)
        before -= 1
    return None


def all_blocks() -> list[Block]:
    return [b for doc in DOCS for b in blocks(read(doc), doc)]


def commands(block: Block) -> list[Command]:
    """The shell commands of an `sh` block: continuation lines joined, comment lines dropped, each
    with the `# ->` expectations on its last line and on the comment lines right after it."""
    found: list[Command] = []
    pending: list[str] = []
    first = 0
    for number, line in enumerate(block.text.splitlines(), start=block.line + 1):
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            expected = _EXPECT.match(stripped)
            if expected and found and stripped.startswith("#"):
                found[-1].expected.append(expected.group(1).strip())
            continue
        if not pending:
            first = number
        pending.append(line)
        if line.rstrip().endswith("\\"):
            continue
        command = Command("\n".join(pending), first)
        if (expected := _EXPECT.search(line)) is not None:
            command.expected.append(expected.group(1).strip())
        found.append(command)
        pending = []
    return found


def expectation_lines(block: Block) -> list[str]:
    return [line for line in block.output.text.splitlines() if line.strip()] if block.output else []


def expects_something(block: Block) -> bool:
    if block.lang == "sh":
        return any(c.expected for c in commands(block)) or bool(expectation_lines(block))
    return bool(expectation_lines(block))


def find(expected: str, actual: str, start: int = 0) -> int | None:
    """Where `expected` (`...` for anything) ends in `actual`, looking from `start`; None if it is
    not there."""
    position = start
    for part in (p.strip() for p in expected.split("...")):
        if not part:
            continue
        found = actual.find(part, position)
        if found < 0:
            return None
        position = found + len(part)
    return position


def missing(expected: list[str], actual: str) -> str | None:
    """The first of `expected` that `actual` does not show, in order; None when it shows them all."""
    position = 0
    for text in expected:
        end = find(text, actual, position)
        if end is None:
            return text
        position = end
    return None


def with_ports(text: str, ports: dict[int, int]) -> str:
    """The text with each default port (a whole number, not part of a longer one) replaced by the
    port the tests' server got."""
    if not ports:
        return text
    pattern = re.compile(r"(?<![\d.])(" + "|".join(str(p) for p in ports) + r")(?![\d])")
    return pattern.sub(lambda m: str(ports[int(m.group(1))]), text)


def ccsim_invocations(command: Command) -> list[list[str]]:
    """Each `ccsim ...` of a shell command (also after `&&`, `;` or `|`), as its arguments without
    redirections."""
    lexer = shlex.shlex(command.text.replace("\\\n", " "), posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:  # an unbalanced quote: the command itself is broken
        return [["<unparsable>", command.text]]
    found, segment = [], []
    for token in [*tokens, ";"]:
        if token in ("&&", "||", ";", "|", "&", ";;"):
            if segment[:1] == ["ccsim"]:
                found.append(_without_redirections(segment[1:]))
            segment = []
        else:
            segment.append(token)
    return found


def ccsim_problems(block: Block) -> list[str]:
    """What is wrong with the `ccsim` command lines of a shell block, run or not: an option its
    command does not have, a scenario or configuration file that neither exists in the checkout
    nor is written by a command before it."""
    problems: list[str] = []
    made: set[str] = set()  # what the commands before may have written: every word they have
    for command in commands(block):
        for args in ccsim_invocations(command):
            where = f"{block.doc}:{command.line}: `ccsim {' '.join(args)}`"
            parsed, error = _parse(args)
            if error:
                problems.append(f"{where}: {error}")
            inputs = list(getattr(parsed, "paths", None) or []) + [getattr(parsed, "config", None) or ""]
            problems += [f"{where} reads {path}, which does not exist" for path in filter(None, inputs)
                         if not (ROOT / path).exists() and not made & {str(p) for p in (Path(path), *Path(path).parents)}]
            made |= {arg.rstrip("/") for arg in args}  # `--save-failures DIR && ccsim run DIR`
        made |= {word.rstrip("/") for word in re.split(r"[\s>]+", command.text)}
    return problems


def _parse(args: list[str]) -> tuple[argparse.Namespace | None, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            return cli.build_parser().parse_args(args), ""
        except SystemExit as exit_:  # --help exits 0; a bad option 2, with argparse's message
            return None, "" if exit_.code == 0 else err.getvalue().strip().splitlines()[-1]


def _without_redirections(tokens: list[str]) -> list[str]:
    kept, skip = [], False
    for token in tokens:
        if skip:
            skip = False
        elif token in (">", ">>", "<", "2>", "&>"):
            skip = True
        else:
            kept.append(token)
    return kept
