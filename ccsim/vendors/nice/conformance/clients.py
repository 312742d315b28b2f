"""What each NICE client knows, replayed from the journal (for the invariants).

Every client's history is replayed from the journal as the client itself knows it: its token
(a trusted client such as the Media Bar signs in by username alone and is the "bar"; any other
is MAX), the API sessions that start and join gave it, and the events its polls delivered, in
order. From those events alone a client knows whether its session is over, the agent leg's
status and each contact's status; the invariants say what each request must then answer and
which events must follow.
"""
from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from ....conformance.invariants import View

FACE = "nice"
# The face's settings as ccsim names them (config faces.nice), with ccsim's defaults.
DEFAULTS = {"trusted_clients": ["MediaBar@OpenMethods"], "auto_accept": False, "bar_can_dial_agent_leg": False}
SESSION_IN_PATH = re.compile(r"/agent-sessions/(?!join(?:/|$))([^/]+)", re.IGNORECASE)
CONTACT_IN_PATH = re.compile(r"/interactions/([^/]+)/", re.IGNORECASE)
MAX_POLL_SECONDS = 60  # reference §2: get-next-event timeout is 0 to 60 s
SESSION_OPS = {"end-session", "get-next-event", "set-state", "agent-phone", "interaction", "dial-phone"}
CONTACT_EVENTS = ("CallContactEvent", "WorkItemContactEvent")


def settings(view: View) -> dict[str, Any]:
    return {**DEFAULTS, **(view.config.faces.get(FACE) or {})}


def _header(headers: dict[str, str], name: str) -> str:
    return next((v for k, v in (headers or {}).items() if k.lower() == name.lower()), "")


def body_of(entry: dict[str, Any]) -> Any:
    return entry["response"].get("body")


def status(entry: dict[str, Any]) -> int | None:
    return entry["response"].get("status")


def params(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The request's parameters (query and JSON or form body, merged); None for a body that
    is neither a JSON object nor a form."""
    request = entry["request"]
    found: dict[str, Any] = dict(request.get("query") or {})
    body = request.get("body")
    if isinstance(body, dict):
        return {**found, **body}
    if isinstance(body, str) and body.strip():
        try:
            parsed = json.loads(body)
        except ValueError:
            if "=" in body and "{" not in body:
                return {**found, **dict(parse_qsl(body))}
            return None
        return {**found, **parsed} if isinstance(parsed, dict) else None
    if body not in (None, "", b""):
        return None
    return found


def flag(value: Any) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def kind(entry: dict[str, Any]) -> str:
    """The operation without its action: agent-phone/dial -> agent-phone, interactions/end -> interaction."""
    op = entry["op"]
    return "agent-phone" if op.startswith("agent-phone") else "interaction" if op.startswith("interaction") else op


@dataclass
class Api:
    """One API session as its client knows it, from the events its polls delivered."""

    id: str
    agent: str
    role: str  # "max" or "bar"
    seq: int  # the start or join that gave it
    ended: bool = False  # AgentSessionEnd delivered
    detached: bool = False  # RemoteAgentSessionEnd delivered
    polled: bool = False  # a first batch (the snapshot) has been delivered
    leg: str = ""  # the agent leg's last status: "", Dialing, Active, Disconnected
    leg_id: str = ""
    contacts: dict[str, tuple[str, bool]] = field(default_factory=dict)  # ContactID -> (Status, final)
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (poll seq, event) so far

    @property
    def over(self) -> bool:
        return self.ended or self.detached

    def live(self) -> list[str]:
        """Contacts not yet closed by a Disconnected with FinalState True (after-call work included)."""
        return [c for c, (_, final) in self.contacts.items() if not final]

    def see(self, seq: int, event: dict[str, Any]) -> None:
        self.events.append((seq, event))
        t = event.get("Type")
        if t == "AgentSessionEnd":
            self.ended = True
        elif t == "RemoteAgentSessionEnd":
            self.detached = True
        elif t == "AgentLeg":
            self.leg, self.leg_id = event.get("Status", ""), event.get("AgentLegId", "")
        elif t in CONTACT_EVENTS:
            self.contacts[event.get("ContactID", "")] = (event.get("Status", ""), event.get("FinalState") == "True")


@dataclass
class World:
    """What the run's clients know so far."""

    tokens: dict[str, tuple[str, str]] = field(default_factory=dict)  # access token -> (agent, role)
    apis: dict[str, Api] = field(default_factory=dict)
    auto_accept: dict[str, bool] = field(default_factory=dict)  # agent -> client-data AutoAccept set

    def of(self, agent: str, role: str | None = None) -> list[Api]:
        return [a for a in self.apis.values() if a.agent == agent and (role is None or a.role == role)]


def token_client(entry: dict[str, Any]) -> str:
    auth = _header(entry["request"].get("headers") or {}, "Authorization")
    if not auth.lower().startswith("basic "):
        return ""
    try:
        return base64.b64decode(auth[6:].strip()).decode("utf-8").split(":", 1)[0]
    except ValueError:
        return ""


def caller(world: World, entry: dict[str, Any]) -> tuple[str, str] | None:
    """(agent, role) of the request's bearer token, if the run issued it."""
    auth = _header(entry["request"].get("headers") or {}, "Authorization")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    return world.tokens.get(token)


def session_of(entry: dict[str, Any]) -> str | None:
    found = SESSION_IN_PATH.search(entry["request"].get("path", ""))
    return found.group(1) if found else None


def events_of(entry: dict[str, Any]) -> list[dict[str, Any]]:
    body = body_of(entry)
    events = body.get("events") if isinstance(body, dict) and status(entry) == 200 else None
    return [e for e in events if isinstance(e, dict)] if isinstance(events, list) else []


def replay(view: View) -> Iterator[tuple[World, dict[str, Any], Api | None]]:
    """(what the clients know before this request, the request, its API session if the caller
    owns it) for each NICE request in journal order."""
    world = World()
    trusted = set(settings(view)["trusted_clients"])
    for entry in view.of(face=FACE, kind="http"):
        found = caller(world, entry)
        sid = session_of(entry)
        api = world.apis.get(sid or "")
        if api is not None and (found is None or found[0] != api.agent):
            api = None
        yield world, entry, api
        op, ok = entry["op"], status(entry)
        body = body_of(entry) if isinstance(body_of(entry), dict) else {}
        if op == "token" and ok == 200 and entry.get("agent"):
            world.tokens[str(body.get("access_token"))] = (entry["agent"], "bar" if token_client(entry) in trusted
                                                           else "max")
        elif op in ("start-session", "join-session") and ok == 202 and found and body.get("sessionId"):
            world.apis[str(body["sessionId"])] = Api(str(body["sessionId"]), found[0], found[1], entry["seq"])
        elif op == "get-next-event" and api is not None:
            for event in events_of(entry):
                api.see(entry["seq"], event)
            if events_of(entry):
                api.polled = True
        elif op == "put-client-data" and ok == 202 and found:
            data = (params(entry) or {}).get("dataSet")
            try:
                data = json.loads(data) if isinstance(data, str) else data
            except ValueError:
                data = None
            if isinstance(data, dict) and "AutoAccept" in data:
                world.auto_accept[found[0]] = bool(data["AutoAccept"])


def later_events(api: Api, view: View, seq: int) -> list[dict[str, Any]]:
    """The events `api`'s polls delivered after journal entry `seq` (in the whole run so far)."""
    return [e for later in view.of(face=FACE, op="get-next-event")
            if later["seq"] > seq and session_of(later) == api.id for e in events_of(later)]


def label(event: dict[str, Any]) -> str:
    detail = event.get("Status") or event.get("CurrentState") or event.get("Message") or ""
    return f"{event.get('Type')}:{detail}" if detail else str(event.get("Type"))
