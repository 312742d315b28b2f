"""Secrets out of what people read: the admin API's journal and config views, and `ccsim record`,
mask passwords, tokens and credentials (core/masking.py); `?secrets=show` gives them as sent."""
from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import pytest

from ccsim.app import Simulator
from ccsim.clients.wire import WireClient
from ccsim.conformance import check
from ccsim.conformance.check import checked_faces, run_check
from ccsim.control.admin import AdminApi
from ccsim.clients.admin import AdminClient
from ccsim.core import Match
from ccsim.core.masking import MASK, OTHER, Masker, is_secret_key, secrets_in
from ccsim.scenario import loader
from ccsim.scenario.record import RECORDED_SECRET, WRONG_SECRET, dump, scenario_from_journal
from ccsim.scenario.runner import run_scenario


def test_the_masker_hides_values_under_secret_keys_at_any_depth_and_keeps_the_original():
    entry = {"request": {"headers": {"Authorization": "Basic YWRhOnB3", "X-Api-Key": "k"},
                         "body": {"name": "ada", "Password": "pw", "nested": [{"token": "t0k"}]},
                         "query": "grant_type=password&username=ada&password=wrong"}}
    shown = Masker({"pw"})(entry)
    assert shown["request"]["headers"] == {"Authorization": f"Basic {MASK}", "X-Api-Key": OTHER}
    assert shown["request"]["body"] == {"name": "ada", "Password": MASK, "nested": [{"token": OTHER}]}
    assert shown["request"]["query"] == f"grant_type=password&username=ada&password={OTHER}"
    assert entry["request"]["body"]["Password"] == "pw"  # a copy: the journal keeps what went over the wire
    assert secrets_in({"agents": [{"huawei": {"password": "s3"}}, {"nice": {"password": ""}}], "token": 7}) == {"s3", "7"}


async def test_the_journal_and_the_config_mask_huawei_passwords_unless_asked(sim, huawei, admin):
    assert (await huawei("292").sign_in("secret")).body["retcode"] == "0"
    assert (await huawei("293").sign_in("guessed")).body["retcode"] != "0"
    masked = (await admin.get("/journal", op="loginex")).body["entries"]
    assert [e["request"]["body"]["password"] for e in masked] == [MASK, OTHER]
    shown = (await admin.get("/journal", op="loginex", secrets="show")).body["entries"]
    assert [e["request"]["body"]["password"] for e in shown] == ["secret", "guessed"]
    waited = (await admin.get("/journal/wait", op="loginex", agent="293", timeout=0)).body
    assert waited["matched"] and waited["entry"]["request"]["body"]["password"] == OTHER
    config = (await admin.get("/config")).body
    assert '"secret"' not in json.dumps(config) and config["agents"][1]["huawei"]["password"] == MASK
    assert (await admin.get("/config", secrets="show")).body["agents"][1]["huawei"]["password"] == "secret"
    refused = await admin.get("/journal", secrets="yes")
    assert refused.status == 400 and "secrets must be" in refused.body["error"]


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _leaks(text: str, secrets: set[str]) -> set[str]:
    words = set(re.split(r"[\s,&=:;#/?\"'{}\[\]]+", text))
    return {s for s in secrets if s in words or (len(s) >= 6 and s in text)}


@pytest.mark.parametrize("face", checked_faces())
def test_no_configured_secret_shows_in_the_journal_of_a_conformance_run(face, monkeypatch):
    """Every face, driven by its conformance machine (right and wrong passwords, tokens, Basic
    credentials, webhooks): the journal as the admin API shows it holds none of the configured secrets."""
    sims: list[Simulator] = []
    real_start = Simulator.start

    async def start(self: Simulator):
        sims.append(self)
        return await real_start(self)

    monkeypatch.setattr(Simulator, "start", start)
    result = asyncio.run(run_check(face, examples=8, seed=3))
    assert result.passed, result.violations
    (sim,) = sims
    secrets = secrets_in(check.check_config(face).to_mapping())
    seen = [AdminApi(sim).shown(e, reveal=False) for e in sim.journal.query()]
    leaked = {s: text[:120] for text in _strings(seen) for s in _leaks(text, secrets)}
    assert not leaked, leaked
    credentials = [text for text in _strings(seen) if re.match(r"(?i)(basic|bearer) (?!realm=)", text)]
    assert all(text.endswith((MASK, OTHER)) for text in credentials), credentials
    if secrets:  # a configured secret went over the wire and was masked (the test can fail)
        assert MASK in json.dumps(seen)
    else:  # Intermedia configures none: its credentials are its webhook's and HaloPSA's tokens
        assert credentials


async def test_a_recorded_session_holds_no_password_and_replays(tmp_path):
    """`ccsim record` writes the agent's own password as nothing (the step sends the configured
    one) and a wrong one as a wrong one: the recording replays with the same answers."""
    from support.world import make_config
    from ccsim.core import RealClock
    from ccsim.vendors.huawei.client import HuaweiAgentClient

    sim = Simulator(make_config(), RealClock())
    await sim.start()
    try:
        async with WireClient() as wire:
            admin = AdminClient(wire, sim.urls["admin"])
            agent = HuaweiAgentClient(wire, sim.urls["huawei"], "292")
            assert (await agent.sign_in("guessed", phonenum="40039")).body["retcode"] != "0"
            assert (await agent.sign_in("secret", phonenum="40039")).body["retcode"] == "0"
            recorded = dump(scenario_from_journal((await admin.journal())["entries"], await admin.config(), "Masked"))
    finally:
        await sim.stop()
    assert "secret" not in recorded and MASK not in recorded and OTHER not in recorded
    assert recorded.count(WRONG_SECRET) == 1 and RECORDED_SECRET in recorded
    replay = await run_scenario(loader.loads(recorded, "masked.yaml"))
    assert replay.passed, (replay.failed_step, replay.message)


# -- issue 22, item 7: every face's secrets, the faces' defaults, commands the connector cannot read ------------
SECRET_SETTINGS = {
    "xcally": {"admin_password": "Adm1n#Secret", "api_keys": ["xk3y-one", "xk3y-two"]},
    "intermedia": {"api_token": "halo-t0ken-9", "integration_password": "wh00k-pass",
                   "webhooks": [{"event": "Agent Answers Call", "password": "wh00k-pass"}]},
    "finesse": {"stomp_login": "connector", "stomp_passcode": "st0mp-pass", "activemq_passcode": "amq-pass-7"},
}
SECRETS = {"Adm1n#Secret", "xk3y-one", "xk3y-two", "halo-t0ken-9", "wh00k-pass", "st0mp-pass", "amq-pass-7", "secret"}


class TestEveryFacesSecrets:
    @pytest.fixture
    def sim_config(self):
        from support.world import make_config

        return make_config(**SECRET_SETTINGS)

    async def test_the_config_masks_every_secret_of_every_face(self, admin):
        shown = json.dumps((await admin.get("/config")).body)
        assert not {s for s in SECRETS if s in shown}, shown
        faces = (await admin.get("/config")).body["faces"]
        assert faces["xcally"]["api_keys"] == [MASK, MASK] and faces["finesse"]["stomp_passcode"] == MASK
        assert faces["finesse"]["stomp_login"] == "connector"  # a login is no secret
        revealed = json.dumps((await admin.get("/config", secrets="show")).body)
        assert all(s in revealed for s in SECRETS)

    async def test_a_recording_holds_none_of_them_and_loads(self, sim):
        async with WireClient(sim.clock) as wire:
            admin = AdminClient(wire, sim.urls["admin"])
            recorded = dump(scenario_from_journal((await admin.journal())["entries"], await admin.config(), "All faces"))
        assert not {s for s in SECRETS if s in recorded}, recorded
        assert recorded.count(RECORDED_SECRET) >= 8  # each secret, each key of the list
        loaded = loader.loads(recorded, "recorded.yaml")
        assert loaded.config.faces["xcally"]["api_keys"] == [RECORDED_SECRET, RECORDED_SECRET]


@pytest.mark.parametrize("key, secret", [
    ("admin_password", True), ("stomp_passcode", True), ("api_token", True), ("api_keys", True), ("apiKey", True),
    ("X-Auth-Token", True), ("newPassword", True), ("client_secret", True), ("token_ttl_seconds", False),
    ("stomp_login", False), ("business_unit", False), ("guid_node", False), ("passwordPolicy", False),
])
def test_secret_keys_are_known_by_their_names(key, secret):
    assert is_secret_key(key) is secret


async def test_a_right_default_api_key_reads_as_the_configurations(sim, wire, admin):
    """XCALLY's default key (settings, not the file) is one the configuration holds: ***."""
    for key in ("ccsim-xcally-key", "guessed-key"):
        await wire.request("GET", sim.urls["xcally"] + f"/api/users?apikey={key}")
    shown = [e["request"]["query"]["apikey"] for e in (await admin.get("/journal", face="xcally")).body["entries"]]
    assert shown == [MASK, OTHER]


class TestFinesseCommandsTheConnectorCannotRead:
    @pytest.fixture
    def sim_config(self):
        from support.finesse import finesse_config

        return finesse_config()

    @pytest.mark.parametrize("jms_type, body, masked", [
        ("MobileLogin#1001", "pw,2001,5551234,true", f"{MASK},2001,5551234,true"),  # misspelt: the password first
        ("MobileLogin#1001", "guess,2001,5551234,true", f"{OTHER},2001,5551234,true"),
        ("Conect#1001", "ws1,pw", f"ws1,{MASK}"),
        ("Login#1001", "pw,2001,extra", f"{MASK},2001,extra"),  # a field too many
        ("Frobnicate#1001", "x,pw", f"x,{MASK}"),  # no command like it: the configured password still goes
        ("MakeCall#1001", "5551234,9", "5551234,9"),  # nothing that looks like a password: as sent
    ])
    async def test_its_password_is_masked_in_the_journal_and_the_dashboard(self, sim, admin, jms_type, body, masked):
        from ccsim.vendors.finesse.stomp.client import StompClient

        host, port = sim.urls["finesse"].removeprefix("stomp://").split(":")
        client = await StompClient.connect(host, int(port), clock=sim.clock)
        try:
            await client.send("/queue/Connector1", body, {"type": jms_type}, receipt=True)
        finally:
            client.close()
        entries = [e for e in (await admin.get("/journal", face="finesse")).body["entries"]
                   if jms_type in json.dumps(e["request"])]
        assert entries and all(json.dumps(masked) in json.dumps(e["request"]) for e in entries), entries
        lines = [sim.admin.dashboard.view.line(e)["text"] for e in sim.journal.query(Match(face="finesse", op="SEND"))]
        assert lines and all(text.endswith(f"SEND {masked}") for text in lines), lines
