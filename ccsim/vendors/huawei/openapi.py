"""The OpenAPI document of the Huawei face (contracts/huawei/openapi.json), made from the face's
operation table and its contract schemas, so that the two cannot drift apart (a test compares
the committed file with `document()`). For tools that read OpenAPI: Schemathesis, code
generators, API browsers.

    python -m ccsim.vendors.huawei.openapi > contracts/huawei/openapi.json
"""
from __future__ import annotations

import json
import re
from typing import Any

from ... import contracts
from .client import OPS, SIGN_IN_OPS
from .steps import query_names

BASE = "/agentgateway/resource/"
URI = "https://ccsim.dev/contracts/huawei/"
# Request body schemas, by operation (a forced sign-in has the body of its plain one).
REQUEST_BODIES = {"login": "login", "loginex": "loginex", "forcelogin": "login", "forceloginex": "loginex",
                  "transfer": "transfer", "callout": "callout", "callinner": "callinner"}


def _schema(path: str) -> dict[str, Any]:
    return {"$ref": URI + path}


def _absolute(node: Any, file: str) -> Any:
    """`node` of contract `file` with its local refs ("#/$defs/...") made absolute."""
    if isinstance(node, list):
        return [_absolute(v, file) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _absolute(v, file) for k, v in node.items()}
    if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
        out["$ref"] = URI + file + node["$ref"]
    return out


def _body(node: dict[str, Any], file: str, status: int = 200) -> dict[str, Any] | None:
    """The body part of an exchange schema (the contracts judge {status, headers, body}) when
    the HTTP status is `status`; {} when it says nothing of the body, None when that exchange
    never has that status."""
    ref = node.get("$ref")
    if ref is not None:
        target, _, pointer = (ref[len(URI):] if ref.startswith(URI) else file + ref).partition("#")
        found: Any = contracts.load("huawei/" + target)
        for part in [p for p in pointer.split("/") if p]:
            found = found[part]
        return _body(found, target, status)
    if "oneOf" in node:
        branches = [b for b in (_body(branch, file, status) for branch in node["oneOf"]) if b is not None]
        return None if not branches else branches[0] if len(branches) == 1 else {"oneOf": branches}
    if "allOf" in node:
        found_parts = [_body(branch, file, status) for branch in node["allOf"]]
        if any(part is None for part in found_parts):
            return None
        parts = [part for part in found_parts if part]
        return parts[0] if len(parts) == 1 else {"allOf": parts}
    declared = node.get("properties", {}).get("status", {})
    statuses = [declared["const"]] if "const" in declared else declared.get("enum")
    if statuses is not None and status not in statuses:
        return None
    return _absolute(node.get("properties", {}).get("body", {}), file)


def _operation(op: str, template: str) -> dict[str, Any]:
    schema_file = f"responses/{op}.schema.json"
    contract = contracts.load(f"huawei/{schema_file}")
    title = contract.get("description", "")
    unrouted_file = "responses/unrouted.schema.json"
    unrouted = _body(contracts.load("huawei/" + unrouted_file), unrouted_file, 404)
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in re.findall(r"\{(\w+)\}", template)]
    params += [{"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
               for name in query_names(op)]
    operation: dict[str, Any] = {
        "operationId": op,
        "description": title,
        "x-ccsim-op": op,
        "parameters": params,
        "responses": {
            "200": {"description": "The envelope: retcode \"0\" and the result, or an error retcode (Huawei "
                                   "answers errors with HTTP 200).",
                    "content": {"application/json": {"schema": _body(contract, schema_file)}}},
            "404": {"description": "No such operation (retcode 000-002).",
                    "content": {"application/json": {"schema": unrouted}}},
            "405": {"description": "A known path with another method; Allow names it (retcode 000-002).",
                    "content": {"application/json": {"schema": unrouted}}},
        },
    }
    unsupported = _body(contract, schema_file, 415)
    if unsupported is not None:
        operation["responses"]["415"] = {
            "description": "The Content-Type is missing or not application/json (retcode 000-002; setting "
                           "require_content_type).", "content": {"application/json": {"schema": unsupported}}}
    if op in SIGN_IN_OPS:
        operation["security"] = [{}]
    if op in REQUEST_BODIES:
        body_schema = _schema(f"requests/{REQUEST_BODIES[op]}.schema.json")
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body_schema}}}
    return operation


def document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op, (method, template) in OPS.items():
        paths.setdefault(BASE + template, {})[method.lower()] = _operation(op, template)
    return {
        "openapi": "3.1.0",
        "info": {"title": "ccsim Huawei CC-Gateway face: agent REST API", "version": "0.1.0",
                 "description": "Generated from ccsim/vendors/huawei (client.OPS) and the schemas in "
                                "contracts/huawei; see contracts/huawei/README.md for the sources and the "
                                "INFERRED choices."},
        "servers": [{"url": "http://127.0.0.1:{port}", "variables": {"port": {"default": "8801"}}}],
        "security": [{"guid": []}],
        "paths": paths,
        "components": {"securitySchemes": {"guid": {
            "type": "apiKey", "in": "header", "name": "Guid",
            "description": "The GUID of the sign-in answer's Set-GUID header (AgentID=<guid>)."}}},
    }


if __name__ == "__main__":
    print(json.dumps(document(), indent=2, ensure_ascii=False))
