"""The Docker image and compose file, judged without a Docker engine (none runs here): the ports
they expose and publish are the ports `ccsim serve` listens on with their configuration, no
more and no fewer; the image runs as a user, has a HEALTHCHECK that works, and the package
installs the way the Dockerfile installs it, from what it copies, and serves (issue 23)."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import venv

import pytest
import yaml

from support.dockerfile import COMPOSE, DOCKERFILE, ROOT, Dockerfile, compose_published, context_files, copy_as_built
from support.ports import free_base
from support.serve import _read_banner

# A listener ccsim serves, as its banner lists it; an external broker (stomp://activemq:61613) is not one.
SERVED = re.compile(r"\b\w+://(?:127\.0\.0\.1|\[::1\]|localhost):(\d+)")


def serve(command: list[str], base: int, ccsim: list[str], workdir: str = "/app",
          env: dict[str, str] | None = None) -> tuple[subprocess.Popen, list[str]]:
    """`command` (an image's CMD: ccsim serve ...) run here with `ccsim`, on port base `base`;
    paths under the image's WORKDIR are the repository's (the Dockerfile copies them there)."""
    assert command[:2] == ["ccsim", "serve"], command
    args = [str(ROOT / a[len(workdir) + 1:]) if a.startswith(workdir + "/") else a for a in command[1:]]
    proc = subprocess.Popen([*ccsim, *args, "--port-base", str(base)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env={**{k: v for k, v in os.environ.items() if not k.startswith("CCSIM_")},
                                            **(env or {})})
    try:
        return proc, _read_banner(proc, time.monotonic() + 60)
    except AssertionError:
        proc.kill()
        raise AssertionError(f"{' '.join(command)} did not start: {proc.communicate()[1]}") from None


def stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Traceback" not in err, err
    return err


def served_offsets(banner: list[str], base: int) -> set[int]:
    return {int(port) - base for line in banner for port in SERVED.findall(line)}


def exposure_problems(dockerfile: Dockerfile, offsets: set[int]) -> list[str]:
    """What is wrong between the image's EXPOSE and the ports its ccsim serve listens on."""
    base = dockerfile.port_base()
    served, exposed = {base + o for o in offsets}, dockerfile.exposed()
    return ([f"port {p} is served but not exposed" for p in sorted(served - exposed)]
            + [f"port {p} is exposed but nothing listens on it" for p in sorted(exposed - served)])


@pytest.fixture(scope="module")
def image() -> Dockerfile:
    return Dockerfile.parse(DOCKERFILE.read_text())


@pytest.fixture(scope="module")
def image_offsets(image: Dockerfile) -> set[int]:
    """The offsets from the port base of every listener of the image's CMD (its configuration)."""
    base = free_base()
    proc, banner = serve(image.cmd(), base, [sys.executable, "-m", "ccsim"])
    try:
        offsets = served_offsets(banner, base)
        health = subprocess.run([sys.executable, "-m", "ccsim", *image.healthcheck()[1:]], capture_output=True,
                                text=True, timeout=30, env={**os.environ, "CCSIM_PORT_BASE": str(base)})
        assert health.returncode == 0, health.stderr  # the HEALTHCHECK, as the container runs it
    finally:
        stop(proc)
    return offsets


def test_the_image_exposes_exactly_the_ports_its_ccsim_serve_listens_on(image, image_offsets):
    assert {0, 1, 2, 3, 4, 5, 10} <= image_offsets  # admin, the five faces, the demo's phonebar
    assert exposure_problems(image, image_offsets) == []


@pytest.mark.parametrize("mutation, problem", [
    (("EXPOSE 8800-8805 8810", "EXPOSE 8800-8805"), "port 8810 is served but not exposed"),
    (("EXPOSE 8800-8805 8810", "EXPOSE 8800-8806 8810"), "port 8806 is exposed but nothing listens on it"),
    (("EXPOSE 8800-8805 8810", "ENV CCSIM_PORT_BASE=9000\nEXPOSE 8800-8805 8810"), "port 9000 is served but not"),
])
def test_the_check_fails_on_a_dockerfile_whose_ports_are_wrong(image_offsets, tmp_path, mutation, problem):
    text = DOCKERFILE.read_text()
    assert mutation[0] in text
    broken = tmp_path / "Dockerfile"
    broken.write_text(text.replace(mutation[0], mutation[1]))
    assert problem in "\n".join(exposure_problems(Dockerfile.parse(broken.read_text()), image_offsets))


def test_compose_publishes_exactly_the_ports_its_ccsim_serves(image):
    published, command = compose_published("ccsim")
    base = free_base()
    proc, banner = serve(command, base, [sys.executable, "-m", "ccsim"])
    try:
        assert any("finesse" in line and "(ActiveMQ)" in line for line in banner)  # the broker's, not ours
        served = {image.port_base() + o for o in served_offsets(banner, base)}
    finally:
        err = stop(proc)
    assert served == published, (sorted(served), sorted(published))
    assert err.count("cannot reach stomp://activemq:61613") <= 1  # said once, not at every retry
    if "does not resolve" in err:  # no broker named activemq here: said as such
        assert "refused" not in err.lower()


def test_compose_and_its_configuration_are_consistent():
    spec = yaml.safe_load(COMPOSE.read_text())["services"]["ccsim"]
    assert set(spec["environment"]) >= {"CCSIM_ADMIN_TOKEN"}  # the token comes from the environment
    config_path = ROOT / spec["command"][spec["command"].index("--config") + 1].removeprefix("/app/")
    data = yaml.safe_load(config_path.read_text())
    finesse = [a for a in data["agents"] if "finesse" in a]
    teams_named = set(data["faces"]["finesse"].get("teams", {}))
    for supervisor in (a for a in finesse if a["finesse"].get("supervisor")):
        for team in supervisor["finesse"]["teams"]:
            members = [a["id"] for a in finesse if a["finesse"].get("team") == team]
            assert members, f"supervisor {supervisor['id']} supervises team {team}, which has no agent"
            assert team in teams_named, f"team {team} has no name in faces.finesse.teams"


def test_the_image_runs_as_a_user_with_a_healthcheck_and_says_how_to_set_the_token(image):
    user = image.last("USER")
    assert user and user.split(":")[0] not in ("root", "0")
    assert image.healthcheck()[:2] == ["ccsim", "health"]
    assert "CCSIM_ADMIN_TOKEN" in DOCKERFILE.read_text()
    cmd = image.cmd()
    assert cmd[cmd.index("--admin-host") + 1] == "0.0.0.0"  # hence the token


def test_the_build_context_leaves_out_what_the_image_does_not_need(image):
    files = context_files()
    assert not [f for f in files if f.startswith((".venv/", ".git/", "tests/", "bench/")) or "__pycache__" in f]
    for sources, _ in image.copies():
        for source in sources:
            assert any(f == source or f.startswith(source + "/") for f in files), f"COPY {source} is ignored"


def test_the_package_installs_as_the_dockerfile_installs_it_and_serves(image, tmp_path):
    """A fresh environment, `pip install` as the RUN line says, from a copy of what the COPY lines
    copy (.dockerignore honoured); then the image's CMD and HEALTHCHECK from that environment."""
    app, env_dir = tmp_path / "app", tmp_path / "venv"
    copy_as_built(image, app)
    assert (app / "ccsim" / "cli" / "commands.py").is_file() and not (app / "tests").exists()
    assert not list(app.rglob("__pycache__"))
    [install] = [r for r in image.all("RUN") if "pip install" in r]
    pip_args = install.split("pip install", 1)[1].split("&&")[0].split()
    venv.create(env_dir, with_pip=True)
    pip = [str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet", *pip_args]
    # The machine's wheels first (fast, offline); the package index when one is missing there.
    done = subprocess.run(pip, cwd=app, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PIP_NO_INDEX": "1"})
    if done.returncode != 0:
        done = subprocess.run(pip, cwd=app, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    where = subprocess.run([str(env_dir / "bin" / "python"), "-c", "import ccsim; print(ccsim.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(env_dir)), where  # installed, not this checkout
    ccsim = [str(env_dir / "bin" / "ccsim")]
    base = free_base()
    proc, banner = serve(image.cmd(), base, ccsim)
    try:
        assert exposure_problems(image, served_offsets(banner, base)) == []
        health = subprocess.run([*ccsim, *image.healthcheck()[1:]], capture_output=True, text=True, timeout=30,
                                env={**os.environ, "CCSIM_PORT_BASE": str(base)})
        assert health.returncode == 0, health.stderr
        with urllib.request.urlopen(f"http://127.0.0.1:{base}/_ccsim/ui/", timeout=10) as resp:
            assert b"ccsim dashboard" in resp.read()  # the package's static files came along
        with urllib.request.urlopen(f"http://127.0.0.1:{base}/_ccsim/health", timeout=10) as resp:
            assert json.load(resp)["status"] == "ok"
    finally:
        stop(proc)


def test_the_healthcheck_fails_without_a_server_and_with_a_wrong_token():
    base = free_base()
    down = subprocess.run([sys.executable, "-m", "ccsim", "health"], capture_output=True, text=True, timeout=30,
                          env={**os.environ, "CCSIM_PORT_BASE": str(base)})
    assert down.returncode == 1 and "refused" in down.stderr.lower()
    proc, _ = serve(["ccsim", "serve", "--faces", "huawei", "--admin-token", "right"], base,
                    [sys.executable, "-m", "ccsim"])
    try:
        for token, code in (("wrong", 1), ("right", 0)):
            run = subprocess.run([sys.executable, "-m", "ccsim", "health"], capture_output=True, text=True,
                                 timeout=30, env={**os.environ, "CCSIM_PORT_BASE": str(base), "CCSIM_ADMIN_TOKEN": token})
            assert run.returncode == code, run.stderr
    finally:
        stop(proc)
