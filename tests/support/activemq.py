"""A real ActiveMQ Classic for tests: Debian's package, run from its jar in a temporary folder.

    broker = ActiveMQ()          # picks free loopback ports, copies the stock configuration
    broker.start()               # returns once a STOMP CONNECT is answered
    broker.stop(); broker.start()  # a restart: same ports, same data folder
    broker.close()               # stops the JVM (its whole process group) and removes the folder

No JVM outlives the tests: stop()/close() signal the whole process group; an atexit hook kills
it if close() was skipped; and a watchdog process kills it (and removes the folder) when the
test process dies without cleaning up (SIGTERM from a timeout, SIGKILL).

`require_activemq()` decides what happens when ActiveMQ is not installed: with the environment
variable CI set (to anything but "", "0", "false", "no") the test fails, because .ci/run
installs the package; on a developer's machine the test is skipped. Both say
MISSING_MESSAGE. CCSIM_ACTIVEMQ_JAR and CCSIM_ACTIVEMQ_CONFIG override where the jar and
the stock configuration are looked for (pointing them at nothing shows the missing path).

Facts used (Debian 12, package `activemq`, ActiveMQ Classic 5.17 on OpenJDK 17):
* the jar is /usr/share/activemq/bin/activemq.jar and `java -jar activemq.jar start
  xbean:file:<config>` runs the broker in the foreground with all its state under
  -Dactivemq.base/-Dactivemq.conf/-Dactivemq.data;
* the stock /etc/activemq/instances-available/main/activemq.xml has useJmx="false", KahaDB
  under ${activemq.base}/data and only an OpenWire connector on 127.0.0.1:61616; it imports no
  jetty.xml, so no web console is started when the jar is run like this (checked: the JVM
  listens only on the connectors' ports). We replace the connectors by one STOMP connector
  (plus OpenWire only when asked) on free loopback ports;
* the package's ActiveMQ logs through log4j 1.2 (the shipped log4j2.properties is not read):
  we give it a small log4j.properties that writes to activemq.out in the folder.
"""
from __future__ import annotations

import atexit
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest

JAR = Path(os.environ.get("CCSIM_ACTIVEMQ_JAR", "/usr/share/activemq/bin/activemq.jar"))
STOCK_CONFIG = Path(os.environ.get("CCSIM_ACTIVEMQ_CONFIG", "/etc/activemq/instances-available/main/activemq.xml"))
HOME = Path("/usr/share/activemq")
MISSING_MESSAGE = "ActiveMQ is not installed: .ci/run installs it with apt-get install activemq"
HEAP = "256m"

LOG4J = """\
log4j.rootLogger=INFO, out
log4j.logger.org.apache.activemq.spring=WARN
log4j.logger.org.springframework=WARN
log4j.logger.org.apache.xbean=WARN
log4j.appender.out=org.apache.log4j.ConsoleAppender
log4j.appender.out.layout=org.apache.log4j.PatternLayout
log4j.appender.out.layout.ConversionPattern=%d{HH:mm:ss,SSS} %-5p %m%n
"""


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing() -> str | None:
    """Why ActiveMQ cannot run here, or None."""
    if not JAR.is_file():
        return f"{MISSING_MESSAGE} (no {JAR})"
    if not STOCK_CONFIG.is_file():
        return f"{MISSING_MESSAGE} (no {STOCK_CONFIG})"
    if shutil.which("java") is None:
        return f"{MISSING_MESSAGE} (no java on PATH)"
    return None


def require_activemq() -> None:
    """Fail (in CI) or skip (elsewhere) when ActiveMQ is not installed."""
    why = missing()
    if why is None:
        return
    if in_ci():
        pytest.fail(why, pytrace=False)
    pytest.skip(why)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def broker_config(stock: str, stomp_port: int, openwire_port: int | None = None,
                  users: dict[str, str] | None = None) -> str:
    """The stock configuration with its connectors replaced by ours (loopback only); with
    `users`, only those logins are accepted (simpleAuthenticationPlugin, no anonymous access)."""
    connectors = [f'<transportConnector name="stomp" uri="stomp://127.0.0.1:{stomp_port}"/>']
    if openwire_port is not None:
        connectors.append(f'<transportConnector name="openwire" uri="tcp://127.0.0.1:{openwire_port}"/>')
    indent = "\n            "
    block = f"<transportConnectors>{indent}{indent.join(connectors)}\n        </transportConnectors>"
    if users:
        entries = "".join(f'<authenticationUser username="{escape(u, quote=True)}" '
                          f'password="{escape(p, quote=True)}" groups="admins"/>' for u, p in users.items())
        # Before <transportConnectors>: some 5.x schemas want the broker's children in order.
        plugins = f"<plugins><simpleAuthenticationPlugin><users>{entries}</users></simpleAuthenticationPlugin></plugins>"
        block = plugins + "\n        " + block
    new, n = re.subn(r"<transportConnectors>.*?</transportConnectors>", block, stock, flags=re.S)
    if n != 1:
        raise RuntimeError("the stock activemq.xml has no <transportConnectors> block to replace")
    return new


class ActiveMQ:
    """One ActiveMQ JVM in its own process group, in a temporary folder."""

    def __init__(self, *, openwire: bool = False, users: dict[str, str] | None = None, workdir: Path | None = None):
        self._own_dir = workdir is None
        self.dir = Path(workdir or tempfile.mkdtemp(prefix="ccsim-activemq-"))
        self.stomp_port = free_port()
        self.openwire_port = free_port() if openwire else None
        self.host = "127.0.0.1"
        self.config = self.dir / "activemq.xml"
        self.config.write_text(broker_config(STOCK_CONFIG.read_text(), self.stomp_port, self.openwire_port, users))
        (self.dir / "log4j.properties").write_text(LOG4J)
        self.log = self.dir / "activemq.out"
        self.proc: subprocess.Popen | None = None
        self._watchdog: subprocess.Popen | None = None
        self.start_seconds: list[float] = []  # wall time of each start, until STOMP answered
        atexit.register(self.kill)  # last resort: never leave a JVM behind

    def command(self) -> list[str]:
        d = str(self.dir)
        return [
            "java", f"-Xmx{HEAP}", f"-Xms{HEAP}",
            # Start-up speed: a broker in a test needs neither the C2 compiler nor a big GC.
            "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k",
            "-Djava.net.preferIPv4Stack=true", "-Djava.awt.headless=true",
            f"-Dactivemq.base={d}", f"-Dactivemq.home={HOME}", f"-Dactivemq.conf={d}",
            f"-Dactivemq.data={d}/data", f"-Dlog4j.configuration=file:{d}/log4j.properties",
            "-jar", str(JAR), "start", f"xbean:file:{self.config}",
        ]

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 60.0) -> float:
        """Start the JVM and wait until a STOMP CONNECT is answered; returns the seconds taken."""
        if self.running:
            return 0.0
        began = time.monotonic()
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(self.command(), cwd=self.dir, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self._watch(self.proc.pid)
        try:
            self._wait_stomp(began + timeout)
        except BaseException:
            self.kill()
            raise
        took = time.monotonic() - began
        self.start_seconds.append(took)
        return took

    def _wait_stomp(self, deadline: float) -> None:
        while True:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"ActiveMQ exited with {self.proc.returncode} while starting:\n{self.log_tail()}")
            if stomp_answers(self.host, self.stomp_port):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"ActiveMQ did not answer STOMP on {self.stomp_port} in time:\n{self.log_tail()}")
            time.sleep(0.05)  # a poll interval, not a guess at the start-up time

    def stop(self, timeout: float = 20.0) -> None:
        """Stop the broker (SIGTERM: its shutdown hook closes connections and the store); SIGKILL
        if it is still there after `timeout`. The data folder and the ports are kept."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self._signal(signal.SIGCONT)  # in case it was paused
            self._signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)
                self.proc.wait(10)
        self._signal(signal.SIGKILL)  # anything left in the group
        self.proc = None
        self._unwatch()

    def kill(self) -> None:
        """SIGKILL the whole process group now (a crash, or the last-resort cleanup)."""
        if self.proc is None:
            return
        self._signal(signal.SIGKILL)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        self.proc = None
        self._unwatch()

    def _watch(self, pgid: int) -> None:
        """A watchdog in its own session that SIGKILLs the JVM's process group (and removes our
        temporary folder) when the pipe from this process closes: when pytest ends in any way,
        even killed by a timeout or SIGKILL, when neither fixture finalizers nor atexit run.
        (dash's kill wants `kill -9 -PGID`, not `kill -KILL -- -PGID`.)"""
        script = f"cat >/dev/null; kill -9 -{pgid} 2>/dev/null"
        if self._own_dir:
            script += f"; sleep 1; rm -rf {shlex.quote(str(self.dir))}"
        self._watchdog = subprocess.Popen(
            ["sh", "-c", script],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)

    def _unwatch(self) -> None:
        """The JVM is gone: end the watchdog without letting it kill anything."""
        dog, self._watchdog = self._watchdog, None
        if dog is not None:
            dog.kill()
            dog.wait(10)
            if dog.stdin is not None:
                dog.stdin.close()

    def pause(self) -> None:
        """SIGSTOP the JVM: its sockets stay open but nothing answers (a hung broker)."""
        if self.running:
            self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        if self.running:
            self._signal(signal.SIGCONT)

    def restart(self, timeout: float = 60.0) -> float:
        self.stop()
        return self.start(timeout)

    def close(self) -> None:
        self.stop()
        atexit.unregister(self.kill)
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _signal(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, sig)  # the group: the JVM and anything it started
        except ProcessLookupError:
            pass

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def __enter__(self) -> ActiveMQ:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def stomp_answers(host: str, port: int, timeout: float = 2.0) -> bool:
    """True when an anonymous STOMP 1.1 CONNECT on host:port is answered (CONNECTED, or ERROR
    from a broker that requires a login)."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.sendall(b"CONNECT\naccept-version:1.1,1.2\nhost:localhost\n\n\x00")
            data = b""
            while b"\x00" not in data:
                chunk = s.recv(4096)
                if not chunk:
                    return False
                data += chunk
            frame = data.lstrip(b"\r\n")
            if frame.startswith(b"CONNECTED"):
                s.sendall(b"DISCONNECT\nreceipt:bye\n\n\x00")
                return True
            return frame.startswith(b"ERROR")  # a broker that wants a login: it answers, so it is up
    except OSError:
        return False


def running_broker(**options: object) -> Iterator[ActiveMQ]:
    """A started ActiveMQ for a fixture to yield from; closed (process group killed) at the end,
    also on failure."""
    require_activemq()
    amq = ActiveMQ(**options)  # type: ignore[arg-type]
    try:
        amq.start()
        yield amq
    finally:
        amq.close()
