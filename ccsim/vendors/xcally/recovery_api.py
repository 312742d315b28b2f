"""Password recovery over REST, without credentials (the login panel's "Forgot password?"):
POST /api/users/password/forgot {email} mails the link (journaled, see recovery.py);
GET  /api/users/password/reset/{token} says whose link it is; POST it {password} sets the
new password. Paths INFERRED (Motion's are not public)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from .recovery import RESET_PATH
from .rest import Rest, json_body

if TYPE_CHECKING:
    from .face import XcallyFace


def install(r: web.UrlDispatcher, rest: Rest) -> None:
    face: "XcallyFace" = rest.face
    op = rest.op

    @op("forgot-password", auth=False)
    async def forgot(request):
        body = await json_body(request)
        face.forgot_password(body.get("email"), face.client_base(request))
        return web.Response(status=204)  # the same whether the address has an account or not

    @op("reset-link", auth=False)
    async def check_link(request):
        link, account = face.reset_link(request.match_info["token"])
        return web.json_response({"name": account.name, "expiresAt": face.iso(link.expires)})

    @op("reset-password", auth=False)
    async def reset(request):
        body = await json_body(request)
        account = face.reset_password(request.match_info["token"], body.get("password"))
        return web.json_response({"name": account.name, "passwordResetAt": face.iso(account.updated)})

    r.add_post("/api/users/password/forgot", forgot)
    r.add_get(RESET_PATH + "{token}", check_link)
    r.add_post(RESET_PATH + "{token}", reset)
