"""Intermedia Contact Center → HaloPSA face settings (config `faces.intermedia`). INFERRED
choices are marked here and listed in contracts/intermedia/README.md."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ...user_text import short_repr

# The IVR Studio call events a WSCall can hang off, and the core event each stands for. Only
# "Agent Answers Call" is documented (seed 003); the others are INFERRED names.
IVR_EVENTS = {
    "Agent Answers Call": "contact.connected",
    "Agent Hangs Up": "contact.ended",  # ended by the agent
    "Call Ended": "contact.ended",  # ended, whoever hung up
}
ANSWERED_RESPONSES = ("open_call_screen", "notification")  # seed 003: "Call answered notification response"
USER_PHONE_FIELDS = ("phonenumber_preferred", "phonenumber", "homenumber", "mobilenumber", "mobilenumber2",
                     "sitephonenumber")  # Halo Users' phone fields (reference §3.2); all are checked


@dataclass
class Webhook:
    """One REST WSCall: POST {body} with Basic auth to `url` when `event` happens."""

    event: str = "Agent Answers Call"
    url: str | None = None  # None: ccsim's own receiver (/api/notify/intermedia), the closed loop
    username: str | None = None  # None: the receiver's configured integration credentials
    password: str | None = None
    timeout_seconds: float = 40.0  # seed 003: "Timeout (in seconds): 40"; wall time (a real HTTP exchange)

    def __post_init__(self) -> None:
        if self.event not in IVR_EVENTS:
            raise ValueError(f"webhook event {self.event!r} is not one of {', '.join(IVR_EVENTS)}")
        if self.url is not None and not _is_http_url(self.url):
            raise ValueError(f"webhook url must be an http:// or https:// URL with a host (a WSCall's "
                             f"\"URL\"), not {short_repr(self.url)}")
        if not isinstance(self.timeout_seconds, (int, float)) or self.timeout_seconds <= 0:
            raise ValueError("webhook timeout_seconds must be a number > 0")


@dataclass
class IntermediaSettings:
    # -- Intermedia Contact Center (the emitter) ----------------------------------------------------
    webhooks: list[Any] = field(default_factory=lambda: [Webhook()])
    # INFERRED: an agent who is only an Intermedia agent picks up a call offered to them after this
    # long (Intermedia's agent desktop is not emulated); null leaves calls ringing.
    answer_after_seconds: float | None = 3.0
    # INFERRED: such an agent ends the call after this long (null: the customer hangs up).
    talk_seconds: float | None = 120.0
    # INFERRED: where recordings are; {base} is this face's public URL, else its listener's (never
    # 0.0.0.0: serving/public_urls.py), which serves a short WAV there.
    recording_url: str = "{base}/recordings/{CallID}.wav"
    # -- HaloPSA (the receiver) -------------------------------------------------------------------
    integration_username: str = "intermedia"  # seed 003: entered in Halo's integration setup
    integration_password: str = "ccsim-halo-webhook"  # seed 003: "Generate" in Halo
    api_token: str = "ccsim-halo-token"  # INFERRED: Bearer token for the rest of /api (CallLog, Actions)
    answered_response: str = "open_call_screen"  # or "notification"
    match_agent_email: bool = False  # "Also match incoming call based on the Agents email"
    add_recording_link: bool = True  # "Add link to call recording once a Ticket/Action is logged"
    success_status: int = 200  # INFERRED (reference §2.3): Halo's answer is not documented
    # Halo's agents: by default one per Intermedia agent, with the same number and email. Each:
    # {id, name, email, intermedia_number, agent: <ccsim agent id>}.
    halo_agents: list[dict[str, Any]] | None = None
    # Halo's end users, matched by any phone field as an exact string: {id, name, client_name, <phone fields>}.
    halo_users: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not isinstance(self.webhooks, list):
            raise ValueError("webhooks must be a list of {event, url, username, password, timeout_seconds}")
        self.webhooks = [w if isinstance(w, Webhook) else _webhook(w) for w in self.webhooks]
        if not isinstance(self.success_status, int) or isinstance(self.success_status, bool) \
                or not 200 <= self.success_status <= 299:
            raise ValueError("success_status must be a 2xx status")
        for webhook in self.webhooks:
            if webhook.url is None and webhook.event != "Agent Answers Call":
                raise ValueError(f"the {webhook.event!r} webhook needs a url: ccsim's own Halo receiver "
                                 "(/api/notify/intermedia) takes the answered-call webhook only")
        if self.answered_response not in ANSWERED_RESPONSES:
            raise ValueError(f"answered_response must be one of {', '.join(ANSWERED_RESPONSES)}")
        for name in ("answer_after_seconds", "talk_seconds"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, (int, float)) or value < 0):
                raise ValueError(f"{name} must be a number of seconds >= 0, or null")
        try:
            self.recording_url.format(base="", CallID="")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"recording_url may use {{base}} and {{CallID}} only ({exc})") from None
        _check_records("halo_users", self.halo_users, ("id", "name", "client_name", *USER_PHONE_FIELDS))
        if self.halo_agents is not None:
            _check_records("halo_agents", self.halo_agents, ("id", "name", "email", "intermedia_number", "agent"))


def _is_http_url(url: Any) -> bool:
    if not isinstance(url, str) or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises on a port that is not a number or over 65535
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _webhook(value: Any) -> Webhook:
    if not isinstance(value, dict):
        raise ValueError("each webhook is a mapping {event, url, username, password, timeout_seconds}")
    try:
        return Webhook(**value)
    except TypeError:
        known = "event, url, username, password, timeout_seconds"
        raise ValueError(f"webhook {value!r}: known keys are {known}") from None


def _check_records(what: str, records: Any, keys: tuple[str, ...]) -> None:
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise ValueError(f"{what} must be a list of mappings")
    ids = [r.get("id") for r in records]
    if not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids) or len(set(ids)) != len(ids):
        raise ValueError(f"{what}: each needs a distinct whole-number id > 0")
    for record in records:
        unknown = set(record) - set(keys)
        if unknown:
            raise ValueError(f"{what} id {record['id']}: unknown key(s) {', '.join(sorted(unknown))}; known: {', '.join(keys)}")
        if not all(v is None or isinstance(v, str) for k, v in record.items() if k != "id"):
            raise ValueError(f"{what} id {record['id']}: values are strings (phone numbers exactly as Intermedia sends them)")
