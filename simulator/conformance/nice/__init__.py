"""nice conformance check (being written)."""
