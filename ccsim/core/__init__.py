"""Vendor-neutral core: clock, model, world (routing), bus, journal. No vendor word in here."""
from .bus import CoreEvent, EventBus
from .clock import Clock, RealClock, VirtualClock, make_clock
from .journal import Journal, JournalEntry, Match
from .model import Agent, Channel, Contact, ContactState, Direction, EndReason, Queue
from .errors import ContactDataTooLarge, StoreFull, UnknownId, WorldError
from .world import World

__all__ = [
    "Agent", "Channel", "Clock", "Contact", "ContactDataTooLarge", "ContactState", "CoreEvent", "Direction",
    "EndReason", "EventBus", "Journal", "JournalEntry", "Match", "Queue", "RealClock", "StoreFull", "UnknownId",
    "VirtualClock", "World", "WorldError", "make_clock",
]
