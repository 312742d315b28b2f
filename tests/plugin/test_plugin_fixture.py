"""The `ccsim` fixture used directly, the way the README shows (the plugin is installed with
ccsim, so this project's own tests get the fixture like any user's)."""
from __future__ import annotations

import json
import urllib.request

import pytest


def sign_in(ccsim, agent: str = "291") -> str:
    url = ccsim.url("huawei") + f"/agentgateway/resource/onlineagent/{agent}/loginex"
    request = urllib.request.Request(url, method="PUT", data=json.dumps({"password": ""}).encode(),
                                     headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request))["retcode"]


def test_sign_in_is_made_once(ccsim):
    assert sign_in(ccsim) == "0"
    ccsim.assert_request_made(op="loginex", agent="291", count=1)
    contact = ccsim.inject("sales", caller="+15550100")
    assert contact["agent"] == "291"


def test_each_test_starts_from_a_reset_simulator(ccsim):
    assert sign_in(ccsim) == "0"  # would be 100-002 if the previous test's session were still there
    assert len(ccsim.journal(op="loginex")) == 1


def test_assertions_fail_with_the_journal(ccsim):
    sign_in(ccsim)
    with pytest.raises(AssertionError, match=r"(?s)exactly 2 request\(s\).*loginex agent=291"):
        ccsim.assert_request_made(op="loginex", count=2)
    with pytest.raises(AssertionError, match="request 2 of 2"):
        ccsim.assert_requests_in_order({"op": "loginex"}, {"op": "logout"})
