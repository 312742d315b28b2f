"""XCALLY Motion rules (seed 001) as invariants: over what the REST API says now (interactions,
agents, settings, queue reports, read as an administrator with ?apikey=) and over the journal
(what each agent did and what its client was pushed over socket.io)."""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from ....conformance.invariants import View, invariant

DIGITAL = ("chat", "mail", "sms", "openchannel", "fax", "whatsapp")
CHECKED = ("chat", "mail")  # the channels the check's configuration has queues on
USERNAME = re.compile(r"[A-Za-z0-9._]+")
SPECIALS = "~!@#$%^&-_=+[{]}"
CHANNELS_ALL = ("voice", *DIGITAL)
TABS = ("offered", "open")  # an interaction in one of these occupies its agent's tab


def _settings(view: View) -> dict[str, Any]:
    return view.config.faces.get("xcally", {}) or {}


async def _get(view: View, path: str, **query: str) -> Any:
    key = (_settings(view).get("api_keys") or ["ccsim-xcally-key"])[0]
    resp = await view.admin.wire.request("GET", view.urls["xcally"] + "/api" + path,
                                         params={"apikey": key, **query})
    if resp.status != 200:
        raise AssertionError(f"GET /api{path}: HTTP {resp.status} {resp.body}")
    return resp.body


async def _rows(view: View, path: str) -> list[dict[str, Any]]:
    """A listing, read once per view: the invariants checked after one step share it."""
    cache = view.__dict__.setdefault("_xcally_rows", {})
    if path not in cache:
        cache[path] = (await _get(view, path, nolimit="true", sort="id"))["rows"]
    return cache[path]


async def _tabs(view: View) -> tuple[dict[int, dict[str, Any]], Counter, Counter]:
    """The agents by id, and the tabs in use per agent and per (agent, channel)."""
    agents = {a["id"]: a for a in await _rows(view, "/users")}
    total, per_channel = Counter(), Counter()
    for channel in CHECKED:
        for i in await _rows(view, f"/{channel}/interactions"):
            if i["status"] in TABS and i["UserId"] is not None:
                total[i["UserId"]] += 1
                per_channel[(i["UserId"], channel)] += 1
    return agents, total, per_channel


@invariant("xcally tab limit", face="xcally", source="seed 001 (Max Open Tab Limit; interactionTabsLimit)")
async def tab_limit(view: View) -> list[str]:
    """No agent ever has more interactions in tabs (notified and not yet answered, or accepted and not
    closed), over all channels, than the global interaction tabs limit."""
    limit = (await _get(view, "/settings"))["interactionTabsLimit"]
    agents, total, _ = await _tabs(view)
    return [f"{agents[a]['name']} has {n} interactions in tabs; the tabs limit is {limit}"
            for a, n in sorted(total.items()) if n > limit]


@invariant("xcally channel capacity", face="xcally", source="seed 001 (channel capacity per agent)")
async def channel_capacity(view: View) -> list[str]:
    """No agent ever has more interactions of a channel in tabs than its capacity for that channel
    (<channel>Capacity; 0 means no limit of its own)."""
    agents, _, per_channel = await _tabs(view)
    problems = []
    for (agent, channel), n in sorted(per_channel.items()):
        capacity = agents[agent].get(f"{channel}Capacity", 0)
        if capacity and n > capacity:
            problems.append(f"{agents[agent]['name']} has {n} {channel} interactions; its {channel}Capacity is {capacity}")
    return problems


def _blocked(state: tuple[bool, frozenset[str]], channel: str) -> str | None:
    online, paused = state
    if not online:
        return "while logged out"
    return f"while paused on {channel}" if channel in paused else None


@invariant("xcally pauses", face="xcally", source="seed 001 (pauses per channel; login, logout)")
async def pauses(view: View) -> list[str]:
    """An agent is notified of an interaction only while it is logged in and not paused on that
    interaction's channel: a pause holds one channel, unpause releases it, logout ends every pause."""
    in_pause = {str(a["id"]): bool((a["xcally"] or {}).get("loginInPause")) for a in view.agents("xcally")}
    state: dict[str, tuple[bool, frozenset[str]]] = defaultdict(lambda: (False, frozenset()))
    problems: list[str] = []
    offers: list[dict[str, Any]] = []  # pushed since the last request: during it, or before it

    def judge(offer: dict[str, Any], *states: tuple[bool, frozenset[str]]) -> None:
        body = offer["response"].get("body") or {}
        reasons = [_blocked(st, body.get("channel")) for st in states]
        if all(reasons):
            problems.append(f"#{offer['seq']} {offer['agent']} was offered {body.get('channel')} interaction "
                            f"{body.get('id')} {reasons[-1]}")

    for e in view.of(face="xcally"):
        agent, op = e.get("agent"), e["op"]
        if e["kind"] == "socketio" and op == "offer" and agent:
            offers.append(e)
        elif e["kind"] == "http":
            # A request is journaled when it is answered, after what it set off (a login or an
            # unpause routes at once): an offer just before it may follow from its change.
            before = dict(state)
            if agent and e["response"].get("status") == 200 and op in ("login", "logout", "pause", "unpause"):
                body = e["request"].get("body")
                channel = (body if isinstance(body, dict) else {}).get("channel", "voice")
                online, paused = state[agent]
                state[agent] = {"login": (True, frozenset(CHANNELS_ALL) if in_pause.get(agent) else frozenset()),
                                "logout": (False, frozenset()), "pause": (online, paused | {channel}),
                                "unpause": (online, paused - {channel})}[op]
            for offer in offers:
                judge(offer, before.get(offer["agent"], state[offer["agent"]]), state[offer["agent"]])
            offers = []
    for offer in offers:
        judge(offer, state[offer["agent"]])
    return problems


@invariant("xcally report rows", face="xcally", source="seed 001 (report_<channel>_queue rows)")
async def report_rows(view: View) -> list[str]:
    """report_<channel>_queue has a row for every interaction that entered a queue; an interaction has at
    most one open row (no reason yet), its last, exactly while it waits (queued or offered); a row's
    reason is `accepted` exactly when it carries the accepting agent's UserId; and every interaction an
    agent was pushed as accepted has an accepted row with that agent's UserId."""
    ids = {a["name"]: a["id"] for a in await _rows(view, "/users")}
    names = {str(a["id"]): str((a["xcally"] or {}).get("name", a["id"])) for a in view.agents("xcally")}
    problems = []
    for channel in CHECKED:
        rows = await _rows(view, f"/reports/{channel}/queue")
        by_interaction: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_interaction[row["interactionId"]].append(row)
            if (row["reason"] == "accepted") != (row["UserId"] is not None):
                problems.append(f"{channel} row {row['id']} (interaction {row['interactionId']}): reason "
                                f"{row['reason']!r} with UserId {row['UserId']!r}")
        for i in await _rows(view, f"/{channel}/interactions"):
            mine = by_interaction.get(i["id"], [])
            still_open = [r for r in mine if r["reason"] is None]
            waiting = i["status"] in ("queued", "offered")
            if not mine and i["queueId"] is not None:
                problems.append(f"{channel} interaction {i['id']} entered queue {i['queueId']} but has no report row")
            elif len(still_open) > 1 or (still_open and still_open[0] is not mine[-1]) or bool(still_open) != waiting:
                problems.append(f"{channel} interaction {i['id']} ({i['status']}): {len(still_open)} open rows of "
                                f"{len(mine)}; expected {'one, the last' if waiting else 'none'}")
        accepted = {(r["interactionId"], r["UserId"]) for r in rows if r["reason"] == "accepted"}
        for e in view.of(face="xcally", kind="socketio", op="accepted"):
            body = e["response"].get("body") or {}
            user = ids.get(names.get(e.get("agent") or "", ""))
            if body.get("channel") == channel and user is not None and (body.get("id"), user) not in accepted:
                problems.append(f"#{e['seq']} {channel} interaction {body.get('id')} was accepted by {e['agent']} "
                                "but no report row says so")
    return problems


def creation_refused(body: dict[str, Any], taken: set[str], security_suite: bool) -> str | None:
    """Why seed 001's rules refuse to create this agent, or None when they accept it."""
    name, password = body.get("name"), body.get("password")
    if not name or not password:
        return "a name and a password are required"
    if not isinstance(name, str) or not USERNAME.fullmatch(name):
        return f"username {name!r} has characters other than letters, numbers, '.' and '_'"
    if name in taken:
        return f"username {name!r} is taken"
    if security_suite and isinstance(password, str) and not (
            len(password) >= 8 and any(c.islower() for c in password) and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password) and any(c in SPECIALS for c in password)):
        return f"password {password!r} breaks the Security Suite policy"
    return None


@invariant("xcally agent validation", face="xcally", source="seed 001 (agent fields; Security Suite password policy)")
async def agent_validation(view: View) -> list[str]:
    """Creating an agent (POST /api/users) succeeds with 201 exactly when seed 001's rules allow it: a name
    and a password given, a username of letters, numbers, '.' and '_' only, not taken, and with the
    Security Suite on a password of at least 8 characters with a lowercase and an uppercase letter, a
    digit and one of ~!@#$%^&-_=+[{]}; a refusal is a 400 whose body's `message` says why."""
    taken = {str((a["xcally"] or {}).get("name", a["id"])) for a in view.agents("xcally")}
    security_suite = bool(_settings(view).get("security_suite", True))
    problems = []
    for e in view.of(face="xcally", kind="http", op="create-user"):
        body = e["request"].get("body")
        if not isinstance(body, dict) or set(body) - {"name", "password"}:
            continue  # other fields have rules of their own, not judged here
        why = creation_refused(body, taken, security_suite)
        status, answer = e["response"].get("status"), e["response"].get("body")
        if why is None and status != 201:
            problems.append(f"#{e['seq']} creating {body}: HTTP {status} {answer}; the rules allow it (201)")
        elif why is not None and (status != 400 or not isinstance(answer, dict) or not answer.get("message")):
            problems.append(f"#{e['seq']} creating {body}: HTTP {status} {answer}; expected 400 with a message: {why}")
        if status == 201:
            taken.add(str(body["name"]))
    return problems


# -- voice: Ring in Use -------------------------------------------------------------------------------------
INCOMING = 32  # phonebar call status ids (reference §9.1)


async def _phonebar_calls(view: View, agent: dict[str, Any]) -> list[dict[str, Any]]:
    """The agent's calls, as its phonebar's remote control lists them (GET /api/calls)."""
    host = view.urls["xcally"].rsplit(":", 1)[0]
    resp = await view.admin.wire.request("GET", f"{host}:{agent['phoneBarRemoteControlPort']}/api/calls")
    if resp.status != 200:
        raise AssertionError(f"{agent['name']}'s phonebar GET /api/calls: HTTP {resp.status} {resp.body}")
    return resp.body


@invariant("xcally ring in use", face="xcally", source="seed 001 (Motion Phonebar Settings: Ring in Use)")
async def ring_in_use(view: View) -> list[str]:
    """An agent with Ring in Use off (phoneBarRingInUse false) never has a call ringing on its phonebar
    beside another call (ringing, talking or held); and no voice call waits in a queue while a member could
    take it: logged in, not paused on voice, with no call, or with Ring in Use on and no call ringing.
    Read over the REST API and the phonebars (`/api/calls`) of the agents the admin API says hold a call."""
    live = [c for c in (await view.admin.state())["contacts"] if c["channel"] == "voice" and c["state"] != "ended"]
    if not live:
        return []  # no call anywhere: nothing rings, nothing waits
    core_of = {str((a["xcally"] or {}).get("name", a["id"])): str(a["id"]) for a in view.agents("xcally")}
    holding = {c["agent"] for c in live if c["agent"]}
    phones = {a["id"]: a for a in await _rows(view, "/users") if a["phoneBarRemoteControl"]}
    calls = {i: await _phonebar_calls(view, a) if core_of.get(a["name"]) in holding else [] for i, a in phones.items()}
    problems = []
    for i, mine in calls.items():
        ringing = [c for c in mine if c["status"] == INCOMING]
        if not phones[i]["phoneBarRingInUse"] and ringing and len(mine) > 1:
            problems.append(f"{phones[i]['name']} (Ring in Use off) has {ringing[0]['number']} ringing beside "
                            f"{', '.join(c['number'] + ' ' + c['statusName'] for c in mine if c is not ringing[0])}")
    waiting = [c for c in live if c["state"] == "queued"]
    if not waiting:
        return problems
    voice = {r["id"]: r["voiceStatus"] for r in (await _get(view, "/realtime/agents", channel="voice", nolimit="true"))["rows"]}

    def could_take(i: int) -> bool:
        mine = calls.get(i)
        if mine is None or voice.get(i) in (None, "pause", "unavailable"):
            return False  # not judged without its phonebar; paused or logged out: it may not ring
        return not mine or (phones[i]["phoneBarRingInUse"] and all(c["status"] != INCOMING for c in mine))

    queues = {q["name"]: q for q in await _rows(view, "/voice/queues")}
    names = {str(q["id"]): str((q.get("xcally") or {}).get("name", q.get("name", q["id"]))) for q in view.config.queues}
    for contact in waiting:
        queue = queues.get(names.get(str(contact["queue"]), ""))
        free = [phones[i]["name"] for i in (queue or {}).get("members", []) if could_take(i)]
        if free:
            problems.append(f"voice call {contact['id']} waits in {queue['name']} while {', '.join(free)} could take it")
    return problems
