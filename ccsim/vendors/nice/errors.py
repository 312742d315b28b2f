"""The Agent API's refusals, raised by the model and the wire alike."""
from __future__ import annotations


class NiceError(Exception):
    """Answered with `status` and a JSON body {"error", "message"} (the body shape is INFERRED)."""

    def __init__(self, status: int, error: str, message: str):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message
