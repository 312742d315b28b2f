"""xcally conformance check (being written)."""
