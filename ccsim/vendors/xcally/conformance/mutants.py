"""Deliberately broken variants of ccsim's XCALLY face: each must fail `ccsim check --face xcally`."""
from __future__ import annotations

import string

from ....conformance.mutants import Mutant, replace
from .. import fields
from ..routing import Routing
from ..voice import VoiceRules


def _limits_off_by_one(which):
    def make(limit_reached):
        def mutated(self, agent, channel, ignore=None):
            if which == "tabs":
                if self.in_tabs(agent, ignore=ignore) > self.settings.tab_limit:
                    return "the interaction tabs limit"
                capacity = agent.capacity.get(channel, 0)
                if capacity and self.in_tabs(agent, channel, ignore) >= capacity:
                    return f"the {channel} capacity"
                return None
            if self.in_tabs(agent, ignore=ignore) >= self.settings.tab_limit:
                return "the interaction tabs limit"
            capacity = agent.capacity.get(channel, 0)
            if capacity and self.in_tabs(agent, channel, ignore) > capacity:
                return f"the {channel} capacity"
            return None
        return mutated
    return make


def _pauses_ignored(available):
    def mutated(self, agent, channel):
        return agent.online and not agent.disabled
    return mutated


def _accepted_row_without_agent(close_row):
    def mutated(self, interaction, reason, user_id=None):
        close_row(self, interaction, reason, None)
    return mutated


def _offer_id_as_text(offer_body):
    def mutated(self, interaction):
        body = offer_body(self, interaction)
        return {**body, "id": str(body["id"])}
    return mutated


def _ring_in_use_as(value: bool):
    """Every agent's Ring in Use read as `value`, whatever its setting."""
    def make(voice_refusal):
        def mutated(self, agent, direct=False):
            own, agent.ring_in_use = agent.ring_in_use, value
            try:
                return voice_refusal(self, agent, direct)
            finally:
                agent.ring_in_use = own
        return mutated
    return make


MUTANTS = [
    Mutant("tab limit off by one", "xcally", "lets an agent take one interaction more than the tabs limit",
           "xcally tab limit", replace(Routing, "limit_reached", _limits_off_by_one("tabs"))),
    Mutant("channel capacity off by one", "xcally", "lets an agent take one interaction more than its channel capacity",
           "xcally channel capacity", replace(Routing, "limit_reached", _limits_off_by_one("capacity"))),
    Mutant("paused channel still offered", "xcally", "notifies agents of interactions on a channel they paused",
           "xcally pauses", replace(Routing, "available", _pauses_ignored)),
    Mutant("accepted row without UserId", "xcally", "closes a report row as accepted without the accepting agent",
           "xcally report rows", replace(Routing, "close_row", _accepted_row_without_agent)),
    Mutant("password without a special character", "xcally", "accepts a Security Suite password without one of "
           "~!@#$%^&-_=+[{]} (any character counts as special)", "xcally agent validation",
           replace(fields, "PASSWORD_SPECIALS", lambda specials: specials + string.ascii_letters + string.digits)),
    Mutant("ring in use ignored", "xcally", "rings a queue call on the phonebar of an agent on a call whose Ring in "
           "Use is off", "xcally ring in use", replace(VoiceRules, "voice_refusal", _ring_in_use_as(True))),
    Mutant("ring in use never rings", "xcally", "keeps a queue call waiting while a member with Ring in Use on "
           "talks and could take it", "xcally ring in use", replace(VoiceRules, "voice_refusal", _ring_in_use_as(False))),
    Mutant("interaction id as text", "xcally", "pushes an offer's interaction id as a JSON string; it is a number",
           "contracts", replace(Routing, "offer_body", _offer_id_as_text)),
]
