"""The Finesse face, as ccsim's registry knows it (pyproject.toml's entry point `finesse`)."""
from ...registry import Vendor

VENDOR = Vendor(
    name="finesse", title="Finesse", port_offset=2,
    description="Cisco Finesse via the Expertflow JMS connector (STOMP; commands on /queue/Connector1)",
    face="ccsim.vendors.finesse.face:FinesseFace", steps="ccsim.vendors.finesse.steps",
    conformance="ccsim.vendors.finesse.conformance",
)
