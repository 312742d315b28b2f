"""Deliberately broken variants of ccsim's Intermedia → HaloPSA face: each must fail
`ccsim check --face intermedia`."""
from __future__ import annotations

import dataclasses

from ....conformance.mutants import Mutant, replace
from ..model import halo
from ..settings import USER_PHONE_FIELDS
from ..wire import halo_api, webhooks


def _email_before_number(match_agent):
    def mutated(self, number, email, by_email):
        by_mail = next((a for a in self.agents if by_email and email and a.email.lower() == email.lower()), None)
        return by_mail or match_agent(self, number, email, by_email)
    return mutated


def _numbers_without_spaces(match_user):
    def mutated(self, number):
        bare = number.replace(" ", "")
        return next((u for u in self.users if any((u.get(f) or "").replace(" ", "") == bare
                                                  for f in USER_PHONE_FIELDS)), None)
    return mutated


def _one_phone_field_short(match_user):
    def mutated(self, number):
        return next((u for u in self.users if any(u.get(f) == number for f in USER_PHONE_FIELDS[:-1])), None)
    return mutated


def _wrong_password_a_bad_request(notify):
    async def mutated(call):
        settings = call.face.settings
        if halo_api.basic_credentials(call.request) not in (None, (settings.integration_username,
                                                                   settings.integration_password)):
            return halo_api.problem({"$": ["The username or password is wrong."]})
        return await notify(call)
    return mutated


def _every_wscall_twice(fire):
    def mutated(self, event, values, agent, contact):
        fire(self, event, values, agent, contact)
        fire(self, event, values, agent, contact)
    return mutated


def _user_number_unquoted(render_body):
    def mutated(values):
        text = render_body({**values, "UserNumber": "@@"})
        return text.replace('"@@"', values["UserNumber"].lstrip("+").replace(" ", "") or "0")
    return mutated


def _no_call_screen_for_email_matches(answered_event):
    def mutated(face, row, agent):
        if agent.intermedia_number == row["diallednumber"]:
            answered_event(face, row, agent)
    return mutated


def _recording_link_every_time(link_ticket):
    def mutated(self, row, ticket_id, recording_link, when):
        row["ticket_id"] = ticket_id
        url = self.recordings.get(row["id"])
        if recording_link and url:  # without the "once" guard
            self.add_action(row, ticket_id, url, when)
        self.changed(row)
    return mutated


def _patch_routes(notify_of):
    """`halo_api.HALO_ROUTES` holds the handler itself (the face builds its table from them when it
    starts): replace the notify route's handler."""
    def make(routes):
        return tuple(dataclasses.replace(r, handler=notify_of(r.handler)) if r.handler is halo_api.notify else r
                     for r in routes)
    return make


MUTANTS = [
    Mutant("email matched before number", "intermedia",
           "tries the agent's email before the Intermedia number; seed 003 checks numbers first",
           "halo call log", replace(halo.Halo, "match_agent", _email_before_number)),
    Mutant("user numbers matched without spaces", "intermedia",
           "matches end users on numbers with spaces removed; seed 003 wants the exact format",
           "halo call log", replace(halo.Halo, "match_user", _numbers_without_spaces)),
    Mutant("last phone field not checked", "intermedia",
           "checks every user phone field but the last (sitephonenumber): off by one; seed 003 checks all",
           "halo call log", replace(halo.Halo, "match_user", _one_phone_field_short)),
    Mutant("wrong password answered 400", "intermedia",
           "answers wrong Basic credentials 400 (a validation problem) instead of 401",
           "halo webhook answers", replace(halo_api, "HALO_ROUTES", _patch_routes(_wrong_password_a_bad_request))),
    Mutant("WSCall sent twice", "intermedia",
           "sends every Agent Answers Call WSCall twice for one answer",
           "intermedia answered-call webhook", replace(webhooks.WebhookSender, "fire", _every_wscall_twice)),
    Mutant("UserNumber unquoted", "intermedia",
           "puts the UserNumber in the WSCall body as a JSON number; the seed's body quotes every value",
           "contracts", replace(webhooks, "render_body", _user_number_unquoted)),
    Mutant("no call screen for an email match", "intermedia",
           "shows the call to a Halo agent matched by number only, not to one matched by email",
           "halo call log", replace(halo_api, "answered_event", _no_call_screen_for_email_matches)),
    Mutant("recording link at every logging", "intermedia",
           "adds the recording link to the ticket each time the call is logged to it, not once",
           "halo recording link", replace(halo.Halo, "link_ticket", _recording_link_every_time)),
]
