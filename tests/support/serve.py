"""`ccsim serve` and the other commands as a user runs them: a real process (`python -m ccsim`),
the URLs its banner lists, and its admin API over urllib."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from typing import Any

CCSIM = [sys.executable, "-m", "ccsim"]


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*CCSIM, *args], capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})})


def _read_banner(proc: subprocess.Popen, deadline: float) -> list[str]:
    """What `ccsim serve` printed up to "Ctrl-C to stop." (it listens then)."""
    lines: list[str] = []
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if line.startswith("Ctrl-C"):
            return lines
    raise AssertionError("ccsim serve did not come up; it printed:\n" + "\n".join(lines))


def _banner_urls(lines: list[str]) -> dict[str, str]:
    """{"admin": ..., "dashboard": ..., face: ...} from the banner's listing."""
    urls: dict[str, str] = {}
    for line in lines:
        found = re.match(r"\s+(\w+)\s+(\w+://\S+?)(/_ccsim/health)?\s", line + " ")
        if found:
            urls[found.group(1)] = found.group(2)
    return urls


def _wait_for_urls(proc: subprocess.Popen, deadline: float) -> dict[str, str]:
    return _banner_urls(_read_banner(proc, deadline))


class Served:
    """`ccsim serve` in a subprocess, and its admin API."""

    def __init__(self, *args: str):
        self.proc = subprocess.Popen([*CCSIM, "serve", "--port-base", "0", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     env={k: v for k, v in os.environ.items() if k != "CCSIM_ADMIN_TOKEN"})
        self.urls = _wait_for_urls(self.proc, time.monotonic() + 30)
        self.token = args[args.index("--admin-token") + 1] if "--admin-token" in args else None
        self.ui = self.urls["admin"] + "/_ccsim/ui/"

    def call(self, method: str, path: str, body: Any = None, base: str | None = None,
             headers: dict[str, str] | None = None) -> Any:
        headers = dict(headers or ({"Authorization": f"Bearer {self.token}"} if self.token else {}))
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request((base or self.urls["admin"]) + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=10) as resp:
            return json.loads(resp.read() or b"null")

    def stop(self) -> str:
        """Stops it; what it wrote on stderr. It must not have answered 5xx or hit an internal error."""
        entries = self.call("GET", "/_ccsim/journal")["entries"]
        broken = [e for e in entries if "internalError" in e["response"]
                  or (isinstance(e["response"].get("status"), int) and e["response"]["status"] >= 500
                      and e["kind"] != "webhook")]
        self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=30)
        assert not broken, broken[:3]
        assert self.proc.returncode == 0 and "Traceback" not in err, err
        return err
