"""Halo's query parameters out of their type or range are refused (issue 22, item 11): 400 with
the receiver's ProblemDetails-like body keyed by the parameter, as ASP.NET's model binding does
for the types contracts/intermedia/openapi.json gives them; values in range are served."""
from __future__ import annotations

import pytest

from ccsim.contracts.openapi import response_violations
from support.intermedia import BEARER, intermedia_config


@pytest.fixture
def sim_config():
    return intermedia_config()


async def _get(sim, wire, path: str, query: str):
    resp = await wire.request("GET", sim.urls["intermedia"] + path + query, headers=BEARER)
    problems = response_violations("intermedia/openapi.json", "GET", path, resp.status, resp.body)
    assert not problems, problems  # the 400 is documented (and its journal entry checked by the sim fixture)
    return resp


@pytest.mark.parametrize("path, query, name, message", [
    ("/api/Actions", "?ticket_id=0", "ticket_id", "The field ticket_id must be between 1 and 2147483647."),
    ("/api/Actions", "?ticket_id=-3", "ticket_id", "The field ticket_id must be between 1 and 2147483647."),
    ("/api/Actions", "?ticket_id=abc", "ticket_id", "The value 'abc' is not valid."),
    ("/api/Actions", "?ticket_id=2147483648", "ticket_id", "The value '2147483648' is not valid."),
    ("/api/Actions", "?ticket_id=1.5", "ticket_id", "The value '1.5' is not valid."),
    ("/api/CallLog", "?showall=maybe", "showall", "The value 'maybe' is not valid."),
    ("/api/CallLog", "?showall=1", "showall", "The value '1' is not valid."),
])
async def test_a_parameter_out_of_its_type_or_range_is_400(sim, wire, path, query, name, message):
    resp = await _get(sim, wire, path, query)
    assert resp.status == 400 and resp.body["errors"] == {name: [message]}, (resp.status, resp.body)


async def test_a_call_log_row_with_a_bad_flag_is_400_too(sim, wire):
    sim.faces["intermedia"].halo.log_call({"CallID": "c", "UserNumber": "1", "AgentNumber": "2", "AgentEmail": "",
                                           "RecordingUrl": ""}, None, None, sim.clock.now_iso())
    assert (await _get(sim, wire, "/api/CallLog/1", "?includedetails=yes")).status == 400
    assert (await _get(sim, wire, "/api/CallLog/1", "?includedetails=True")).status == 200


@pytest.mark.parametrize("path, query", [
    ("/api/Actions", ""), ("/api/Actions", "?ticket_id=7"), ("/api/Actions", "?ticket_id=2147483647"),
    ("/api/Actions", "?ticket_id="), ("/api/CallLog", "?showall=TRUE"), ("/api/CallLog", "?showall=false"),
])
async def test_values_in_range_are_served(sim, wire, path, query):
    assert (await _get(sim, wire, path, query)).status == 200
