"""`ccsim run`: collect scenarios, load them all (rejecting bad ones before anything runs), run,
report."""
from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from ..clients.wire import WireClient
from ..clients.admin import AdminClient, AdminError
from .loader import Scenario, ScenarioError, is_scenario_file, load
from .record import dump, scenario_from_journal
from .report import progress_line, summary, write_json, write_junit
from .runner import ScenarioResult, run_scenario


def collect(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and is_scenario_file(p))
        elif path.exists():
            found.append(path)
        else:
            raise ScenarioError(raw, None, "no such file or folder")
    return found


def run_command(args: argparse.Namespace) -> int:
    try:
        files = collect(args.paths)
        scenarios: list[Scenario] = [load(f) for f in files]
    except ScenarioError as exc:
        print(f"ccsim: {exc}", file=sys.stderr)
        return 2
    if not scenarios:
        print("ccsim: no scenarios found in " + ", ".join(args.paths), file=sys.stderr)
        return 2
    results = asyncio.run(_run_all(scenarios, args.target, args.speed))
    summary(results, sys.stdout)
    if args.junit:
        write_junit(results, args.junit)
    if args.json:
        write_json(results, args.json)
    return 0 if all(r.passed for r in results) else 1


async def _run_all(scenarios: list[Scenario], target: str | None, speed: float | None) -> list[ScenarioResult]:
    results = []
    for scenario in scenarios:
        result = await run_scenario(scenario, target=target, speed=speed)
        print(progress_line(result), flush=True)
        results.append(result)
    return results


def record_command(args: argparse.Namespace) -> int:
    try:
        text = asyncio.run(_record(args.admin, args.name))
    except (OSError, AdminError) as exc:
        print(f"ccsim: cannot read the journal from {args.admin}: {exc}", file=sys.stderr)
        return 2
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0


async def _record(admin_url: str, name: str) -> str:
    async with WireClient() as wire:
        admin = AdminClient(wire, admin_url)
        config = await admin.config()
        entries = (await admin.journal())["entries"]
    return dump(scenario_from_journal(entries, config, name))
