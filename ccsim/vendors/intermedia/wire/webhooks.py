"""The Intermedia side: what IVR Studio's REST WSCall does when a call event fires.

The body is built as seed 003's `body` variable builds it, by string concatenation with every
value between quote marks (and nothing escaped: a quote in a value makes invalid JSON, as it
would in Intermedia). One POST per configured webhook, HTTP Basic, the webhook's timeout, no
retry; each attempt is journaled (kind "webhook": the request, with the ccsim contact it is
about, and the receiver's status or the error).
"""
from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Callable
from typing import Any

import aiohttp

from ....core import Journal, json_text
from ....core.clock import Clock, wall_seconds
from ..settings import IntermediaSettings, Webhook

FIELDS = ("CallID", "AgentNumber", "AgentEmail", "UserNumber", "RecordingUrl")
ANSWER_LIMIT = 2048  # characters of the receiver's answer kept in the journal


def render_body(values: dict[str, str]) -> str:
    """Seed 003's expression, exactly (note the missing space before "AgentEmail")."""
    v = values
    return ('{ "CallID": "' + v["CallID"] + '", "AgentNumber": "' + v["AgentNumber"] + '","AgentEmail": "'
            + v["AgentEmail"] + '", "UserNumber": "' + v["UserNumber"] + '", "RecordingUrl": "' + v["RecordingUrl"]
            + '" }')


def event_op(event: str) -> str:
    """The journal op of an IVR event: "Agent Answers Call" -> "agent-answers-call"."""
    return re.sub(r"[^a-z0-9]+", "-", event.lower()).strip("-")


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class WebhookSender:
    """The face's WSCalls: one HTTP client session, kept across resets, and the deliveries still
    out (stop() cancels them). `settings` is the face's, set again at each reset."""

    def __init__(self, face: str, settings: IntermediaSettings, journal: Journal, clock: Clock,
                 own_url: Callable[[], str | None]):
        self.face, self.settings, self.journal, self.clock = face, settings, journal, clock
        self.own_url = own_url  # the face's listener: the closed loop's receiver
        self._http: aiohttp.ClientSession | None = None
        self.deliveries: set[asyncio.Task] = set()

    def fire(self, event: str, values: dict[str, str], agent: str | None, contact: str) -> None:
        """Every webhook of `event`, each in the background (the call flow does not wait)."""
        for webhook in self.settings.webhooks:
            if webhook.event == event:
                task = asyncio.get_running_loop().create_task(self._deliver(webhook, event, values, agent, contact))
                self.deliveries.add(task)
                task.add_done_callback(self.deliveries.discard)

    def webhook_target(self, webhook: Webhook) -> tuple[str, str, str]:
        url = webhook.url or f"{self.own_url()}/api/notify/intermedia"
        username = self.settings.integration_username if webhook.username is None else webhook.username
        password = self.settings.integration_password if webhook.password is None else webhook.password
        return url, username, password

    async def _deliver(self, webhook: Webhook, event: str, values: dict[str, str], agent: str | None,
                       contact: str) -> None:
        url, username, password = self.webhook_target(webhook)
        body = render_body(values)
        headers = {"Authorization": basic(username, password), "Content-Type": "application/json"}
        epoch, started = self.journal.epoch, wall_seconds()
        outcome: dict[str, Any] = {"status": None, "error": None}
        # Time stands still on a virtual clock while the request is out: the timeout is wall time.
        with self.clock.activity():
            try:
                if self._http is None:
                    self._http = aiohttp.ClientSession(skip_auto_headers=("User-Agent",))
                async with self._http.post(url, data=body.encode(), headers=headers,
                                           timeout=aiohttp.ClientTimeout(total=webhook.timeout_seconds)) as resp:
                    outcome["status"] = resp.status
                    outcome["answer"] = (await resp.text(errors="replace"))[:ANSWER_LIMIT]
            except asyncio.TimeoutError:
                outcome["error"] = f"timeout: no answer within {webhook.timeout_seconds:g} s"
            except (aiohttp.ClientError, ValueError, OSError) as exc:
                outcome["error"] = f"{type(exc).__name__}: {exc}"
            except asyncio.CancelledError:
                outcome["error"] = "cancelled: the simulator stopped"
            outcome["elapsedMs"] = int((wall_seconds() - started) * 1000)
            if epoch == self.journal.epoch:  # else it belongs to the simulator before a reset
                self.journal.record(self.face, "webhook", event_op(event), agent=agent,
                                    request={"method": "POST", "url": url, "event": event, "contact": contact,
                                             "headers": headers, "body": _parsed(body), "raw": body},
                                    response=outcome)

    async def close(self) -> None:
        for task in list(self.deliveries):
            task.cancel()
        await asyncio.gather(*self.deliveries, return_exceptions=True)
        if self._http is not None:
            await self._http.close()
            self._http = None


def _parsed(body: str) -> Any:
    try:
        return json_text.loads(body)
    except ValueError:
        return body
