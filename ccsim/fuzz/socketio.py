"""Hypothesis-made socket.io garbage for the XCALLY face: engine.io packets that are not
packets, socket.io events with the wrong shapes, forged auth, over long polling and over a
WebSocket. The face must answer 400s or close the socket, and keep serving its agents."""
from __future__ import annotations

import json
from dataclasses import dataclass

import aiohttp
from hypothesis import strategies as st

from .http import _JSON

EVENTS = ("interaction:accept", "interaction:reject", "interaction:offer", "connect", "disconnect", "", "x" * 500)


@dataclass
class SocketInput:
    transport: str  # "polling" or "websocket"
    messages: list[str | bytes]
    broken: str

    def describe(self) -> str:
        return f"socket.io {self.transport} {self.broken}: {str(self.messages)[:160]}"


@st.composite
def bad_socketio(draw) -> SocketInput:
    how = draw(st.sampled_from(["packet garbage", "event shapes", "forged auth", "binary", "huge"]))
    if how == "packet garbage":
        messages: list[str | bytes] = draw(st.lists(st.text(max_size=80), min_size=1, max_size=4))
    elif how == "event shapes":
        event = draw(st.sampled_from(EVENTS))
        args = draw(st.lists(_JSON, max_size=3))
        ack = draw(st.sampled_from(["", "1", "999999999999"]))
        messages = ['40{"apikey":"ccsim-xcally-key","agent":"1"}', f"42{ack}" + json.dumps([event, *args])]
    elif how == "forged auth":
        auth = draw(st.one_of(_JSON, st.fixed_dictionaries({"username": st.text(max_size=20),
                                                            "password": st.text(max_size=20)})))
        messages = ["40" + json.dumps(auth), '42["interaction:accept",{"channel":"chat","id":1}]']
    elif how == "binary":
        messages = [draw(st.binary(min_size=1, max_size=300))]
    else:
        messages = ['40{"apikey":"ccsim-xcally-key","agent":"1"}', '42["interaction:accept","' + "a" * 200_000 + '"]']
    return SocketInput(draw(st.sampled_from(["polling", "websocket"])), messages, how)


async def send_socketio(session: aiohttp.ClientSession, base: str, item: SocketInput, wait: float) -> list[int]:
    """One engine.io session with the input's messages; the HTTP statuses seen (101 for a WebSocket)."""
    statuses: list[int] = []
    timeout = aiohttp.ClientTimeout(total=wait)
    if item.transport == "websocket":
        async with session.ws_connect(base + "/socket.io/?EIO=4&transport=websocket",
                                      timeout=aiohttp.ClientWSTimeout(ws_receive=wait, ws_close=wait)) as ws:
            statuses.append(101)
            for message in item.messages:
                await (ws.send_bytes(message) if isinstance(message, bytes) else ws.send_str(message))
            try:
                await ws.receive(timeout=wait)
            except TimeoutError:
                pass
        return statuses
    async with session.get(base + "/socket.io/?EIO=4&transport=polling", timeout=timeout) as resp:
        statuses.append(resp.status)
        text = await resp.text()
    sid = json.loads(text[1:]).get("sid", "") if text.startswith("0{") else ""
    for message in item.messages:
        data = message if isinstance(message, bytes) else message.encode("utf-8", "surrogatepass")
        async with session.post(base + f"/socket.io/?EIO=4&transport=polling&sid={sid}", data=data,
                                timeout=timeout) as resp:
            statuses.append(resp.status)
            await resp.read()
    return statuses
