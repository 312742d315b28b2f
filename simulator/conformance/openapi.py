"""Validate HTTP responses against an OpenAPI 3.1 document in contracts/."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator

from .. import contracts


@lru_cache(maxsize=None)
def _operations(relative: str) -> list[tuple[re.Pattern[str], str, dict[str, Any]]]:
    doc = contracts.load(relative)
    ops = []
    for template, item in doc["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(template)) + "$")
        for method, operation in item.items():
            if method in ("get", "put", "post", "delete", "patch"):
                ops.append((pattern, method.upper(), operation))
    return ops


def response_violations(relative: str, method: str, path: str, status: int, body: Any) -> list[str]:
    """What is wrong with this response according to the document (empty when it conforms)."""
    where = f"{method} {path} -> {status}"
    operation = next((op for pattern, m, op in _operations(relative) if m == method and pattern.match(path)), None)
    if operation is None:
        return [f"{where}: not in {relative}"]
    response = operation.get("responses", {}).get(str(status))
    if response is None:
        return [f"{where}: status not documented"]
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[-1]
        response = contracts.load(relative)["components"]["responses"][name]
    schema = response.get("content", {}).get("application/json", {}).get("schema")
    if schema is None:
        return []
    doc = contracts.load(relative)
    validator = Draft202012Validator({**schema, "components": doc["components"]}, registry=contracts.registry())
    return [f"{where}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(body)]
