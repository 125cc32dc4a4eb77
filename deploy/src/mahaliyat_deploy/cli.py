"""Command line: ``run`` starts the embedded platform."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from mahaliyat_deploy.embedded import create_platform
from mahaliyat_gateway.routes import ROUTES

app = typer.Typer(help="Mahaliyat (محليات) runners", no_args_is_help=True)


@app.command()
def run(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    var_dir: Annotated[Path, typer.Option(help="where each service keeps its SQLite file")] = Path(
        "var"
    ),
    seed: Annotated[bool, typer.Option(help="load demo data")] = True,
) -> None:
    """Start every service in this process (SQLite + in-process bus, demo data)."""
    platform = create_platform(var_dir, seed_demo_data=seed, log_json=False)
    base = f"http://{host}:{port}"
    typer.echo(f"Mahaliyat (محليات) embedded platform on {base}")
    typer.echo(f"  start page: {base}/")
    for service in ROUTES:
        typer.echo(f"  {service.name:<13} API docs: {base}{service.api_prefix}/docs")
    uvicorn.run(platform, host=host, port=port, log_level="warning", lifespan="on")


@app.command()
def routes() -> None:
    """Print the route table."""
    for service in ROUTES:
        typer.echo(f"{service.name:<13} {' '.join(service.prefixes)}")
