"""Information commands: reason codes, queue statistics, team users, phonebooks, skill groups
and supervisors. Each answers with one event to the asking client's topic."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import protocol as p
from .connector import Connector
from .dialogs import Dialogs
from .queue_stats import QueueStatistics
from .users import User, finesse_time

if TYPE_CHECKING:
    from ..settings import FinesseSettings

REASON_CATEGORY = {"wrapupreasoncode": "WRAP_UP", "reasoncodelogout": "LOGOUT", "reasoncodenotready": "NOT_READY"}


class Queries:
    def __init__(self, connector: Connector, dialogs: Dialogs, queue_stats: QueueStatistics):
        self.connector = connector
        self.dialogs = dialogs
        self.queue_stats = queue_stats
        self.world = connector.world

    @property
    def settings(self) -> FinesseSettings:  # the connector's: a reset gives it the settings made afresh
        return self.connector.settings

    def _asker(self, user: User | None, command: p.Command) -> User:
        user = self.connector.need(user, command)
        if not user.destination:
            raise p.ProtocolError("SUBSCRIPTION_FAILED", "send Connect first: there is no topic to answer on",
                                  user.login_id, command.name)
        return user

    def reason_codes(self, user: User | None, command: p.Command) -> None:
        user = self._asker(user, command)
        category = REASON_CATEGORY[command.name]
        label = "WrapUp" if category == "WRAP_UP" else category  # "as passed in the request" (INFERRED)
        self.connector.publish(user, p.reason_codes(user.login_id, label, self.settings.codes(category)))

    def queue_list(self, user: User | None, command: p.Command) -> None:
        """One entry per queue, its agents being the signed-in users with the queue's skills: the
        UCCE payload (the WPF client's keys and order) or, with deployment UCCX, the seed's per-CSQ
        fields. Each ends with the full name of the asking user (the seed's <agent_full_name>)."""
        user = self._asker(user, command)
        entries = []
        for queue in self.world.queues.values():
            members = [u for u in self.connector.users.values()
                       if u.logged_in and queue.skills <= self.world.agents[u.agent_id].skills]
            count = lambda *states: sum(u.state in states for u in members)  # noqa: E731
            waiting = [self.world.contacts[c] for c in queue.waiting]
            if self.settings.deployment == "UCCX":
                stats = self.queue_stats.of(queue.id)
                fields: list[tuple[str, object]] = [
                    ("QueueName", queue.name), ("WaitingCalls", len(waiting)), ("AgentsLoggedIn", len(members)),
                    ("AgentsInAfterCallWork", count("WORK", "WORK_READY")), ("AgentsTalking", count("TALKING", "HOLD")),
                    ("AgentsReserved", count("RESERVED", "RESERVED_OUTBOUND_PREVIEW")), ("HandledCalls", stats.handled),
                    ("AbandonedCalls", stats.abandoned), ("TotalCalls", stats.total),
                    ("LongestHandleTime", stats.longest_handle)]
            else:
                talking = [self.talking_on(u) for u in members if u.state in ("TALKING", "HOLD")]
                fields = [
                    ("QueueName", queue.name), ("NotReady", count("NOT_READY")), ("Ready", count("READY")),
                    ("TalkingIN", talking.count("IN")), ("TalkingINT", talking.count("INT")),
                    ("TalkingOUT", talking.count("OUT")), ("WrapUpNotReady", count("WORK")),
                    ("WrapUpReady", count("WORK_READY")), ("CallsInQueue", len(waiting)),
                    ("LongestInQueue", finesse_time(min(c.created for c in waiting)) if waiting else "")]
            entries.append(p.pairs([*fields, ("FullName", user.full_name)]))
        self.connector.publish(user, p.listing(user.login_id, "QueueList", entries))

    def talking_on(self, user: User) -> str:
        """What a talking agent talks on, as Finesse's agentsTalkingInbound / Outbound / Internal
        count it: its active call (else its held one) is a customer's inbound call (IN), a call it
        or a campaign placed to the outside (OUT), or a call between agents (INT: a consult with
        an agent, a silent monitor). INFERRED: a consult to an outside number is OUT."""
        calls = self.dialogs.by_id
        dialogs = [calls[d] for d in user.dialogs if d in calls]
        mine = [(d, d.party(user.login_id)) for d in dialogs]
        dialog = next((d for d, x in mine if x is not None and x.state == "ACTIVE"), dialogs[0] if dialogs else None)
        if dialog is None or dialog.call_type == "ACD_IN":
            return "IN"
        if dialog.call_type in ("OUT", "OUTBOUND_PREVIEW"):
            return "OUT"
        others = [x for x in dialog.parties if x.login_id != user.login_id]
        return "OUT" if dialog.call_type == "CONSULT" and all(x.login_id is None for x in others) else "INT"

    def team_users(self, user: User | None, command: p.Command) -> None:
        user = self._asker(user, command)
        team = command.args["teamId"]
        if user.supervisor and team not in user.teams or not user.supervisor and team != user.team:
            raise p.ProtocolError("INVALID_STATE", f"team {team} is not {user.login_id}'s", user.login_id, command.name)
        labels = dict(self.settings.codes("NOT_READY") + self.settings.codes("LOGOUT"))
        entries = [p.pairs([
            ("FirstName", u.first_name), ("LastName", u.last_name), ("Extension", u.signed_extension),
            ("LoginId", u.login_id), ("State", u.state), ("PendingState", u.pending), ("MediaType", "voice"),
            ("StateChangeTime", finesse_time(u.changed_at) if u.changed_at else ""),
            ("StateChangeLabel", labels.get(u.reason_code, "")),
        ]) for u in self.connector.users.values() if u.team == team and not u.supervisor]
        self.connector.publish(user, p.listing(user.login_id, "TeamUsersList", entries))

    def _books(self, user: User, team: str | None) -> list[dict[str, Any]]:
        books = self.settings.phonebooks
        if team is None:
            return [b for b in books if b.get("type", "GLOBAL") == "GLOBAL" or b.get("team") == user.team]
        return [b for b in books if b.get("type") == "TEAM" and str(b.get("team")) == team]

    def phonebooks(self, user: User | None, command: p.Command) -> None:
        user = self._asker(user, command)
        team = command.args.get("teamId") if command.name == "GetTeamPhonebooks" else None
        name, empty = ("TeamPhoneBooks", "NoTeamPhoneBookFound") if team else ("Phonebooks", "NoPhoneBookFound")
        entries = [p.pairs([("name", b["name"]), ("type", b.get("type", "GLOBAL")), ("id", b["id"])])
                   for b in self._books(user, team)]
        self.connector.publish(user, p.listing(user.login_id, name, entries, empty))

    def phonebook_contacts(self, user: User | None, command: p.Command) -> None:
        user = self._asker(user, command)
        book = next((b for b in self.settings.phonebooks if str(b["id"]) == command.args["phonebookId"]), None)
        entries = [p.pairs([("description", c.get("description", "")), ("firstName", c.get("firstName", "")),
                            ("lastName", c.get("lastName", "")), ("phoneNumber", c.get("phoneNumber", "")),
                            ("id", c.get("id", ""))]) for c in (book or {}).get("contacts", [])]
        self.connector.publish(user, p.listing(user.login_id, "PhonebookContacts", entries, "NoContactFound"))

    def skill_groups(self, user: User | None, command: p.Command) -> None:
        # The seed gives no reply layout: queues the agent has the skills for (INFERRED).
        user = self._asker(user, command)
        skills = self.world.agents[user.agent_id].skills
        entries = [p.pairs([("name", q.name), ("id", q.id)]) for q in self.world.queues.values() if q.skills <= skills]
        self.connector.publish(user, p.listing(user.login_id, "SkillGroups", entries, "NoSkillGroupFound"))

    def supervisors(self, user: User | None, command: p.Command) -> None:
        # The seed gives no reply layout: the supervisors of the agent's team (INFERRED).
        user = self._asker(user, command)
        entries = [p.pairs([("FirstName", s.first_name), ("LastName", s.last_name), ("LoginId", s.login_id),
                            ("Extension", s.signed_extension)])
                   for s in self.connector.users.values() if s.supervisor and user.team in s.teams]
        self.connector.publish(user, p.listing(user.login_id, "Supervisors", entries, "NoSupervisorFound"))
