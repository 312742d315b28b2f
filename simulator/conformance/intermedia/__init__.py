"""intermedia conformance check (being written)."""
