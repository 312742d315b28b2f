"""`ccsim record`: a running simulator's journal (a real client driven against `ccsim serve`)
as a scenario that, replayed, sends the same requests and expects the same answers and events.

World actions (contacts injected, customers hanging up) come from the journal's control
entries; each face's steps module turns its own exchanges into agent steps (`record_step`) and
tells which events a response delivered (`recorded_events`). Time between actions becomes
`wait` steps, so timers behave as they did.
"""
from __future__ import annotations

from typing import Any

import yaml

from .. import registry
from ..core.masking import MASK, OTHER

# What a step sends in place of a secret the recording only shows as OTHER: as wrong as it was.
WRONG_SECRET = "not-the-password"
# What the recorded configuration holds in place of each configured secret (the admin API shows
# them masked): one that every face's password rules accept (XCALLY's security suite, for one).
RECORDED_SECRET = "Rec0rded#Pass"


def _face_module(face: str) -> Any:
    return registry.get(face).steps_module() if face in registry.names() else None


def _world_steps(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """A control entry as steps: a world action, or an agent paused from the admin API (as the
    face's own step does it, one channel each)."""
    if entry["op"] in ("pause", "unpause"):
        asked = entry["request"]["body"] or {}
        extra = {"type": asked["type"]} if "type" in asked and entry["op"] == "pause" else {}
        face = entry["response"]["body"]["face"]
        return [{f"agent {entry['agent']} {face} {entry['op']}": {"channel": channel, **extra}}
                for channel in entry["response"].get("channels", [])]
    step = _world_step(entry)
    return [step] if step else []


def _world_step(entry: dict[str, Any]) -> dict[str, Any] | None:
    contact = entry["response"]["body"]
    if entry["op"] == "inject":
        asked = entry["request"]["body"] or {}
        target = {"agent": asked["agent"]} if "agent" in asked else {"queue": contact["queue"]}
        fields = {**target, "caller": contact["caller"]}
        fields.update({k: asked[k] for k in ("channel", "called", "data") if k in asked})
        fields["as"] = contact["id"]
        return {"customer calls": fields}
    if entry["op"] in ("hangup", "abandon"):
        verb = "customer hangs up" if entry["op"] == "hangup" else "customer abandons"
        return {verb: {"contact": contact["id"]}}
    return None


def _unmasked(step: Any) -> Any:
    """The journal shows secrets masked: a step sends the configured one where the session did
    (its argument left out: the agent's own credentials) and a wrong one where the session did."""
    if isinstance(step, dict):
        return {k: (WRONG_SECRET if v == OTHER else _unmasked(v)) for k, v in step.items() if v != MASK}
    if isinstance(step, list):
        return [_unmasked(v) for v in step]
    return step


def _placeholders(data: Any) -> Any:
    """The configuration as the admin API shows it, each masked secret (a value, or an item of a
    list of keys) replaced by one the recording can hold."""
    if data == MASK:
        return RECORDED_SECRET
    if isinstance(data, dict):
        return {k: _placeholders(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_placeholders(v) for v in data]
    return data


def _wait(seconds: float) -> dict[str, Any] | None:
    millis = round(seconds * 1000)
    return {"wait": f"{millis}ms"} if millis > 0 else None


def scenario_from_journal(entries: list[dict[str, Any]], config: dict[str, Any], name: str) -> dict[str, Any]:
    steps: list[dict[str, Any]] = []
    last_action_at: float | None = None
    contexts: dict[str, dict[str, Any]] = {}  # per face, for its own bookkeeping
    for entry in entries:
        if entry["kind"] == "control":
            made = _world_steps(entry)
        else:
            module = _face_module(entry["face"])
            if module is None:
                continue
            context = contexts.setdefault(entry["face"], {})
            events = module.recorded_events(entry, context)
            if events:
                agent = entry["agent"]
                # Consecutive deliveries to one agent read best as one expectation.
                previous = steps[-1] if steps else {}
                key = f"expect events for {agent}"
                if key in previous:
                    previous[key].extend(events)
                else:
                    steps.append({key: list(events)})
                continue
            step = module.record_step(entry, context)
            made = [step] if step is not None else []
        if not made:
            continue
        if last_action_at is not None:
            pause = _wait(entry["at"] - last_action_at)
            if pause:
                steps.append(pause)
        last_action_at = entry["at"]
        steps += [_unmasked(step) for step in made]
    return {
        "name": name,
        "description": "Recorded by `ccsim record` from a session against ccsim serve; replay with `ccsim run`.",
        "seed": config.get("seed", 7),
        "agents": _placeholders(config.get("agents", [])),
        "queues": config.get("queues", []),
        "faces": _placeholders(config.get("faces", {})),
        "steps": steps or [{"wait": "0ms"}],
    }


def dump(scenario: dict[str, Any]) -> str:
    return yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True, width=120)
