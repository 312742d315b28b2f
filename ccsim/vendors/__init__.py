"""Vendor faces: one folder each, independent of each other. Each folder declares itself in its
vendor.py (`VENDOR = Vendor(...)`), registered by an entry point in pyproject.toml; see
ccsim/registry.py."""
