"""Cisco Finesse through the Expertflow Generic Connector (JMS over STOMP)."""
from .face import FinesseFace

__all__ = ["FinesseFace"]
