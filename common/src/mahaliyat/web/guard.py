"""Refusing text no endpoint should see, before any endpoint runs (installed by the app factory).

- the path and the query string: no NUL, query values strict UTF-8;
- a JSON body (``application/json``, ``*+json``): ``bodies.parse_json_body``'s rules: strict
  UTF-8, nesting depth, NUL and unpaired surrogates, unreadable numbers;
- a form body (``application/x-www-form-urlencoded``): strict UTF-8 and no NUL in any value.

A refusal is a 422 problem naming the parameter, the field or ``body``; nothing reaches the
endpoint, so nothing is written. Text that is merely not JSON is left to the endpoint, which
answers as it always did (FastAPI's ``json_invalid``, or the endpoint's own). Multipart bodies
are read by their endpoint, which checks its text fields with ``bodies.decode_text``.
"""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mahaliyat.problems import Problem
from mahaliyat.web.bodies import InvalidJson, decode_text, nul_problem, parse_json_body

FORM = "application/x-www-form-urlencoded"


def _media_type(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"content-type":
            media: str = value.decode("latin-1").partition(";")[0].strip().lower()
            return media
    return None


def check_urlencoded(raw: bytes, location: str) -> None:
    """Every name and value of ``a=1&b=2``: strict UTF-8 once unescaped, no NUL."""
    for pair in raw.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        shown = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace")
        shown = shown.replace("\x00", "\\u0000") or "?"
        decode_text(unquote_to_bytes(name.replace(b"+", b" ")), shown, location)
        decode_text(unquote_to_bytes(value.replace(b"+", b" ")), shown, location)


class InputGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            if "\x00" in scope["path"]:
                raise nul_problem("path", "path")
            query: bytes = scope.get("query_string", b"")
            if b"%" in query or b"\x00" in query or not query.isascii():
                check_urlencoded(query, "query")
        except Problem as problem:
            await problem.response(scope["path"])(scope, receive, send)
            return
        media = _media_type(scope)
        is_json = media is not None and (media == "application/json" or media.endswith("+json"))
        if not is_json and media != FORM:
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        chunks: list[bytes] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break  # the client went away: the endpoint hears it as it would have
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            if body and is_json:
                parse_json_body(body)
            elif body:
                check_urlencoded(body, "body")
        except InvalidJson:
            pass
        except Problem as problem:
            await problem.response(scope["path"])(scope, receive, send)
            return
        replay = iter(
            [{"type": "http.request", "body": body, "more_body": False}]
            if messages and messages[-1]["type"] == "http.request"
            else messages
        )

        async def replayed() -> Message:
            message = next(replay, None)
            return message if message is not None else await receive()

        await self.app(scope, replayed, send)
