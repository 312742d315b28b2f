"""What an agent's typology changes (seed 001, "Agent Typology").

- Phonebar: the agent acts from the phonebar and the web interface reflects it. Only a phonebar
  agent has a phonebar, so only its remote control listens (phonebar.py), and the phonebar can
  log it in and out and pause it (`/api/login`, `/api/logout`, `/api/pause`, `/api/unpause` on
  the remote control); what it does shows in the REST API (users, realtime, report_member).
- External: logs in from the web interface; with Hot Desk (`hotdesk`) it picks, at login, one of
  the registered telephones (`{"telephone": "<internal>"}`), which no other online agent holds.
- WebRTC: the bar is in the web interface; it registers over a websocket.
- Mobile: the XCALLY mobile app, through the Mobile App Push Gateway; only with the Mobile feature
  of the license.

"The Typology field must be in line with the Agent's client configuration … A wrong agent
configuration will not make possible the communication with the server": a login whose client
cannot register with the agent's Voice transport (WebRTC needs ws/wss, the phonebar and the app
udp/tcp/tls) is refused, 409, and so is a mobile agent's without a push gateway.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .agent_settings import SIP_TRANSPORTS, WEB_TRANSPORTS
from .routing import XcallyError

if TYPE_CHECKING:
    from .face import XcallyFace
    from .model import XAgent

CLIENT = {"phonebar": "the Motion phonebar", "webrtc": "the WebRTC bar", "mobile": "the mobile app",
          "external": "an external phone"}
NEEDS = {"phonebar": SIP_TRANSPORTS, "mobile": SIP_TRANSPORTS, "webrtc": WEB_TRANSPORTS}


class Typology:
    def check_typology_allowed(self: "XcallyFace", body: dict[str, Any]) -> None:
        """A create or update body: Mobile exists only with the license's Mobile feature."""
        if body.get("typology") == "mobile" and not self.settings.mobile_feature:
            raise XcallyError(400, "typology mobile needs the Mobile feature of the license")

    def registration_problem(self: "XcallyFace", agent: "XAgent") -> str | None:
        wanted = NEEDS.get(agent.typology)
        if wanted and not set(agent.transport.split(",")) & set(wanted):
            return (f"{agent.name} cannot register: {CLIENT[agent.typology]} needs transport "
                    f"{' or '.join(wanted)}, the agent has {agent.transport}")
        if agent.typology == "mobile" and not agent.settings["mobilePushGateway"]:
            return f"{agent.name} cannot register: a mobile agent needs its mobilePushGateway (host:port)"
        return None

    def start_session(self: "XcallyFace", agent: "XAgent", body: dict[str, Any]) -> None:
        """Log in as the agent's client does: checked for its typology, then self.login."""
        if agent.online:
            raise XcallyError(409, f"{agent.name} is already logged in")
        problem = self.registration_problem(agent)
        if problem:
            raise XcallyError(409, problem)
        telephone = self.pick_telephone(agent, body)
        self.login(agent)
        agent.telephone = telephone

    def pick_telephone(self: "XcallyFace", agent: "XAgent", body: dict[str, Any]) -> str:
        """The device the agent's calls ring on: its own internal, or with Hot Desk the registered
        telephone it chose."""
        chosen = body.get("telephone")
        hot_desk = agent.typology == "external" and agent.settings["hotdesk"]
        if not hot_desk:
            if "telephone" in body:
                raise XcallyError(400, "telephone is chosen at login only by an external agent with hotdesk on")
            return agent.internal
        free = [t["internal"] for t in self.telephones() if t["registered"] and t["UserId"] is None]
        if chosen is None:
            raise XcallyError(400, "hotdesk: choose a telephone, one of the registered ones: "
                                   + (", ".join(free) or "none is free"))
        known = {t["internal"]: t for t in self.telephones()}
        if not isinstance(chosen, str) or chosen not in known or not known[chosen]["registered"]:
            raise XcallyError(400, f"telephone {chosen!r} is not a registered telephone")
        if known[chosen]["UserId"] is not None:
            raise XcallyError(409, f"telephone {chosen} is in use by another agent")
        return chosen

    def telephones(self: "XcallyFace") -> list[dict[str, Any]]:
        """The telephones of the configuration, each with the online agent using it (hot desk)."""
        holders = {a.telephone: a.id for a in self.agents.values()
                   if a.online and a.typology == "external" and a.settings["hotdesk"]}
        return [{"id": number, "name": phone.get("name") or phone["internal"], "internal": phone["internal"],
                 "registered": phone.get("registered", True), "UserId": holders.get(phone["internal"])}
                for number, phone in enumerate(self.settings.telephones, 1)]
