"""Who a voice call rings, by the agent's phonebar settings (seed 001, Motion Phonebar Settings).

Ring in Use (`phoneBarRingInUse`): on, a call rings while the agent is on another (call
waiting); off, a queue call passes the agent by for the next member and a direct or internal
call is refused. Do not disturb during pause (`phoneBarDnd`, default on): while the agent is
paused on voice, direct and internal calls are refused; off, they ring. A queue never rings an
agent paused on voice, whatever the setting. Direct calls come from the admin API (a contact
dialled straight to an agent, as to its extension); internal ones from another agent's
phonebar dialling the agent's internal number.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ...core import Agent, Contact, EndReason

if TYPE_CHECKING:
    from .face import XcallyFace
    from .model import XAgent
    from .phonebar import PhoneCall

IN_CONVERSATION = {"ACTIVE", "HOLDING", "CONNECTING", "ALERTING"}  # phonebar call statuses


class VoiceRules:
    # The core may dial a contact straight to an XCALLY agent on these channels (World.inject).
    direct_channels: ClassVar[tuple[str, ...]] = ("voice",)

    def voice_refusal(self: "XcallyFace", agent: "XAgent", direct: bool = False) -> str | None:
        """Why the agent's phonebar does not ring for a call now (None: it rings). `direct`: a
        call dialled to the agent (direct or internal), not offered by a queue."""
        if not agent.online:
            return f"{agent.name} is not logged in"
        if "voice" in agent.paused and (not direct or agent.dnd_during_pause):
            return f"{agent.name} is paused on voice" + (" with Do not disturb during pause on" if direct else "")
        calls = self.agent_calls(agent)
        if calls and not agent.ring_in_use:
            return f"{agent.name} is on a call and Ring in Use is off"
        if not direct and any(c.status == "INCOMING" for c in calls):
            return f"{agent.name} is already ringing"  # INFERRED: a queue rings an agent once at a time
        return None

    def rings_for_queue(self: "XcallyFace", agent: "XAgent", members: list[int]) -> bool:
        """A voice queue rings a member its settings let ring; one on a call (Ring in Use on)
        only when no member is free (INFERRED: the ACD offers free members first)."""
        if agent.id not in members or self.voice_refusal(agent) is not None:
            return False
        return not self.agent_calls(agent) or not any(
            self.voice_refusal(self.agents[m]) is None and not self.agent_calls(self.agents[m])
            for m in members if m in self.agents)

    def direct_refusal(self: "XcallyFace", agent: Agent, contact: Contact) -> str | None:
        """The core's question for a contact dialled straight to a signed-in agent."""
        xagent = self.by_core.get(agent.id)
        return f"agent {agent.id} is not an XCALLY agent" if xagent is None else self.voice_refusal(xagent, direct=True)

    def sync_voice_presence(self: "XcallyFace", agent: "XAgent") -> None:
        """The neutral presence from the agent's calls: talking over ringing over idle."""
        if not agent.online:
            return
        statuses = {c.status for c in self.agent_calls(agent)}
        presence = "talking" if statuses & IN_CONVERSATION else "ringing" if "INCOMING" in statuses else "idle"
        self.world.set_presence(agent.core_id, presence)

    def agent_with_internal(self: "XcallyFace", number: str) -> "XAgent | None":
        return next((a for a in self.agents.values() if a.internal == number), None)

    def dial_internal(self: "XcallyFace", call: "PhoneCall", callee: "XAgent") -> None:
        """The caller's phonebar dialled the callee's internal number: the callee's phonebar
        rings, or the call is refused at once (TERMINATED) when its settings say so."""
        refusal = self.voice_refusal(callee, direct=True)
        if refusal is None:
            self.world.offer(call.contact_id, callee.core_id)  # -> offer() -> ring_phonebar
            return
        call.status = "TERMINATED"
        self.world.end(call.contact_id, EndReason.REFUSED, why=refusal)  # forgets the caller's call
