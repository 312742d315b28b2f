"""The `ccsim` command line: commands.py (the parser and dispatch), serve.py, banner.py, health.py."""
from .commands import build_parser, main

__all__ = ["build_parser", "main"]
