"""The one JSON-body parser (ccsim/serving/bodies.py, issue 24 §5.1): per decode mode, and each face's
decode mode and words as its clients see them today (so a face converted to the parser keeps them).
Bodies over the limit, sized or chunked, are the faces' own (read_body): test_routes.py pins where
their 413 comes (NICE before routing, Huawei after its 415), test_oversize_bodies.py the answers."""
from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import JSON_TYPE, TEST_CONFIG
from motion import XCALLY_AGENTS, XCALLY_QUEUES
from ccsim import config
from ccsim.serving.bodies import BodyProblem, json_object, json_value

BOM = b"\xef\xbb\xbf"
NOT_JSON, NOT_OBJECT = ("problem", "not-json"), ("problem", "not-an-object")  # no JSON value is a tuple


def parsed(parse: Any, raw: bytes, **options: Any) -> Any:
    try:
        return parse(raw, **options)
    except BodyProblem as problem:
        return ("problem", problem.kind)


# raw, then what json_value gives with decode="bytes", "utf-8" and "utf-8-replace"
DECODED = [
    (b'{"a": [1, "\xc3\xa9"]}', {"a": [1, "é"]}, {"a": [1, "é"]}, {"a": [1, "é"]}),
    (BOM + b'{"a": 1}', {"a": 1}, NOT_JSON, NOT_JSON),             # json.loads(bytes) skips a UTF-8 BOM
    ('{"a": 1}'.encode("utf-16"), {"a": 1}, NOT_JSON, NOT_JSON),   # ... and detects UTF-16
    ('{"a": 1}'.encode("utf-32-le"), {"a": 1}, NOT_JSON, NOT_JSON),
    (b'{"a": "\xff"}', NOT_JSON, NOT_JSON, {"a": "\ufffd"}),         # no UTF-8: only "replace" reads on
    (b'{"a": "\xed\xa0\x80"}', {"a": "\ud800"}, NOT_JSON, {"a": "\ufffd\ufffd\ufffd"}),  # json's surrogatepass
    (b'"\\ud800"', "\ud800", "\ud800", "\ud800"),                    # an escaped one is JSON
    (b'[1, 2]', [1, 2], [1, 2], [1, 2]),
    (b' null ', None, None, None),
    (b'{"a": Infinity}', {"a": float("inf")}, {"a": float("inf")}, {"a": float("inf")}),  # Python's JSON
    (b'{"a": 1, "a": 2}', {"a": 2}, {"a": 2}, {"a": 2}),
    (b'{"a": 1} {}', NOT_JSON, NOT_JSON, NOT_JSON),
    (b'{"a": ', NOT_JSON, NOT_JSON, NOT_JSON),
    (b"", NOT_JSON, NOT_JSON, NOT_JSON),
    (b" \t\r\n", NOT_JSON, NOT_JSON, NOT_JSON),
    (b"[" * 100_000 + b"]" * 100_000, NOT_JSON, NOT_JSON, NOT_JSON),  # too deep for the parser: bad JSON
    (b"a=1&b=2", NOT_JSON, NOT_JSON, NOT_JSON),
]


@pytest.mark.parametrize("raw, as_bytes, as_utf8, replaced", DECODED, ids=range(len(DECODED)))
def test_each_decode_mode_reads_the_bodies_it_reads(raw, as_bytes, as_utf8, replaced):
    modes = ("bytes", "utf-8", "utf-8-replace")
    assert [parsed(json_value, raw, decode=mode) for mode in modes] == [as_bytes, as_utf8, replaced]


@pytest.mark.parametrize("raw", [b"[]", b'"{}"', b"3", b"null", b"true"])
def test_a_json_object_is_an_object(raw):
    assert parsed(json_object, raw) == NOT_OBJECT and parsed(json_object, raw, empty={}) == NOT_OBJECT


@pytest.mark.parametrize("raw", [b"", b"  ", b"\r\n\t", b"\x0b\x0c"])  # bytes.strip(): ASCII whitespace
def test_an_empty_body_is_a_copy_of_empty_unless_empty_is_none(raw):
    default = {"from": "empty"}
    got = json_object(raw, decode="utf-8", empty=default)
    assert got == default and got is not default
    assert parsed(json_object, raw, decode="utf-8") == NOT_JSON


def test_words_and_modes():
    assert str(BodyProblem("not-json")) == "the body is not valid JSON"
    assert str(BodyProblem("not-an-object")) == "the body must be a JSON object"
    with pytest.raises(ValueError, match="decode"):
        json_value(b"{}", decode="latin-1")  # type: ignore[arg-type]


@given(st.binary(max_size=200) | st.builds(lambda v, pre: pre + json.dumps(v).encode(), st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(), lambda inner: st.lists(inner) | st.dictionaries(
        st.text(), inner)), st.sampled_from([b"", BOM, b" "])))
def test_any_bytes_are_a_value_or_a_body_problem(raw):
    for mode in ("bytes", "utf-8", "utf-8-replace"):
        value = parsed(json_value, raw, decode=mode)
        if not raw.strip():
            expected: Any = {}
        else:
            expected = value if isinstance(value, dict) or value == NOT_JSON else NOT_OBJECT
        assert parsed(json_object, raw, decode=mode, empty={}) == expected


# -- each face's mode and words, over the wire, today ------------------------------------------------------------
@pytest.fixture
def sim_config() -> config.Config:
    data = copy.deepcopy(TEST_CONFIG)
    data["agents"] += copy.deepcopy(XCALLY_AGENTS)
    data["queues"] += copy.deepcopy(XCALLY_QUEUES)
    return config.from_mapping(data, "tests")


HALO = {"Authorization": "Basic " + base64.b64encode(b"intermedia:ccsim-halo-webhook").decode()}
NOTIFY = b'{"CallID": "c-1", "AgentNumber": "+1555", "UserNumber": "+1666"}'
HUAWEI_LOGIN = "/agentgateway/resource/onlineagent/292/loginex"
TOKEN = "/InContactAuthorizationServer/Token"
HUAWEI_NOT_JSON = "The message body is not valid JSON."
NICE_NOT_JSON = {"error": "InvalidBody", "message": "the body must be JSON"}
HALO_NOT_JSON = {"$": ["The body is not valid JSON."]}

# face, method, path, headers, body -> status, and what the answer's body has (a dict: these items; a str: in it)
ON_THE_WIRE = [
    # the admin API: decode="bytes"
    ("admin", "POST", "/_ccsim/contacts", JSON_TYPE, BOM + b'{"queue": "sales"}', 201, {"queue": "sales"}),
    ("admin", "POST", "/_ccsim/contacts", JSON_TYPE, '{"queue": "sales"}'.encode("utf-16"), 201, {"queue": "sales"}),
    ("admin", "POST", "/_ccsim/contacts", JSON_TYPE, b'{"queue": "\xff"}', 400, "the body is not valid JSON"),
    ("admin", "POST", "/_ccsim/contacts", JSON_TYPE, b"[]", 400, "the body must be a JSON object"),
    # Huawei: decode="utf-8", an empty body is {}: the operation's retcode for the rest
    ("huawei", "PUT", HUAWEI_LOGIN, JSON_TYPE, BOM + b'{"password": "secret"}', 200,
     {"retcode": "100-001", "message": "The sign-in parameter is empty or invalid. " + HUAWEI_NOT_JSON}),
    ("huawei", "PUT", HUAWEI_LOGIN, JSON_TYPE, b'{"password": "\xff"}', 200, {"retcode": "100-001"}),
    ("huawei", "PUT", HUAWEI_LOGIN, JSON_TYPE, b'["secret"]', 200, "The message body must be a JSON object."),
    ("huawei", "PUT", HUAWEI_LOGIN, JSON_TYPE, b" \r\n", 200, "password is mandatory"),
    # NICE: decode="utf-8-replace", else a form body
    ("nice", "POST", TOKEN, {}, BOM + b'{"grant_type": "password"}', 400, NICE_NOT_JSON),
    ("nice", "POST", TOKEN, {}, b'{"grant_type": "\xff"}', 400, {"error": "unsupported_grant_type"}),
    ("nice", "POST", TOKEN, {}, b"grant_type=refresh_token&refresh_token=x", 400, {"error": "invalid_grant"}),
    ("nice", "POST", TOKEN, {}, b"[1]", 400, {"error": "InvalidBody", "message": "the body must be a JSON object"}),
    ("nice", "POST", TOKEN, {}, b"{=}", 400, NICE_NOT_JSON),  # a "{": no form
    ("nice", "POST", TOKEN, {}, b"  ", 400, {"error": "unsupported_grant_type"}),
    # XCALLY: decode="bytes", an empty body is {} (409: the body was read, the agent is not logged in)
    ("xcally", "POST", "/api/users/1/logout?apikey=ccsim-xcally-key", {}, BOM + b"{}", 409, "not logged in"),
    ("xcally", "POST", "/api/users/1/logout?apikey=ccsim-xcally-key", {}, "{}".encode("utf-16"), 409, "not logged in"),
    ("xcally", "POST", "/api/users/1/logout?apikey=ccsim-xcally-key", {}, b" ", 409, "not logged in"),
    ("xcally", "POST", "/api/users/1/logout?apikey=ccsim-xcally-key", {}, b"\xff", 400,
     {"message": "the body is not valid JSON"}),
    ("xcally", "POST", "/api/users/1/logout?apikey=ccsim-xcally-key", {}, b"[]", 400,
     {"message": "the body must be a JSON object"}),
    # Intermedia: decode="utf-8", any value (an empty body is no JSON)
    ("intermedia", "POST", "/api/notify/intermedia", HALO, NOTIFY, 200, ""),
    ("intermedia", "POST", "/api/notify/intermedia", HALO, BOM + NOTIFY, 400, {"errors": HALO_NOT_JSON}),
    ("intermedia", "POST", "/api/notify/intermedia", HALO, b"", 400, {"errors": HALO_NOT_JSON}),
    ("intermedia", "POST", "/api/notify/intermedia", HALO, b"  ", 400, {"errors": HALO_NOT_JSON}),
    ("intermedia", "POST", "/api/notify/intermedia", HALO, b"[]", 400,
     {"errors": {"$": ["The body must be a JSON object."]}}),
]


async def test_each_face_reads_json_bodies_in_its_mode_and_says_so_in_its_words(sim, wire):
    wrong = []
    for face, method, path, headers, raw, status, has in ON_THE_WIRE:
        resp = await wire.request(method, sim.urls[face] + path, data=raw, headers=headers)
        body = resp.body if isinstance(resp.body, dict) else {}
        matches = all(body.get(k) == v for k, v in has.items()) if isinstance(has, dict) else has in resp.raw.decode()
        if resp.status != status or not matches:
            wrong.append(f"{face} {method} {path} {raw[:40]!r}: {resp.status} {resp.raw[:200]!r}")
    assert not wrong, "\n".join(wrong)
