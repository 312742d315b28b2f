"""The Intermedia -> HaloPSA face, as ccsim's registry knows it (pyproject.toml's entry point `intermedia`)."""
from ...registry import Vendor

VENDOR = Vendor(
    name="intermedia", title="Intermedia", port_offset=5,
    description="Intermedia Contact Center WSCall webhooks -> HaloPSA receiver (/api/notify/intermedia, /api/CallLog)",
    face="ccsim.vendors.intermedia.face:IntermediaFace", steps="ccsim.vendors.intermedia.steps",
    conformance="ccsim.vendors.intermedia.conformance",  # no load agent today; fuzz: bad HTTP requests
)
