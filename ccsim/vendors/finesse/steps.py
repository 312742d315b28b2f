"""Scenario steps for the Finesse face: `agent <id> finesse <Command>: {field: value, ...}`.

The scenario plays the agent application: a STOMP connection to the face, a subscription to
its own topic (/topic/ccsim-<agent>), and commands sent to the command queue as TextMessages
with JMSType `<Command>#<agent>` and the fields joined by commas. Events arriving on the topic
feed `expect events for <agent>`; `State:READY`, `InboundCall:HELD` or `Error:MISSING_DIALOG_ID`
check the state or code too.
"""
from __future__ import annotations

import difflib
from typing import Any
from urllib.parse import urlsplit

from ...scenario.runner import AgentDriver, Run
from ...scenario.steps import Action, ParseContext, StepFailed
from . import protocol as p
from .stomp.client import StompClient, StompClientError

_DETAIL_TOKEN = {"State": 2, "InboundCall": 2, "ConsultCall": 2, "DialogState": 2, "Control": 2, "ReasonCodes": 2,
                 "Error": 3}
_EXTRA = {"target", "body", "type"}  # raw overrides, see parse()
# Commands whose `extension` is another party's, so it is never defaulted to the agent's own.
_OTHERS_EXTENSION = {"TransferCall", "ConferenceCall", "silentmonitor", "dropparticipant"}


def dialog_of(tokens: list[str]) -> str | None:
    """The dialog id a `dialogId:<id>` token carries (a Control message has more after a space)."""
    for token in tokens[2:]:
        if token.startswith("dialogId:"):
            return token.split(":", 1)[1].split(" ", 1)[0]
    return None
_MODES = {"call_by_call": "true", "nailed_connection": "false", "true": "true", "false": "false"}


class FinesseDriver(AgentDriver):
    def __init__(self, run: Run, agent_id: str):
        super().__init__(run, agent_id)
        self.destination = f"ccsim-{agent_id}"
        self.client: StompClient | None = None

    @staticmethod
    def event_type(event: dict[str, Any]) -> str:
        return event["tokens"][1] if len(event["tokens"]) > 1 else event["text"]

    @staticmethod
    def event_detail(event: dict[str, Any]) -> str | None:
        index = _DETAIL_TOKEN.get(event["tokens"][1] if len(event["tokens"]) > 1 else "")
        return event["tokens"][index] if index is not None and index < len(event["tokens"]) else None

    def dialogs(self) -> dict[str, tuple[str, str]]:
        """Every dialog the agent has heard of: id -> (event it came in, last state), oldest first."""
        seen: dict[str, tuple[str, str]] = {}
        for event in self.events:
            dialog_id = dialog_of(event["tokens"])
            if dialog_id:
                kind = self.event_type(event)
                state = "ALERTING" if kind == "NewInboundCall" else self.event_detail(event) or ""
                seen.pop(dialog_id, None)
                seen[dialog_id] = (kind, state)
        return seen

    def dialog(self, which: str) -> str | None:
        """`current`: the newest call still on; `consult`: the newest consult call still on;
        `main`: the newest call still on that is not a consult (the one on hold during it);
        `last`: the newest call, over or not."""
        for dialog_id, (kind, state) in reversed(list(self.dialogs().items())):
            if which == "last":
                return dialog_id
            if state in ("DROPPED", "FAILED") or kind == "Control":
                continue
            if which == "current" or (which == "consult") == (kind == "ConsultCall"):
                return dialog_id
        return None

    async def connect(self) -> StompClient:
        if self.client is None:
            url = urlsplit(self.run.urls["finesse"].split()[0])
            self.client = await StompClient.connect(url.hostname or "127.0.0.1", url.port or 61613, clock=self.run.clock)
            await self.client.subscribe(self.run_setting("topic_prefix") + self.destination, id=f"events-{self.agent_id}")
            self.run_task(self._listen())
        return self.client

    def run_setting(self, name: str) -> str:
        return str(self.run.scenario.config.faces.get("finesse", {}).get(name, {"topic_prefix": "/topic/",
                                                                               "command_queue": "/queue/Connector1"}[name]))

    async def _listen(self) -> None:
        assert self.client is not None
        while True:
            try:
                frame = await self.client.next_message(None)
            except StompClientError:
                return
            text = frame.body.decode("utf-8", errors="replace")
            self.received({"text": text, "tokens": text.split("#")})

    async def send(self, jms_type: str, body: str) -> None:
        client = await self.connect()
        try:
            await client.send(self.run_setting("command_queue"), body, {"type": jms_type})
        except StompClientError as exc:
            raise StepFailed(f"finesse: the STOMP connection failed: {exc}") from None

    def stop(self) -> None:
        super().stop()
        if self.client is not None:
            self.client.close()


def parse(agent: str, op: str, args: Any, ctx: ParseContext) -> Action:
    spec = p.COMMANDS.get(op.lower())
    if spec is None:
        hint = difflib.get_close_matches(op.lower(), list(p.COMMANDS), n=1)
        raise ctx.error(f"finesse has no command {op!r}" + (f"; did you mean {p.COMMANDS[hint[0]].name!r}?" if hint else ""))
    args = {k: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v)) for k, v in dict(args or {}).items()}
    unknown = set(args) - set(spec.fields) - _EXTRA
    if unknown:
        raise ctx.error(f"finesse {spec.name}: unknown field(s) {', '.join(sorted(unknown))} "
                        f"(fields: {', '.join(spec.fields) or 'none'}; also target, body, type)")
    credentials = next(a for a in ctx.config.agents if str(a["id"]) == agent)["finesse"] or {}
    login_id = str(credentials.get("login_id", agent))
    if "connectionMode" in args:
        mode = _MODES.get(args["connectionMode"].lower())
        if mode is None:
            raise ctx.error("connectionMode is call_by_call (true) or nailed_connection (false)")
        args["connectionMode"] = mode
    for name, default in (("password", credentials.get("password", "")), ("extension", credentials.get("extension", ""))):
        if name in spec.fields and name not in args and not (name == "extension" and spec.name in _OTHERS_EXTENSION):
            args[name] = str(default)

    async def action(run: Run) -> None:
        driver = run.driver("finesse", agent, FinesseDriver)
        fields = dict(args)
        if spec.name == "Connect":
            fields.setdefault("destination", driver.destination)
        param = fields.pop("target", None) or (driver.destination if spec.name in ("Hello", "Beat") else login_id)
        which = fields.get("dialogId", "")
        if which.split(" ")[0] in ("current", "consult", "main", "last"):
            # current, consult, main, last, or "<which> of <agent>" (a supervisor naming an agent's call)
            word, _, other = which.partition(" of ")
            source = run.driver_for(other) if other else driver
            found = source.dialog(word) if isinstance(source, FinesseDriver) else None
            if found is None:
                raise StepFailed(f"finesse {spec.name}: agent {other or agent} has no {word} call")
            fields["dialogId"] = found
        body = fields.pop("body", None)
        jms_type = fields.pop("type", None) or f"{op}#{param}"
        if body is None:
            body = ",".join(fields.get(f, "") for f in spec.fields if f in fields or spec.fields.index(f) < spec.required)
        await driver.send(jms_type, body)

    return action


# -- recording (ccsim record) -------------------------------------------------------------------
def recorded_events(entry: dict[str, Any], context: dict[str, Any]) -> list[str]:
    """An event the face published to an agent, as `Type` or `Type:Detail` (and, in `context`,
    the newest dialog id each agent has seen; a Connect that failed binds nothing)."""
    if entry["kind"] != "jms" or "tokens" not in entry["response"]:
        return []
    if entry["response"]["tokens"][1:4] == ["Error", "Connect", "SUBSCRIPTION_FAILED"]:
        context.get("senders", {}).pop(context.pop("connecting", None), None)
    if not entry.get("agent"):
        return []
    event = {"tokens": entry["response"]["tokens"], "text": entry["response"]["body"]}
    dialog_id = dialog_of(event["tokens"])
    if dialog_id:
        context[entry["agent"]] = dialog_id
    label = FinesseDriver.event_type(event)
    detail = FinesseDriver.event_detail(event)
    return [f"{label}:{detail}" if detail else label]


def record_step(entry: dict[str, Any], context: dict[str, Any]) -> dict[str, Any] | None:
    """A command the face received, as the step that sends it again."""
    if entry["kind"] != "jms" or "command" not in entry.get("types", ()) or not entry.get("agent"):
        return None  # Hello/Beat name a destination, not an agent: the replay's client says its own
    try:
        command = p.parse_command(entry["request"].get("type"), entry["request"].get("body"))
    except p.ProtocolError:
        return None
    args: dict[str, Any] = dict(command.args)
    senders = context.setdefault("senders", {})  # client connection -> the agent it bound with Connect
    sender = entry["request"].get("sender")
    if command.name == "Connect":
        args.pop("destination", None)  # the replay's client has its own topic
        if sender is not None:
            senders[sender], context["connecting"] = entry["agent"], sender
    if args.get("dialogId") and args["dialogId"] == context.get(entry["agent"]):
        args["dialogId"] = "current"  # dialog ids differ between runs: name the call in progress
    actor = senders.get(sender, entry["agent"]) if command.name != "Connect" else entry["agent"]
    if actor != entry["agent"]:  # e.g. a supervisor acting on an agent of its team: sent from its own desktop
        args["target"] = command.param
    return {f"agent {actor} finesse {command.name}": args}
