"""Hypothesis-made bad STOMP traffic for the Finesse face's embedded endpoint: each input is one
TCP connection that sends garbage, a frame without its NUL, a huge frame, a frame cut in half
and then hangs up, an odd destination or a broken header, mostly after a proper CONNECT; the
answer read back must be an ERROR frame, a RECEIPT or silence, never a dead endpoint."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass

from hypothesis import strategies as st

from ..vendors.finesse.stomp.frames import DEFAULT_MAX_FRAME_BYTES

CONNECT = b"CONNECT\naccept-version:1.2\nhost:ccsim\nheart-beat:0,0\n\n\x00"
GOODBYE = b"DISCONNECT\nreceipt:fuzz-end\n\n\x00"
COMMANDS = ("SEND", "SUBSCRIBE", "UNSUBSCRIBE", "ACK", "NACK", "BEGIN", "COMMIT", "ABORT", "DISCONNECT", "CONNECT",
            "STOMP", "MESSAGE", "FROB", "send", "")
DESTINATIONS = ("/queue/Connector1", "/topic/ws1", "/queue/", "", "/queue/../x", "/topic/*", "/queue/" + "q" * 5000,
                "queue/Connector1", "/temp-queue/x", "/queue/Connector1\\c", "/queue/\u00e9\u4e2d", "/queue/a,b")
_TEXT = st.text(st.characters(min_codepoint=1, max_codepoint=0x2FF), max_size=40)


@dataclass
class StompInput:
    payload: bytes
    connect_first: bool
    hang_up: bool  # close without waiting for an answer (a half frame, then gone)
    broken: str

    def describe(self) -> str:
        head = self.payload[:100] + (b"..." if len(self.payload) > 100 else b"")
        return f"STOMP {self.broken} (connect first: {self.connect_first}, hang up: {self.hang_up}) {head!r}"


def frame(command: str, headers: list[tuple[str, str]], body: bytes = b"", nul: bool = True) -> bytes:
    head = "".join(f"{k}:{v}\n" for k, v in headers)
    return f"{command}\n{head}\n".encode("utf-8", "surrogatepass") + body + (b"\x00" if nul else b"")


@st.composite
def bad_stomp(draw) -> StompInput:
    how = draw(st.sampled_from(["garbage", "no nul", "huge", "half", "destination", "headers", "command",
                                "content-length", "many frames", "escape"]))
    jms_type = draw(st.sampled_from(["Connect#1001", "MakeReady#1001", "Login#1001", "", "#", "x" * 300]))
    body = draw(st.binary(max_size=200))
    hang_up = how == "half" or draw(st.integers(0, 9)) == 0
    if how == "garbage":
        payload = draw(st.binary(min_size=1, max_size=800))
    elif how == "no nul":
        payload = frame("SEND", [("destination", "/queue/Connector1"), ("type", jms_type)], body, nul=False)
    elif how == "huge":
        size = draw(st.sampled_from([DEFAULT_MAX_FRAME_BYTES + 1, 70_000]))
        payload = frame("SEND", [("destination", "/queue/Connector1"), ("type", jms_type)], b"a" * size)
    elif how == "half":
        whole = frame("SEND", [("destination", "/queue/Connector1"), ("type", jms_type), ("receipt", "r1")], body)
        payload = whole[:draw(st.integers(1, len(whole) - 1))]
    elif how == "destination":
        command = draw(st.sampled_from(["SEND", "SUBSCRIBE"]))
        headers = [("destination", draw(st.one_of(st.sampled_from(DESTINATIONS), _TEXT))), ("id", "s1"),
                   ("type", jms_type), ("receipt", "r1")]
        payload = frame(command, headers, body if command == "SEND" else b"")
    elif how == "headers":
        headers = draw(st.lists(st.tuples(_TEXT, _TEXT), max_size=6))
        payload = frame(draw(st.sampled_from(COMMANDS)), headers, body)
        if draw(st.booleans()):
            payload = payload.replace(b":", b"", 1)  # a header line without a colon
    elif how == "command":
        payload = frame(draw(st.one_of(st.sampled_from(COMMANDS), _TEXT)), [("destination", "/queue/Connector1")], body)
    elif how == "content-length":
        length = draw(st.sampled_from(["-1", "abc", "99999999999", str(len(body) + 5), str(max(len(body) - 1, 0))]))
        payload = frame("SEND", [("destination", "/queue/Connector1"), ("content-length", length),
                                 ("type", jms_type)], body)
    elif how == "many frames":
        payload = b"".join(frame("SEND", [("destination", "/queue/Connector1"), ("type", jms_type)], body)
                           for _ in range(draw(st.integers(2, 40))))
    else:  # escapes STOMP 1.2 does not define, in a header
        payload = frame("SEND", [("destination", "/queue/Connector1\\x"), ("type", jms_type + "\\t")], body)
    return StompInput(payload, draw(st.booleans()) or how != "garbage", hang_up, how)


async def send_stomp(host: str, port: int, item: StompInput, wait: float) -> bytes:
    """Send one input on a fresh connection; what came back within `wait` seconds (or until closed)."""
    reader, writer = await asyncio.open_connection(host, port)
    received = b""
    try:
        if item.connect_first:
            writer.write(CONNECT)
        writer.write(item.payload)
        if item.hang_up:
            await writer.drain()
            return b""
        writer.write(GOODBYE)  # answered at once, unless the input left the endpoint inside a frame
        await writer.drain()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        while (left := deadline - loop.time()) > 0:
            try:
                chunk = await asyncio.wait_for(reader.read(65536), left)
            except (TimeoutError, ConnectionError):
                break
            if not chunk:
                break
            received += chunk
            if b"receipt-id:fuzz-end" in received:
                break
    except ConnectionError:
        pass  # the endpoint hung up on a frame it would not take: allowed
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except (ConnectionError, OSError):
            pass
    return received
