"""Reading docker/Dockerfile, docker/compose.yaml and .dockerignore as Docker does, for tests
that judge them without a Docker engine (none runs on this machine)."""
from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "docker" / "Dockerfile"
COMPOSE = ROOT / "docker" / "compose.yaml"
DOCKERIGNORE = ROOT / ".dockerignore"
DEFAULT_PORT_BASE = 8800  # ccsim's, when the image sets no CCSIM_PORT_BASE


@dataclass
class Dockerfile:
    instructions: list[tuple[str, str]] = field(default_factory=list)  # (INSTRUCTION, its arguments)

    @classmethod
    def parse(cls, text: str) -> "Dockerfile":
        found = cls()
        logical = ""
        for line in text.splitlines():
            if not logical and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if line.rstrip().endswith("\\"):
                logical += line.rstrip()[:-1] + " "
                continue
            logical += line
            name, _, args = logical.strip().partition(" ")
            found.instructions.append((name.upper(), args.strip()))
            logical = ""
        return found

    def all(self, name: str) -> list[str]:
        return [args for n, args in self.instructions if n == name]

    def last(self, name: str) -> str | None:
        found = self.all(name)
        return found[-1] if found else None

    def exposed(self) -> set[int]:
        ports: set[int] = set()
        for args in self.all("EXPOSE"):
            for item in args.split():
                ports |= port_range(item.split("/")[0])
        return ports

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for args in self.all("ENV"):
            for key, value in re.findall(r"(\w+)=(\"[^\"]*\"|\S+)", args):
                values[key] = value.strip('"')
        return values

    def port_base(self) -> int:
        return int(self.env().get("CCSIM_PORT_BASE", DEFAULT_PORT_BASE))

    def cmd(self) -> list[str]:
        """CMD in exec (JSON) form, the form a signal reaches ccsim in."""
        text = self.last("CMD")
        assert text and text.startswith("["), f"CMD must be in exec form, not {text!r}"
        return json.loads(text)

    def healthcheck(self) -> list[str]:
        text = self.last("HEALTHCHECK")
        assert text, "no HEALTHCHECK"
        _, _, command = text.partition("CMD ")
        assert command.startswith("["), f"HEALTHCHECK CMD must be in exec form, not {text!r}"
        return json.loads(command)

    def copies(self) -> list[tuple[list[str], str]]:
        """(sources, destination) of each COPY, relative to the context and to WORKDIR."""
        found = []
        for args in self.all("COPY"):
            parts = [p for p in args.split() if not p.startswith("--")]
            found.append((parts[:-1], parts[-1]))
        return found


def port_range(text: str) -> set[int]:
    first, _, last = text.partition("-")
    return set(range(int(first), int(last or first) + 1))


def compose_published(service: str, path: Path = COMPOSE) -> tuple[set[int], list[str]]:
    """The container ports a compose service publishes, and its command."""
    spec = yaml.safe_load(path.read_text())["services"][service]
    ports: set[int] = set()
    for item in spec.get("ports", []):
        container = str(item).rsplit(":", 1)[-1].split("/")[0]
        ports |= port_range(container)
    return ports, list(spec.get("command") or [])


class DockerIgnore:
    """.dockerignore's rules: patterns anchored at the context's root, `*` within a path segment,
    `**` across segments, `!` re-includes; the last matching rule wins; a directory that is
    excluded takes what is under it along."""

    def __init__(self, text: str):
        self.rules: list[tuple[bool, re.Pattern[str]]] = []
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            keep = line.startswith("!")
            pattern = line.lstrip("!").strip("/")
            self.rules.append((keep, re.compile(_regex(pattern))))

    def excluded(self, relative: str) -> bool:
        parts = relative.split("/")
        for depth in range(1, len(parts) + 1):
            if self._excluded_here("/".join(parts[:depth])):
                return True
        return False

    def _excluded_here(self, path: str) -> bool:
        verdict = False
        for keep, regex in self.rules:
            if regex.fullmatch(path):
                verdict = not keep
        return verdict


def _regex(pattern: str) -> str:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return out


def context_files(root: Path = ROOT) -> list[str]:
    """The build context as Docker sends it: every file under the root not excluded."""
    ignore = DockerIgnore((root / ".dockerignore").read_text())
    files = []
    for folder, dirs, names in os.walk(root):
        here = Path(folder).relative_to(root).as_posix()
        prefix = "" if here == "." else here + "/"
        dirs[:] = [d for d in dirs if not ignore.excluded(prefix + d)]  # what Docker does not send, not walked
        files += [prefix + n for n in names if not ignore.excluded(prefix + n)]
    return sorted(files)


def copy_as_built(dockerfile: Dockerfile, into: Path, root: Path = ROOT) -> None:
    """Lay out `into` (the image's WORKDIR) as the Dockerfile's COPY lines would, from the
    context (.dockerignore honoured)."""
    context = set(context_files(root))
    for sources, destination in dockerfile.copies():
        for source in sources:
            chosen = [f for f in context if f == source or f.startswith(source.rstrip("/") + "/")]
            assert chosen, f"COPY {source}: nothing in the build context"
            for relative in chosen:
                inside = relative[len(source):].lstrip("/") if relative != source else Path(source).name
                target = into / destination / inside if destination.endswith("/") or relative != source \
                    else into / destination
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(root / relative, target)
