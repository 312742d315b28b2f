"""Secrets out of what people read: journal entries as the admin API, `ccsim record` and the
reports show them.

The journal itself keeps each exchange as it went over the wire, because the conformance
invariants judge it ("was this the agent's password? then sign-in must succeed"). Every view
of it meant for people masks: values under secret-looking keys at any depth (headers, JSON
bodies), the credential part of an Authorization header (its scheme stays), `password=` in
form bodies, and whatever a face knows to be secret in its own formats (Face.mask_entry: the
password field of a Finesse comma body, for one).
"""
from __future__ import annotations

import re
from typing import Any

MASK = "***"  # a secret the configuration holds (an agent's own password, the integration's)
OTHER = "***other***"  # a secret given that the configuration does not hold (a wrong password)
SECRET_KEYS = frozenset({
    "password", "passcode", "passwd", "pwd", "secret", "client_secret", "token", "access_token", "refresh_token",
    "id_token", "api_key", "apikey", "x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie",
    "integration_password",
})
_FORM_SECRET = re.compile(r"(?i)\b(password|passcode|passwd|pwd|client_secret|access_token|refresh_token|token|apikey|api_key)"
                          r"=([^&\s]*)")


# A key that ends in one of these words (after _ or -, or in camelCase) names a secret too:
# admin_password, stomp_passcode, api_token, api_keys, newPassword, apiKey...
_SECRET_ENDING = re.compile(r"(?:^|[_-])(?:password|passcode|passwd|pwd|secret|token|api[_-]?keys?)$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return lowered in SECRET_KEYS or bool(_SECRET_ENDING.search(_CAMEL.sub("_", key).lower()))


class Masker:
    """Masks secrets, telling the ones the configuration holds (MASK) from others (OTHER): that a
    password was right is no secret (the answer says it), and a recorded session replays the same."""

    def __init__(self, known: set[str] | frozenset[str] = frozenset()):
        self.known = known

    def secret(self, value: Any) -> Any:
        if value is None or value == "":
            return value
        return MASK if str(value) in self.known or not self.known else OTHER

    def value(self, key: str, value: Any) -> Any:
        if key.lower() in ("authorization", "proxy-authorization") and isinstance(value, str) and " " in value.strip():
            return f"{value.strip().split(' ', 1)[0]} {MASK}"  # the scheme says how one signed in, not with what
        if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
            return [self.secret(v) for v in value]  # a list of keys stays a list (a recording replays it)
        return self.secret(value) if not isinstance(value, (dict, list)) else MASK

    def __call__(self, data: Any) -> Any:
        """A copy of `data` with every secret masked (the original is left alone)."""
        if isinstance(data, dict):
            return {k: self.value(k, v) if isinstance(k, str) and is_secret_key(k) else self(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self(v) for v in data]
        if isinstance(data, str) and "=" in data:
            return _FORM_SECRET.sub(lambda m: f"{m.group(1)}={self.secret(m.group(2))}", data)
        return data


def secrets_in(data: Any) -> set[str]:
    """Every non-empty value under a secret key in `data` (a configuration mapping, a face's
    settings), the items of a list of them included."""
    found: set[str] = set()
    if isinstance(data, dict):
        for k, v in data.items():
            if isinstance(k, str) and is_secret_key(k) and isinstance(v, (str, int)) and str(v):
                found.add(str(v))
            elif isinstance(k, str) and is_secret_key(k) and isinstance(v, list):
                found |= {str(item) for item in v if isinstance(item, (str, int)) and str(item)}
            else:
                found |= secrets_in(v)
    elif isinstance(data, list):
        for v in data:
            found |= secrets_in(v)
    return found
