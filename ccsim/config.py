"""Configuration: a YAML file (agents, queues, per-face settings), then environment variables,
then command-line flags, each overriding the one before.

The file's shape is checked against contracts/config.schema.json, then what a schema cannot
say (config_checks.py); an error is one line naming the file, the line and the offending key.
"""
from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from . import config_checks, registry, safe_yaml
from .contracts import validator
from .core import Agent, Channel, Queue
from .core.memory import MemoryBudget
from .safe_yaml import YamlError, line_of, plain
from .user_text import clip, short_repr
from .serving.face import SettingsError
from .serving.listeners import Limits
from .serving.public_urls import check_public_url, with_port

DEFAULT_PORT_BASE = 8800  # admin 8800, huawei 8801, ... (no "60" anywhere: see the NICE face)
MAX_PORT = 65535

ENV_VARS = {
    "CCSIM_CONFIG": "config file (YAML)",
    "CCSIM_HOST": "address the vendor faces listen on",
    "CCSIM_ADMIN_HOST": "address the admin API listens on",
    "CCSIM_ADMIN_TOKEN": "token every admin request must carry (Authorization: Bearer ...); clients send it too",
    "CCSIM_ADMIN_ALLOWED_HOSTS": "comma-separated names the admin API answers to, besides localhost and addresses",
    "CCSIM_PORT_BASE": "first port; face ports follow it",
    "CCSIM_PUBLIC_URL": "scheme and host clients use behind a proxy or NAT (URLs ccsim hands out)",
    "CCSIM_SEED": "seed for generated names, numbers and ids",
}


class ConfigError(ValueError):
    """A configuration ccsim cannot use. str() is the one line to show ("file:line: key: what");
    `message` is the same without the file and line, `where` the keys down to the value at
    fault (empty when it is not one value's), for a scenario to find its own line."""

    def __init__(self, text: str, *, message: str | None = None, where: tuple[Any, ...] = ()):
        super().__init__(clip(text))
        self.message = clip(message if message is not None else text)
        self.where = where


class FaceSettingsError(ConfigError, SettingsError):
    """faces.<name> settings the face refuses, found when the configuration is read."""


@dataclass
class Config:
    seed: int = 7
    host: str = "127.0.0.1"
    admin_host: str = "127.0.0.1"
    admin_token: str | None = None  # when set, every admin route wants `Authorization: Bearer <token>`
    # Host names the admin API answers to besides localhost, IP addresses and its own address
    # (control/guard.py): a DNS-rebinding page comes with its own name, and is refused.
    admin_allowed_hosts: list[str] = field(default_factory=list)
    scenarios_dir: str | None = None  # what the dashboard plays (ccsim serve --scenarios); None: its demo ones
    port_base: int = DEFAULT_PORT_BASE
    # Scheme and host clients use when ccsim sits behind a proxy or NAT (each face adds its port),
    # and whole base URLs of single faces; None/{}: the URLs clients get follow their Host header.
    public_url: str | None = None
    public_urls: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)  # "admin" or a face name -> port
    faces_enabled: list[str] = field(default_factory=lambda: list(registry.names()))
    journal_capacity: int = 50_000
    ended_contacts_kept: int = 10_000
    limits: Limits = field(default_factory=Limits)  # every listener's (see serving/listeners.py)
    memory: MemoryBudget = field(default_factory=MemoryBudget)  # every store's bytes (see core/memory.py)
    caller_locale: str = "en_US"
    agents: list[dict[str, Any]] = field(default_factory=list)
    queues: list[dict[str, Any]] = field(default_factory=list)
    faces: dict[str, dict[str, Any]] = field(default_factory=dict)  # per-face settings
    source: str = "<built-in>"

    def to_mapping(self) -> dict[str, Any]:
        """The simulated world as a config file would say it (no listening addresses)."""
        return {"seed": self.seed, "agents": self.agents, "queues": self.queues, "faces": self.faces}

    def port_for(self, name: str, offset: int) -> int:
        if name in self.ports:
            return self.ports[name]
        return 0 if self.port_base == 0 else self.port_base + offset

    def public_url_for(self, name: str, port: int) -> str | None:
        """The base URL clients are to use for face `name` listening on `port`, if configured."""
        if name in self.public_urls:
            return self.public_urls[name]
        return with_port(self.public_url, port) if self.public_url else None

    def set_public_url(self, value: str, face: str | None = None, source: str = "--public-url") -> None:
        try:
            checked = check_public_url(value, per_face=face is not None)
        except ValueError as exc:
            raise ConfigError(f"{source}: {exc}") from None
        if face is None:
            self.public_url = checked
        else:
            self.public_urls[face] = checked


def _error(data: Any, source: str, where: tuple[Any, ...], message: str,
           kind: type[ConfigError] = ConfigError) -> ConfigError:
    line = line_of(data, list(where))
    return kind(f"{source}:{line}: {message}" if line else f"{source}: {message}", message=message, where=where)


def _dotted(path: Any) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _schema_errors(data: Any, source: str) -> None:
    errors = list(validator("config.schema.json").iter_errors(data))
    if errors:
        first = min(errors, key=lambda e: (line_of(data, list(e.absolute_path)) or 0, list(map(str, e.absolute_path))))
        where = tuple(first.absolute_path)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise _error(data, source, where, f"{_dotted(where) or '(top level)'}: {short_schema_message(first)}{more}")


def short_schema_message(error: Any) -> str:
    """A jsonschema error's message with the value it quotes cut short (it can be megabytes)."""
    message = error.message
    if len(message) > 200:
        full = repr(error.instance)
        message = message.replace(full, short_repr(error.instance), 1)
    return clip(message)


def from_mapping(data: dict[str, Any], source: str = "<mapping>") -> Config:
    _schema_errors(data, source)
    faces = registry.names()
    for kind in ("agents", "queues"):
        for i, item in enumerate(data.get(kind, [])):
            extra = set(item) - _ITEM_KEYS[kind] - set(faces)
            if extra:
                raise _error(data, source, (kind, i, sorted(extra)[0]),
                             f"{kind}[{i}]: unknown key(s) {', '.join(sorted(extra))} (faces: {', '.join(faces)})")
    unknown_faces = set(data.get("faces", {})) - set(faces)
    if unknown_faces:
        raise _error(data, source, ("faces", sorted(unknown_faces)[0]),
                     f"faces: unknown face(s) {', '.join(sorted(unknown_faces))}")
    try:  # the schema has checked the names and the ranges
        limits = Limits(**data.get("limits", {}))
    except ValueError as exc:
        raise _error(data, source, ("limits",), f"limits: {exc}") from None
    try:
        memory = MemoryBudget(**data.get("memory", {}))
        memory.check(faces=len([f for f in faces if f in data.get("enable", faces)]))
    except ValueError as exc:  # the message names the setting (memory.<name>)
        raise _error(data, source, ("memory",), str(exc)) from None
    for where, message in config_checks.settings_problems(data):
        raise _error(data, source, where, message, FaceSettingsError)
    for where, message in config_checks.problems(data):
        raise _error(data, source, where, message)
    cfg = Config(
        # Scalars the file leaves out keep Config's defaults (written there only).
        **{k: data[k] for k in ("seed", "port_base", "journal_capacity", "ended_contacts_kept", "caller_locale")
           if k in data},
        limits=limits,
        memory=memory,
        ports=plain(data.get("ports", {})),
        agents=plain(data.get("agents", [])),  # without the line numbers of a file's mappings
        queues=plain(data.get("queues", [])),
        faces={k: plain(v or {}) for k, v in data.get("faces", {}).items()},
        source=source,
    )
    if "public_url" in data:
        cfg.set_public_url(data["public_url"], source=f"{source}: public_url")
    for face, url in data.get("public_urls", {}).items():
        if face not in faces:
            raise ConfigError(f"{source}: public_urls: unknown face {face!r} (faces: {', '.join(faces)})")
        cfg.set_public_url(url, face, source=f"{source}: public_urls.{face}")
    if "host" in data:
        cfg.host = data["host"]
    if "admin_host" in data:
        cfg.admin_host = data["admin_host"]
    if "admin_allowed_hosts" in data:
        cfg.admin_allowed_hosts = list(data["admin_allowed_hosts"])
    if "enable" in data:
        cfg.faces_enabled = [f for f in faces if f in data["enable"]]
    return cfg


_ITEM_KEYS = {
    "agents": {"id", "name", "skills", "capacity"},
    "queues": {"id", "name", "skills", "channel", "timeout", "number", "overflow", "strategy"},
}


def load(path: str | os.PathLike[str] | None = None) -> Config:
    """Load a config file; without one, the demo configuration that ships with ccsim."""
    if path is None:
        source = "demo configuration"
        text = resources.files("ccsim").joinpath("demo.yaml").read_text(encoding="utf-8")
        return from_mapping(_mapping(lambda: safe_yaml.parse_yaml(text, source), source), source)
    return from_mapping(read_mapping(path), str(path))


def read_mapping(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A configuration file's mapping, before any check of what is in it."""
    return _mapping(lambda: safe_yaml.read_yaml(path), str(path))


def _mapping(read: Callable[[], Any], source: str) -> dict[str, Any]:
    try:
        data = read()
    except YamlError as exc:
        raise ConfigError(str(exc), message=exc.message) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping (agents:, queues:, faces: ...)")
    return data


def apply_env(cfg: Config, env: dict[str, str] | os._Environ[str] = os.environ) -> Config:
    """The CCSIM_* variables over the file's values; an error names the variable."""
    if "CCSIM_HOST" in env:
        cfg.host = env["CCSIM_HOST"]
    if "CCSIM_ADMIN_HOST" in env:
        cfg.admin_host = env["CCSIM_ADMIN_HOST"]
    if env.get("CCSIM_ADMIN_TOKEN"):
        cfg.admin_token = env["CCSIM_ADMIN_TOKEN"]
    if "CCSIM_ADMIN_ALLOWED_HOSTS" in env:
        cfg.admin_allowed_hosts = [h.strip() for h in env["CCSIM_ADMIN_ALLOWED_HOSTS"].split(",") if h.strip()]
    if "CCSIM_PORT_BASE" in env:
        cfg.port_base = _env_int(env, "CCSIM_PORT_BASE")
        problem = port_base_problem(cfg.port_base)
        if problem:
            raise ConfigError(f"CCSIM_PORT_BASE={cfg.port_base}: {problem}")
    if env.get("CCSIM_PUBLIC_URL"):
        cfg.set_public_url(env["CCSIM_PUBLIC_URL"], source="$CCSIM_PUBLIC_URL")
    if "CCSIM_SEED" in env:
        cfg.seed = _env_int(env, "CCSIM_SEED")
    return cfg


def _env_int(env: dict[str, str] | os._Environ[str], name: str) -> int:
    try:
        return int(env[name])
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {short_repr(env[name])}") from None


def highest_port_offset() -> int:
    """The furthest any listener is from the port base (a face, or the last of its extra ports)."""
    return max(max(vendor.listener_offsets()) for vendor in registry.vendors())


def port_base_problem(base: int) -> str | None:
    """Why `base` cannot be the port base (each listener is on it plus its offset), or None."""
    highest = highest_port_offset()
    if base == 0 or 1 <= base <= MAX_PORT - highest:
        return None
    return (f"the port base must be 0 (free ports) or from 1 to {MAX_PORT - highest}: the listeners are on it "
            f"plus up to {highest}, and ports end at {MAX_PORT}")


def port_problem(port: int) -> str | None:
    """Why `port` cannot be one listener's port, or None."""
    return None if 0 <= port <= MAX_PORT else f"a port is from 0 (a free one) to {MAX_PORT}"


def build_agents(cfg: Config, faker: Any) -> list[Agent]:
    agents = []
    for item in cfg.agents:
        # Copies: what a face does to an agent's section never reaches the configuration (a reset rebuilds from it).
        faces = {name: copy.deepcopy(item[name] or {}) for name in registry.names() if name in item}
        agents.append(Agent(
            id=str(item["id"]),
            name=item.get("name") or faker.name(),
            skills=set(item.get("skills", [])),
            capacity={Channel(c): int(n) for c, n in item.get("capacity", {}).items()},
            faces=faces,
        ))
    return agents


def build_queues(cfg: Config) -> list[Queue]:
    return [
        Queue(
            id=str(item["id"]),
            name=item.get("name", str(item["id"])),
            skills=set(item.get("skills", [])),
            channel=Channel(item.get("channel", "voice")),
            timeout=item.get("timeout"),
            number=str(item.get("number", "")),
            overflow=str(item["overflow"]) if item.get("overflow") else None,
            strategy=str(item.get("strategy", "longest_idle")),
            faces={name: copy.deepcopy(item[name] or {}) for name in registry.names() if name in item},
        )
        for item in cfg.queues
    ]
