"""The embedded STOMP broker of the Finesse face (the default transport), and an asyncio STOMP
client for ccsim's own tests and scenario steps. See broker.py for the layout."""
from .broker import StompBroker
from .client import StompClient, StompClientError
from .frames import Frame, FrameError, FrameParser, encode

__all__ = ["Frame", "FrameError", "FrameParser", "StompBroker", "StompClient", "StompClientError", "encode"]
