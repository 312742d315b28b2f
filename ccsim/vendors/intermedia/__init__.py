"""Intermedia Contact Center -> HaloPSA: the "Agent Answers Call" webhook, emitter and receiver."""
