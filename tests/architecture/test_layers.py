"""The layers of ccsim hold (issue 24): `lint-imports` checks pyproject.toml's contracts (each layer
imports only from those below it, the vendors are independent of each other, no import cycle at
any level), and it fails when someone breaks them: a copy of the package with a deliberate
upward import, and one with a cycle inside a package, are each refused."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = str(Path(sys.executable).parent / "lint-imports")
LAYERS = "ccsim's layers: a module imports only from layers below its own"
ACYCLIC = "no import cycle at any level"


def lint_imports(cwd: Path, package_parent: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if package_parent is not None:  # the copy comes first on the path (lint-imports also puts cwd there)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(package_parent), env.get("PYTHONPATH")) if p)
    return subprocess.run([LINT_IMPORTS, "--no-cache", str(ROOT / "pyproject.toml")], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def verdicts(report: str) -> dict[str, str]:
    """{contract name: "KEPT" or "BROKEN"} from lint-imports' summary."""
    found = {}
    for line in report.splitlines():
        for verdict in ("KEPT", "BROKEN"):
            name, sep, _ = line.partition(f" {verdict}")
            if sep:
                found[name] = verdict
    return found


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "ccsim", tmp_path / "ccsim", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_layers_hold():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert verdicts(done.stdout) == {LAYERS: "KEPT", "vendors are independent of each other": "KEPT", ACYCLIC: "KEPT"}


def test_an_upward_import_breaks_the_layers_and_makes_a_cycle(package_copy: Path):
    bus = package_copy / "ccsim" / "core" / "bus.py"
    bus.write_text(bus.read_text() + "\nfrom ccsim import app  # deliberate\n")
    done = lint_imports(package_copy, package_copy)
    assert done.returncode != 0, done.stdout
    found = verdicts(done.stdout)
    assert found[LAYERS] == "BROKEN" and found[ACYCLIC] == "BROKEN", done.stdout
    assert "ccsim.core.bus -> ccsim.app" in done.stdout


def test_a_cycle_inside_one_package_is_refused(package_copy: Path):
    # core/world.py imports core/contacts.py; the way back closes a cycle within one layer.
    contacts = package_copy / "ccsim" / "core" / "contacts.py"
    contacts.write_text(contacts.read_text() + "\nfrom . import world  # deliberate\n")
    done = lint_imports(package_copy, package_copy)
    assert done.returncode != 0, done.stdout
    found = verdicts(done.stdout)
    assert found[ACYCLIC] == "BROKEN" and found[LAYERS] == "KEPT", done.stdout
