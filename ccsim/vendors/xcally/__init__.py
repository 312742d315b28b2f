"""XCALLY Motion face: agents, capacity and tab-limit routing, reports, socket.io, phonebar."""
