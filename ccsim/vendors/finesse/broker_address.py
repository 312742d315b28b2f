"""Why a connection to the external broker failed, in words an operator can act on.

stomp.py logs every failed TCP connect as a warning of its own ("could not connect to host ...")
at every retry, then raises ConnectFailedException without the cause; ccsim's own line used to
call that "connection refused" whatever it was (in the compose file, the broker's name not yet
resolvable). So the broker's name is resolved first, and an unknown name is said as such; and
the cause of a failed connect is taken from stomp.py's record, which is then dropped: ccsim says
it once (activemq.py), not at every retry.
"""
from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Iterator

_attempt = threading.local()  # per thread: a connect runs in a worker thread of its own


class _ConnectFailure(logging.Filter):
    """On stomp.py's logger: keeps, and drops, its connect-failure warning in a thread that is
    connecting for ccsim (capture_cause); other users of stomp.py are left alone."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(_attempt, "active", False) and str(record.msg).startswith("could not connect to host"):
            _attempt.cause = record.args[-1] if isinstance(record.args, tuple) and record.args else None
            return False
        return True


_STOMP_LOG = logging.getLogger("stomp.py")
if not any(isinstance(f, _ConnectFailure) for f in _STOMP_LOG.filters):
    _STOMP_LOG.addFilter(_ConnectFailure())


def unresolved(host: str, port: int) -> str | None:
    """Why `host` cannot be looked up (None: it can). Blocking: call it in a worker thread."""
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        return f"the broker's name {host!r} does not resolve ({exc.strerror}): DNS, /etc/hosts or a typo"
    except (OSError, UnicodeError) as exc:
        return f"the broker's name {host!r} cannot be looked up ({exc})"
    return None


@contextlib.contextmanager
def capture_cause() -> Iterator[Callable[[], str]]:
    """Within: stomp.py's connect failures in this thread are kept, not logged. Gives a function
    that says the last one ("no cause known" when stomp.py gave none)."""
    _attempt.active, _attempt.cause = True, None
    try:
        yield lambda: str(_attempt.cause) if _attempt.cause is not None else "no cause known"
    finally:
        _attempt.active = False
