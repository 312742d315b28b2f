"""The XCALLY Motion face, as ccsim's registry knows it (pyproject.toml's entry point `xcally`)."""
from ...registry import PER_CHANNEL_PAUSE, Vendor
from .settings import PHONEBAR_LABEL, PHONEBAR_OFFSET, PHONEBAR_PORTS

VENDOR = Vendor(
    name="xcally", title="XCALLY", port_offset=4,
    description="XCALLY Motion REST API (/api), socket.io notifications, phonebar remote control",
    extra_ports={PHONEBAR_LABEL: (PHONEBAR_OFFSET, PHONEBAR_PORTS)},
    face="ccsim.vendors.xcally.face:XcallyFace", steps="ccsim.vendors.xcally.steps",
    conformance="ccsim.vendors.xcally.conformance",
    capabilities=frozenset({PER_CHANNEL_PAUSE}),
)
