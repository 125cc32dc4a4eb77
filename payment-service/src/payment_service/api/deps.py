"""Dependencies shared by the endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from payment_service.adapters import Adapters


async def get_adapters(request: Request) -> Adapters:  # async: no threadpool hop
    adapters: Adapters = request.app.state.adapters
    return adapters


AdaptersDep = Annotated[Adapters, Depends(get_adapters)]
