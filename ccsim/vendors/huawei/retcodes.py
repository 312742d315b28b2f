"""Huawei CC-Gateway retcodes (the envelope's "retcode" string) and their messages.

Meanings from Huawei's error-code page (cec_07_0580) and the C# demo's EN-US resources.
"""
from __future__ import annotations

SUCCESS = "0"

MESSAGES = {
    "000-002": "The URL parameter or interface parameter is invalid.",
    "000-003": "No permission to invoke the interface; the agent authentication may have expired.",
    "000-007": "The interface is repeatedly invoked.",
    "100-001": "The sign-in parameter is empty or invalid.",
    "100-002": "The agent has signed in.",
    "100-003": "Resource unavailable during sign-in.",
    "100-004": "The username or password is incorrect.",
    "100-005": "The sign-out parameter is invalid.",
    "100-006": "The agent has not signed in.",
    "100-007": "An exception occurred during the agent's operation.",
    "100-008": "The agent has already signed out.",
    "100-009": "The agent status is incorrect.",
    "100-010": "The agent status is incorrect during sign-out.",
    "100-012": "The agent type is incorrect at sign-in.",
    "100-015": "The agent has signed in and cannot be forcibly signed out.",
    "100-016": "The IP address is invalid at sign-in.",
    "110-016": "The account is locked.",
    "200-001": "The dialed number is incorrect.",
    "200-002": "No call to answer.",
    "200-003": "No call to mute.",
    "200-004": "The call state does not allow mute.",
    "200-005": "No call for connect-hold.",
    "200-006": "No held call to connect.",
    "200-007": "No call to unmute.",
    "200-008": "The call state does not allow unmute.",
    "200-012": "No call to transfer.",
    "200-013": "No call to hold.",
    "200-014": "The call state does not allow hold.",
    "200-015": "No held call to retrieve.",
    "200-016": "The call state does not allow retrieve.",
    "200-017": "No call to release.",
    "999-001": "The WAS URL in the configuration file of the server is incorrect.",
}


class HuaweiError(Exception):
    """A business failure: answered as HTTP 200 with this retcode."""

    def __init__(self, retcode: str, detail: str | None = None):
        super().__init__(retcode)
        self.retcode = retcode
        self.message = MESSAGES.get(retcode, "failure") + (f" {detail}" if detail else "")
