"""contracts/admin/openapi.json says what the admin API does (issue 22, item 11): the stream's
200 describes its events (not a string: Schemathesis reads a 3.1 `schema` of text/event-stream as
one event's), a HEAD of the stream is its head alone, `limit` of /journal/wait has the minimum
the API enforces, `secrets` is a documented parameter of the three views that take it."""
from __future__ import annotations

import asyncio

import pytest

from support.dashboard import STREAM_EVENT, Stream, stream_event_problems
from ccsim import contracts


async def test_the_streams_events_match_the_documents_event_schema(sim, admin):
    async with Stream(sim.urls["admin"]) as stream:  # Stream checks each event against STREAM_EVENT
        event, _ = await stream.next()
        await admin.inject("sales")
        update, data = await stream.next()
    assert (event, update) == ("hello", "update") and data["state"]["contacts"]
    assert STREAM_EVENT["properties"]["event"] == {"enum": ["hello", "update"]}
    assert stream_event_problems({"event": "hello", "data": '{"epoch": 0}'})  # the data's schema is applied
    assert stream_event_problems({"event": "ping", "data": "{}"})


async def test_a_head_of_the_stream_is_its_head_and_the_connection_goes_on(sim):
    host, port = sim.urls["admin"].split("://", 1)[1].rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"HEAD /_ccsim/ui/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                 b"GET /_ccsim/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    answer = b""
    try:
        async with asyncio.timeout(3):
            while chunk := await reader.read(65536):
                answer += chunk
    except TimeoutError:
        pass
    writer.close()
    head, _, rest = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and b"Content-Type: text/event-stream" in head, answer[:200]
    assert rest.startswith(b"HTTP/1.1 200 ") and rest.endswith(b"}"), rest[:200]  # the health answer, next


def test_limit_has_the_minimum_the_api_enforces_wherever_it_is_taken():
    document = contracts.load("admin/openapi.json")
    parameters = document["components"]["parameters"]
    for path in ("/_ccsim/journal", "/_ccsim/journal/wait"):
        for param in document["paths"][path]["get"]["parameters"]:
            param = parameters[param["$ref"].rsplit("/", 1)[-1]] if "$ref" in param else param
            if param["name"] == "limit":
                assert param["schema"].get("minimum") == 0, path


async def test_limit_below_the_minimum_is_400_on_both(admin):
    assert (await admin.get("/journal", limit=-1)).status == 400
    assert (await admin.get("/journal/wait", limit=-1, timeout=0)).status == 400


@pytest.mark.parametrize("path", ["/journal", "/journal/wait", "/config"])
async def test_secrets_is_a_documented_parameter(admin, path):
    document = contracts.load("admin/openapi.json")
    names = [p.get("name") or p["$ref"].rsplit("/", 1)[-1] for p in document["paths"]["/_ccsim" + path]["get"]["parameters"]]
    assert "Secrets" in names, names
    query = {"timeout": 0} if path.endswith("wait") else {}
    assert (await admin.get(path, secrets="show", **query)).status == 200
    refused = await admin.get(path, secrets="yes", **query)  # the Admin helper checks this 400 is documented
    assert refused.status == 400 and "secrets must be" in refused.body["error"]
