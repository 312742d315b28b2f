"""The shape of a face's conformance check: a Hypothesis RuleBasedStateMachine whose rules are
scenario steps.

A rule does what a real client of the face does (sign in, change state, answer, transfer,
send a wrong id...) by running one step of the scenario step library, `self.do(text, args)`,
over the face's real wire protocol, against whatever the session points at. After every step
the machine's invariants (see invariants.py) are checked over the journal of the example so
far; at teardown once more with `final`, when expectations still open count. Because every
rule is a step, the shrunk failing sequence is a scenario as it stands: check.py writes it.

A face's machine keeps only the little model it needs to choose plausible rules
(preconditions); the judging is done by the invariants, which also serve scenarios.
"""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, ClassVar

from hypothesis.stateful import RuleBasedStateMachine

from ..config import Config
from ..scenario.loader import Scenario
from ..scenario.session import Portal, Session
from ..scenario.steps import parse_step


@dataclass
class CheckContext:
    """What every example of one check shares: the session, the loop, and the counts."""

    session: Session
    portal: Portal
    config: Config
    scenario: Scenario
    invariants: list[str]
    rules: Counter = field(default_factory=Counter)
    checks: Counter = field(default_factory=Counter)
    examples: int = 0
    steps: int = 0
    current: "FaceMachine | None" = None


class FaceMachine(RuleBasedStateMachine):
    face: ClassVar[str]
    # The configuration the check runs with (agents, queues, face settings), as in a config
    # file: in process it is applied; a --target must serve it (`ccsim check --print-config`).
    config: ClassVar[dict[str, Any]]
    # The invariants checked after every step ("contracts" is always added).
    invariants: ClassVar[list[str]]
    context: ClassVar[CheckContext]  # set by check.py for each check
    # Read every agent's presence from the admin API after each step (self.presences), for
    # rules that aim at an agent in a given situation (ringing, in wrap-up).
    track_presence: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        ctx = self.context
        ctx.examples += 1
        ctx.current = self
        self.steps_run: list[Any] = []  # the steps as a scenario writes them
        self.run = ctx.portal.call(ctx.session.new_run(ctx.scenario, reset=True))
        self.presences: dict[str, str] = {}
        self.failed = False  # a step failed: the final check would only hide what it found

    @classmethod
    def all_invariants(cls) -> list[str]:
        return ["contracts", *(name for name in cls.invariants if name != "contracts")]

    def do(self, text: str, args: Any = None) -> None:
        """Run one scenario step (`{text: args}` as in YAML), then check every invariant."""
        ctx = self.context
        ctx.rules[sys._getframe(1).f_code.co_name] += 1  # the rule that called us
        item: Any = text if args is None else {text: args}
        self.steps_run.append(item)
        step = parse_step(item, "<ccsim check>", ctx.config, line=len(self.steps_run))
        ctx.steps += 1
        ctx.checks.update(ctx.invariants)
        self.failed = True  # until the step and its checks are through
        ctx.portal.call(ctx.session.step(self.run, step, ctx.invariants))
        self.failed = False
        if self.track_presence:
            state = self.admin(lambda admin: admin.state())
            self.presences = {a["id"]: a["presence"] for a in state["agents"]}

    def agents_in(self, *presences: str) -> list[str]:
        """The agents whose presence (after the last step) is one of these (needs track_presence)."""
        return sorted(a for a, p in self.presences.items() if p in presences)

    def admin(self, coro_of: Any) -> Any:
        """Run `coro_of(admin_client)` on the session's loop (a read of the target's state)."""
        return self.context.portal.call(coro_of(self.context.session.admin))

    def teardown(self) -> None:
        ctx = self.context
        try:
            if not self.failed:
                ctx.checks.update(ctx.invariants)
                ctx.portal.call(ctx.session.finish(self.run, ctx.invariants))
        finally:
            ctx.portal.call(ctx.session.end_run(self.run))
