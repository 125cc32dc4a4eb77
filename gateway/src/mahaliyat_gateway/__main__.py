"""``python -m mahaliyat_gateway render --out gateway/traefik``: write static.yml and dynamic.yml.

``--check`` compares instead of writing and exits 1 when the files differ from a
fresh render (for CI).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .options import (
    DEFAULT_ADDRESS,
    DEFAULT_AUTH_RATE_LIMIT,
    DEFAULT_CORS_ORIGINS,
    DEFAULT_INTERNAL_ADDRESS,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_RATE_LIMIT,
    DEFAULT_SERVICE_BODY_BYTES,
    GatewayOptions,
    RateLimit,
)
from .routes import ROUTES
from .traefik import render


def _rate(text: str) -> RateLimit:
    """``AVERAGE/PERIOD:BURST``, e.g. ``100/1s:200``."""
    try:
        rate, burst = text.split(":")
        average, period = rate.split("/")
        return RateLimit(average=int(average), period=period, burst=int(burst))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected AVERAGE/PERIOD:BURST, got {text!r}") from exc


def _fmt(limit: RateLimit) -> str:
    return f"{limit.average}/{limit.period}:{limit.burst}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mahaliyat_gateway")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("render", help="write the Traefik static and dynamic configuration")
    r.add_argument("--out", type=Path, default=Path("gateway/traefik"), help="output directory")
    r.add_argument("--check", action="store_true", help="compare with the files, write nothing")
    r.add_argument(
        "--dynamic-file",
        help="path of dynamic.yml as Traefik will open it (default: OUT/dynamic.yml)",
    )
    r.add_argument("--address", default=DEFAULT_ADDRESS, help="the web entry point")
    r.add_argument(
        "--internal-address", default=DEFAULT_INTERNAL_ADDRESS, help="/ping and /metrics"
    )
    r.add_argument(
        "--backend",
        action="append",
        default=[],
        metavar="SERVICE=URL",
        help="backend URL of a service (repeat for replicas); default http://127.0.0.1:<port>",
    )
    r.add_argument(
        "--cors-origin",
        action="append",
        metavar="ORIGIN",
        help=f"allowed portal origin (repeatable; default {' '.join(DEFAULT_CORS_ORIGINS)})",
    )
    r.add_argument("--no-cors", action="store_true", help="no CORS middleware at all")
    r.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES)
    r.add_argument(
        "--service-body-bytes",
        action="append",
        default=[],
        metavar="SERVICE=BYTES",
        help="a service's own body limit (repeatable; default "
        + " ".join(f"{k}={v}" for k, v in DEFAULT_SERVICE_BODY_BYTES.items())
        + ")",
    )
    r.add_argument("--rate-limit", type=_rate, default=DEFAULT_RATE_LIMIT, metavar="A/P:B")
    r.add_argument(
        "--auth-rate-limit",
        type=_rate,
        default=DEFAULT_AUTH_RATE_LIMIT,
        metavar="A/P:B",
        help=f"on the OTP and token endpoints (default {_fmt(DEFAULT_AUTH_RATE_LIMIT)})",
    )
    r.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="CIDR",
        help="load balancer whose X-Forwarded-For is believed (repeatable)",
    )
    r.add_argument("--access-log", help="access log file (default: stdout)")
    r.add_argument("--log-level", default="INFO")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    names = {s.name for s in ROUTES}
    backends: dict[str, list[str]] = {}
    for item in args.backend:
        name, sep, url = item.partition("=")
        if not sep or name not in names or not url:
            print(f"--backend {item!r}: expected SERVICE=URL, SERVICE in {sorted(names)}")
            return 2
        backends.setdefault(name, []).append(url)
    body_limits = dict(DEFAULT_SERVICE_BODY_BYTES)
    for item in args.service_body_bytes:
        name, sep, value = item.partition("=")
        if not sep or name not in names or not value.isdigit() or int(value) <= 0:
            print(
                f"--service-body-bytes {item!r}: expected SERVICE=BYTES, SERVICE in {sorted(names)}"
            )
            return 2
        body_limits[name] = int(value)
    cors: tuple[str, ...]
    if args.no_cors:
        cors = ()
    elif args.cors_origin:
        cors = tuple(args.cors_origin)
    else:
        cors = DEFAULT_CORS_ORIGINS
    out: Path = args.out
    options = GatewayOptions(
        address=args.address,
        internal_address=args.internal_address,
        dynamic_file=args.dynamic_file or (out / "dynamic.yml").as_posix(),
        backends=backends,
        cors_origins=cors,
        max_body_bytes=args.max_body_bytes,
        service_body_bytes=body_limits,
        rate_limit=args.rate_limit,
        auth_rate_limit=args.auth_rate_limit,
        trusted_proxies=tuple(args.trusted_proxy),
        access_log_path=args.access_log,
        log_level=args.log_level,
    )
    files = render(options)
    if args.check:
        stale = [
            name
            for name, text in files.items()
            if not (out / name).is_file() or (out / name).read_text(encoding="utf-8") != text
        ]
        for name in stale:
            print(f"{out / name} differs from a fresh render")
        return 1 if stale else 0
    out.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
        print(out / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
