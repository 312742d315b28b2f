"""/api/teams: teams of agents (Staff -> Teams; "Add Agent to Team", seed 001). Paths and keys are
INFERRED by the pattern of /api/{channel}/queues and their /users (reference §1, §2)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from . import fields as f
from .rest import Rest, ids_in_query, json_body, listing
from .routing import XcallyError
from .staff import Team

if TYPE_CHECKING:
    from .face import XcallyFace


def install(r: web.UrlDispatcher, rest: Rest) -> None:
    face: "XcallyFace" = rest.face
    op = rest.op

    def team_of(request) -> Team:
        rest.admin_only(request)
        value = request.match_info["tid"]
        team = face.teams.get(f.as_id(value))
        if team is None:
            raise XcallyError(404, f"team {value} not found")
        return team

    @op("list-teams")
    async def list_teams(request):
        rest.admin_only(request)
        return listing(request, [t.to_json(face.iso) for t in face.teams.values()])

    @op("create-team")
    async def create_team(request):
        rest.admin_only(request)
        return web.json_response(face.create_team(await json_body(request)).to_json(face.iso), status=201)

    @op("get-team")
    async def get_team(request):
        return web.json_response(team_of(request).to_json(face.iso))

    @op("update-team")
    async def update_team(request):
        team = team_of(request)
        face.update_team(team, await json_body(request))
        return web.json_response(team.to_json(face.iso))

    @op("delete-team")
    async def delete_team(request):
        del face.teams[team_of(request).id]
        return web.Response(status=204)

    @op("list-team-members")
    async def list_members(request):
        team = team_of(request)
        return listing(request, [face.agents[i].to_json(face.iso) for i in team.members if i in face.agents])

    @op("add-team-members")
    async def add_members(request):
        """{"ids": [agent ids]}: the agents join the team (an agent may be in several teams)."""
        team, body = team_of(request), await json_body(request)
        ids = body.get("ids")
        if not isinstance(ids, list) or not ids or not all(f.whole(i) and i in face.agents for i in ids):
            raise XcallyError(400, "ids must be a non-empty list of agent ids")
        team.members += [i for i in dict.fromkeys(ids) if i not in team.members]
        team.updated = face.clock.now()
        return web.json_response(team.to_json(face.iso), status=201)

    @op("remove-team-members")
    async def remove_members(request):
        team = team_of(request)
        gone = set(ids_in_query(request))
        team.members = [m for m in team.members if m not in gone]
        team.updated = face.clock.now()
        return web.json_response(team.to_json(face.iso))

    r.add_get("/api/teams", list_teams)
    r.add_post("/api/teams", create_team)
    r.add_get("/api/teams/{tid}", get_team)
    r.add_put("/api/teams/{tid}", update_team)
    r.add_delete("/api/teams/{tid}", delete_team)
    r.add_get("/api/teams/{tid}/users", list_members)
    r.add_post("/api/teams/{tid}/users", add_members)
    r.add_delete("/api/teams/{tid}/users", remove_members)
