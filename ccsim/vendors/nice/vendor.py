"""The NICE CXone face, as ccsim's registry knows it (pyproject.toml's entry point `nice`)."""
from ...registry import Vendor

VENDOR = Vendor(
    name="nice", title="CXone", port_offset=3,
    description="NICE CXone Agent API (/inContactAPI/services/vN.0/agent-sessions) and token service",
    face="ccsim.vendors.nice.face:NiceFace", steps="ccsim.vendors.nice.steps",
    conformance="ccsim.vendors.nice.conformance",
)
