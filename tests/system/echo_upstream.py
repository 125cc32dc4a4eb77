"""A stand-in upstream: a minimal ASGI app that answers with what it received.

Started by the harness in place of a real service, one process per service:

    MAHALIYAT_ECHO_SERVICE=catalog python -m uvicorn --factory \
        --app-dir tests/system echo_upstream:create_app --port N

Every request gets ``200`` and a JSON body ``{"service", "method", "path", "query",
"headers", "body_bytes"}`` (headers as ``[[name, value], ...]``, names lower-cased as
ASGI gives them). Like the real services it returns ``X-Request-Id``: the client's
when it is well-formed, otherwise a fresh one. Query parameters steer the answer:
``echo_status=NNN`` sets the status, ``echo_bytes=N`` replaces the body with ``N``
bytes of text (to test large and compressed responses).

No imports beyond the standard library: it must start in a blink.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SERVICE_ENV = "MAHALIYAT_ECHO_SERVICE"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def create_app(service: str | None = None) -> ASGIApp:
    name = service or os.environ.get(SERVICE_ENV, "echo")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body_bytes = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body_bytes += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = [[k.decode("latin-1"), v.decode("latin-1")] for k, v in scope["headers"]]
        query = scope.get("query_string", b"").decode("latin-1")
        params = {k: v[-1] for k, v in parse_qs(query).items()}
        request_id = next((v for k, v in headers if k == "x-request-id"), "")
        if not _VALID_REQUEST_ID.match(request_id):
            request_id = uuid.uuid4().hex
        status = int(params.get("echo_status", "200"))
        if "echo_bytes" in params:
            payload = b"mahaliyat " * (int(params["echo_bytes"]) // 10 + 1)
            payload = payload[: int(params["echo_bytes"])]
            content_type = b"text/plain; charset=utf-8"
        else:
            payload = json.dumps(
                {
                    "service": name,
                    "method": scope["method"],
                    "path": scope["path"],
                    "query": query,
                    "headers": headers,
                    "body_bytes": body_bytes,
                }
            ).encode()
            content_type = b"application/json"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(payload)).encode()),
                    (b"x-request-id", request_id.encode()),
                    (b"x-echo-service", name.encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    return app
