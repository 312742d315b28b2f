"""Validate HTTP responses against an OpenAPI 3.1 document in contracts/."""
from __future__ import annotations

import copy
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


CONTRACTS_URI = "https://ccsim.dev/contracts/"


def bundled(relative: str) -> dict[str, Any]:
    """The document with every contract schema it references ($id URIs) copied under
    components/schemas, refs rewritten to point there: one self-contained file, for tools that
    resolve no external reference (Schemathesis, code generators)."""
    doc = contracts.load(relative)
    schemas: dict[str, Any] = {}  # the included files, by key

    def include(file: str) -> str:
        key = re.sub(r"\W", "_", file.removesuffix(".schema.json"))
        if key not in schemas:
            schemas[key] = {}
            schema = copy.deepcopy(contracts.load(file))
            schema.pop("$id", None)
            schema.pop("$schema", None)
            schemas[key] = rewrite(schema, key)
        return key

    def rewrite(node: Any, home: str | None) -> Any:
        if isinstance(node, list):
            return [rewrite(v, home) for v in node]
        if not isinstance(node, dict):
            return node
        out = {k: rewrite(v, home) for k, v in node.items()}
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(CONTRACTS_URI):
            file, _, fragment = ref[len(CONTRACTS_URI):].partition("#")
            out["$ref"] = f"#/components/schemas/{include(file)}{fragment}"
        elif isinstance(ref, str) and ref.startswith("#/") and home is not None:
            out["$ref"] = f"#/components/schemas/{home}{ref[1:]}"  # a ref inside the included file
        return out

    out = rewrite(doc, None)
    components = out.setdefault("components", {})
    components["schemas"] = {**components.get("schemas", {}), **schemas}
    return out
