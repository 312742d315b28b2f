"""What XCALLY's contract tests (test_xcally_contracts.py, test_xcally_admin_contracts.py) share:
the REST API as the administrator or an agent with its password, each answer's status asserted,
and the check of a working day's journal against contracts/xcally/."""
from __future__ import annotations

import base64
import json
from typing import Any

from jsonschema import Draft202012Validator

from ccsim import contracts
from ccsim.app import Simulator
from ccsim.clients.wire import WireClient, WireResponse
from ccsim.contracts.emitted import journal_violations

XCALLY = contracts.contracts_dir() / "xcally"
BASE = "https://ccsim.dev/contracts/xcally/"
ADMIN = ("admin", "Admin#2026")


def errors(relative: str, instance: Any) -> list[str]:
    return contracts.errors(f"xcally/{relative}", instance)


# The ops of agent administration (users with role user, teams, telephones, bulk delete, the CSV
# export, password recovery) and the phonebar's session ops: test_xcally_admin_contracts.py has
# their working day; test_xcally_contracts.py's has every other op.
ADMIN_OPS = {"bulk-delete-users", "export-users", "list-user-teams", "list-teams", "create-team", "get-team",
             "update-team", "delete-team", "list-team-members", "add-team-members", "remove-team-members",
             "list-telephones", "forgot-password", "reset-link", "reset-password"}
PHONEBAR_SESSION_OPS = {"phonebar-login", "phonebar-logout", "phonebar-pause", "phonebar-unpause"}


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


class Api:
    def __init__(self, wire: WireClient, url: str):
        self.wire, self.url = wire, url

    async def __call__(self, method: str, path: str, body: Any = None, *, status: int,
                       as_: tuple[str, str] | None = ADMIN, params: dict[str, str] | None = None,
                       raw: bytes | None = None, message: str | None = None) -> Any:
        headers = basic(*as_) if as_ else {}
        resp: WireResponse = await self.wire.request(method, self.url + path, json_body=body, data=raw,
                                                     headers=headers, params=params)
        assert resp.status == status, (method, path, resp.status, resp.body)
        if message is not None:
            assert message in resp.body["message"], resp.body
        return resp.body


def expect(resp: WireResponse, status: int) -> Any:
    assert resp.status == status, (resp.status, resp.body)
    return resp.body


def check_journal(sim: Simulator, http: set[str], phonebar: set[str], exact: bool = True) -> None:
    """The journal of a working day: every op of `http` and `phonebar` (with `exact`, no other)
    exercised with every status its contract names, every message valid."""
    entries = [e for e in sim.journal.query() if e.face == "xcally"]
    # 1. what the suite's fixture checks after every test
    problems = journal_violations(sim.journal)
    assert not problems, "\n".join(problems[:20])
    # 2. every op was exercised, and every status each contract names for it
    for kind, wanted in (("http", http), ("phonebar", phonebar)):
        done = {e.op for e in entries if e.kind == kind}
        assert done == wanted if exact else wanted <= done, (kind, sorted(wanted ^ done))
    if exact:
        assert {e.op for e in entries if e.kind == "socketio" and "body" in e.response} >= {
            "offer", "accepted", "revoked", "closed"}
    seen: dict[str, set[int]] = {}
    for e in entries:
        if e.kind in ("http", "phonebar"):
            seen.setdefault(e.op, set()).add(e.response["status"])
    for op, statuses in seen.items():
        if op not in http | phonebar:
            continue
        kind = "phonebar" if op.startswith("phonebar-") else "responses"
        contract = json.loads((XCALLY / kind / f"{op}.schema.json").read_text(encoding="utf-8"))
        assert statuses == contract_statuses(contract), (op, sorted(statuses), sorted(contract_statuses(contract)))
    # 3. a list without ?fields= carries whole objects; with it, exactly the keys asked, in order
    whole = {"list-users": "agent", "list-queue-members": "agent", "list-queues": "queue",
             "list-interactions": "interaction", "list-messages": "message", "report-queue": "report-queue-row",
             "report-member": "report-member-row", "realtime-agents": "realtime-agent"}
    for e in entries:
        if e.op in whole and e.response["status"] == 200:
            body = e.response["body"]
            assert body["count"] >= len(body["rows"])
            if "fields" not in e.request["query"]:
                for row in body["rows"]:
                    assert not errors(f"{whole[e.op]}.schema.json", row), (e.op, row)
            else:
                wanted = [k for k in e.request["query"]["fields"].split(",") if k]
                assert all(list(row) == wanted for row in body["rows"]), (e.op, body["rows"])
    # 4. socket.io events carry the configured names
    events = sim.faces["xcally"].settings.socket_events
    for e in entries:
        if e.kind == "socketio" and "event" in e.response:
            assert e.response["event"] == events[e.op]
    # 5. agent bodies: accepted ones conform to agent-request, ones refused for a field rule do not
    for e in entries:
        if e.op not in ("create-user", "update-user") or not isinstance(e.request["body"], dict) \
                or "user" in (e.request["body"].get("role"), (e.response["body"] or {}).get("role")):
            continue
        body = e.request["body"]
        bad = list(request_validator(e.op).iter_errors(body))
        same = str(body.get("fullname")) == str(body.get("internal")) if "fullname" in body and "internal" in body else False
        status, message = e.response["status"], (e.response["body"] or {}).get("message", "")
        if status in (200, 201):
            assert not bad and not same, (e.op, body, bad)
        elif status == 400 and "taken" not in message:
            assert bad or same, (e.op, body, message)


def request_validator(op: str) -> Draft202012Validator:
    """agent-request.schema.json for a create, its #/$defs/update for an update."""
    uri = BASE + "agent-request.schema.json" + ("" if op == "create-user" else "#/$defs/update")
    return Draft202012Validator({"$ref": uri}, registry=contracts.registry())


def contract_statuses(contract: dict[str, Any]) -> set[int]:
    return set(contract["properties"]["status"]["enum"])
