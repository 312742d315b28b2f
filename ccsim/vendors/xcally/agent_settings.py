"""The agent settings of Motion's agent form (seed 001: Account, Voice, Motion Phonebar Settings,
Motion WebRTC Settings, Permissions), as one table: JSON key, value type, default, rule.

Motion's REST reference is not public. The keys come from a look-alike codebase's Sequelize
`users` model and its agent form (CLONE in the reference, §3.2) where it has them, and follow
its `phoneBar…` pattern where it does not (INFERRED); the values are Asterisk's SIP peer words
(chan_sip `transport`, `nat`, `type`, `allow`…), as the clone stores them: comma lists in a
string. Seed 001 wins over the clone on defaults (SIP Expires 3600, context `from-sip`).
contracts/xcally/agent.schema.json says the same; a test checks the two agree.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

from .rules import Invalid, whole

TEXT_MAX = 255  # a Sequelize STRING is VARCHAR(255)
TRANSPORTS = ("udp", "tcp", "tls", "ws", "wss")
WEB_TRANSPORTS = ("ws", "wss")  # a WebRTC bar registers over a websocket
SIP_TRANSPORTS = ("udp", "tcp", "tls")  # the Windows phonebar and the mobile app do not
MODULES = ("voice", "chat", "mail", "sms", "openchannel", "fax", "whatsapp", "contacts", "jscripty")
_CONTEXT = re.compile(r"[A-Za-z0-9_-]+")
_GROUPS = re.compile(r"\d+(-\d+)?(,\d+(-\d+)?)*")
_HOSTNAME = re.compile(r"(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*")


@dataclass(frozen=True)
class Setting:
    key: str
    kind: str  # bool, whole, port, choice, tokens, text, context, groups, host, gateway
    default: Any
    section: str  # account, voice, phonebar, webrtc, permissions
    source: str  # where the key comes from: CLONE, or INFERRED
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    min_tokens: int = 1  # tokens: how many at least


def _s(key: str, kind: str, default: Any, section: str, source: str, **rule: Any) -> Setting:
    return Setting(key, kind, default, section, source, **rule)


SETTINGS: tuple[Setting, ...] = (
    # Account (Personal Info, Security Suite, typology options)
    _s("alias", "text", "", "account", "INFERRED"),
    _s("description", "text", "", "account", "CLONE"),
    _s("voicemail", "bool", False, "account", "CLONE"),  # the clone keeps a string; the seed says "enable"
    _s("privacyEnabled", "bool", False, "account", "CLONE"),  # Mask Sensitive Data
    _s("hotdesk", "bool", False, "account", "CLONE"),  # External: pick a registered telephone at login
    _s("mobilePushGateway", "gateway", "", "account", "INFERRED"),  # Mobile: "YOUR_IP_SERVER:5060"
    # Voice (the agent's SIP peer)
    _s("transport", "tokens", None, "voice", "CLONE", choices=TRANSPORTS),  # None: the typology's default
    _s("host", "host", "dynamic", "voice", "CLONE"),
    _s("nat", "tokens", "force_rport,comedia", "voice", "CLONE",
       choices=("yes", "no", "force_rport", "comedia", "never", "route")),
    _s("type", "choice", "friend", "voice", "CLONE", choices=("friend", "user", "peer")),
    _s("allow", "tokens", "ulaw,alaw", "voice", "CLONE", choices=("ulaw", "alaw", "gsm", "g722", "g729", "opus")),
    _s("callerid", "text", "", "voice", "CLONE"),
    _s("context", "context", "from-sip", "voice", "CLONE"),
    _s("callGroup", "groups", "", "voice", "CLONE"),
    _s("pickupGroup", "groups", "", "voice", "CLONE"),
    _s("chanSpy", "bool", False, "voice", "CLONE"),
    _s("videosupport", "choice", "no", "voice", "CLONE", choices=("yes", "no")),
    _s("recordingToUserExtension", "choice", "inactive", "voice", "CLONE", choices=("inactive", "wav", "wav49", "gsm")),
    _s("encryption", "choice", "no", "voice", "CLONE", choices=("yes", "no")),
    # Motion Phonebar Settings (auto answer, remote control, Ring in Use and DND during pause are
    # in fields.py: they drive routing)
    _s("phoneBarEnableSettings", "bool", True, "phonebar", "CLONE"),
    _s("phoneBarEnableRecording", "bool", False, "phonebar", "CLONE"),
    _s("phoneBarEnableDtmfTone", "bool", False, "phonebar", "CLONE"),
    _s("phoneBarUnansweredCallBadge", "bool", True, "phonebar", "CLONE"),
    _s("phoneBarEnableJaws", "bool", False, "phonebar", "CLONE"),
    _s("phoneBarEnableScreenRecordingByAgent", "bool", False, "phonebar", "INFERRED"),
    _s("phoneBarEnableAutomaticScreenRecording", "bool", False, "phonebar", "INFERRED"),
    _s("phoneBarExpires", "whole", 3600, "phonebar", "CLONE", minimum=1, maximum=86400),
    _s("phoneBarListenPort", "port", 5160, "phonebar", "CLONE"),  # SIP Source Port
    _s("phoneBarPort", "port", 5060, "phonebar", "INFERRED"),  # SIP Destination Port
    _s("phoneBarUnconditional", "bool", False, "phonebar", "CLONE"),  # Call Forwarding=Unconditional
    # Motion WebRTC Settings
    _s("autoAnswerNotification", "bool", False, "webrtc", "INFERRED"),
    _s("ignoreBreakStatusForPreviewCalls", "bool", False, "webrtc", "INFERRED"),
    _s("wssPort", "port", 8089, "webrtc", "CLONE"),
    # Permissions
    _s("allowmessenger", "bool", True, "permissions", "CLONE"),
    _s("messengerSoundNotification", "bool", False, "permissions", "CLONE"),
    _s("prefixRequired", "bool", False, "permissions", "INFERRED"),
    _s("selectRecallMeCampaign", "bool", False, "permissions", "INFERRED"),
    _s("rescheduleHopperCalls", "bool", False, "permissions", "INFERRED"),
    _s("downloadAttachments", "bool", True, "permissions", "CLONE"),
    _s("downloadOmnichannelInteractions", "bool", True, "permissions", "CLONE"),
    _s("downloadVoiceRecordings", "bool", True, "permissions", "CLONE"),
    _s("permissions", "tokens", ",".join(MODULES), "permissions", "CLONE", choices=MODULES, min_tokens=0),
)
BY_KEY = {s.key: s for s in SETTINGS}
SCREEN_RECORDING = ("phoneBarEnableScreenRecordingByAgent", "phoneBarEnableAutomaticScreenRecording")


def defaults() -> dict[str, Any]:
    return {s.key: s.default for s in SETTINGS}


def default_transport(typology: str) -> str:
    """Seed 001, Voice: wss for the WebRTC bar (its default); udp/tcp for the Windows phonebar, an
    external phone or the mobile app."""
    return "wss" if typology == "webrtc" else "udp,tcp"


def check(body: dict[str, Any]) -> None:
    """Each setting present in a create or update body, alone: Invalid (400) names the key."""
    for key, value in body.items():
        setting = BY_KEY.get(key)
        if setting is not None and not (setting.key == "transport" and value is None):
            problem = _problem(setting, value)
            if problem:
                raise Invalid(f"{key} {problem}")


def check_together(state: dict[str, Any]) -> None:
    """Rules between settings, on the agent as it would be after the change."""
    if all(state.get(key) is True for key in SCREEN_RECORDING):
        raise Invalid("phoneBarEnableScreenRecordingByAgent and phoneBarEnableAutomaticScreenRecording are "
                      "mutually exclusive (seed 001)")


def _problem(s: Setting, value: Any) -> str | None:
    if s.kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if s.kind in ("whole", "port"):
        low, high = (1, 65535) if s.kind == "port" else (s.minimum, s.maximum)
        return None if whole(value) and low <= value <= high else f"must be a whole number from {low} to {high}"
    if not isinstance(value, str):
        return "must be a string"
    if len(value) > TEXT_MAX:
        return f"must be at most {TEXT_MAX} characters"
    if s.kind == "choice":
        return None if value in s.choices else f"must be one of {', '.join(s.choices)}"
    if s.kind == "tokens":
        return _tokens_problem(s, value)
    if s.kind == "context":
        return None if _CONTEXT.fullmatch(value) else "must be letters, digits, '-' or '_'"
    if s.kind == "groups":
        return None if value == "" or _groups_ok(value) else "must be group numbers 0-63 and ranges, like 1,3-5"
    if s.kind == "host":
        return None if value == "dynamic" or _ip(value) else "must be dynamic or an IP address"
    if s.kind == "gateway":
        return None if value == "" or _gateway_ok(value) else "must be host:port (the Mobile App Push Gateway)"
    return None  # text


def _tokens_problem(s: Setting, value: str) -> str | None:
    tokens = value.split(",") if value else []
    if len(tokens) < s.min_tokens or any(t not in s.choices for t in tokens) or len(set(tokens)) != len(tokens):
        least = "one or more" if s.min_tokens else "none or more"
        return f"must be {least} of {', '.join(s.choices)}, comma-separated, each once"
    return None


def _groups_ok(value: str) -> bool:
    if not _GROUPS.fullmatch(value):
        return False
    for part in value.split(","):
        low, _, high = part.partition("-")
        if int(low) > 63 or (high and not int(low) <= int(high) <= 63):
            return False
    return True


def _ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _gateway_ok(value: str) -> bool:
    host, _, port = value.rpartition(":")
    return bool(host) and port.isascii() and port.isdigit() and 1 <= int(port) <= 65535 \
        and (_ip(host.strip("[]")) or bool(_HOSTNAME.fullmatch(host)))
