"""A Huawei agent client: what an agent desktop does against CC-Gateway, as ccsim's tests and
scenario steps play it. Its paths are written out from the reference on purpose, independently
of the server's route table, so that a wrong server path fails a test."""
from __future__ import annotations

import json
from typing import Any

from ...clients.wire import WireClient, WireResponse

BASE = "/agentgateway/resource/"

# op -> (method, path under BASE); {agentid} is filled in, other {names} come from `path_args`.
OPS: dict[str, tuple[str, str]] = {
    "login": ("PUT", "onlineagent/{agentid}"),
    "loginex": ("PUT", "onlineagent/{agentid}/loginex"),
    "forcelogin": ("PUT", "onlineagent/{agentid}/forcelogin"),
    "forceloginex": ("PUT", "onlineagent/{agentid}/forceloginex"),
    "logout": ("DELETE", "onlineagent/{agentid}/logout"),
    "forcelogout": ("DELETE", "onlineagent/{agentid}/forcelogout"),
    "forcelogoutwithreason": ("DELETE", "onlineagent/{agentid}/forcelogoutwithreason/{reason}"),
    "resetskill": ("POST", "onlineagent/{agentid}/resetskill/{autoflag}"),
    "sayfree": ("POST", "onlineagent/{agentid}/sayfree"),
    "saybusy": ("POST", "onlineagent/{agentid}/saybusy"),
    "cancelbusy": ("POST", "onlineagent/{agentid}/cancelbusy"),
    "rest": ("POST", "onlineagent/{agentid}/rest/{time}/{restcause}"),
    "cancelrest": ("POST", "onlineagent/{agentid}/cancelrest"),
    "work": ("POST", "onlineagent/{agentid}/work"),
    "cancelwork": ("POST", "onlineagent/{agentid}/cancelwork"),
    "autoanswer": ("POST", "onlineagent/{agentid}/autoanswer/{flag}"),
    "autoenteridle": ("POST", "onlineagent/{agentid}/autoenteridle/{flag}"),
    "agentstatus": ("GET", "onlineagent/{agentid}/agentstatus"),
    "handshake": ("POST", "onlineagent/{agentid}/handshake"),
    "heartbeat": ("PUT", "onlineagent/{agentid}/heartbeat"),
    "updateGuid": ("PUT", "onlineagent/{agentid}/updateGuid"),
    "agentevent": ("GET", "agentevent/{agentid}"),
    "answer": ("PUT", "voicecall/{agentid}/answer"),
    "release": ("DELETE", "voicecall/{agentid}/release"),
    "hold": ("POST", "voicecall/{agentid}/hold"),
    "gethold": ("POST", "voicecall/{agentid}/gethold"),
    "connecthold": ("POST", "voicecall/{agentid}/connecthold/{callid}"),
    "transfer": ("POST", "voicecall/{agentid}/transfer"),
    "callout": ("PUT", "voicecall/{agentid}/callout"),
    "callinner": ("PUT", "voicecall/{agentid}/callinner"),
    "beginmute": ("POST", "voicecall/{agentid}/beginmute"),
    "endmute": ("POST", "voicecall/{agentid}/endmute"),
}

SIGN_IN_OPS = {"login", "loginex", "forcelogin", "forceloginex"}


class HuaweiAgentClient:
    """One agent's client. Remembers the GUID from Set-GUID and sends it as `Guid`."""

    def __init__(self, wire: WireClient, base_url: str, agent_id: str):
        self.wire = wire
        self.base_url = base_url.rstrip("/")
        self.agent_id = agent_id
        self.guid: str | None = None

    async def call(self, op: str, body: Any = None, *, query: dict[str, str] | None = None,
                   headers: dict[str, str] | None = None, **path_args: Any) -> WireResponse:
        method, template = OPS[op]
        path = template.format(agentid=self.agent_id, **{k: str(v) for k, v in path_args.items()})
        hdrs = {"Content-Type": "application/json; charset=UTF-8"}
        if self.guid and op not in SIGN_IN_OPS:
            hdrs["Guid"] = self.guid
        hdrs.update(headers or {})
        data = None if body is None else (body if isinstance(body, (bytes, str)) else json.dumps(body))
        resp = await self.wire.request(method, self.base_url + BASE + path, data=data, headers=hdrs, params=query)
        set_guid = resp.header("Set-GUID")
        if set_guid and "=" in set_guid:
            self.guid = set_guid.split("=", 1)[1]
        return resp

    async def sign_in(self, password: str = "", phonenum: str | None = None, op: str = "loginex",
                      **fields: Any) -> WireResponse:
        body: dict[str, Any] = {"password": password, **fields}
        if phonenum is not None:
            body["phonenum"] = phonenum
        return await self.call(op, body)

    async def poll(self) -> WireResponse:
        return await self.call("agentevent")

    async def next_event(self) -> dict[str, Any] | None:
        """One poll; the event, or None after the server's hold time.

        Raises SignedOut on 100-006 (the session is over), PollFailed on any other failure."""
        resp = await self.poll()
        if not isinstance(resp.body, dict) or resp.body.get("retcode") != "0":
            if isinstance(resp.body, dict) and resp.body.get("retcode") == "100-006":
                raise SignedOut(resp.body.get("message", ""))
            raise PollFailed(f"agentevent failed: HTTP {resp.status} {resp.body}")
        return resp.body.get("event")

    async def drain(self, max_events: int = 100) -> list[dict[str, Any]]:
        """Poll until the hold time passes with no event, or the session ends; the events, in order."""
        events = []
        for _ in range(max_events):
            try:
                event = await self.next_event()
            except SignedOut:
                break
            if event is None:
                break
            events.append(event)
        return events


class PollFailed(AssertionError):
    pass


class SignedOut(PollFailed):
    pass

