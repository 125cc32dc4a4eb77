"""A bulk-SMS HTTP API described by configuration, as Egyptian aggregators offer them.

The request is built from ``fields`` (templates over the message's values), sent as
JSON, a form or a query string, with an optional auth header. The answer is read in
two steps: the HTTP status (``success_statuses``, then ``status_outcomes``, then
4xx → permanent, anything else → technical), and, when ``result_field`` is set, the
provider's own result code in the JSON body (``result_outcomes``). The provider's
message id is read from ``message_id_field``; without one, our per-attempt
``reference`` (``<message id>-<attempt>``) is the id the provider echoes in its
receipts, so a resend of the same message is never confused with the first send.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from mahaliyat.http import make_client
from mahaliyat.identifiers import national_form
from notification_service.domain.states import SendOutcome
from notification_service.domain.templates import TemplateError, render
from notification_service.providers.base import OutgoingSms, SendResult
from notification_service.settings import HttpProviderSettings

log = logging.getLogger(__name__)


def dotted(document: Any, path: str) -> Any:
    """``dotted({"a": [{"b": 1}]}, "a.0.b") == 1``; None when any step is missing."""
    current = document
    for step in path.split("."):
        if isinstance(current, Mapping):
            current = current.get(step)
        elif isinstance(current, list) and step.lstrip("-").isdigit():
            index = int(step)
            current = current[index] if -len(current) <= index < len(current) else None
        else:
            return None
        if current is None:
            return None
    return current


class HttpProvider:
    def __init__(
        self,
        config: HttpProviderSettings,
        *,
        sender_name: str,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = config.name
        self.config = config
        self.sender_name = config.sender_name or sender_name
        headers = {"Accept": "application/json"}
        if config.auth_header and config.auth_value is not None:
            headers[config.auth_header] = config.auth_value.get_secret_value()
        self._client = make_client(
            timeout_seconds=config.timeout_seconds, transport=transport, headers=headers
        )

    def values(self, sms: OutgoingSms) -> dict[str, str]:
        raw = {
            "to": sms.to,
            "to_digits": sms.to.removeprefix("+"),
            "to_national": national_form(sms.to),
            "text": sms.text,
            "sender": self.sender_name,
            "message_id": str(sms.message_id),
            "reference": sms.reference,
            "attempt": str(sms.attempt),
            "encoding": sms.encoding,
            "language": sms.language,
            "segments": str(sms.segments),
        }
        for name, mapping in self.config.value_maps.items():
            if name in raw:
                raw[name] = mapping.get(raw[name], raw[name])
        return raw

    def payload(self, sms: OutgoingSms) -> dict[str, Any]:
        values = self.values(sms)
        body: dict[str, Any] = {}
        for field, spec in self.config.fields.items():
            body[field] = render(spec, values) if isinstance(spec, str) else spec
        for field, secret in self.config.secret_fields.items():
            body[field] = secret.get_secret_value()
        return body

    async def send(self, sms: OutgoingSms) -> SendResult:
        try:
            payload = self.payload(sms)
        except TemplateError as exc:  # a configuration mistake: no provider call can succeed
            return SendResult("technical_failure", None, "provider_misconfigured", str(exc))
        config = self.config
        try:
            if config.body_format == "query" or config.method == "GET":
                response = await self._client.request(
                    config.method, config.url, params=_as_params(payload)
                )
            elif config.body_format == "form":
                response = await self._client.request(
                    config.method, config.url, data=_as_params(payload)
                )
            else:
                response = await self._client.request(config.method, config.url, json=payload)
        except httpx.TimeoutException as exc:
            return SendResult("technical_failure", None, "timeout", type(exc).__name__)
        except httpx.HTTPError as exc:
            return SendResult("technical_failure", None, "unreachable", type(exc).__name__)
        return self.interpret(sms, response)

    def interpret(self, sms: OutgoingSms, response: httpx.Response) -> SendResult:
        config = self.config
        status = response.status_code
        if status not in config.success_statuses:
            outcome: SendOutcome = config.status_outcomes.get(
                status, "permanent_failure" if 400 <= status < 500 else "technical_failure"
            )
            return SendResult(outcome, None, f"http_{status}", response.text[:300])
        document: Any = None
        if config.result_field or config.message_id_field:
            try:
                document = response.json()
            except (json.JSONDecodeError, UnicodeDecodeError):
                return SendResult(
                    "technical_failure", None, "unreadable_answer", response.text[:300]
                )
        if config.result_field:
            code = dotted(document, config.result_field)
            key = "" if code is None else str(code)
            result = config.result_outcomes.get(key, config.unknown_result_outcome)
            if result != "sent":
                return SendResult(result, None, f"result_{key or 'missing'}", response.text[:300])
        provider_id: str | None = sms.reference
        if config.message_id_field:
            found = dotted(document, config.message_id_field)
            provider_id = None if found is None else str(found)
            if provider_id is None:
                log.warning("provider %s accepted a message but gave no id", self.name)
        return SendResult("sent", provider_id)

    async def close(self) -> None:
        await self._client.aclose()


def _as_params(payload: Mapping[str, Any]) -> dict[str, str]:
    return {
        key: ("true" if value is True else "false" if value is False else str(value))
        for key, value in payload.items()
    }
