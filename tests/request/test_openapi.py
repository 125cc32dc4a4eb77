"""The published API description is whole: every reference resolves, every endpoint is there."""

from __future__ import annotations

import json
import re

from tests.request.conftest import PREFIX, Harness


async def test_openapi_references_resolve(service: Harness) -> None:
    spec = (await service.client.get(f"{PREFIX}/openapi.json")).json()
    text = json.dumps(spec)
    for ref in set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text)):
        assert ref in spec["components"]["schemas"], ref
    assert "#/$defs/" not in text
    paths = spec["paths"]
    for path in (
        "/applications",
        "/applications/{application_id}/transitions",
        "/status",
        "/inquiry/{tracking_number}",
        "/audit/verify",
        "/inbox",
    ):
        assert f"{PREFIX}{path}" in paths, path
    body = paths[f"{PREFIX}/applications"]["post"]["requestBody"]["content"]
    assert set(body) == {"multipart/form-data", "application/json"}
