"""/api/users: agents and users with role user (one users table, as Motion's), their sessions
(login, logout, pause per channel), bulk delete and the CSV export of agents."""
from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

from aiohttp import web

from ...serving.journaling import AGENT
from . import fields as f
from .model import XAgent
from .rest import ADMIN_ONLY, Rest, ids_in_query, json_body, listing
from .routing import XcallyError
from .staff import XUser

if TYPE_CHECKING:
    from .face import XcallyFace

# INFERRED columns of the agents' CSV export (the list's columns in seed 001 and W-AG: full name,
# username, email, internal, typology, account status, creation and update dates).
CSV_COLUMNS = ("id", "name", "fullname", "alias", "email", "internal", "typology", "disabled", "locked",
               "createdAt", "updatedAt")


def install(r: web.UrlDispatcher, rest: Rest) -> None:
    face: "XcallyFace" = rest.face
    op = rest.op

    def shown(account: XAgent | XUser) -> dict[str, Any]:
        return account.to_json(face.iso)

    def reachable(request: web.Request) -> list[XAgent | XUser]:
        """Everything an administrator lists; a supervisor's own agents."""
        me = rest.manager(request)
        if me is None:
            return sorted((*face.agents.values(), *face.supervisors.values()), key=lambda a: a.id)
        return [a for a in face.agents.values() if face.manages(me, a)]

    @op("list-users")
    async def list_users(request):
        return listing(request, [shown(a) for a in reachable(request)])

    @op("create-user")
    async def create_user(request):
        me = rest.manager(request)
        body = await json_body(request)
        role = body.get("role", "agent")
        if role == "user":
            if me is not None:
                raise XcallyError(403, ADMIN_ONLY)
            return web.json_response(shown(face.create_supervisor(body)), status=201)
        if role != "agent":
            raise XcallyError(400, "role must be agent or user (admins are not simulated)")
        face.check_typology_allowed(body)
        if "name" in body and face.name_taken(body["name"]):
            raise f.Invalid(f"username {body['name']!r} is already taken")
        agent = face.create_agent(body)
        request[AGENT] = agent.core_id
        try:
            await face.sync_phonebar(agent)
        except XcallyError:
            face.delete_agent(agent)  # refused as a whole: nothing half-made stays
            raise
        return web.json_response(shown(agent), status=201)

    @op("get-user")
    async def get_user(request):
        return web.json_response(shown(rest.account_of(request)))

    @op("update-user")
    async def update_user(request):
        if isinstance(rest.caller(request), XAgent):
            raise XcallyError(403, ADMIN_ONLY)
        account = rest.account_of(request)
        rest.may_manage(request, account)
        body = await json_body(request)
        if "role" in body and body["role"] != ("agent" if isinstance(account, XAgent) else "user"):
            raise XcallyError(400, "role cannot be changed")
        if isinstance(account, XUser):
            face.update_supervisor(account, body)
            return web.json_response(shown(account))
        face.check_typology_allowed(body)
        if "name" in body and face.name_taken(body["name"], account):
            raise f.Invalid(f"username {body['name']!r} is already taken")
        face.update_agent(account, body)
        try:
            await face.sync_phonebar(account)
        except XcallyError:
            account.remote_control = False  # the port could not be opened: remote control stays off
            raise
        return web.json_response(shown(account))

    async def delete(accounts: list[XAgent | XUser]) -> None:
        for account in accounts:
            if isinstance(account, XUser):
                del face.supervisors[account.id]
                continue
            face.delete_agent(account)
            face.forget_agent_in_staff(account.id)
            await face.sync_phonebar(account)
        for account in accounts:
            face.drop_reset_links(account.id)

    @op("delete-user")
    async def delete_user(request):
        if isinstance(rest.caller(request), XAgent):
            raise XcallyError(403, ADMIN_ONLY)
        account = rest.account_of(request)
        rest.may_manage(request, account)
        await delete([account])
        return web.Response(status=204)

    def selected(request: web.Request, required: bool) -> list[XAgent | XUser]:
        """The users of ?ids= (all of them or none: 404 names the first unknown, 403 the first the
        caller may not touch); with no ids, what the caller may list."""
        rest.manager(request)
        ids = ids_in_query(request)
        if not ids:
            if required:
                raise XcallyError(400, "ids are required (?ids=1&ids=2)")
            return reachable(request)
        accounts = []
        for number in ids:
            account = face.agents.get(number) or face.supervisors.get(number)
            if account is None:
                raise XcallyError(404, f"user {number} not found")
            rest.may_manage(request, account)
            accounts.append(account)
        return accounts

    @op("bulk-delete-users")
    async def bulk_delete(request):
        """DELETE /api/users?ids=1&ids=2: the list's checkboxes, then Delete (seed 001)."""
        accounts = selected(request, required=True)
        await delete(accounts)
        return web.Response(status=204)

    @op("export-users")
    async def export(request):
        """GET /api/users/export[?ids=…]: the agents selected in the list, as CSV (seed 001)."""
        agents = [a for a in selected(request, required=False) if isinstance(a, XAgent)]
        out = io.StringIO()
        writer = csv.writer(out)  # RFC 4180: quoted when needed, CRLF line ends
        writer.writerow(CSV_COLUMNS)
        for agent in sorted(agents, key=lambda a: a.id):
            row = shown(agent)
            writer.writerow(["true" if row[k] is True else "false" if row[k] is False else row[k] for k in CSV_COLUMNS])
        return web.Response(text=out.getvalue(), content_type="text/csv", charset="utf-8",
                            headers={"Content-Disposition": 'attachment; filename="agents.csv"'})

    @op("list-user-teams")
    async def user_teams(request):
        agent = rest.agent_of(request)
        return listing(request, [t.to_json(face.iso) for t in face.teams.values() if agent.id in t.members])

    def session_action(name: str, action):
        @op(name)
        async def handler(request):
            agent = rest.agent_of(request)
            body = await json_body(request)
            action(agent, body)
            return web.json_response(shown(agent))
        return handler

    def pause(agent: XAgent, body: dict[str, Any]) -> None:
        pause_type = str(body["pauseType"]) if body.get("pauseType") else None
        face.pause(agent, str(body.get("channel", "voice")), pause_type)

    r.add_get("/api/users", list_users)
    r.add_post("/api/users", create_user)
    r.add_delete("/api/users", bulk_delete)
    r.add_get("/api/users/export", export)  # before /api/users/{id}
    r.add_get("/api/users/{id}", get_user)
    r.add_put("/api/users/{id}", update_user)
    r.add_delete("/api/users/{id}", delete_user)
    r.add_get("/api/users/{id}/teams", user_teams)
    r.add_post("/api/users/{id}/login", session_action("login", face.start_session))
    r.add_post("/api/users/{id}/logout", session_action("logout", lambda a, b: face.logout(a)))
    r.add_post("/api/users/{id}/pause", session_action("pause", pause))
    r.add_post("/api/users/{id}/unpause", session_action(
        "unpause", lambda a, b: face.unpause(a, str(b.get("channel", "voice")))))
