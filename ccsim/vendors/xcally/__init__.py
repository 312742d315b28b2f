"""XCALLY Motion face: agents, capacity and tab-limit routing, reports, socket.io, phonebar."""
from .face import XcallyFace

__all__ = ["XcallyFace"]
