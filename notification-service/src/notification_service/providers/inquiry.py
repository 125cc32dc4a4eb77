"""Asking request-service for an application's status, with a service token from identity.

The token comes from identity-service's OAuth2 token endpoint (client
credentials, scope ``requests:status``) and is reused until shortly before it
expires; a 401 from request-service drops it and asks once more.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol
from urllib.parse import quote

import httpx

log = logging.getLogger(__name__)

TOKEN_PATH = "/api/v1/identity/token"  # noqa: S105 (a path, not a secret)
INQUIRY_PATH = "/api/v1/requests/inquiry/{tracking_number}"


class InquiryUnavailable(Exception):
    """identity or request-service did not give a usable answer."""


class ServiceToken:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str,
        auth_method: Literal["client_secret_post", "client_secret_basic"] = "client_secret_post",
        clock: Callable[[], float] = time.monotonic,
        margin_seconds: float = 30.0,
    ) -> None:
        self._client = client
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self.scope = scope
        self.auth_method = auth_method
        self.clock = clock
        self.margin_seconds = margin_seconds
        self._token: str | None = None
        self._valid_until = float("-inf")
        self._lock = asyncio.Lock()
        self.fetches = 0

    def invalidate(self) -> None:
        self._token = None

    async def get(self) -> str:
        if self._token is not None and self.clock() < self._valid_until:
            return self._token
        async with self._lock:
            if self._token is not None and self.clock() < self._valid_until:
                return self._token
            return await self._fetch()

    async def _fetch(self) -> str:
        form = {"grant_type": "client_credentials", "scope": self.scope}
        auth: httpx.BasicAuth | None = None
        if self.auth_method == "client_secret_basic":
            auth = httpx.BasicAuth(self.client_id, self._client_secret)
        else:
            form.update(client_id=self.client_id, client_secret=self._client_secret)
        asked_at = self.clock()
        try:
            response = await self._client.post(
                self.token_url, data=form, auth=auth or httpx.USE_CLIENT_DEFAULT
            )
        except httpx.HTTPError as exc:
            raise InquiryUnavailable(f"identity unreachable: {type(exc).__name__}") from exc
        self.fetches += 1
        if response.status_code != 200:
            raise InquiryUnavailable(
                f"identity refused the service credential ({response.status_code})"
            )
        try:
            document = response.json()
            token = document["access_token"]
            lifetime = float(document.get("expires_in", 60))
        except (ValueError, KeyError, TypeError) as exc:
            raise InquiryUnavailable("identity answered without a token") from exc
        if not isinstance(token, str) or not token:
            raise InquiryUnavailable("identity answered without a token")
        margin = min(self.margin_seconds, lifetime / 2)
        self._token, self._valid_until = token, asked_at + lifetime - margin
        return token


@dataclass(frozen=True, slots=True)
class ApplicationStatus:
    tracking_number: str
    state: str
    service_name: Mapping[str, str]
    applicant_phone: str
    language: str
    next_step: Mapping[str, str] | None


class ApplicationStatuses(Protocol):
    """Where an application's status is asked for; tests give a fake request-service instead."""

    async def lookup(self, tracking_number: str) -> ApplicationStatus | None:
        """The status, None for an unknown number; raises :class:`InquiryUnavailable`."""
        ...


class RequestStatus:
    """request-service's status inquiry, with a service token from identity."""

    def __init__(self, client: httpx.AsyncClient, token: ServiceToken, *, base_url: str) -> None:
        self._client = client
        self.token = token
        self.base_url = base_url.rstrip("/")

    async def lookup(self, tracking_number: str) -> ApplicationStatus | None:
        """The application's status, or None when request-service does not know the number."""
        url = self.base_url + INQUIRY_PATH.format(tracking_number=quote(tracking_number, safe=""))
        for attempt in (1, 2):
            token = await self.token.get()
            try:
                response = await self._client.get(url, headers={"Authorization": f"Bearer {token}"})
            except httpx.HTTPError as exc:
                raise InquiryUnavailable(
                    f"request-service unreachable: {type(exc).__name__}"
                ) from exc
            if response.status_code == 401 and attempt == 1:
                self.token.invalidate()
                continue
            if response.status_code == 404:
                return None
            if response.status_code != 200:
                raise InquiryUnavailable(f"request-service answered {response.status_code}")
            return _status(response)
        raise InquiryUnavailable("request-service refused the service token")


def _status(response: httpx.Response) -> ApplicationStatus:
    try:
        document: Any = response.json()
        next_step = document.get("next_step")
        return ApplicationStatus(
            tracking_number=str(document["tracking_number"]),
            state=str(document["state"]),
            service_name=dict(document.get("service_name") or {}),
            applicant_phone=str(document["applicant_phone"]),
            language=document.get("language") if document.get("language") in ("ar", "en") else "ar",
            next_step=dict(next_step) if isinstance(next_step, Mapping) else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InquiryUnavailable("request-service answered something unreadable") from exc
