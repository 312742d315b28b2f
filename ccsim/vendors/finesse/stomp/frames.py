"""STOMP frames (1.0, 1.1, 1.2): a Frame, an incremental parser, a serializer. Pure: no I/O.

Wire facts this module encodes (STOMP 1.2 spec, stomp.github.io):

* A frame is a command line, header lines, a blank line, a body and a NUL octet. Lines end in
  LF or (1.2) CR LF; in 1.1 a CR before LF is part of a header value. EOLs between frames
  are heart-beats.
* Header escaping: 1.1 defines \\n \\c \\\\; 1.2 adds \\r; any other escape is a fatal error.
  1.0 has no escaping (ActiveMQ trims 1.0 header values), and CONNECT, STOMP and CONNECTED
  frames are never escaped, whatever the version.
* Repeated headers: the first occurrence wins. Frame keeps them all, in order.
* With a `content-length` header the body is exactly that many octets (it may contain NUL) and
  must be followed by NUL; without it the body runs to the first NUL.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")
UNESCAPED_COMMANDS = frozenset({"CONNECT", "STOMP", "CONNECTED"})

# Limits, after ActiveMQ's StompWireFormat (MAX_COMMAND_LENGTH, MAX_HEADER_LENGTH, MAX_HEADERS);
# the frame limit is ccsim's own (ActiveMQ allows 100 MB).
DEFAULT_MAX_FRAME_BYTES = 1024 * 1024
DEFAULT_MAX_HEADERS = 1000
DEFAULT_MAX_HEADER_LENGTH = 10 * 1024
MAX_COMMAND_LENGTH = 1024

_COMMAND_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
_DIGITS_RE = re.compile(r"[0-9]+")
_ESCAPE_RE = re.compile(r"\\(.?)", re.DOTALL)
_ESCAPES = {
    "1.1": {"\\": "\\\\", "\n": "\\n", ":": "\\c"},
    "1.2": {"\\": "\\\\", "\n": "\\n", ":": "\\c", "\r": "\\r"},
}
_UNESCAPES = {version: {v[1]: k for k, v in table.items()} for version, table in _ESCAPES.items()}


class FrameError(ValueError):
    """Malformed or over-size input. `message` is short (an ERROR frame's `message` header),
    `detail` explains. `command` and `headers` hold what was parsed of the bad frame, so that
    the ERROR can carry its `receipt-id`."""

    def __init__(self, message: str, detail: str = "", *, command: str | None = None,
                 headers: Iterable[tuple[str, str]] = ()):
        super().__init__(f"{message}: {detail}" if detail else message)
        self.message = message
        self.detail = detail
        self.command = command
        self.headers = list(headers)

    @property
    def receipt(self) -> str | None:
        return next((v for k, v in self.headers if k == "receipt"), None)


@dataclass
class Frame:
    command: str
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    @classmethod
    def make(cls, command: str, headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
             body: bytes | str = b"") -> "Frame":
        pairs = list(headers.items()) if isinstance(headers, Mapping) else list(headers or ())
        return cls(command, [(str(k), str(v)) for k, v in pairs], body.encode("utf-8") if isinstance(body, str) else bytes(body))

    def get(self, name: str, default: str | None = None) -> str | None:
        """The first occurrence of header `name` (STOMP 1.2: the first one wins)."""
        return next((v for k, v in self.headers if k == name), default)

    def __contains__(self, name: object) -> bool:
        return any(k == name for k, _ in self.headers)

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    @property
    def header_map(self) -> dict[str, str]:
        """Headers as a dict, keeping the first occurrence of each name."""
        out: dict[str, str] = {}
        for k, v in self.headers:
            out.setdefault(k, v)
        return out

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class HeartBeat:
    """An EOL received between frames."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "HEARTBEAT"


HEARTBEAT = HeartBeat()


def escapes_apply(command: str, version: str) -> bool:
    return version != "1.0" and command not in UNESCAPED_COMMANDS


def escape(value: str, version: str) -> str:
    table = _ESCAPES.get(version, _ESCAPES["1.2"])
    return "".join(table.get(c, c) for c in value)


def unescape(value: str, version: str) -> str:
    table = _UNESCAPES.get(version, _UNESCAPES["1.2"])

    def one(m: re.Match[str]) -> str:
        c = m.group(1)
        if c not in table:
            shown = "\\" + c if c else "a trailing backslash"
            raise FrameError("Malformed frame", f"undefined escape sequence {shown!r} in header {value!r} (STOMP {version})")
        return table[c]

    return _ESCAPE_RE.sub(one, value)


def _unescapable(text: str) -> str:
    """A header name or value where escaping does not apply: line breaks cannot be sent."""
    return text.replace("\r", " ").replace("\n", " ")


def encode(frame: Frame, version: str = "1.2", *, content_length: bool = False) -> bytes:
    """The frame on the wire, escaped for `version`. Any `content-length` in frame.headers is
    dropped; one is written when `content_length` is true or the body contains NUL (else the
    receiver would cut it there). In 1.0 and on CONNECT/STOMP/CONNECTED, line breaks in header
    text become spaces (no escaping exists there)."""
    escaped = escapes_apply(frame.command, version)
    lines = [frame.command]
    for name, value in frame.headers:
        if name == "content-length":
            continue
        if escaped:
            lines.append(f"{escape(name, version)}:{escape(value, version)}")
        else:
            lines.append(f"{_unescapable(name).replace(':', ' ')}:{_unescapable(value)}")
    if content_length or b"\x00" in frame.body:
        lines.append(f"content-length:{len(frame.body)}")
    head = ("\n".join(lines) + "\n\n").encode("utf-8")
    return head + frame.body + b"\x00"


_IDLE, _HEAD, _BODY = 0, 1, 2


class FrameParser:
    """Incremental parser: `feed(data)` buffers bytes and returns an iterator over the frames
    (and HEARTBEAT markers) now complete. Parsing is lazy: a change of `version` (after
    CONNECT/CONNECTED) applies to every frame not yet taken from the iterator. After a
    FrameError the parser is dead: every later feed raises the same error."""

    def __init__(self, *, version: str = "1.2", max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
                 max_headers: int = DEFAULT_MAX_HEADERS, max_header_length: int = DEFAULT_MAX_HEADER_LENGTH):
        self.version = version
        self.max_frame_bytes = max_frame_bytes
        self.max_headers = max_headers
        self.max_header_length = max_header_length
        self._buf = bytearray()
        self._scanned = 0  # bytes of _buf already searched for the delimiter we wait for
        self._failed: FrameError | None = None
        self.frames_begun = 0  # frames whose first byte has been read (a deadline tells them apart)
        self._reset()

    def _reset(self) -> None:
        self._state = _IDLE
        self._command: str | None = None
        self._headers: list[tuple[str, str]] = []
        self._head_bytes = 0
        self._length: int | None = None

    @property
    def buffered(self) -> int:
        return len(self._buf)

    @property
    def in_frame(self) -> bool:
        """Part of a frame has been read and not its end."""
        return self._state != _IDLE

    def feed(self, data: bytes) -> Iterator[Frame | HeartBeat]:
        if self._failed is None:
            self._buf += data
        return self._drain()

    def _drain(self) -> Iterator[Frame | HeartBeat]:
        while True:
            if self._failed is not None:
                raise self._failed
            try:
                item = self._step()
            except FrameError as exc:
                if exc.command is None:
                    exc.command, exc.headers = self._command, list(self._headers)
                self._failed = exc
                self._buf.clear()
                raise
            if item is None:
                return
            yield item

    def _take(self, n: int) -> bytes:
        chunk = bytes(self._buf[:n])
        del self._buf[:n]
        self._scanned = 0
        return chunk

    def _error(self, message: str, detail: str) -> FrameError:
        return FrameError(message, detail, command=self._command, headers=self._headers)

    def _too_large(self, size: int) -> FrameError:
        return self._error("Frame too large",
                           f"the frame is at least {size} bytes; the limit is {self.max_frame_bytes} bytes (headers and body)")

    def _step(self) -> Frame | HeartBeat | None:
        if self._state == _IDLE:
            if not self._buf:
                return None
            if self._buf[0] == 0x0A:
                self._take(1)
                return HEARTBEAT
            if self._buf[0] == 0x0D:
                if len(self._buf) < 2:
                    return None
                if self._buf[1] != 0x0A:
                    raise self._error("Malformed frame", "a CR not followed by LF between frames")
                self._take(2)
                return HEARTBEAT
            self._state = _HEAD
            self.frames_begun += 1
        if self._state == _HEAD:
            if not self._read_head():
                return None
            self._state = _BODY
        return self._read_body()

    def _read_head(self) -> bool:
        """Consume header lines; True once the blank line ending them has been read."""
        while True:
            idx = self._buf.find(b"\n", self._scanned)
            limit = MAX_COMMAND_LENGTH if self._command is None else self.max_header_length
            if idx < 0:
                self._scanned = len(self._buf)
                if len(self._buf) > limit + 1:
                    raise self._line_too_long(limit)
                if self._head_bytes + len(self._buf) > self.max_frame_bytes:
                    raise self._too_large(self._head_bytes + len(self._buf))
                return False
            raw = self._take(idx + 1)
            self._head_bytes += len(raw)
            line = raw[:-1]
            # CR LF ends a line from 1.2 on; in 1.1 a CR before LF belongs to the header value
            # (1.0 values are trimmed anyway). Command and blank lines accept CR LF always.
            crlf = line.endswith(b"\r")
            if crlf and (self._command is None or line == b"\r" or self.version != "1.1"):
                line = line[:-1]
            if len(line) > limit:
                raise self._line_too_long(limit)
            if self._head_bytes > self.max_frame_bytes:
                raise self._too_large(self._head_bytes)
            if self._command is None:
                self._command = self._parse_command(line)
            elif not line:
                return True
            else:
                self._headers.append(self._parse_header(line))

    def _line_too_long(self, limit: int) -> FrameError:
        what = "command line" if self._command is None else "header line"
        return self._error("Header too long" if self._command else "Malformed frame",
                           f"a {what} is longer than {limit} bytes")

    def _parse_command(self, line: bytes) -> str:
        text = line.decode("ascii", errors="replace")
        if not _COMMAND_RE.fullmatch(text):
            raise self._error("Malformed frame", f"invalid command line {line[:60]!r}")
        return text

    def _parse_header(self, line: bytes) -> tuple[str, str]:
        if len(self._headers) >= self.max_headers:
            raise self._error("Too many headers", f"a frame may have at most {self.max_headers} headers")
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise self._error("Malformed frame", f"a header is not UTF-8: {line[:60]!r}") from None
        if ":" not in text:
            raise self._error("Malformed frame", f"header line without a colon: {text[:60]!r}")
        name, value = text.split(":", 1)
        assert self._command is not None
        if escapes_apply(self._command, self.version):
            name, value = unescape(name, self.version), unescape(value, self.version)
        elif self.version == "1.0":
            name, value = name.strip(), value.strip()
        if not name:
            raise self._error("Malformed frame", f"header line with an empty name: {text[:60]!r}")
        return name, value

    def _read_body(self) -> Frame | None:
        if self._length is None:
            declared = next((v for k, v in self._headers if k == "content-length"), None)
            if declared is not None:
                if not _DIGITS_RE.fullmatch(declared.strip()) or len(declared.strip()) > 18:
                    raise self._error("Invalid content-length", f"content-length must be a number of octets, not {declared!r}")
                self._length = int(declared.strip())
                if self._head_bytes + self._length > self.max_frame_bytes:
                    raise self._too_large(self._head_bytes + self._length)
            else:
                self._length = -1
        if self._length >= 0:
            if len(self._buf) < self._length + 1:
                return None
            if self._buf[self._length] != 0:
                raise self._error("Malformed frame", f"the {self._length} octets of body given by content-length are not followed by NUL")
            body = self._take(self._length + 1)[:-1]
        else:
            idx = self._buf.find(b"\x00", self._scanned)
            if idx < 0:
                self._scanned = len(self._buf)
                if self._head_bytes + len(self._buf) > self.max_frame_bytes:
                    raise self._too_large(self._head_bytes + len(self._buf))
                return None
            if self._head_bytes + idx > self.max_frame_bytes:
                raise self._too_large(self._head_bytes + idx)
            body = self._take(idx + 1)[:-1]
        assert self._command is not None
        frame = Frame(self._command, self._headers, body)
        self._reset()
        return frame


def parse_all(data: bytes, version: str = "1.2", **limits: int) -> list[Frame]:
    """Every frame in `data` (heart-beats dropped); FrameError if anything is malformed or left over."""
    parser = FrameParser(version=version, **limits)
    frames = [f for f in parser.feed(data) if isinstance(f, Frame)]
    if parser.buffered:
        raise FrameError("Malformed frame", f"{parser.buffered} bytes left after the last complete frame")
    return frames
