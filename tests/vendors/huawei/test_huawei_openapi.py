"""contracts/huawei/openapi.json, the Huawei face's OpenAPI document, is the one the face's
operation table makes."""
from __future__ import annotations

from ccsim import contracts
from ccsim.vendors.huawei.client import OPS
from ccsim.vendors.huawei.openapi import document


def test_the_huawei_openapi_document_is_the_one_the_face_makes():
    """contracts/huawei/openapi.json is generated from the face's operation table: regenerate it
    with `python -m ccsim.vendors.huawei.openapi > contracts/huawei/openapi.json`."""
    committed = contracts.load("huawei/openapi.json")
    assert committed == document()
    ops = {op["operationId"] for item in committed["paths"].values() for op in item.values()}
    assert ops == set(OPS)
