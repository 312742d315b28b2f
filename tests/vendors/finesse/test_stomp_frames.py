"""STOMP frames: parsing, serializing, escaping per version, limits (frames.py, no sockets)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ccsim.vendors.finesse.stomp.frames import (
    HEARTBEAT,
    Frame,
    FrameError,
    FrameParser,
    encode,
    escape,
    parse_all,
    unescape,
)


def test_round_trip_keeps_command_headers_in_order_and_body():
    frame = Frame("SEND", [("destination", "/queue/Connector1"), ("type", "Login#1001"), ("x", "1"), ("x", "2")],
                  b"secret,2204")
    [back] = parse_all(encode(frame))
    assert back == frame
    assert back.get("x") == "1" and back.header_map["x"] == "1"  # the first occurrence wins


def test_escaping_is_per_version():
    value = "a:b\\c\nd\re"
    frame = Frame("MESSAGE", [("k:ey", value)], b"")
    wire12 = encode(frame, "1.2")
    assert b"k\\cey:a\\cb\\\\c\\nd\\re" in wire12
    assert parse_all(wire12, "1.2")[0].headers == [("k:ey", value)]
    wire11 = encode(frame, "1.1")  # 1.1 has no \r escape: the CR travels as is
    assert b"a\\cb\\\\c\\nd\re" in wire11
    assert unescape(escape("x:\\\n", "1.1"), "1.1") == "x:\\\n"


def test_stomp_1_0_has_no_escaping_and_trims_values():
    [frame] = parse_all(b"SEND\ndestination: /queue/a \ntype:a\\cb\n\nhi\x00", "1.0")
    assert frame.get("destination") == "/queue/a"
    assert frame.get("type") == "a\\cb"  # a backslash is just a backslash in 1.0
    assert encode(Frame("MESSAGE", [("k", "x\ny")]), "1.0") == b"MESSAGE\nk:x y\n\n\x00"


def test_connect_and_connected_are_never_escaped():
    [frame] = parse_all(b"CONNECT\nlogin:a\\cb\npasscode:p\\w\n\n\x00", "1.2")
    assert frame.get("login") == "a\\cb" and frame.get("passcode") == "p\\w"
    assert b"session:a:b\n" in encode(Frame("CONNECTED", [("session", "a:b")]), "1.2")


def test_undefined_escape_is_a_frame_error():
    with pytest.raises(FrameError, match="undefined escape"):
        parse_all(b"SEND\ndestination:a\\tb\n\n\x00", "1.2")
    with pytest.raises(FrameError, match="undefined escape"):
        parse_all(b"SEND\ndestination:a\\rb\n\n\x00", "1.1")  # \r exists from 1.2 on
    with pytest.raises(FrameError):
        parse_all(b"SEND\ndestination:ab\\\n\n\x00", "1.2")  # a trailing backslash


def test_content_length_body_may_contain_nul():
    body = b"a\x00b\x00"
    wire = encode(Frame("SEND", [("destination", "/queue/a")], body), content_length=True)
    assert b"content-length:4\n" in wire
    [frame] = parse_all(wire)
    assert frame.body == body
    # A NUL in the body forces a content-length even when not asked for.
    assert parse_all(encode(Frame("MESSAGE", [], body)))[0].body == body


def test_content_length_only_when_asked_and_stale_ones_are_dropped():
    frame = Frame("MESSAGE", [("content-length", "999"), ("destination", "/topic/t")], b"text")
    assert b"content-length" not in encode(frame)
    assert b"content-length:4\n" in encode(frame, content_length=True)


def test_crlf_line_ends_and_heartbeats_between_frames():
    wire = b"\r\n\nSEND\r\ndestination:/queue/a\r\n\r\nbody\x00\r\n\n"
    parser = FrameParser()
    items = list(parser.feed(wire))
    assert items[:2] == [HEARTBEAT, HEARTBEAT] and items[3:] == [HEARTBEAT, HEARTBEAT]
    assert items[2] == Frame("SEND", [("destination", "/queue/a")], b"body")


def test_version_change_applies_to_frames_not_yet_taken():
    parser = FrameParser(version="1.2")
    items = parser.feed(b"CONNECTED\nversion:1.0\n\n\x00MESSAGE\nk:a\\cb\n\n\x00")
    assert next(items).command == "CONNECTED"
    parser.version = "1.0"
    assert next(items).get("k") == "a\\cb"


@pytest.mark.parametrize("wire, message", [
    (b"hello world\n\n\x00", "Malformed frame"),
    (b"\xff\xfe\n\n\x00", "Malformed frame"),
    (b"SEND\ndestination /queue/a\n\n\x00", "Malformed frame"),
    (b"SEND\n:value\n\n\x00", "Malformed frame"),
    (b"SEND\ncontent-length:abc\n\nx\x00", "Invalid content-length"),
    (b"SEND\ncontent-length:2\n\nabc\x00", "Malformed frame"),
    (b"\rSEND\n\n\x00", "Malformed frame"),
    (b"SEND\nk:\xff\n\n\x00", "Malformed frame"),
])
def test_malformed_input_is_a_readable_frame_error(wire, message):
    with pytest.raises(FrameError) as err:
        parse_all(wire)
    assert err.value.message == message and str(err.value)


def test_parser_is_dead_after_an_error():
    parser = FrameParser()
    with pytest.raises(FrameError):
        list(parser.feed(b"bad command\n"))
    with pytest.raises(FrameError):
        list(parser.feed(b"SEND\n\n\x00"))


def test_oversize_frames_are_refused_early():
    parser = FrameParser(max_frame_bytes=100)
    # The declared length alone is over the limit: refused before the body arrives.
    with pytest.raises(FrameError, match="Frame too large") as err:
        list(parser.feed(b"SEND\ndestination:/queue/a\nreceipt:r-9\ncontent-length:1000\n\n"))
    assert err.value.receipt == "r-9" and err.value.command == "SEND"
    # No content-length, no NUL: refused once the buffered body passes the limit.
    parser = FrameParser(max_frame_bytes=100)
    with pytest.raises(FrameError, match="Frame too large"):
        list(parser.feed(b"SEND\n\n" + b"x" * 200))
    with pytest.raises(FrameError, match="Too many headers"):
        parse_all(b"SEND\n" + b"h:v\n" * 5 + b"\n\x00", max_headers=4)
    with pytest.raises(FrameError, match="Header too long"):
        parse_all(b"SEND\nh:" + b"v" * 50 + b"\n\n\x00", max_header_length=20)
    with pytest.raises(FrameError, match="Header too long"):
        list(FrameParser(max_header_length=20).feed(b"SEND\nh:" + b"v" * 50))  # no EOL yet
    with pytest.raises(FrameError):
        list(FrameParser().feed(b"X" * 5000))  # a command line that never ends


def test_an_incomplete_frame_waits_for_more_bytes():
    parser = FrameParser()
    assert list(parser.feed(b"SEND\ncontent-length:3\n\na\x00")) == []
    assert list(parser.feed(b"b")) == []
    [frame] = list(parser.feed(b"\x00"))
    assert frame.body == b"a\x00b"


_names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=8)
_values = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
_frames = st.builds(
    lambda cmd, headers, body, length: (Frame(cmd, headers, body), length),
    st.sampled_from(["SEND", "MESSAGE", "SUBSCRIBE", "ACK", "ERROR"]),
    st.lists(st.tuples(_names, _values), max_size=4),
    st.binary(max_size=40),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_frames, min_size=1, max_size=4), st.lists(st.integers(1, 60), max_size=20),
       st.sampled_from(["1.1", "1.2"]), st.integers(0, 2))
def test_any_split_of_a_valid_stream_parses_to_the_same_frames(frames, cuts, version, eols):
    wire = b"".join(b"\n" * eols + encode(f, version, content_length=length) for f, length in frames)
    expected = [f for f, _ in frames]

    def without_length(parsed: list[Frame]) -> list[Frame]:
        for f, (_, length) in zip(parsed, frames):
            assert ("content-length" in f) == (length or b"\x00" in f.body)
        return [Frame(f.command, [h for h in f.headers if h[0] != "content-length"], f.body) for f in parsed]

    assert without_length(parse_all(wire, version)) == expected
    parser, got, pos = FrameParser(version=version), [], 0
    for cut in cuts + [len(wire)]:
        got += [x for x in parser.feed(wire[pos:pos + cut]) if isinstance(x, Frame)]
        pos += cut
    got += [x for x in parser.feed(wire[pos:]) if isinstance(x, Frame)]
    assert without_length(got) == expected


def test_byte_by_byte_feeding():
    wire = encode(Frame("SEND", [("destination", "/queue/a"), ("type", "Login#1")], b"x\x00y"), content_length=True) * 2
    parser = FrameParser()
    frames = [x for i in range(len(wire)) for x in parser.feed(wire[i:i + 1]) if isinstance(x, Frame)]
    assert len(frames) == 2 and frames[0].body == b"x\x00y"
