"""NICE inContact / CXone Agent API face (MAX, the agent leg, auto-accept, session sharing)."""
from .face import NiceFace

__all__ = ["NiceFace"]
