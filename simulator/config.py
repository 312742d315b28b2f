"""Configuration: a YAML file (agents, queues, per-face settings), then environment variables,
then command-line flags, each overriding the one before.

The file's shape is checked against contracts/config.schema.json; errors name the file and
the offending key.
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .contracts import validator
from .core import Agent, Channel, Queue
from .vendors import FACES
from .vendors.listeners import Limits
from .vendors.public_urls import check_public_url, with_port

DEFAULT_PORT_BASE = 8800  # admin 8800, huawei 8801, ... (no "60" anywhere: see the NICE face)

ENV_VARS = {
    "CCSIM_CONFIG": "config file (YAML)",
    "CCSIM_HOST": "address the vendor faces listen on",
    "CCSIM_ADMIN_HOST": "address the admin API listens on",
    "CCSIM_ADMIN_TOKEN": "token every admin request must carry (Authorization: Bearer ...); clients send it too",
    "CCSIM_PORT_BASE": "first port; face ports follow it",
    "CCSIM_PUBLIC_URL": "scheme and host clients use behind a proxy or NAT (URLs ccsim hands out)",
    "CCSIM_SEED": "seed for generated names, numbers and ids",
}


class ConfigError(ValueError):
    pass


@dataclass
class Config:
    seed: int = 7
    host: str = "127.0.0.1"
    admin_host: str = "127.0.0.1"
    admin_token: str | None = None  # when set, every admin route wants `Authorization: Bearer <token>`
    scenarios_dir: str | None = None  # what the dashboard plays (ccsim serve --scenarios); None: its demo ones
    port_base: int = DEFAULT_PORT_BASE
    # Scheme and host clients use when ccsim sits behind a proxy or NAT (each face adds its port),
    # and whole base URLs of single faces; None/{}: the URLs clients get follow their Host header.
    public_url: str | None = None
    public_urls: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)  # "admin" or a face name -> port
    faces_enabled: list[str] = field(default_factory=lambda: list(FACES))
    journal_capacity: int = 50_000
    ended_contacts_kept: int = 10_000
    limits: Limits = field(default_factory=Limits)  # every listener's (see vendors/listeners.py)
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


def _schema_errors(data: Any, source: str) -> None:
    errors = sorted(validator("config.schema.json").iter_errors(data), key=lambda e: list(e.path))
    if errors:
        lines = [f"  at {'.'.join(str(p) for p in e.path) or '(top level)'}: {e.message}" for e in errors[:10]]
        raise ConfigError(f"{source}: invalid configuration\n" + "\n".join(lines))


def from_mapping(data: dict[str, Any], source: str = "<mapping>") -> Config:
    _schema_errors(data, source)
    for kind in ("agents", "queues"):
        for i, item in enumerate(data.get(kind, [])):
            extra = set(item) - _ITEM_KEYS[kind] - set(FACES)
            if extra:
                raise ConfigError(f"{source}: {kind}[{i}]: unknown key(s) {', '.join(sorted(extra))} "
                                  f"(faces: {', '.join(FACES)})")
    unknown_faces = set(data.get("faces", {})) - set(FACES)
    if unknown_faces:
        raise ConfigError(f"{source}: faces: unknown face(s) {', '.join(sorted(unknown_faces))}")
    try:  # the schema has checked the names and the ranges
        limits = Limits(**data.get("limits", {}))
    except ValueError as exc:
        raise ConfigError(f"{source}: {exc}") from None
    cfg = Config(
        # Scalars the file leaves out keep Config's defaults (written there only).
        **{k: data[k] for k in ("seed", "port_base", "journal_capacity", "ended_contacts_kept", "caller_locale")
           if k in data},
        limits=limits,
        ports=dict(data.get("ports", {})),
        agents=list(data.get("agents", [])),
        queues=list(data.get("queues", [])),
        faces={k: dict(v or {}) for k, v in data.get("faces", {}).items()},
        source=source,
    )
    if "public_url" in data:
        cfg.set_public_url(data["public_url"], source=f"{source}: public_url")
    for face, url in data.get("public_urls", {}).items():
        if face not in FACES:
            raise ConfigError(f"{source}: public_urls: unknown face {face!r} (faces: {', '.join(FACES)})")
        cfg.set_public_url(url, face, source=f"{source}: public_urls.{face}")
    if "host" in data:
        cfg.host = data["host"]
    if "admin_host" in data:
        cfg.admin_host = data["admin_host"]
    if "enable" in data:
        cfg.faces_enabled = [f for f in FACES if f in data["enable"]]
    return cfg


_ITEM_KEYS = {
    "agents": {"id", "name", "skills", "capacity"},
    "queues": {"id", "name", "skills", "channel", "timeout", "number", "overflow", "strategy"},
}


def load(path: str | os.PathLike[str] | None = None) -> Config:
    """Load a config file; without one, the demo configuration that ships with ccsim."""
    if path is None:
        text = resources.files("simulator").joinpath("demo.yaml").read_text(encoding="utf-8")
        source = "demo configuration"
    else:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
        source = str(p)
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping")
    return from_mapping(data, source)


def apply_env(cfg: Config, env: dict[str, str] | os._Environ[str] = os.environ) -> Config:
    try:
        if "CCSIM_HOST" in env:
            cfg.host = env["CCSIM_HOST"]
        if "CCSIM_ADMIN_HOST" in env:
            cfg.admin_host = env["CCSIM_ADMIN_HOST"]
        if env.get("CCSIM_ADMIN_TOKEN"):
            cfg.admin_token = env["CCSIM_ADMIN_TOKEN"]
        if "CCSIM_PORT_BASE" in env:
            cfg.port_base = int(env["CCSIM_PORT_BASE"])
        if env.get("CCSIM_PUBLIC_URL"):
            cfg.set_public_url(env["CCSIM_PUBLIC_URL"], source="$CCSIM_PUBLIC_URL")
        if "CCSIM_SEED" in env:
            cfg.seed = int(env["CCSIM_SEED"])
    except ValueError as exc:
        raise ConfigError(f"environment: {exc}") from None
    return cfg


def build_agents(cfg: Config, faker: Any) -> list[Agent]:
    agents = []
    for item in cfg.agents:
        # Copies: what a face does to an agent's section never reaches the configuration (a reset rebuilds from it).
        faces = {name: copy.deepcopy(item[name] or {}) for name in FACES if name in item}
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
            faces={name: copy.deepcopy(item[name] or {}) for name in FACES if name in item},
        )
        for item in cfg.queues
    ]
