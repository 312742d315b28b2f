"""What every `ccsim` sub-command's --help shares: text wrapped to the terminal and never wider
than 100 columns, examples kept as written, every default shown, and the --log-level option."""
from __future__ import annotations

import argparse
import shutil
import textwrap

MAX_WIDTH = 100
LOG_LEVELS = ("debug", "info", "warning", "error")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs: a run of lines that start at the margin is a paragraph, wrapped;
    a line ending in a colon is a heading of its own; an indented line (an example, a table row)
    is kept as it is. An option's help that does not
    state its default gets `(default: X)` when there is one."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None):
        width = min(width or shutil.get_terminal_size().columns - 2, MAX_WIDTH)
        super().__init__(prog, indent_increment, max_help_position, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out: list[str] = []
        paragraph: list[str] = []

        def flush() -> None:
            if paragraph:
                out.extend(textwrap.wrap(" ".join(paragraph), width, initial_indent=indent, subsequent_indent=indent))
                paragraph.clear()

        for line in text.strip("\n").splitlines():
            if line and not line[0].isspace() and not line.rstrip().endswith(":"):
                paragraph.append(line.strip())
                continue
            flush()
            out.append(indent + line.rstrip() if line.strip() else "")
        flush()
        return "\n".join(out)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, [], argparse.SUPPRESS):
            return text
        return f"{text} (default: %(default)s)"


def add_parser(sub: argparse._SubParsersAction, name: str, **kwargs) -> argparse.ArgumentParser:
    """A sub-command with ccsim's help formatter."""
    return sub.add_parser(name, formatter_class=HelpFormatter, **kwargs)


def add_log_level(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument("--log-level", default=default, choices=LOG_LEVELS, metavar="LEVEL",
                        help=f"how much ccsim logs on stderr: {', '.join(LOG_LEVELS)} (default: {default})")
