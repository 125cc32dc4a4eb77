"""The app factory: every service gets the same errors, health, metrics, docs and context."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession

from mahaliyat.auth import TokenVerifier
from mahaliyat.logs import configure_logging
from mahaliyat.problems import PROBLEM_JSON, Problem, install_problem_handlers
from mahaliyat.runtime import ServiceRuntime
from mahaliyat.settings import ServiceSettings
from mahaliyat.web.guard import InputGuardMiddleware
from mahaliyat.web.middleware import RequestContextMiddleware


def get_runtime(request: Request) -> ServiceRuntime:
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


async def unit_of_work(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session; it commits after the endpoint returns, before the response is sent."""
    async with get_runtime(request).database.unit_of_work() as uow:
        yield uow.session


# scope="function": commit (or its failure) happens before the client gets an answer.
Session = Annotated[AsyncSession, Depends(unit_of_work, scope="function")]


def build_verifier(settings: ServiceSettings) -> TokenVerifier | None:
    if settings.jwt_jwks_url:
        return TokenVerifier(
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            jwks_url=settings.jwt_jwks_url,
        )
    if settings.jwt_public_keys_file is not None:
        return TokenVerifier(
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            jwks_file=settings.jwt_public_keys_file,
        )
    return None


def create_service_app(
    *,
    runtime: ServiceRuntime,
    title: str,
    description: str,
    api_prefix: str,
    routers: Sequence[APIRouter] = (),
    root_routers: Sequence[APIRouter] = (),
    verifier: TokenVerifier | None = None,
    version: str = "0.1.0",
) -> FastAPI:
    """A service's FastAPI app: routers under ``api_prefix``, health, metrics and docs there too."""
    settings = runtime.settings
    configure_logging(
        settings.service_name, level=settings.log_level, json_output=settings.log_json
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with runtime.running():
            yield

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        docs_url=f"{api_prefix}/docs",
        redoc_url=None,
        openapi_url=f"{api_prefix}/openapi.json",
        swagger_ui_oauth2_redirect_url=f"{api_prefix}/docs/oauth2-redirect",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.settings = settings
    app.state.token_verifier = verifier or build_verifier(settings)
    install_problem_handlers(app)
    # Inside the request context, so its refusals carry the request id and the language.
    app.add_middleware(InputGuardMiddleware)
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    app.include_router(_health_router(runtime, api_prefix))
    for router in routers:
        app.include_router(router, prefix=api_prefix)
    for router in root_routers:
        app.include_router(router)
    return app


def _health_router(runtime: ServiceRuntime, api_prefix: str) -> APIRouter:
    router = APIRouter(tags=["health"])
    service = runtime.service

    @router.get(f"{api_prefix}/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @router.get(
        f"{api_prefix}/readyz",
        summary="Readiness: the database answers (the event bus is reported, not required)",
        responses={503: {"content": {PROBLEM_JSON: {}}}},
    )
    async def readyz() -> JSONResponse:
        checks: dict[str, Any] = {}
        try:
            await runtime.database.ping()
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"failing: {type(exc).__name__}"
        checks["bus"] = "ok" if await runtime.bus.is_ready() else "failing"
        if checks["database"] != "ok":
            return Problem(503, "not_ready", extra={"checks": checks}).response(
                f"{api_prefix}/readyz"
            )
        # Without the broker, writes still succeed (events wait in the outbox): taking
        # every replica out of service would turn a broker outage into a full one.
        status = "ready" if checks["bus"] == "ok" else "degraded"
        return JSONResponse({"status": status, "service": service, "checks": checks})

    @router.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
