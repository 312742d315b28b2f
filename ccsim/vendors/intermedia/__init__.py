"""Intermedia Contact Center -> HaloPSA: the "Agent Answers Call" webhook, emitter and receiver."""
from .face import IntermediaFace

__all__ = ["IntermediaFace"]
