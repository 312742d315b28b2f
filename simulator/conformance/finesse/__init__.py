"""finesse conformance check (being written)."""
