"""NICE inContact / CXone Agent API face (MAX, the agent leg, auto-accept, session sharing)."""
