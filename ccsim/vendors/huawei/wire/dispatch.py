"""What every Huawei request goes through once the route table has found its operation, and the
face's answers when the table finds none.

Labelled for the journal first (op and agent), then, in this order: a JSON operation's
Content-Type (415), the body read (too large: the operation's own retcode), the agentid, an
injected fault, the operation. Business failures are HTTP 200 with a non-zero retcode (reference
§0, INFERRED from clients); 404 and 405 are the Huawei envelope too.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from ....serving.bodies import BodyProblem, json_object
from ....serving.journaling import AGENT, OP, BodyTooLarge, read_body
from ....serving.routes import Found
from ..envelope import as_int, envelope, error_envelope, is_json_media_type, parse_agent_id
from ..model.gateway import FACE, Gateway
from ..model.session import Session
from ..retcodes import HuaweiError

_BODY_WORDS = {"not-json": "The message body is not valid JSON.",
               "not-an-object": "The message body must be a JSON object."}
_NO_BODY: dict[str, Any] = {}


@dataclass
class HuaweiCall:
    """One request to an operation, as its handler sees it."""

    gateway: Gateway
    request: web.Request
    params: dict[str, str]  # the path's parameters
    raw: bytes
    workno: str
    headers: dict[str, str]  # extra response headers (Set-GUID)

    @property
    def guid(self) -> str | None:
        value = self.request.headers.get("Guid")
        return value.split("=", 1)[1] if value and value.startswith("JSESSIONID=") else value

    def session(self) -> Session:
        return self.gateway.session_for(self.workno, self.guid)

    def body(self, retcode: str = "000-002") -> dict[str, Any]:
        return json_body(self.raw, retcode)

    def query_int(self, name: str, default: int | None = None) -> int | None:
        return as_int(dict(self.request.query), name, default, "000-002")

    def ok(self, result: Any = None) -> dict[str, Any]:
        return envelope(result, message=self.gateway.settings.success_message)


def json_body(raw: bytes, retcode: str) -> dict[str, Any]:
    """The body as a JSON object (strict UTF-8); an empty body is {}. Anything else fails with `retcode`."""
    try:
        return json_object(raw, decode="utf-8", empty=_NO_BODY)
    except BodyProblem as problem:
        raise HuaweiError(retcode, _BODY_WORDS[problem.kind]) from None


def _json(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(body, status=status, headers=headers, content_type="application/json")


async def dispatch(gateway: Gateway, request: web.Request, found: Found) -> web.StreamResponse:
    route, params = found.route, found.params
    bad_param, json_op = route.options["bad_param"], route.options["json_body"]
    request[OP] = route.op
    workno = params.get("agentid", "")
    request[AGENT] = gateway.agent_of.get(workno, workno or None)
    content_type = request.headers.get("Content-Type")
    if json_op and gateway.settings.require_content_type and not is_json_media_type(content_type):
        # Refused when the request is matched, before the operation runs (JAX-RS: 415).
        sent = repr(content_type[:40]) if content_type else "none"
        error = HuaweiError("000-002", f"The Content-Type must be application/json (sent: {sent}).")
        return _json(error_envelope(error), 415)
    call = HuaweiCall(gateway, request, params, b"", workno, {})
    try:
        call.raw = await _body(request, bad_param)
        parse_agent_id(workno, gateway.settings.max_agent_id, bad_param)
        fault = gateway.world.faults.take(FACE, route.op, request[AGENT])
        if fault is not None:
            await gateway.clock.sleep(fault.delay)
            if fault.error:
                raise HuaweiError(fault.error, "(injected fault)")
        body = await route.handler(call)
    except HuaweiError as exc:
        body = error_envelope(exc)
    return _json(body, headers=call.headers)


async def _body(request: web.Request, retcode: str) -> bytes:
    try:
        return await read_body(request)
    except BodyTooLarge:  # with a Content-Length or chunked alike: the operation's own retcode
        raise HuaweiError(retcode, "The message body is too large.") from None


class HuaweiAnswers:
    """No operation at that path (404), or not with that method (405, with Allow): the envelope."""

    def not_found(self, request: web.Request) -> web.StreamResponse:
        return _json({"message": "Not found.", "retcode": "000-002"}, 404)

    def method_not_allowed(self, request: web.Request, allowed: tuple[str, ...]) -> web.StreamResponse:
        allow = ", ".join(allowed)
        return _json({"message": f"Method not allowed; use {allow}.", "retcode": "000-002"}, 405, {"Allow": allow})
