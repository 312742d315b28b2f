"""Running the docs' examples (tests/support/docblocks.py says what they are) the way a reader does: `ccsim
serve` on the demo configuration as its own process, shell blocks pasted into one bash, Python
blocks given to the Python that ccsim is installed in, from the root of the checkout."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from support.docblocks import ROOT, Block, commands, expectation_lines, expects_something, missing, with_ports

from ccsim.contracts.emitted import entry_violations
from ccsim.config import DEFAULT_PORT_BASE
from ccsim.core import JournalEntry
from ccsim import registry

BIN = Path(sys.executable).parent  # the venv's: `ccsim` and `python` as the reader has them
TIMEOUT = 120  # seconds for one block; the slowest waits a few seconds for an auto-answer
_STEP = "@@ccsim-docs-step"


class ExampleFailed(AssertionError):
    pass


@dataclasses.dataclass
class DemoServer:
    """`ccsim serve --port-base 0` (the demo configuration): its admin URL, and the demo's default
    ports (the base, each face's offset, its further listeners' offsets) mapped to the ones it got."""
    process: subprocess.Popen
    admin: str
    ports: dict[int, int]

    @classmethod
    def start(cls) -> "DemoServer":
        process = subprocess.Popen([str(BIN / "ccsim"), "serve", "--port-base", "0"], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True, env=reader_env())
        urls, extras = _announced_urls(process, time.monotonic() + 60)
        defaults = {DEFAULT_PORT_BASE: urls["admin"]}
        defaults.update({DEFAULT_PORT_BASE + registry.get(face).port_offset: url for face, url in urls.items()
                         if face not in ("admin", "dashboard")})
        for face, listed in extras.items():  # a face's further listeners (XCALLY's phonebars), in order
            first = min(offset for offset, _ in registry.get(face).extra_ports.values())
            defaults.update({DEFAULT_PORT_BASE + first + i: url for i, url in enumerate(listed)})
        return cls(process, urls["admin"], {port: _port(url) for port, url in defaults.items()})

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def reset(self) -> None:
        self._admin("POST", "/_ccsim/reset")

    def journal_problems(self) -> list[str]:
        """What the examples made the simulator emit, against contracts/ (as the `sim` fixture does
        for the in-process tests): no 5xx, no internal error, every message valid."""
        entries = self._admin("GET", "/_ccsim/journal?secrets=show")["entries"]
        return [p for d in entries for p in entry_violations(JournalEntry(
            d["seq"], d["at"], d["face"], d["kind"], d["op"], d.get("agent"), d.get("request"), d.get("response"),
            tuple(d.get("types") or ())))]

    def _admin(self, method: str, path: str) -> dict:
        request = urllib.request.Request(self.admin + path, method=method, data=b"" if method == "POST" else None,
                                         headers={"Content-Type": "application/json"})  # the admin API takes JSON only
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.load(answer)


def _announced_urls(process: subprocess.Popen, deadline: float) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The URLs `ccsim serve` prints at start, by listener ("  huawei      http://..."), and each
    face's further ones, in the order printed under it ("    phonebar of anna: http://...")."""
    urls: dict[str, str] = {}
    extras: dict[str, list[str]] = {}
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        if (main := re.match(r"  (\w+)\s+(\w+://[^/\s]+)", line)) is not None:
            urls[main.group(1)] = main.group(2)
        elif (extra := re.match(r"    .*?(\w+://[^/\s]+)", line)) is not None and urls:
            extras.setdefault(list(urls)[-1], []).append(extra.group(1))
        if line.startswith("Ctrl-C"):
            return urls, extras
    raise AssertionError(f"ccsim serve did not come up; it printed {urls}")


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def reader_env() -> dict[str, str]:
    """The environment of a reader who installed ccsim and did not set an admin token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CCSIM_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def workdir(tmp: Path) -> Path:
    """A folder that looks like the checkout's root (every top-level entry linked), so that the
    examples find `scenarios/...` and the files they write land in `tmp`."""
    for entry in ROOT.iterdir():
        if entry.name not in (".git",) and not (tmp / entry.name).exists():
            (tmp / entry.name).symlink_to(entry)
    return tmp


def run(block: Block, server: DemoServer, cwd: Path) -> str:
    """Run an example against the server; raise ExampleFailed when it does not do what the text
    says. Returns what it printed."""
    if not block.runnable:  # `make test` in a block marked not run would run the whole suite
        raise ValueError(f"{block.where} is not an example that the tests run")
    if not expects_something(block):  # nor is a block that says nothing of what it prints run
        raise ExampleFailed(f"{block.where}: the text says nothing of what it prints (`# ->`, ```output)")
    if block.lang == "sh":
        return _run_shell(block, server, cwd)
    return _run_python(block, server, cwd)


def _run_shell(block: Block, server: DemoServer, cwd: Path) -> str:
    steps = commands(block)
    script = ["exec 2>&1"]
    for number, command in enumerate(steps):
        script += [with_ports(command.text, server.ports), f"printf '\\n{_STEP} {number} %d@@\\n' $?"]
    printed = _execute(["bash", "-c", "\n".join(script)], None, block, cwd)
    outputs = re.split(rf"\n?{_STEP} \d+ (\d+)@@\n", printed)
    for number, command in enumerate(steps):
        if 2 * number + 1 >= len(outputs):
            raise ExampleFailed(f"{block.where}: the block stopped before line {command.line}:\n{printed}")
        output, status = outputs[2 * number], int(outputs[2 * number + 1])
        shown = f"line {command.line} of {block.doc}:\n{command.text}\nprinted:\n{output}"
        if status != 0:
            raise ExampleFailed(f"{block.where}: exit status {status} at {shown}")
        expected = [with_ports(e, server.ports) for e in command.expected]
        if (absent := missing(expected, output)) is not None:
            raise ExampleFailed(f"{block.where}: the text says `{absent}` comes back, but {shown}")
    _check_output(block, server, printed.replace(_STEP, ""))
    return printed


def _run_python(block: Block, server: DemoServer, cwd: Path) -> str:
    printed = _execute([str(BIN / "python"), "-"], with_ports(block.text, server.ports), block, cwd)
    _check_output(block, server, printed)
    return printed


def _execute(argv: list[str], stdin: str | None, block: Block, cwd: Path) -> str:
    process = subprocess.Popen(argv, cwd=cwd, env=reader_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        printed, _ = process.communicate(stdin, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        printed, _ = process.communicate()
        raise ExampleFailed(f"{block.where}: still running after {TIMEOUT} s; it printed:\n{printed}") from None
    finally:
        _kill_leftovers(process.pid)
    if process.returncode != 0:
        raise ExampleFailed(f"{block.where}: exit status {process.returncode}; it printed:\n{printed}")
    return printed


def _kill_leftovers(group: int) -> None:
    """A command sent to the background (`ccsim serve ... &`) dies with its block."""
    try:
        os.killpg(group, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):  # nothing left of it
        pass


def _check_output(block: Block, server: DemoServer, printed: str) -> None:
    expected = [with_ports(line, server.ports) for line in expectation_lines(block)]
    if (absent := missing(expected, printed)) is not None:
        raise ExampleFailed(f"{block.where}: the output block at {block.output.where} shows `{absent}`, "
                            f"but the block printed:\n{printed}")
