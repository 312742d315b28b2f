"""Every contract file under contracts/, whatever its face: a valid draft 2020-12 JSON Schema,
known by its path and by its $id (the same URL), with every $ref resolving. The per-face
contract tests check what the schemas say; this one checks that they are well made."""
from __future__ import annotations

import json
import re
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from ccsim import contracts

ROOT = contracts.contracts_dir()
SCHEMAS = sorted(p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*.schema.json"))


def refs(node: Any):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def test_every_face_has_contracts():
    from ccsim import registry

    assert {p.split("/")[0] for p in SCHEMAS} >= set(registry.names())


@pytest.mark.parametrize("relative", SCHEMAS)
def test_every_schema_is_valid_and_loads_by_path_and_id(relative):
    doc = json.loads((ROOT / relative).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(doc)
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert doc["$id"] == contracts.BASE_URI + relative
    assert doc.get("title") and doc.get("description"), "say what the schema is for"
    contracts.validator(relative)  # builds, with the shared registry
    registry = contracts.registry()
    assert registry.contents(contracts.BASE_URI + relative) == registry.contents(doc["$id"])
    resolver = registry.resolver(base_uri=doc["$id"])
    for ref in refs(doc):
        resolver.lookup(ref)  # raises when a $ref does not resolve


@pytest.mark.parametrize("relative", sorted(p.relative_to(ROOT).as_posix() for p in ROOT.rglob("openapi.json")))
def test_every_openapi_document_is_openapi_31_and_its_refs_resolve(relative):
    doc = json.loads((ROOT / relative).read_text(encoding="utf-8"))
    assert doc["openapi"].startswith("3.1")
    resolver = contracts.registry().resolver(base_uri=contracts.BASE_URI + relative)
    for ref in refs(doc):
        resolver.lookup(ref)


def test_bundled_openapi_documents_are_self_contained():
    """What `bundled` gives Schemathesis: no reference outside the document, every ref resolvable."""
    import json as json_mod

    from ccsim.contracts.openapi import bundled

    for name in ("admin", "nice", "intermedia", "huawei"):
        document = bundled(f"{name}/openapi.json")
        refs = [r for r in re.findall(r'"\$ref": "([^"]+)"', json_mod.dumps(document))]
        assert refs and all(r.startswith("#/") for r in refs), [r for r in refs if not r.startswith("#/")][:3]
        for ref in set(refs):
            node = document
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
