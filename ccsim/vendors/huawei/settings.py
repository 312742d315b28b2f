"""Huawei face settings (config `faces.huawei`).

Every choice the public sources leave open is one field here, named, with its default and
marked INFERRED; contracts/huawei/README.md lists the same choices.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class HuaweiSettings:
    # Long poll: answer with `event: null` after this hold (doc: about 10 s).
    poll_hold_seconds: float = 10.0
    # Sign an agent out when it has neither polled nor sent a heartbeat for this long (doc: 2 min).
    idle_signout_seconds: float = 120.0
    # GUID mode: "static" (AUTHMODE=1) or "dynamic" (AUTHMODE=2, rotation on poll/handshake).
    # INFERRED default: static, because the public Java demo reads Set-GUID only at sign-in.
    auth_mode: str = "static"
    guid_interval_seconds: float = 60.0  # dynamic mode: rotation period (GUIDINTERVAL)
    guid_timeout_seconds: float = 120.0  # dynamic mode: an old GUID's lifetime (GUIDTIMEOUT)
    guid_node: str = "AgentGateway0"  # suffix of generated GUIDs
    # INFERRED: who may ask updateGuid for the current GUID (the page was refreshed and lost it).
    # "session": a caller with one of the session's GUIDs or its JSESSIONID cookie (set at sign-in,
    # kept by the browser across the refresh); "anyone": no check at all (then any caller can take
    # over a signed-in agent: for clients that neither keep the cookie nor the GUID).
    update_guid_auth: str = "session"
    # Highest agent id accepted: 59999 in older docs (and the seed), 999999 in 2025 docs.
    max_agent_id: int = 59999
    # Seed 004: Content-Type is mandatory. INFERRED answer: an operation that takes a JSON body
    # (sign-ins, transfer, callout, callinner) refuses a missing or non-JSON Content-Type with
    # HTTP 415, as the gateway's JAX-RS resources (@Consumes application/json, seen in its RESTEasy
    # JS API) do; Huawei's own clients always send it. False accepts any Content-Type.
    require_content_type: bool = True
    # INFERRED: wrong passwords before an account is locked (110-016); 0 never locks.
    lock_after_failed_logins: int = 5
    # The "force kick" switch: when off, forcelogin of a signed-in agent gives 100-015.
    allow_force_login: bool = True
    # "message" on success: "" in older samples, "success" in newer ones.
    success_message: str = ""
    # Add `eventGenTime` (ms) inside events, as the 2025 docs do.
    event_gen_time: bool = False
    # Sign-in result fields (the seed's sample values).
    vdnid: int = 1
    server_name: str = "AgentGateway"
    time_remaining: str = "9"
    # INFERRED: seconds a manual-answer call rings before AgentEvent_No_Answer and requeue.
    ring_timeout_seconds: float = 20.0
    # INFERRED: after a no-answer the agent is set busy with reason 2 ("no-answer forced").
    busy_after_no_answer: bool = True
    # Emit AgentOther_PhoneAlerting/PhoneOffhook/PhoneRelease around calls (reference §4.4).
    phone_events: bool = True
    # INFERRED: seconds until the far end answers a callout or inner call.
    callout_answer_seconds: float = 3.0
    # Callouts to these numbers fail with AgentEvent_Call_Out_Fail.
    unreachable_numbers: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.update_guid_auth not in ("session", "anyone"):
            raise ValueError(f"update_guid_auth must be 'session' or 'anyone', not {self.update_guid_auth!r}")
        if self.auth_mode not in ("static", "dynamic"):
            raise ValueError(f"auth_mode must be 'static' or 'dynamic', not {self.auth_mode!r}")
        if self.poll_hold_seconds < 0 or self.idle_signout_seconds <= 0:
            raise ValueError("poll_hold_seconds must be >= 0 and idle_signout_seconds > 0")
