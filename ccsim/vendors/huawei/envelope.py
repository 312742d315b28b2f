"""Huawei wire formats: the response envelope, events, and request-field parsing.

Pure data in and out (no aiohttp, no serving): the model builds events with it, the wire adapter
envelopes and fields. The JSON body itself is parsed by wire/dispatch.py (serving/bodies.py)."""
from __future__ import annotations

import ipaddress
from typing import Any

from .retcodes import SUCCESS, HuaweiError

CONTENT_TYPE = "application/json;charset=UTF-8"


def envelope(result: Any = None, *, message: str = "", retcode: str = SUCCESS, with_result: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message, "retcode": retcode}
    if with_result:
        body["result"] = result if result is not None else {}
    return body


def error_envelope(exc: HuaweiError) -> dict[str, Any]:
    return {"message": exc.message, "retcode": exc.retcode}


def event(event_type: str, work_no: str, content: Any = None, gen_time_ms: int | None = None) -> dict[str, Any]:
    ev: dict[str, Any] = {"eventType": event_type, "workNo": work_no, "content": content}
    if gen_time_ms is not None:
        ev["eventGenTime"] = gen_time_ms
    return ev


def is_json_media_type(content_type: str | None) -> bool:
    """Does a Content-Type name JSON, as JAX-RS matches @Consumes("application/json")? Type and
    subtype without case, parameters (charset) ignored, a wildcard matches; none is not JSON."""
    kind, _, subtype = (content_type or "").split(";", 1)[0].strip().lower().partition("/")
    return kind in ("application", "*") and subtype in ("json", "*")


# Field parsers. Huawei's own sample sends booleans and ints as strings ("false", "4"),
# so both spellings are accepted; anything else is a parameter error.
def as_bool(body: dict[str, Any], name: str, default: bool, retcode: str) -> bool:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise HuaweiError(retcode, f"{name} must be a boolean.")


def as_int(body: dict[str, Any], name: str, default: int | None, retcode: str) -> int | None:
    value = body.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise HuaweiError(retcode, f"{name} must be an integer.")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and value.isascii() and len(value.strip()) <= 18:
        return int(value)
    raise HuaweiError(retcode, f"{name} must be an integer.")


def as_str(body: dict[str, Any], name: str, *, max_len: int, retcode: str, required: bool = False,
           default: str = "") -> str:
    value = body.get(name)
    if value is None:
        if required:
            raise HuaweiError(retcode, f"{name} is mandatory.")
        return default
    if not isinstance(value, str):
        raise HuaweiError(retcode, f"{name} must be a string.")
    if len(value) > max_len:
        raise HuaweiError(retcode, f"{name} exceeds {max_len} characters.")
    return value


def valid_ipv4(value: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(value), ipaddress.IPv4Address)
    except ValueError:
        return False


def parse_agent_id(raw: str, max_agent_id: int, retcode: str = "100-001") -> str:
    if not (raw.isascii() and raw.isdigit()) or raw.startswith("0") or len(raw) > 9 or not 101 <= int(raw) <= max_agent_id:
        raise HuaweiError(retcode, f"agentid must be a number from 101 to {max_agent_id}.")
    return raw


def is_dial_string(value: str) -> bool:
    return 1 <= len(value) <= 24 and all(ch in "0123456789*#" for ch in value)
