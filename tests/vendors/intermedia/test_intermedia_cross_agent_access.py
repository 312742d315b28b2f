"""One agent's credentials cannot act on another agent, on any face: each face refuses with its own
error and the other agent's state, session and events stay as they were. Intermedia: the webhook's
credential and the API token each open only their own door."""
from __future__ import annotations

from ccsim.clients.wire import WireClient
from support.intermedia import BASIC, BEARER, intermedia_config
from support.world import started


async def test_intermedia_the_webhook_credential_and_the_api_token_open_only_their_own_doors():
    """Intermedia agents carry no credentials of their own: the integration's Basic pair posts the
    webhook and nothing else, HaloPSA's API token reads the API and cannot post the webhook, and a
    call is logged against the agent its webhook names."""
    sim = await started(intermedia_config())
    try:
        async with WireClient(sim.clock) as wire:
            base = sim.urls["intermedia"]
            body = ('{"CallID": "c1","AgentNumber": "+442070000001","AgentEmail": "","UserNumber": "+447700900123",'
                    '"RecordingUrl": ""}')
            assert (await wire.request("GET", base + "/api/CallLog", headers={"Authorization": BASIC})).status == 401
            assert (await wire.request("POST", base + "/api/notify/intermedia", data=body, headers=BEARER)).status == 401
            assert (await wire.request("POST", base + "/api/notify/intermedia", data=body,
                                       headers={"Authorization": BASIC})).status == 200
            [row] = (await wire.request("GET", base + "/api/CallLog", headers=BEARER)).body
            assert (row["agent_id"], row["third_party_id"]) == (1, "c1")  # Ann's Halo agent, no other
    finally:
        await sim.stop()
