"""What the kernel knows about a served TCP connection before the event loop does (Linux's
TCP_INFO): whether the peer has closed or reset it, and whether it has acknowledged every byte
sent to it. Elsewhere (no TCP_INFO) each answer is "nothing known" and callers go by what the
event loop has seen."""
from __future__ import annotations

import asyncio
import socket
import struct

_TCP_INFO = getattr(socket, "TCP_INFO", None)
_ESTABLISHED, _CLOSE = 1, 7  # tcpi_state (include/net/tcp_states.h); CLOSE after a reset
_UNACKED = struct.Struct("=I")  # tcpi_unacked: segments sent and not acknowledged
_UNACKED_OFFSET = 24  # eight one-byte fields, then tcpi_rto, tcpi_ato, tcpi_snd_mss, tcpi_rcv_mss
_INFO_BYTES = _UNACKED_OFFSET + _UNACKED.size


def _info(transport: asyncio.BaseTransport | None) -> bytes | None:
    if _TCP_INFO is None or transport is None:
        return None
    sock = transport.get_extra_info("socket")
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return None
    try:
        info = sock.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, _INFO_BYTES)
    except OSError:
        return None
    return info if len(info) >= _INFO_BYTES else None


def peer_finished(transport: asyncio.BaseTransport | None) -> bool:
    """The peer has closed (FIN) or reset the connection, though the loop may not have read it yet."""
    info = _info(transport)
    return info is not None and info[0] != _ESTABLISHED


def all_acknowledged(transport: asyncio.BaseTransport | None) -> bool:
    """Every byte written has left the process and the peer's kernel has acknowledged it, and
    the peer has not reset the connection (True when the kernel cannot say). A reset empties the
    kernel's count of unacknowledged bytes: it is checked first."""
    if transport is not None and isinstance(transport, asyncio.WriteTransport) and transport.get_write_buffer_size():
        return False
    info = _info(transport)
    return info is None or (info[0] != _CLOSE and _UNACKED.unpack_from(info, _UNACKED_OFFSET)[0] == 0)
