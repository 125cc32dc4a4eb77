"""Reading the packaged JSON data files."""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any

_DATA = files("catalog_service.seed") / "data"


def read_json(*parts: str) -> Any:
    resource = _DATA
    for part in parts:
        resource = resource / part
    return json.loads(resource.read_text(encoding="utf-8"))


def list_json(folder: str) -> list[str]:
    """Names of the JSON files in a data folder, sorted for a stable order."""
    return sorted(r.name for r in (_DATA / folder).iterdir() if r.name.endswith(".json"))
