"""Dependencies shared by the routers: the adapters, and the problems every route may answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from mahaliyat.problems import PROBLEM_JSON
from notification_service.adapters import Adapters

PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"content": {PROBLEM_JSON: {}}} for status in (401, 403, 404, 409, 422)
}


async def get_adapters(request: Request) -> Adapters:  # async: no threadpool hop
    adapters: Adapters = request.app.state.adapters
    return adapters


AdaptersDep = Annotated[Adapters, Depends(get_adapters)]
