"""Password recovery (seed 001, "How can an agent recover a forgotten password?"): the login
panel takes the e-mail address of the account, Motion mails a link, the link sets a new password
(Security Suite rules apply) and expires in one hour.

No mail leaves the simulator: the message is journaled (kind `mail`, op `password-recovery`, its
contract in contracts/xcally/mail/) with the link, whose token is unguessable (`secrets`, 256 bits)
and single-use. A new request for the same account replaces its link; at most one link per account
is kept, and expired ones are swept, so the store stays bounded by the accounts.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import fields as f
from .routing import XcallyError

if TYPE_CHECKING:
    from .face import XcallyFace
    from .model import XAgent
    from .staff import XUser

LINK_SECONDS = 3600  # "This link expires in one hour" (seed 001)
RESET_PATH = "/api/users/password/reset/"  # INFERRED: the link's path (Motion's is not public)


@dataclass
class ResetLink:
    token: str
    account_id: int
    expires: float


class Recovery:
    def _init_recovery(self: "XcallyFace") -> None:
        self.reset_links: dict[str, ResetLink] = {}

    def forgot_password(self: "XcallyFace", email: object, base_url: str) -> int:
        """Mail a reset link to every enabled account with this address; how many were sent (the
        answer does not say, so the address cannot be probed)."""
        if not isinstance(email, str) or not f.EMAIL.fullmatch(email):
            raise XcallyError(400, "email (the address of the account) is required")
        now = self.clock.now()
        for token in [t for t, link in self.reset_links.items() if link.expires <= now]:
            del self.reset_links[token]
        accounts = [a for a in (*self.agents.values(), *self.supervisors.values())
                    if a.email.lower() == email.lower() and not a.disabled]
        for account in accounts:
            self._send_link(account, base_url, now)
        return len(accounts)

    def _send_link(self: "XcallyFace", account: "XAgent | XUser", base_url: str, now: float) -> None:
        self.drop_reset_links(account.id)  # the new link replaces the one sent before
        link = ResetLink(secrets.token_urlsafe(32), account.id, now + LINK_SECONDS)
        self.reset_links[link.token] = link
        url = base_url + RESET_PATH + link.token
        self.journal.record(
            self.name, "mail", "password-recovery", agent=getattr(account, "core_id", None),
            request={"to": account.email},
            response={"to": account.email, "subject": "XCALLY Motion: reset your password", "link": url,
                      "expiresAt": self.iso(link.expires), "username": account.name,
                      "body": f"Hello {account.fullname or account.name},\n\nto choose a new password open {url}\n"
                              "This link expires in one hour; after that start a new reset procedure.\n"})

    def drop_reset_links(self: "XcallyFace", account_id: int) -> None:
        """A deleted account's links go with it."""
        for token in [t for t, link in self.reset_links.items() if link.account_id == account_id]:
            del self.reset_links[token]

    def reset_link(self: "XcallyFace", token: str) -> tuple[ResetLink, "XAgent | XUser"]:
        """The live link of this token and its account; 400 otherwise (unknown, used or expired)."""
        link = self.reset_links.get(token)
        account = None if link is None else (self.agents.get(link.account_id) or self.supervisors.get(link.account_id))
        if link is None or account is None or link.expires <= self.clock.now():
            raise XcallyError(400, "the reset link is not valid: it was used, has expired (links last one hour) "
                                   "or never existed; start a new reset procedure")
        return link, account

    def reset_password(self: "XcallyFace", token: str, password: object) -> "XAgent | XUser":
        link, account = self.reset_link(token)
        if not isinstance(password, str) or not password:
            raise XcallyError(400, "password (the new one) is required")
        problem = f.password_problem(password) if self.settings.security_suite else None
        if problem:
            raise XcallyError(400, f"password refused by the Security Suite: {problem}")
        if self.settings.security_suite and password == account.password:
            raise XcallyError(400, "password refused by the Security Suite: the new password must differ from the old")
        account.password = password
        account.updated = self.clock.now()
        del self.reset_links[link.token]  # single use
        return account
