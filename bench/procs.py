"""Helpers for the benchmarks that measure across processes: a `ccsim serve` or a bare server
in its own process, its URLs, its memory, free ports, percentiles."""
from __future__ import annotations

import contextlib
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tests"))
from support.serve import _wait_for_urls  # noqa: E402  (how the tests read ccsim serve's URLs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port_block(size: int = 8) -> int:
    """The first of `size` consecutive free ports (ccsim serve's port base and its faces'), below
    the kernel's ephemeral range, which the load generators' connections crowd."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20_000, 30_000)
        if all(_free(base + n) for n in range(size)):
            return base
    raise RuntimeError(f"no {size} consecutive free ports")


def _free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.01)
    raise RuntimeError(f"nothing listens on {port}")


@contextlib.contextmanager
def ccsim_serve(config: dict[str, Any], *args: str) -> Iterator[tuple[subprocess.Popen, dict[str, str]]]:
    """`ccsim serve` on `config`, on free ports: the process and its URLs by name."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.yaml"
        path.write_text(yaml.safe_dump(config))
        proc = subprocess.Popen([sys.executable, "-m", "ccsim", "serve", "--config", str(path), "--port-base", "0",
                                 "--log-level", "error", *args], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        try:
            yield proc, _wait_for_urls(proc, time.monotonic() + 60)
        finally:
            stop(proc)


@contextlib.contextmanager
def bare_server(kind: str, port: int, *args: str) -> Iterator[subprocess.Popen]:
    """One of bare_servers.py's baselines in its own process, once it listens."""
    proc = subprocess.Popen([sys.executable, str(BENCH / "bare_servers.py"), kind, str(port), *args], cwd=ROOT)
    try:
        wait_for_port(port)
        yield proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/")[0].split()[0])
