"""The whole platform in one process: every service's app, dispatched by the gateway's route table.

Each service keeps its own SQLite file under ``var/`` and all of them share the
in-process event bus, so outbox, relay, inbox and handlers run exactly as they do
distributed. Only configuration differs.
"""

from __future__ import annotations

import html
import importlib
import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send

from mahaliyat.problems import Problem
from mahaliyat_gateway.routes import ROUTES, Service, match


def service_settings(service: Service, var_dir: Path, overrides: Mapping[str, Any]) -> Any:
    """The settings object of ``service``, with embedded defaults (SQLite under ``var_dir``)."""
    module = importlib.import_module(f"{service.package}.settings")
    cls = next(
        value
        for name, value in vars(module).items()
        if name.endswith("Settings") and getattr(value, "service_name", None) == service.name
    )
    values: dict[str, Any] = {
        "var_dir": var_dir,
        "migrate_on_start": True,
        # identity-service writes its public keys here; the others verify tokens against them.
        "jwt_public_keys_file": var_dir / "identity-jwks.json",
        # identity-service: make a signing key on first start (development/test only;
        # identity refuses the flag elsewhere). The other services ignore the field.
        "generate_dev_keys": True,
    }
    values.update(overrides)
    return cls(**values)


def build_apps(var_dir: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, FastAPI]:
    apps: dict[str, FastAPI] = {}
    for service in ROUTES:
        factory: Callable[..., FastAPI] = importlib.import_module(
            f"{service.package}.app"
        ).create_app
        apps[service.name] = factory(service_settings(service, var_dir, overrides or {}))
    return apps


class Dispatcher:
    """An ASGI app sending each request to the service that owns its path prefix."""

    def __init__(self, apps: Mapping[str, FastAPI]) -> None:
        missing = {s.name for s in ROUTES} - set(apps)
        if missing:
            raise ValueError(f"no app for services: {sorted(missing)}")
        self.apps = dict(apps)

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            for app in self.apps.values():
                await stack.enter_async_context(app.router.lifespan_context(app))
            yield

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope.get("path", "/")
        service = match(path)
        if service is not None:
            await self.apps[service.name](scope, receive, send)
            return
        if scope["type"] != "http":
            return
        if path == "/":
            response: Response = HTMLResponse(index_page())
        elif path == "/metrics":
            response = Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
        else:
            response = Problem(404, "not_found").response(path)
        await response(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        stack = AsyncExitStack()
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await stack.enter_async_context(self.lifespan())
                except Exception as exc:
                    await send({"type": "lifespan.startup.failed", "message": repr(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await stack.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


def index_page() -> str:
    rows = "".join(
        f"<tr><td>{html.escape(s.name)}</td>"
        f'<td><a href="{s.api_prefix}/docs">{s.api_prefix}/docs</a></td>'
        f"<td>{', '.join(html.escape(p) for p in s.prefixes)}</td></tr>"
        for s in ROUTES
    )
    return (
        '<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>محليات — Mahaliyat</title></head><body>"
        "<h1>محليات — منصة خدمات الإدارة المحلية</h1>"
        "<p lang='en' dir='ltr'>Mahaliyat, the service platform of Egypt's local administration.</p>"
        "<table><thead><tr><th>الخدمة</th><th>وثائق الواجهة البرمجية</th><th>المسارات</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></body></html>"
    )


def create_platform(var_dir: Path | None = None, **overrides: Any) -> Dispatcher:
    """The embedded platform; ``overrides`` apply to every service's settings."""
    return Dispatcher(
        build_apps(var_dir or Path(os.environ.get("MAHALIYAT_VAR_DIR", "var")), overrides)
    )
