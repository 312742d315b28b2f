"""Loading scenarios: YAML with line numbers, the schema, then each step through the library.

Every problem is a ScenarioError naming the file and line, in words for people who do not
read Python: a bad scenario is rejected before anything runs.
"""
from __future__ import annotations

import copy
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .. import config as config_mod
from ..contracts import validator


class ScenarioError(Exception):
    def __init__(self, path: str, line: int | None, message: str):
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")


class LineDict(dict):
    line: int = 0


class LineList(list):
    line: int = 0
    item_lines: list[int] = []


class _Loader(yaml.SafeLoader):
    """A SafeLoader whose mappings and sequences remember their line (1-based)."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise ScenarioError(loader.name, key_node.start_mark.line + 1, f"{key!r} is given twice")
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def parse_yaml(text: str, path: str) -> Any:
    loader = _Loader(text)
    loader.name = path
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        # An unclosed bracket is found at the end of the file; where it opened is more useful.
        at_end = "stream end" in str(exc.problem)
        mark = (exc.context_mark if at_end and exc.context_mark else None) or exc.problem_mark or exc.context_mark
        raise ScenarioError(path, mark.line + 1 if mark else None, f"not valid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(path, None, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def line_of(data: Any, path: list[Any]) -> int | None:
    """The line of the deepest node along `path` that knows its line."""
    line = getattr(data, "line", None)
    node = data
    for key in path:
        try:
            child = node[key]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, LineList) and isinstance(key, int) and key < len(node.item_lines):
            line = node.item_lines[key]
        node = child
        line = getattr(node, "line", line)
    return line


_STEP_NAMES = ["customer calls", "customer hangs up", "customer abandons", "calls arrive", "wait", "repeat",
               "concurrently", "expect ...", "agent <id> <face> <operation>"]


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
        hint = difflib.get_close_matches(error.instance, _STEP_NAMES, n=1, cutoff=0.6)
        return f"unknown step {error.instance!r}" + (f"; did you mean {hint[0]!r}?" if hint else
                                                     f"; steps are: {', '.join(_STEP_NAMES)}")
    if described is not None:
        return f"{where}: {error.instance!r} is not valid: {described.schema['description']}"
    return f"{where}: {error.message}" if where else error.message


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
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return True  # let load() report it
    return isinstance(data, dict) and ("steps" in data or "name" in data)


def load(path: str | Path) -> Scenario:
    p = Path(path)
    shown = str(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(shown, None, f"cannot read: {exc.strerror}") from None
    return loads(text, shown, base_dir=p.parent)


def loads(text: str, path: str = "<scenario>", base_dir: Path | None = None) -> Scenario:
    from .steps import parse_steps

    data = parse_yaml(text, path)
    if not isinstance(data, dict):
        raise ScenarioError(path, getattr(data, "line", 1), "a scenario is a mapping with at least `name` and `steps`")
    check_schema(data, path)
    cfg = _config(data, path, base_dir or Path("."))
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
    return Exploration(steps=pool, items=[_plain(item) for item in spec["steps"]],
                       examples=spec.get("examples", 20), length=spec.get("length", len(pool)))


def _config(data: dict[str, Any], path: str, base_dir: Path) -> config_mod.Config:
    base: dict[str, Any] = {}
    if "config" in data:
        cfg_path = base_dir / data["config"]
        try:
            base = yaml.safe_load(cfg_path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ScenarioError(path, line_of(data, ["config"]), f"config {data['config']}: {exc}") from None
    merged = copy.deepcopy(base)
    for key in ("agents", "queues", "faces", "seed"):
        if key in data:
            merged[key] = _plain(data[key])
    merged.setdefault("seed", 7)
    merged["port_base"] = 0
    try:
        return config_mod.from_mapping(merged, path)
    except config_mod.ConfigError as exc:
        raise ScenarioError(path, line_of(data, ["agents"]) or 1, str(exc).removeprefix(f"{path}: ")) from None


def _plain(value: Any) -> Any:
    """LineDict/LineList back to dict/list (for code that checks exact types)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
