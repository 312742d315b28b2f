"""Today's routes of the HTTP faces as ccsim.serving.routes tables, and requests that pin how each face
routes (test_routes.py sends them to the mirror tables and to the real faces).

The tables were copied from the faces (huawei/routes.py, nice/api.py and face.py, intermedia/api.py,
xcally/*_api.py and phonebar.py); each Case's answer is what today's face gives, seen over the wire.
When a face is converted to the helper (issue 24, steps 7-*), its own table must route every Case
as before."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ccsim.serving.routes import Route, RouteTable


async def _unused(call: Any) -> None:
    raise AssertionError("the mirror tables only route")


def _routes(method_path_op: str, **options: Any) -> list[Route]:
    """Routes from lines of `METHOD path op`."""
    return [Route(method, path, op, _unused, options)
            for method, path, op in (line.split() for line in method_path_op.strip().splitlines())]


# -- Huawei: one catch-all, its own table (case-insensitive, `//` collapsed, trailing `/` stripped) ---------------
HUAWEI_PREFIX = "/agentgateway/resource/"
HUAWEI_ROUTES = [
    *_routes("""
        PUT onlineagent/{agentid} login
        PUT onlineagent/{agentid}/loginex loginex
        PUT onlineagent/{agentid}/forcelogin forcelogin
        PUT onlineagent/{agentid}/forceloginex forceloginex
        PUT onlineagent/{agentid}/forceloginexwithoutphone forceloginexwithoutphone""", bad_param="100-001",
             json_body=True),
    *_routes("""
        DELETE onlineagent/{agentid}/logout logout
        DELETE onlineagent/{agentid}/forcelogout forcelogout
        DELETE onlineagent/{agentid}/forcelogoutwithreason/{reason} forcelogoutwithreason""", bad_param="100-005"),
    *_routes("""
        POST onlineagent/{agentid}/resetskill/{autoflag} resetskill
        POST onlineagent/{agentid}/sayfree sayfree
        POST onlineagent/{agentid}/cancelbusy cancelbusy
        POST onlineagent/{agentid}/cancelrest cancelrest
        POST onlineagent/{agentid}/work work
        POST onlineagent/{agentid}/cancelwork cancelwork
        POST onlineagent/{agentid}/saybusy saybusy
        POST onlineagent/{agentid}/rest/{time}/{restcause} rest
        POST onlineagent/{agentid}/autoanswer/{flag} autoanswer
        POST onlineagent/{agentid}/autoenteridle/{flag} autoenteridle
        GET onlineagent/{agentid}/agentstatus agentstatus
        POST onlineagent/{agentid}/handshake handshake
        PUT onlineagent/{agentid}/heartbeat heartbeat
        PUT onlineagent/{agentid}/updateGuid updateGuid
        GET agentevent/{agentid} agentevent
        PUT voicecall/{agentid}/answer answer
        DELETE voicecall/{agentid}/release release
        DELETE voicecall/{agentid} releaseEx
        POST voicecall/{agentid}/hold hold
        POST voicecall/{agentid}/gethold gethold
        POST voicecall/{agentid}/connecthold/{callid} connecthold"""),
    *_routes("""
        POST voicecall/{agentid}/transfer transfer
        PUT voicecall/{agentid}/callout callout
        PUT voicecall/{agentid}/callinner callinner""", json_body=True),
    *_routes("""
        POST voicecall/{agentid}/beginmute beginmute
        POST voicecall/{agentid}/endmute endmute"""),
]
HUAWEI_TABLES = [RouteTable(HUAWEI_ROUTES, prefix=HUAWEI_PREFIX)]

# -- NICE: the token endpoint (compared by str.lower(): only the Kelvin sign K stands for a k), then the
# Agent API under /services/vN[.M]/ (re's Unicode IGNORECASE, no index: ſ is an s). A wrong method is 404. --
NICE_TOKEN_PATH = re.compile("/incontactauthorizationserver/to[k\u212a]en", re.IGNORECASE | re.ASCII)
NICE_TOKEN = RouteTable([Route("POST", NICE_TOKEN_PATH, "token", _unused)])
NICE_API_PREFIX = re.compile(r"^/incontactapi/services/v[0-9]+(?:\.[0-9]+)?/", re.IGNORECASE | re.ASCII)
NICE_API = RouteTable(_routes("""
    POST agent-sessions start-session
    POST agent-sessions/join join-session
    DELETE agent-sessions/{session} end-session
    GET agent-sessions/{session}/get-next-event get-next-event
    POST agent-sessions/{session}/state set-state
    POST agent-sessions/{session}/agent-phone/{action} agent-phone
    POST agent-sessions/{session}/interactions/{contact}/{action} interaction
    POST agent-sessions/{session}/dial-phone dial-phone
    GET agents/client-data get-client-data
    PUT agents/client-data put-client-data
    GET business-unit get-business-unit
    GET agents/{agent}/indicators get-agent-indicators"""), prefix=NICE_API_PREFIX, indexed=False)
NICE_TABLES = [NICE_TOKEN, NICE_API]

# -- Intermedia (HaloPSA): regexes matched in full against the path as it came, case-insensitive -----------------
INTERMEDIA_ROUTES = [Route(method, re.compile(pattern, re.IGNORECASE), op, _unused) for method, pattern, op in (
    ("POST", r"/api/notify/intermedia/?", "notify"),
    ("GET", r"/api/calllog/?", "calllog-list"),
    ("POST", r"/api/calllog/?", "calllog-update"),
    ("GET", r"/api/calllog/(?P<id>[0-9]{1,18})/?", "calllog-get"),
    ("GET", r"/api/actions/?", "actions-list"),
    ("GET", r"/recordings/(?P<call>[^/]+)\.wav", "recording"),
)]
INTERMEDIA_TABLES = [RouteTable(INTERMEDIA_ROUTES, collapse_slashes=False, strip_trailing_slash=False)]

# -- XCALLY: aiohttp's own router under /api, in the order the resources register today ---------------------------
XCALLY_ROUTES = _routes("""
    POST /users/password/forgot forgot-password
    GET /users/password/reset/{token} reset-link
    POST /users/password/reset/{token} reset-password
    GET /users list-users
    POST /users create-user
    DELETE /users bulk-delete-users
    GET /users/export export-users
    GET /users/{id} get-user
    PUT /users/{id} update-user
    DELETE /users/{id} delete-user
    GET /users/{id}/teams list-user-teams
    POST /users/{id}/login login
    POST /users/{id}/logout logout
    POST /users/{id}/pause pause
    POST /users/{id}/unpause unpause
    GET /teams list-teams
    POST /teams create-team
    GET /teams/{tid} get-team
    PUT /teams/{tid} update-team
    DELETE /teams/{tid} delete-team
    GET /teams/{tid}/users list-team-members
    POST /teams/{tid}/users add-team-members
    DELETE /teams/{tid}/users remove-team-members
    GET /{channel}/queues list-queues
    POST /{channel}/queues create-queue
    GET /{channel}/queues/{qid} get-queue
    PUT /{channel}/queues/{qid} update-queue
    GET /{channel}/queues/{qid}/users list-queue-members
    POST /{channel}/queues/{qid}/users add-queue-members
    DELETE /{channel}/queues/{qid}/users remove-queue-members
    GET /{channel}/interactions list-interactions
    GET /{channel}/interactions/{iid} get-interaction
    PUT /{channel}/interactions/{iid} update-interaction
    POST /{channel}/interactions/{iid}/accept accept
    POST /{channel}/interactions/{iid}/reject reject
    POST /{channel}/interactions/{iid}/messages interaction-message
    GET /{channel}/interactions/{iid}/messages list-messages
    GET /realtime/agents realtime-agents
    GET /reports/{channel}/queue report-queue
    GET /reports/member report-member
    GET /settings settings
    PUT /settings settings
    GET /telephones list-telephones""")
PHONEBAR_ROUTES = _routes("""
    GET /api/calls phonebar-calls
    GET /api/answer phonebar-answer
    GET /api/answer/{session} phonebar-answer
    GET /api/originate/{number} phonebar-originate
    GET /api/hangup phonebar-hangup
    GET /api/hangup/{session} phonebar-hangup
    GET /api/hold phonebar-hold
    GET /api/hold/{session} phonebar-hold
    GET /api/login phonebar-login
    GET /api/logout phonebar-logout
    GET /api/pause phonebar-pause
    GET /api/pause/{type} phonebar-pause
    GET /api/unpause phonebar-unpause""")


# -- the requests -----------------------------------------------------------------------------------------------
OVERSIZE = "oversize"  # a body over the test's limit, with a Content-Length
CHUNKED = "chunked"    # the same, chunked (its size known only once the limit is read past)
JSON = {"Content-Type": "application/json"}
APIKEY = "?apikey=ccsim-xcally-key"
INTERMEDIA_BASIC = {"Authorization": "Basic aW50ZXJtZWRpYTpjY3NpbS1oYWxvLXdlYmhvb2s="}  # intermedia:ccsim-halo-webhook


@dataclass(frozen=True)
class Case:
    method: str
    path: str                 # as sent: percent-encoded, with its query
    op: str                   # the journal's op; "unrouted" when no route took it
    status: int | None        # today's face's answer (None: whatever the operation says)
    allow: str | None = None  # its Allow header
    params: dict[str, str] | None = None  # the route's parameters, when they are the point
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None   # OVERSIZE, CHUNKED or None

    def __str__(self) -> str:
        return f"{self.method} {self.path}" + (f" ({self.body})" if self.body else "")


def every_route(routes: list[Route], prefix: str, values: dict[str, str], query: str = "") -> list[Case]:
    """One request per route, its parameters given `values`: the face labels it with the route's op."""
    cases = []
    for route in routes:
        assert isinstance(route.path, str)
        path = re.sub(r"\{(\w+)\}", lambda m: values[m[1]], route.path)
        cases.append(Case(route.method, prefix + path + query, route.op, None))
    return cases


A = HUAWEI_PREFIX
HUAWEI_CASES = every_route(HUAWEI_ROUTES, A, {"agentid": "999", "reason": "3", "autoflag": "true", "time": "10",
                                              "restcause": "1", "flag": "true", "callid": "1"}) + [
    Case("PUT", "/AgentGateway/Resource/OnlineAgent/999/LoginEx", "loginex", 415),
    Case("PUT", "//agentgateway//resource//onlineagent//999//loginex", "loginex", 415),
    Case("PUT", A + "onlineagent/999/loginex///", "loginex", 415),
    Case("PUT", A + "onlineagent/999%2Floginex", "loginex", 415),  # %2F is a / by the time it is routed
    Case("PUT", A + "onlineagent/99%2F9/loginex", "unrouted", 404),
    Case("DELETE", A + "onlineagent/999/logout%0A", "logout", 200),  # `$` takes one final newline
    Case("DELETE", A + "onlineagent/999/logout%0A%0A", "unrouted", 404),
    Case("POST", A + "onlineagent/999/%C5%BFaybusy", "saybusy", 200),  # re's IGNORECASE: ſ is an s
    Case("DELETE", A + "onl%C4%B0neagent/999/logout", "unrouted", 404),  # the first segment by str.lower()
    Case("DELETE", A + "onl%C4%B1neagent/999/logout", "unrouted", 404),
    Case("GET", "/agentgateway/re%C5%BFource/agentevent/999", "unrouted", 404),  # the prefix by str.lower()
    Case("POST", A + "onlineagent/999/handsha%E2%84%AAe", "handshake", 200),
    Case("GET", A + "onlineagent/999/loginex", "unrouted", 405, allow="PUT"),
    Case("HEAD", A + "onlineagent/999/agentstatus", "unrouted", 405, allow="GET"),
    Case("GET", A + "voicecall/999", "unrouted", 405, allow="DELETE"),
    Case("POST", A + "onlineagent/%20/sayfree", "sayfree", 200, params={"agentid": " "}),
    Case("GET", "/agentgateway/resource", "unrouted", 404),
    Case("GET", A, "unrouted", 404),
    Case("GET", "/other", "unrouted", 404),
    Case("GET", A + "onlineagent/999/agentstatus/extra", "unrouted", 404),
    # Labelled, then 415 before the body is read; with its Content-Type, too large in the operation's retcode.
    Case("PUT", A + "onlineagent/999/loginex", "loginex", 415, body=CHUNKED),
    Case("PUT", A + "onlineagent/999/loginex", "loginex", 200, headers=JSON, body=CHUNKED),
    Case("PUT", A + "onlineagent/999/loginex", "loginex", 200, headers=JSON, body=OVERSIZE),
    Case("GET", A + "onlineagent/999/loginex", "unrouted", 405, allow="PUT", body=OVERSIZE),
    Case("PUT", A + "onlineagent/999/nothing", "unrouted", 404, body=CHUNKED),
]

V = "/inContactAPI/services/v13.0/"
TOKEN = "/InContactAuthorizationServer/Token"
NICE_CASES = every_route(NICE_API.routes, V, {"session": "abc", "action": "accept", "contact": "c1", "agent": "1"}) + [
    Case("POST", TOKEN, "token", 400),
    Case("POST", TOKEN.lower() + "/", "token", 400),
    Case("POST", "//InContactAuthorizationServer//Token//", "token", 400),
    Case("POST", "/InContactAuthorizationServer/To%E2%84%AAen", "token", 400),  # "K".lower() is "k"
    Case("POST", "/InContactAuthorization%C5%BFerver/Token", "unrouted", 404),   # "ſ".lower() is "ſ"
    Case("POST", "/InContactAuthorizat%C4%B1onServer/Token", "unrouted", 404),
    Case("POST", TOKEN + "%0A", "unrouted", 404),
    Case("POST", TOKEN + "/x", "unrouted", 404),
    Case("GET", TOKEN, "unrouted", 405, allow="POST"),
    Case("PUT", TOKEN + "/", "unrouted", 405, allow="POST"),
    Case("POST", "/INCONTACTAPI/SERVICES/V13.0/AGENT-SESSIONS", "start-session", 401),
    Case("POST", "//inContactAPI//services//v2//agent-sessions//", "start-session", 401),
    Case("POST", V + "agent-%C5%BFessions", "start-session", 401),  # re's IGNORECASE, no str.lower() index
    Case("POST", V + "agent-sessions%0A", "start-session", 401),
    Case("POST", V + "agent-sessions/join%0A", "join-session", 401),
    Case("POST", V + "agent-sessions/abc%2Fdef/state", "unrouted", 404),
    Case("GET", V + "agent-sessions", "unrouted", 404),  # a wrong method is a 404, no Allow
    Case("PATCH", V + "agent-sessions", "unrouted", 404),
    Case("POST", V + "agents/client-data", "unrouted", 404),
    Case("POST", "/inContactAPI/services/vX.0/agent-sessions", "unrouted", 404),
    Case("POST", "/inContactAPI/services/v%D9%A2.0/agent-sessions", "unrouted", 404),  # ASCII digits only
    Case("POST", "/inContactAPI/services/v13.0.1/agent-sessions", "unrouted", 404),
    Case("POST", "/inContactAPI/%C5%BFervices/v13.0/agent-sessions", "unrouted", 404),
    Case("GET", V, "unrouted", 404),
    Case("GET", "/other", "unrouted", 404),
    # A body over the limit is 413 before any routing, journaled unrouted; but the token's 405 comes first.
    Case("POST", V + "agent-sessions", "unrouted", 413, body=OVERSIZE),
    Case("POST", V + "agent-sessions", "unrouted", 413, body=CHUNKED),
    Case("POST", "/other", "unrouted", 413, body=CHUNKED),
    Case("POST", TOKEN, "unrouted", 413, body=CHUNKED),
    Case("GET", TOKEN, "unrouted", 405, allow="POST", body=CHUNKED),
]

INTERMEDIA_CASES = [
    Case("POST", "/api/notify/intermedia", "notify", 401),
    Case("GET", "/api/calllog", "calllog-list", 401),
    Case("POST", "/api/calllog", "calllog-update", 401),
    Case("GET", "/api/calllog/5", "calllog-get", 401),
    Case("GET", "/api/actions", "actions-list", 401),
    Case("GET", "/recordings/abc.wav", "recording", 404),
    Case("POST", "/API/Notify/Intermedia/", "notify", 401),
    Case("POST", "/api/notify/intermedia//", "unrouted", 404),  # no `//` collapsed, one trailing `/` at most
    Case("POST", "//api/notify/intermedia", "unrouted", 404),
    Case("POST", "/api//notify/intermedia", "unrouted", 404),
    Case("GET", "/api/notify/intermedia/", "unrouted", 405, allow="POST"),
    Case("DELETE", "/api/calllog", "unrouted", 405, allow="GET, POST"),
    Case("DELETE", "/api/CallLog/", "unrouted", 405, allow="GET, POST"),
    Case("PUT", "/api/CallLog/5", "unrouted", 405, allow="GET"),
    Case("HEAD", "/api/actions", "unrouted", 405, allow="GET"),
    Case("GET", "/api/calllog/5/", "calllog-get", 401, params={"id": "5"}),
    Case("GET", "/api/calllog/1234567890123456789", "unrouted", 404),
    Case("GET", "/api/calllog/%D9%A2", "unrouted", 404),
    Case("GET", "/api/calllog%0A", "unrouted", 404),  # matched in full: no final newline
    Case("GET", "/api/action%C5%BF", "actions-list", 401),
    Case("GET", "/recordings/abc.WAV", "recording", 404, params={"call": "abc"}),
    Case("GET", "/recordings/abc.wav/", "unrouted", 404),
    Case("GET", "/recordings/a%2Fb.wav", "unrouted", 404),
    Case("GET", "/recordings/.wav", "unrouted", 404),
    Case("POST", "/recordings/x.wav", "unrouted", 405, allow="GET"),
    Case("GET", "/", "unrouted", 404),
    Case("POST", "/api/notify/intermedia", "notify", 401, body=CHUNKED),  # its credentials first
    Case("POST", "/api/notify/intermedia", "notify", 413, headers=INTERMEDIA_BASIC, body=CHUNKED),
    Case("POST", "/api/notify/intermedia", "notify", 413, headers=INTERMEDIA_BASIC, body=OVERSIZE),
    Case("GET", "/api/notify/intermedia", "unrouted", 405, allow="POST", body=CHUNKED),
    Case("POST", "/nope", "unrouted", 404, body=CHUNKED),
]

XCALLY_CASES = every_route(XCALLY_ROUTES, "/api", {"token": "t", "id": "1", "tid": "1", "qid": "1", "iid": "1",
                                                   "channel": "chat"}) + [
    Case("GET", "/api/users" + APIKEY, "list-users", 200),
    Case("HEAD", "/api/users" + APIKEY, "list-users", 200),  # a GET route answers HEAD
    Case("GET", "/api/users/1%2F2" + APIKEY, "get-user", 404, params={"id": "1/2"}),  # %2F stays in its segment
    Case("GET", "/api/%75sers" + APIKEY, "list-users", 200),
    Case("GET", "/api/ch%2Fat/queues" + APIKEY, "list-queues", 404, params={"channel": "ch/at"}),
    Case("GET", "/api/users/export" + APIKEY, "export-users", 200),  # not /users/{id}
    Case("GET", "/API/users" + APIKEY, "unrouted", 404),  # case-sensitive, outside /api
    Case("GET", "/api/Users" + APIKEY, "unrouted", 404),
    Case("GET", "/api/users/" + APIKEY, "unrouted", 404),
    Case("GET", "/api//users" + APIKEY, "unrouted", 404),
    Case("PATCH", "/api/users" + APIKEY, "unrouted", 404),  # a wrong method falls through to the catch-all
    Case("POST", "/api/users/export" + APIKEY, "unrouted", 404),
    Case("GET", "/api/users/password/forgot" + APIKEY, "unrouted", 404),
    Case("GET", "/api/users/", "unrouted", 401),  # the /api catch-all authenticates first
    Case("PATCH", "/api/users", "unrouted", 401),
    Case("GET", "/api/users%0A", "unrouted", 404),  # ".*" takes no newline: the outside-/api catch-all
    Case("GET", "/api", "unrouted", 404),
    Case("GET", "/foo", "unrouted", 404),
    Case("POST", "/api/users", "create-user", 401, body=CHUNKED),
    Case("POST", "/api/users" + APIKEY, "create-user", 413, body=CHUNKED),
    Case("POST", "/api/nothing" + APIKEY, "unrouted", 404, body=CHUNKED),
]

PHONEBAR_CASES = [
    Case("GET", "/api/calls", "phonebar-calls", 200),
    Case("HEAD", "/api/calls", "phonebar-calls", 200),
    Case("GET", "/api/originate/1%2F2", "phonebar-originate", 400, params={"number": "1/2"}),
    Case("GET", "/api/hangup/s9", "phonebar-hangup", 404, params={"session": "s9"}),
    Case("GET", "/api/calls/", "phonebar-unrouted", 404),
    Case("POST", "/api/calls", "phonebar-unrouted", 404),
    Case("GET", "/API/calls", "phonebar-unrouted", 404),
    Case("GET", "/api//calls", "phonebar-unrouted", 404),
    Case("GET", "/api/calls%0A", "phonebar-unrouted", 404),
    Case("GET", "/foo", "phonebar-unrouted", 404),
]
