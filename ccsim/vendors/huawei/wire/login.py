"""The body of a Huawei sign-in (login, loginex, forcelogin...): its fields, checked in the order
CC-Gateway reports them, as LoginParams for the Gateway."""
from __future__ import annotations

from typing import Any

from .. import envelope as fields
from ..model.session import LOGIN_STATUS, LoginParams
from ..retcodes import HuaweiError


def parse_login(body: dict[str, Any], *, phone_required: bool, releasephone_default: bool = True) -> LoginParams:
    bad = "100-001"
    password = fields.as_str(body, "password", max_len=32, retcode=bad, required=True)
    phonenum = fields.as_str(body, "phonenum", max_len=24, retcode=bad, required=phone_required)
    if phone_required and not phonenum:
        raise HuaweiError(bad, "phonenum is mandatory.")
    agenttype = fields.as_int(body, "agenttype", 4, bad)
    if agenttype not in (4, 11):
        raise HuaweiError("100-012")
    status = fields.as_int(body, "status", 4, bad)
    if status not in LOGIN_STATUS:
        raise HuaweiError(bad, "status must be 3, 4 or 5.")
    ip = fields.as_str(body, "ip", max_len=64, retcode=bad, default="127.0.0.1")
    if len(ip) > 15 or not fields.valid_ipv4(ip):
        raise HuaweiError("100-016")
    for name in ("entryIp", "vcPhoneNumber"):
        fields.as_str(body, name, max_len=24 if name == "vcPhoneNumber" else 64, retcode=bad)
    for name, default in (("phonelinkage", False), ("checkInMailm", False), ("listenStatus", False)):
        fields.as_bool(body, name, default, bad)
    return LoginParams(
        password=password, phonenum=phonenum,
        autoanswer=fields.as_bool(body, "autoanswer", True, bad),
        autoenteridle=fields.as_bool(body, "autoenteridle", True, bad),
        releasephone=fields.as_bool(body, "releasephone", releasephone_default, bad),
        webm=fields.as_bool(body, "checkInWebm", True, bad),
        agenttype=agenttype, status=status, ip=ip,
    )
