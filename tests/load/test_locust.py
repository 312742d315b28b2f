"""Load from several processes with an existing distributed engine: Locust's master and two
workers (separate processes, on loopback) drive `ccsim serve`'s Huawei face with
bench/locust/locustfile.py, as docs/load.md tells a user to across machines."""
from __future__ import annotations

import csv
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

from support.serve import _wait_for_urls

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = ROOT / "bench" / "locust" / "locustfile.py"
LOCUST = Path(sys.executable).parent / "locust"
sys.path.insert(0, str(ROOT / "bench" / "locust"))
from agents import config as agents_config  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_locust_master_and_two_workers_drive_the_huawei_face(tmp_path):
    cfg = tmp_path / "agents.yaml"
    cfg.write_text(yaml.safe_dump(agents_config(20, workers=2)))
    serve = subprocess.Popen([sys.executable, "-m", "ccsim", "serve", "--config", str(cfg), "--port-base", "0",
                              "--faces", "huawei", "--log-level", "warning"], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    procs: list[subprocess.Popen] = []
    try:
        urls = _wait_for_urls(serve, time.monotonic() + 60)
        port = _free_port()
        common = ["-f", str(LOCUSTFILE), "--host", urls["huawei"]]
        master = subprocess.Popen([str(LOCUST), *common, "--master", "--headless", "--master-bind-port", str(port),
                                   "--expect-workers", "2", "-u", "20", "-r", "20", "-t", "8s", "--csv",
                                   str(tmp_path / "run"), "--only-summary"], cwd=tmp_path,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        procs.append(master)
        for _ in range(2):
            procs.append(subprocess.Popen([str(LOCUST), *common, "--worker", "--master-port", str(port)], cwd=tmp_path,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        output = master.communicate(timeout=120)[0]
        assert master.returncode == 0, output[-3000:]  # Locust exits 1 when any request failed

        with open(tmp_path / "run_stats.csv") as f:
            rows = {r["Name"]: r for r in csv.DictReader(f)}
        total = rows["Aggregated"]
        assert int(total["Request Count"]) > 200 and int(total["Failure Count"]) == 0, total
        assert {"loginex", "saybusy", "sayfree", "agentevent", "agentstatus"} <= set(rows)

        # Both workers worked: worker 0's agents are 10000.., worker 1's are 11000..
        journal = json.load(urllib.request.urlopen(urls["admin"] + "/_ccsim/journal?op=loginex", timeout=10))
        signed_in = {e["agent"] for e in journal["entries"]}
        assert len(signed_in) == 20
        assert {a[:2] for a in signed_in} == {"10", "11"}
        everything = json.load(urllib.request.urlopen(urls["admin"] + "/_ccsim/journal?face=huawei", timeout=10))
        answers = [e["response"] for e in everything["entries"]]
        assert answers and all(r["status"] == 200 and r["body"]["retcode"] == "0" for r in answers)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        serve.terminate()
        _, err = serve.communicate(timeout=30)
        assert "Traceback" not in err
