"""Loading scenarios: YAML with line numbers, the schema, then each step through the library.

Every problem is a ScenarioError naming the file and line, in words for people who do not
read Python: a bad scenario is rejected before anything runs.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import config as config_mod
from .. import safe_yaml
from ..contracts import validator
from ..safe_yaml import YamlError, line_of, plain
from ..user_text import clip, short_repr


class ScenarioError(Exception):
    def __init__(self, path: str, line: int | None, message: str):
        self.path, self.line, self.message = path, line, clip(message)
        super().__init__(f"{path}:{line}: {self.message}" if line else f"{path}: {self.message}")


def parse_yaml(text: str | bytes, path: str) -> Any:
    try:
        return safe_yaml.parse_yaml(text, path)
    except YamlError as exc:
        raise ScenarioError(path, exc.line, exc.message) from None


_STEP_NAMES = ["customer calls", "customer hangs up", "customer abandons", "calls arrive", "wait", "repeat",
               "concurrently", "expect ...", "agent <id> <face> <operation>"]


def unknown_step(text: str) -> str:
    """The one sentence for a step no parser knows, whether the schema (its shape) or the step
    library (a face's name it does not know) finds it."""
    hint = difflib.get_close_matches(text, _STEP_NAMES, n=1, cutoff=0.6)
    return f"unknown step {short_repr(text)}" + (f"; did you mean {hint[0]!r}?" if hint else
                                                 f"; steps are: {', '.join(_STEP_NAMES)}")


def _specific(error: Any) -> tuple[Any, Any]:
    """Inside oneOf/anyOf, the alternative's error that got furthest into the document; and the
    nearest enclosing error about the same value whose schema describes what is expected."""
    described = None
    while error.context:
        if error.schema.get("description"):
            described = error
        error = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
    if described is not None and list(described.absolute_path) != list(error.absolute_path):
        described = None
    return error, described


def _schema_message(error: Any) -> str:
    error, described = _specific(error)
    where = _where(error.absolute_path)
    path = list(error.absolute_path)
    if error.validator == "pattern" and ("propertyNames" in error.schema_path or (path and isinstance(path[-1], int))):
        return unknown_step(error.instance)
    if described is not None:
        return f"{where}: {short_repr(error.instance)} is not valid: {described.schema['description']}"
    message = config_mod.short_schema_message(error)
    return f"{where}: {message}" if where else message


def _where(path: Any) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out.replace("steps[", "step [")


def check_schema(data: Any, path: str) -> None:
    errors = list(validator("scenario.schema.json").iter_errors(data))
    if errors:
        first = min(errors, key=lambda e: (line_of(data, list(e.absolute_path)) or 0))
        raise ScenarioError(path, line_of(data, list(first.absolute_path)), _schema_message(first))


@dataclass
class Scenario:
    name: str
    path: str
    seed: int
    clock: str
    speed: float
    config: config_mod.Config
    steps: list[Any]  # list[steps.Step]
    description: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    invariants: list[str] = field(default_factory=list)  # names from the invariant library
    explore: Any = None  # explore.Exploration, or None


def is_scenario_file(path: Path) -> bool:
    """A YAML mapping with `steps` or `name` is a scenario; others (config files) are not."""
    try:
        data = safe_yaml.read_yaml(path)
    except YamlError:
        return True  # let load() report it
    return isinstance(data, dict) and ("steps" in data or "name" in data)


def load(path: str | Path) -> Scenario:
    p = Path(path)
    try:
        data = safe_yaml.read_yaml(p, str(path))
    except YamlError as exc:
        raise ScenarioError(str(path), exc.line, exc.message) from None
    return _scenario(data, str(path), p.parent)


def loads(text: str | bytes, path: str = "<scenario>", base_dir: Path | None = None) -> Scenario:
    return _scenario(parse_yaml(text, path), path, base_dir or Path("."))


def _scenario(data: Any, path: str, base_dir: Path) -> Scenario:
    from .steps import parse_steps

    if not isinstance(data, dict):
        raise ScenarioError(path, getattr(data, "line", 1), "a scenario is a mapping with at least `name` and `steps`")
    check_schema(data, path)
    cfg = _config(data, path, base_dir)
    steps = parse_steps(data["steps"], path, cfg)
    return Scenario(name=data["name"], path=path, seed=cfg.seed, clock=data.get("clock", "virtual"),
                    speed=float(data.get("speed", 1.0)), config=cfg, steps=steps,
                    description=data.get("description", ""), data=data,
                    invariants=_invariants(data, path), explore=_explore(data, path, cfg))


def _invariants(data: dict[str, Any], path: str) -> list[str]:
    from ..conformance.invariants import load_all

    known = load_all()
    names = list(data.get("invariants", []))
    for index, name in enumerate(names):
        if name not in known:
            hint = difflib.get_close_matches(name, known, n=1)
            raise ScenarioError(path, line_of(data, ["invariants", index]),
                                f"unknown invariant {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else
                                                                 f"; known: {', '.join(sorted(known))}"))
    return names


def _explore(data: dict[str, Any], path: str, cfg: config_mod.Config) -> Any:
    if "explore" not in data:
        return None
    from .explore import Exploration
    from .steps import parse_steps

    spec = data["explore"]
    pool = parse_steps(spec["steps"], path, cfg)
    return Exploration(steps=pool, items=[plain(item) for item in spec["steps"]],
                       examples=spec.get("examples", 20), length=spec.get("length", len(pool)))


def _config(data: dict[str, Any], path: str, base_dir: Path) -> config_mod.Config:
    base: dict[str, Any] = {}
    if "config" in data:
        try:
            base = plain(config_mod.read_mapping(base_dir / data["config"]))
        except config_mod.ConfigError as exc:
            raise ScenarioError(path, line_of(data, ["config"]), f"config {data['config']}: {exc}") from None
    merged = base  # a fresh copy: the scenario's keys replace the file's
    for key in ("agents", "queues", "faces", "seed"):
        if key in data:
            merged[key] = plain(data[key])
    merged.setdefault("seed", 7)
    merged["port_base"] = 0
    try:
        return config_mod.from_mapping(merged, path)
    except config_mod.ConfigError as exc:
        # The value at fault is the scenario's when it gives that key, else its config file's.
        where = list(exc.where) if exc.where and exc.where[0] in data else ["config" if "config" in data else "agents"]
        raise ScenarioError(path, line_of(data, where) or 1, exc.message) from None
