"""Scenario playback for demos: one scenario at a time, played against this very simulator as
`ccsim run --target` would (world steps through its admin API, agents through the faces' real
wire protocols), at a chosen clock speed, with pause, single step and restart.

Pause freezes the simulator's clock at once (a `wait` under way, ring timeouts, wrap-ups all
stand still, so that a ringing call is still ringing when the trainer resumes) and holds the
next step. Step runs until the next step has finished (paused in the middle of a step, that
one finishes first), then freezes again. Real clients' own timeouts do not stand still. The
speed is the clock's too: a scenario at 10x plays its waits and timers ten times faster.
"""
from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from ..core import WorldError
from ..scenario.loader import Scenario, ScenarioError, is_scenario_file, load
from ..scenario.session import Session
from ..scenario.steps import StepFailed

if TYPE_CHECKING:
    from ..app import Simulator

BUILT_IN = Path(__file__).parent / "scenarios"  # demo scenarios for the demo configuration
MIN_SPEED, MAX_SPEED = 1.0, 60.0


class Playback:
    def __init__(self, sim: "Simulator", folder: Path | None, changed: Callable[[], None] = lambda: None):
        self.sim = sim
        self.folder = folder or BUILT_IN
        self.changed = changed  # tells the dashboard's feed
        self.scenario: Scenario | None = None
        self.name: str | None = None  # the scenario's path in the folder
        self.state = "idle"  # idle | playing | paused | finished | failed | stopped
        self.index = -1  # the step under way (or last run)
        self.message = ""
        self._task: asyncio.Task | None = None
        self._step_allowance = 0  # steps that may run while paused
        self._wake = asyncio.Event()
        self._listing: list[str] | None = None

    # -- what there is to play -----------------------------------------------------------------------
    def scenarios(self, refresh: bool = False) -> list[str]:
        """The scenario files of the folder (read again on `refresh`: GET /_ccsim/playback)."""
        if self._listing is None or refresh:
            self._listing = self._list()
        return self._listing

    def _list(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.relative_to(self.folder).as_posix() for p in self.folder.rglob("*")
                      if p.suffix in (".yaml", ".yml") and is_scenario_file(p))

    def status(self) -> dict[str, Any]:
        steps = [s.describe() for s in self.scenario.steps] if self.scenario else []
        return {"folder": str(self.folder), "scenarios": self.scenarios(),
                "scenario": self.name,
                "name": self.scenario.name if self.scenario else None,
                "state": self.state, "step": self.index, "steps": steps, "message": self.message,
                "speed": getattr(self.sim.clock, "speed", None)}

    def _load(self, name: str) -> Scenario:
        if name not in self.scenarios(refresh=True):
            raise LookupError(f"no scenario {name!r} in {self.folder}; there are: {', '.join(self.scenarios()) or 'none'}")
        try:
            return load(self.folder / name)
        except ScenarioError as exc:
            raise ValueError(str(exc)) from None

    # -- controls ------------------------------------------------------------------------------------
    def set_speed(self, speed: float) -> None:
        set_speed = getattr(self.sim.clock, "set_speed", None)
        if set_speed is None:
            raise WorldError("this simulator runs on the virtual clock: it has no speed to set")
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise ValueError(f"speed must be from {MIN_SPEED:g} to {MAX_SPEED:g}, not {speed:g}")
        set_speed(speed)
        self.changed()

    async def play(self, name: str, speed: float | None = None, *, paused: bool = False) -> None:
        scenario = self._load(name)
        if self.sim.clock.virtual:
            raise WorldError("playback needs the real clock (ccsim serve); this simulator runs on the virtual one")
        if speed is not None:
            self.set_speed(speed)
        await self.stop()
        self.scenario, self.name, self.index, self.message = scenario, name, -1, ""
        self.state = "paused" if paused else "playing"
        self._step_allowance = 0
        if paused:
            self.sim.clock.freeze()
        self._task = asyncio.get_running_loop().create_task(self._play(scenario))
        self.changed()

    def pause(self) -> None:
        self._require("playing", "pause")
        self.state = "paused"
        self.sim.clock.freeze()
        self.changed()

    def resume(self) -> None:
        self._require("paused", "resume")
        self.state = "playing"
        self.sim.clock.thaw()
        self._wake.set()
        self.changed()

    def step(self) -> None:
        self._require("paused", "step")
        self._step_allowance += 1
        self.sim.clock.thaw()
        self._wake.set()

    async def restart(self) -> None:
        if self.name is None:
            raise WorldError("nothing to restart: no scenario has been played")
        await self.play(self.name, paused=self.state == "paused")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            self.state = "stopped"
            self.sim.clock.thaw()
            self.changed()

    def _require(self, state: str, action: str) -> None:
        if self.state != state:
            raise WorldError(f"cannot {action}: the playback is {self.state}")

    # -- the run -------------------------------------------------------------------------------------
    async def _gate(self) -> None:
        """Before each step: go on when playing; when paused, wait for resume or one step."""
        while self.state == "paused" and self._step_allowance == 0:
            self._wake.clear()
            await self._wake.wait()
        if self.state == "paused":
            self._step_allowance -= 1

    async def _play(self, scenario: Scenario) -> None:
        session = await Session.open(scenario.config, target=self.sim.urls["admin"], clock=self.sim.clock,
                                     token=self.sim.config.admin_token)
        try:
            run = await session.new_run(scenario, reset=True)
            try:
                for index, step in enumerate(scenario.steps):
                    await self._gate()
                    self.index = index
                    self.changed()
                    await session.step(run, step, scenario.invariants)
                    if self.state == "paused" and not self._step_allowance:
                        self.sim.clock.freeze()
                self.state, self.message = "finished", f"all {len(scenario.steps)} steps passed"
            except (StepFailed, AssertionError) as exc:
                self.state = "failed"
                self.message = f"step {self.index + 1} failed: {getattr(exc, 'message', None) or exc}"
            finally:
                await session.end_run(run)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the admin API refused (AdminError), a connection failed
            where = f"step {self.index + 1}" if self.index >= 0 else "cannot play"
            self.state, self.message = "failed", f"{where}: {exc}"
        finally:
            await session.close()
            self.sim.clock.thaw()
            self.changed()
