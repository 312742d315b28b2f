"""Proof that a refactoring changed nothing ccsim does: a fingerprint of its observable behaviour,
taken before and after, and compared.

    bench/equivalence.py [--package simulator|ccsim] --out F.json [--journals DIR]
    bench/equivalence.py --compare A.json B.json

The fingerprint holds:
  1. every file under scenarios/, run in process with its journal kept: passed, steps run, simulated
     seconds, journal entries and the SHA-256 of the normalised journal (its entries in order, key
     order kept: a body whose keys come out in another order is a change on the wire);
  2. `check --examples 20 --seed 0 --json`, per face, without `wallSeconds`;
  3. `fuzz --profile short --json`, per face, without `seconds`;
  4. two `load` runs (`LOADS`), without `wall`;
  5. the scenario loader's error for each of `BAD_STEPS`, as a bare sentence and as a mapping.
Normalisation replaces what differs between two runs of the same code and nothing else: local
addresses with their port (`HOST:PORT`: ports are picked free at run time), and the values of the
keys in `VARYING_KEYS`: `sid`, the random engine.io session id of XCALLY's socket.io entries;
`elapsedMs`, the wall-clock time an Intermedia webhook delivery took; `phoneBarRemoteControlPort`,
the free port an XCALLY phonebar listener got. Two runs of the same code differ in nothing else.

`check` and `fuzz` run with Hypothesis's local constants off (without_local_constants): Hypothesis
(6.131 on) now and then draws a literal found in the source of the loaded modules that are not in
site-packages, i.e. of an editable ccsim. A rename or a move then changes what the same seed tries
(XCALLY's fuzz counts changed with `simulator` -> `ccsim` alone), though ccsim behaves the same.
Without them the runs are those of an installed ccsim, whose modules are in site-packages.

The package is a parameter because issue 24 renames `simulator` to `ccsim`: it is imported by
name and its CLI run as `python -m <package>`, so the same script fingerprints both sides.
`--journals DIR` also writes each normalised journal as JSON lines, to find what a digest
difference is. `--compare` prints `identical` (exit 0) or what differs (exit 1).
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib
import json
import os
import re
import runpy
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from hypothesis.internal.conjecture import providers

# The checkout fingerprinted: this script's, or the current folder when the script was copied elsewhere
# (`git show d24-0-baseline:bench/equivalence.py > /tmp/equivalence.py`, run from another worktree).
CHECKOUT = Path(__file__).resolve().parent.parent
ROOT = CHECKOUT if (CHECKOUT / "scenarios").is_dir() else Path.cwd()
LOCAL_ADDRESS = re.compile(r"(127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0):\d+")
VARYING_KEYS = frozenset({"sid", "elapsedMs", "phoneBarRemoteControlPort"})
VARIES = "<varies>"
CHECK = ["check", "--examples", "20", "--seed", "0"]
FUZZ = ["fuzz", "--profile", "short"]
LOADS = {"200 agents": ["load", "--agents", "200", "--cps", "4", "--duration", "10m"],
         "finesse+xcally": ["load", "--agents", "8", "--cps", "0.15", "--duration", "10m", "--wrap", "0",
                            "--faces", "finesse,xcally"]}
BAD_STEPS = ["customer cals", "foo bar", "wiat", "Agent 291 huawei x", "huawei loginex",
             "agent 291 avaya login", "expect foo bar"]
# A valid scenario but for its one step, so the loader's error is about that step.
BAD_STEP_SCENARIO = """\
name: bad step
queues: [{id: sales, skills: [sales], number: "4001", huawei: {skill_id: 1}}]
agents: [{id: "291", skills: [sales], huawei: {password: "", phone: "40038"}}]
steps:
  - %s
"""


def without_local_constants() -> None:
    """Hypothesis's pool of local constants kept empty in this process (see the docstring)."""
    if not hasattr(providers, "_get_local_constants"):
        raise SystemExit("bench/equivalence.py: this Hypothesis has no providers._get_local_constants to turn off")
    providers._get_local_constants = providers.Constants


def run_cli(package: str, args: list[str]) -> None:
    """`python -m <package> <args>`, without local constants."""
    without_local_constants()
    sys.argv = [package, *args]
    runpy.run_module(package, run_name="__main__", alter_sys=True)


def normalised(value: Any) -> Any:
    """`value` with what varies between two runs of the same code replaced (see the docstring)."""
    if isinstance(value, dict):
        return {LOCAL_ADDRESS.sub("HOST:PORT", k): VARIES if k in VARYING_KEYS else normalised(v)
                for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if isinstance(value, str):
        return LOCAL_ADDRESS.sub("HOST:PORT", value)
    return value


def scenario_files() -> list[Path]:
    return sorted(p for p in (ROOT / "scenarios").rglob("*") if p.is_file())


async def run_scenarios(package: str, journals: Path | None) -> dict[str, Any]:
    loader = importlib.import_module(f"{package}.scenario.loader")
    runner = importlib.import_module(f"{package}.scenario.runner")
    out: dict[str, Any] = {}
    for path in scenario_files():
        name = path.relative_to(ROOT / "scenarios").as_posix()
        result = await runner.run_scenario(loader.load(path.relative_to(ROOT)), keep_journal=True)
        lines = [json.dumps(normalised(entry), ensure_ascii=False) for entry in result.journal or []]
        out[name] = {"passed": result.passed, "steps_run": result.steps_run,
                     "simulated_seconds": result.simulated_seconds, "entries": len(lines),
                     "journal_sha256": hashlib.sha256("\n".join(lines).encode()).hexdigest()}
        if journals is not None:
            target = journals / (name.removesuffix(".yaml") + ".jsonl")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
        print(f"  {name}: {'passed' if result.passed else 'FAILED'}, {len(lines)} entries", file=sys.stderr)
    return out


def cli_json(package: str, args: list[str]) -> tuple[int, Any]:
    """`python -m <package> <args> --json F` (without local constants): its exit code and F's JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        done = subprocess.run([sys.executable, __file__, "--cli", package, *args, "--json", str(out)], cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if not out.exists():
            raise SystemExit(f"{' '.join(args)} wrote no JSON (exit {done.returncode}):\n{done.stderr[-2000:]}")
        return done.returncode, json.loads(out.read_text(encoding="utf-8"))


def without(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in mapping.items() if k != key}


def loader_errors(package: str) -> dict[str, str]:
    loader = importlib.import_module(f"{package}.scenario.loader")
    errors = {}
    for step in BAD_STEPS:
        for form, text in (("sentence", step), ("mapping", f"{step}: {{}}")):
            try:
                loader.loads(BAD_STEP_SCENARIO % text, path="<bad step>")
                errors[f"{step} ({form})"] = "accepted"
            except Exception as exc:  # the error is what is recorded, whatever its class
                errors[f"{step} ({form})"] = f"{type(exc).__name__}: {exc}"
    return errors


def fingerprint(package: str, journals: Path | None) -> dict[str, Any]:
    without_local_constants()  # no scenario explores today; one that does then draws as the CLI does

    def timed(what: str, make: Any) -> Any:
        start = time.monotonic()
        print(f"{what}...", file=sys.stderr, flush=True)
        value = make()
        print(f"{what}: {time.monotonic() - start:.0f}s", file=sys.stderr, flush=True)
        return value

    scenarios = timed("scenarios", lambda: asyncio.run(run_scenarios(package, journals)))
    check_exit, check = timed("check", lambda: cli_json(package, CHECK))
    fuzz_exit, fuzz = timed("fuzz", lambda: cli_json(package, FUZZ))
    loads = {}
    for name, args in LOADS.items():
        load_exit, report = timed(f"load {name}", lambda args=args: cli_json(package, [*args, "--quiet"]))
        loads[name] = {"exit": load_exit, "report": without(report, "wall")}
    return {"package": package,
            "scenarios": scenarios,
            "check": {"exit": check_exit, "faces": {f["face"]: without(f, "wallSeconds") for f in check["faces"]},
                      "order": [f["face"] for f in check["faces"]]},
            "fuzz": {"exit": fuzz_exit, "faces": {f["face"]: without(f, "seconds") for f in fuzz},
                     "order": [f["face"] for f in fuzz]},
            "load": loads,
            "loader_errors": timed("loader errors", lambda: loader_errors(package))}


def differences(a: Any, b: Any, where: str = "") -> list[str]:
    """Where `a` and `b` differ, one line each, by path (the package name aside: it is meant to differ)."""
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in list(a) + [k for k in b if k not in a]:
            here = f"{where}.{key}" if where else str(key)
            if here == "package":
                continue
            if key not in b:
                found.append(f"{here}: only in the first: {_short(a[key])}")
            elif key not in a:
                found.append(f"{here}: only in the second: {_short(b[key])}")
            else:
                found += differences(a[key], b[key], here)
        if not found and list(a) != list(b) and where:
            found.append(f"{where}: the same keys in another order")
        return found
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{where}[{i}]")]
    return [] if a == b and type(a) is type(b) else [f"{where}: {_short(a)} != {_short(b)}"]


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 300 else text[:300] + "..."


def compare(first: Path, second: Path) -> int:
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (first, second))
    found = differences(a, b)
    if not found:
        print("identical")
        return 0
    print(f"{len(found)} difference(s) between {first} and {second}:")
    print("".join(f"  {line}\n" for line in found), end="")
    return 1


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--cli"]:  # how cli_json runs the package's CLI (in ROOT)
        sys.path.insert(0, os.getcwd())
        run_cli(argv[1], argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", default="ccsim", help="the package to fingerprint (default: ccsim)")
    parser.add_argument("--out", type=Path, help="write the fingerprint here")
    parser.add_argument("--journals", type=Path, help="also write each normalised journal under this folder")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"), help="compare two fingerprints")
    args = parser.parse_args(argv)
    if args.compare:
        return compare(*args.compare)
    if not args.out:
        parser.error("--out F.json (or --compare A B) is required")
    out, journals = args.out.resolve(), args.journals and args.journals.resolve()
    os.chdir(ROOT)  # scenarios load by their paths under scenarios/, as `ccsim run scenarios/` does
    sys.path.insert(0, str(ROOT))  # the package of this checkout, even when run from elsewhere
    start = time.monotonic()
    result = fingerprint(args.package, journals)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out} in {time.monotonic() - start:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
