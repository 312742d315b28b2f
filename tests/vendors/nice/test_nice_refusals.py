"""NICE refusals and their documents (issue 22, item 11): the token endpoint takes POST only (405,
no token), an oversize chunked body is 413 as one with a Content-Length is, an API version that is
not N or N.M is a documented 404, and a parameter an operation needs makes its body required in
contracts/nice/openapi.json."""
from __future__ import annotations

import pytest

from ccsim import contracts
from ccsim.contracts.openapi import response_violations
from support.nice import Client

TOKEN_PATH = "/InContactAuthorizationServer/Token"
FORM = "grant_type=password&username=ada@example.com&password=pw"
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_the_token_endpoint_takes_post_only(sim, wire, method):
    face = sim.faces["nice"]
    resp = await wire.request(method, sim.urls["nice"] + TOKEN_PATH + f"?{FORM}", data=FORM, headers=FORM_TYPE)
    assert resp.status == 405 and resp.header("Allow") == "POST", (resp.status, resp.body)
    assert resp.body["error"] == "invalid_request" and "POST" in resp.body["error_description"]
    assert face.tokens == {}  # no token issued
    [entry] = sim.journal.query()
    assert entry.op == "unrouted" and entry.response["status"] == 405  # (its contract: the sim fixture's check)
    ok = await wire.request("POST", sim.urls["nice"] + TOKEN_PATH, data=FORM, headers=FORM_TYPE)
    assert ok.status == 200 and ok.body["access_token"] in face.tokens


async def _chunked(size: int):
    chunk = b"x" * 65536
    for _ in range(size // len(chunk) + 1):
        yield chunk


@pytest.mark.parametrize("path", [TOKEN_PATH, "/inContactAPI/services/v23.0/agent-sessions"])
async def test_an_oversize_chunked_body_is_413_as_one_with_a_length(sim, wire, path):
    chunked = await wire.request("POST", sim.urls["nice"] + path, data=_chunked(1024 * 1024), headers=FORM_TYPE)
    assert chunked.status == 413 and chunked.body["error"] == "RequestTooLarge", (chunked.status, chunked.body)
    sized = await wire.request("POST", sim.urls["nice"] + path, data=b"x" * (1024 * 1024 + 1), headers=FORM_TYPE)
    assert sized.status == 413 and sized.body == chunked.body
    assert sim.faces["nice"].tokens == {}


@pytest.mark.parametrize("version", ["vX.0", "v23.0.1", "v\u0662\u0663.0", "v", "v23."])
async def test_an_unknown_api_version_is_a_documented_404(sim, wire, version):
    client = Client(wire, sim.urls["nice"])
    assert (await client.sign_in("ada@example.com")).status == 200
    path = f"/inContactAPI/services/{version}/agent-sessions"
    resp = await wire.request("POST", sim.urls["nice"] + path, data='{"stationPhoneNumber": "WebRTC"}',
                              headers={"Authorization": f"Bearer {client.token}"})
    assert resp.status == 404 and resp.body["error"] == "NotFound", (version, resp.status, resp.body)
    assert not response_violations("nice/openapi.json", "POST", path.replace("/services/v", "/services/vN"), 404,
                                   resp.body)


def _agent_api_operations():
    document = contracts.load("nice/openapi.json")
    return [(method.upper(), path, op) for path, item in document["paths"].items() if path.startswith("/inContactAPI/")
            for method, op in item.items() if isinstance(op, dict) and "responses" in op]


@pytest.mark.parametrize("method, path, operation", _agent_api_operations(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_agent_api_operation_documents_the_404_of_an_unknown_version(method, path, operation):
    not_found = operation["responses"].get("404")
    assert not_found is not None, (method, path)
    codes = not_found["content"]["application/json"]["schema"]["allOf"][1]["properties"]["error"]["enum"]
    assert "NotFound" in codes, (method, path, codes)


@pytest.mark.parametrize("method, path, operation", [o for o in _agent_api_operations() if "requestBody" in o[2]],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_a_body_an_operation_needs_is_documented_as_required(method, path, operation):
    schema_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = contracts.load("nice/requests/" + schema_ref.rsplit("/", 1)[-1])
    needs = bool(schema.get("required") or schema.get("anyOf"))
    assert operation["requestBody"]["required"] is needs, (method, path)


async def test_an_operation_that_needs_a_parameter_refuses_an_empty_request(sim, wire):
    """What the document's required bodies say: without them, 400 InvalidParameter."""
    client = Client(wire, sim.urls["nice"])
    await client.sign_in("ada@example.com")
    assert (await client.call("POST", "agent-sessions")).body["error"] == "InvalidParameter"
    await client.start()
    for path, method in (("state", "POST"), ("dial-phone", "POST")):
        resp = await client.call(method, f"agent-sessions/{client.session}/{path}")
        assert (resp.status, resp.body["error"]) == (400, "InvalidParameter"), path
    resp = await client.call("PUT", "agents/client-data")
    assert (resp.status, resp.body["error"]) == (400, "InvalidParameter")
