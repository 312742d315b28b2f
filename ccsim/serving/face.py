"""What every vendor face is: a translator between one wire protocol and the core.

A face owns its listening socket, its vendor session state, and its vendor error codes. It
implements the routing policy for the agents signed in through it (`eligible`, `offer`) and
learns about contact changes from the bus. It never touches another face.
"""
from __future__ import annotations

import dataclasses
import random
import typing
from typing import Any, ClassVar

from aiohttp import web

from ..core import Agent, Contact, Journal, Queue, World, WorldError
from ..core.clock import TimerScope
from ..core.masking import Masker
from ..user_text import clip, short_repr
from .listeners import Limits
from .setting_types import accepts, describe
from .public_urls import request_base


class SettingsError(ValueError):
    """Face settings a face cannot take; `setting` names the field when it is one field's fault."""

    def __init__(self, message: str, setting: str | None = None):
        super().__init__(clip(message))
        self.setting = setting


def build_settings(cls: type, values: dict[str, Any] | None, face: str) -> Any:
    """A face's settings dataclass from a config mapping, with readable errors: each value is
    checked against its field's annotation first (see setting_types.py)."""
    values = dict(values or {})
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise SettingsError(f"faces.{face}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(names))}",
                            unknown[0])
    hints = typing.get_type_hints(cls)
    for name, value in values.items():
        if not accepts(hints[name], value):
            raise SettingsError(f"faces.{face}.{name} must be {describe(hints[name])}, not {short_repr(value)}", name)
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"faces.{face}: {exc}") from None


class Face:
    """What ccsim serves of one vendor. Its port offsets, description, scenario steps and
    conformance check are its folder's declaration's (vendor.py; see ccsim/registry.py)."""

    name: ClassVar[str]  # its declaration's name
    Settings: ClassVar[type]
    # True when this face takes a voice contact only while it has set the agent's presence to
    # "idle": routing then finds its voice agents in the world's idle index (see World).
    voice_needs_idle: ClassVar[bool] = False
    # The channels on which the core may dial a contact straight to one of this face's agents
    # (the admin API's inject with `agent`); a face listing any answers `direct_refusal` (see
    # core.world.Policy). None by default: such an inject is refused with a 409.
    direct_channels: ClassVar[tuple[str, ...]] = ()
    # Keys of an agent's section for this face whose values two agents may not share: a login that
    # names one person, a phone or extension that rings one desk (the configuration is refused).
    # Each maps to the agent field a missing key defaults to ("id"), or None: missing is no value.
    distinct_agent_keys: ClassVar[dict[str, str | None]] = {}

    def __init__(self, world: World, journal: Journal, settings: Any):
        self.world = world
        self.journal = journal
        self.clock = world.clock
        # Timers of the face's state (ring timeouts, wrap-ups, auto-answers): a reset cancels them.
        self.timers = TimerScope(world.clock)
        self.settings = settings
        # The listeners' limits; the Simulator sets the configured ones before start().
        self.limits = Limits()
        # The configured port base (0: free ports); the Simulator sets it before start(). Listeners
        # beyond the face's own port (XCALLY's phonebars) follow it.
        self.port_base = 0
        # The base URL clients are to use for this face when ccsim sits behind a proxy or NAT
        # (config public_url); the Simulator sets it after start(). None: the request's Host.
        self.public_url: str | None = None
        world.register_policy(self.name, self)

    @property
    def rng(self) -> "random.Random":
        """This face's own seeded random stream (World.rng_for): ids it makes up (GUIDs,
        CallIDs) never repeat another face's, and a reset restarts it."""
        return self.world.rng_for(self.name)

    # Routing policy: asked by the core for agents signed in through this face.
    def eligible(self, agent: Agent, contact: Contact) -> bool:
        return False

    def offer(self, agent: Agent, contact: Contact) -> None:
        raise NotImplementedError

    def claims_queue(self, queue: Queue) -> bool:
        """True for a queue of this vendor's own, served by its membership rules (an XCALLY
        queue's members): the core then offers its contacts only to this face's agents. Asked
        when the queue is added; a queue no face claims is every face's, on skills."""
        return False

    def fault_error_problem(self, error: str) -> str | None:
        """Why `error` is not one of this face's error codes (None when it is)."""
        return None

    def reset(self) -> None:
        """Forget every session; the world has been reset already."""

    def set_paused(self, agent: Agent, paused: bool, channel: str | None, pause_type: str | None) -> list[str]:
        """Pause or unpause a signed-in agent from the admin API (the dashboard's button), without
        routing: the admin API routes once it has journaled the action. Returns the channels changed."""
        raise WorldError(f"the {self.name} face has no per-channel pause (agent {agent.id} is signed in on it); "
                         "pause is XCALLY's")

    def vendor_states(self) -> dict[str, dict[str, str]]:
        """By core agent id, each agent of this face in the vendor's own words (a status, a
        reason, a leg), as the dashboard shows them."""
        return {}

    def presence_reasons(self) -> dict[str, str]:
        """By core agent id, why an agent of this face has its presence, in the vendor's words,
        where the vendor says: a not-ready reason, or why it was signed out. The dashboard shows
        it beside the presence."""
        return {}

    def mask_entry(self, entry: dict[str, Any], mask: Masker) -> dict[str, Any]:
        """A journal entry of this face (secret keys already masked, see core/masking.py) with
        the secrets only this face's formats carry masked too."""
        return entry

    async def start(self, host: str, port: int) -> str:
        raise NotImplementedError

    async def stop(self) -> None:
        pass

    def extra_urls(self) -> dict[str, str]:
        """Other listeners of the face, by label (shown by `ccsim serve`)."""
        return {}

    def client_base(self, request: web.Request) -> str:
        """This face's base URL as the client of `request` is to use it in URLs it is given:
        the public URL when configured, else what the client used (public_urls.py)."""
        return self.public_url or request_base(request)

    def advertised_url(self) -> str | None:
        """This face's URL in what it makes outside a request (a webhook) and for people: the
        public URL when configured, else its listener's (never a wildcard address)."""
        return self.public_url or getattr(self, "url", None)
