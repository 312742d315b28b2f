"""The Huawei face, as ccsim's registry knows it (pyproject.toml's entry point `huawei`)."""
from ...registry import Vendor

VENDOR = Vendor(
    name="huawei", title="Huawei", port_offset=1,
    description="Huawei CC-Gateway agent REST API (/agentgateway/resource/...)",
    face="ccsim.vendors.huawei.face:HuaweiFace", steps="ccsim.vendors.huawei.steps",
    conformance="ccsim.vendors.huawei.conformance",
)
