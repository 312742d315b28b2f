"""Credentials a face hands out (Huawei GUIDs, CXone access and refresh tokens): the same
sequence for a given seed, so that runs replay, and none guessable from the others.

Each is HMAC-SHA256 of a counter under a key derived from the seed and the stream's name: a
pseudo-random function, so seeing any number of credentials tells nothing about the next one
(a counter, or random.Random's Mersenne Twister, whose state 624 outputs give away, would).
Whoever knows the seed can compute them all, as they can recompute the whole run: give a
simulator reachable by others a seed of its own.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import uuid


class CredentialStream:
    def __init__(self, seed: int, name: str):
        self._key = hashlib.sha256(f"ccsim credentials/{seed}/{name}".encode()).digest()
        self._drawn = 0

    def draw(self) -> bytes:
        """The next 32 bytes."""
        block = hmac.new(self._key, self._drawn.to_bytes(8, "big"), hashlib.sha256).digest()
        self._drawn += 1
        return block

    def uuid4(self) -> str:
        """A random (version 4) UUID: 122 bits of the next draw."""
        return str(uuid.UUID(bytes=self.draw()[:16], version=4))

    def token(self) -> str:
        """256 bits as base64url without padding (43 characters, safe in headers and URLs)."""
        return base64.urlsafe_b64encode(self.draw()).rstrip(b"=").decode("ascii")
