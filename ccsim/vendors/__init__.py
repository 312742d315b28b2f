"""Vendor faces. Adding a vendor: a folder here, and one line in FACES."""
from __future__ import annotations

import importlib

from ..serving.face import Face

# name -> "module:class". The order is the order of `ccsim serve`'s listing.
FACES: dict[str, str] = {
    "huawei": "ccsim.vendors.huawei:HuaweiFace",
    "finesse": "ccsim.vendors.finesse:FinesseFace",
    "nice": "ccsim.vendors.nice:NiceFace",
    "xcally": "ccsim.vendors.xcally:XcallyFace",
    "intermedia": "ccsim.vendors.intermedia:IntermediaFace",
}


def face_class(name: str) -> type[Face]:
    module, _, cls = FACES[name].partition(":")
    return getattr(importlib.import_module(module), cls)
