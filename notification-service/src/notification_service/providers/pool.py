"""Providers in priority order, with failover and demotion of a failing provider.

A technical failure (the provider, not the message, is at fault) moves on to the
next provider. ``failure_threshold`` technical failures in a row demote a
provider for ``cooldown``: it goes to the back of the order, still tried when
every healthy one fails. A temporary failure (throttling, "try later") is about
this moment, so the message is retried later rather than moved on; but
``temporary_threshold`` of them in a row (0 = never) mean the provider cannot
keep up, and demote it too — the message that tipped it moves on at once, and
the healthy backup takes the traffic. After the cool-down a provider is back in
its place; one more failure of the same kind demotes it again at once; a message
it accepts or refuses for good clears its record. Health is kept per process:
each replica learns on its own, which costs a few extra failures.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from prometheus_client import Counter

from notification_service.providers.base import OutgoingSms, SendResult, SmsProvider

log = logging.getLogger(__name__)

SENDS = Counter(
    "mahaliyat_sms_provider_sends_total", "SMS submissions by provider", ["provider", "outcome"]
)
DEMOTIONS = Counter(
    "mahaliyat_sms_provider_demotions_total", "Providers demoted after failures", ["provider"]
)


@dataclass
class ProviderHealth:
    consecutive_failures: int = 0  # technical
    consecutive_temporary: int = 0
    demoted_until: datetime | None = None

    def demoted(self, now: datetime) -> bool:
        return self.demoted_until is not None and now < self.demoted_until


@dataclass(frozen=True, slots=True)
class PoolResult:
    provider: str
    result: SendResult
    tried: tuple[tuple[str, SendResult], ...] = field(default=())


class ProviderPool:
    def __init__(
        self,
        providers: Sequence[SmsProvider],
        *,
        clock: Callable[[], datetime],
        failure_threshold: int = 3,
        temporary_threshold: int = 0,
        cooldown: timedelta = timedelta(minutes=5),
    ) -> None:
        if not providers:
            raise ValueError("at least one SMS provider is required")
        self.providers = tuple(providers)
        self.by_name = {p.name: p for p in self.providers}
        self.clock = clock
        self.failure_threshold = failure_threshold
        self.temporary_threshold = temporary_threshold
        self.cooldown = cooldown
        self.health = {p.name: ProviderHealth() for p in self.providers}

    def order(self) -> list[SmsProvider]:
        """Healthy providers by priority, then the demoted ones by priority."""
        now = self.clock()
        healthy = [p for p in self.providers if not self.health[p.name].demoted(now)]
        demoted = [p for p in self.providers if self.health[p.name].demoted(now)]
        return healthy + demoted

    def is_demoted(self, name: str) -> bool:
        return self.health[name].demoted(self.clock())

    async def send(self, sms: OutgoingSms) -> PoolResult:
        tried: list[tuple[str, SendResult]] = []
        for provider in self.order():
            try:
                result = await provider.send(sms)
            except Exception as exc:  # a provider bug must not stop the others
                log.exception("provider %s raised", provider.name)
                result = SendResult("technical_failure", None, "provider_raised", repr(exc)[:300])
            SENDS.labels(provider.name, result.outcome).inc()
            tried.append((provider.name, result))
            if result.outcome == "technical_failure":
                self._failed(provider.name, "technical")
                continue
            if result.outcome == "temporary_failure" and self.temporary_threshold:
                if self._failed(provider.name, "temporary"):
                    continue  # it cannot keep up: the next provider takes this message too
                return PoolResult(provider.name, result, tuple(tried))
            self.health[provider.name] = ProviderHealth()
            return PoolResult(provider.name, result, tuple(tried))
        # Every provider failed: the answer that decides is the last non-technical one, if any
        # (a throttled message is retried later), else the last technical failure.
        name, last = next(
            (entry for entry in reversed(tried) if entry[1].outcome != "technical_failure"),
            tried[-1],
        )
        return PoolResult(name, last, tuple(tried))

    def _failed(self, name: str, kind: str) -> bool:
        """Count a failure; True when it demoted the provider just now."""
        health = self.health[name]
        if kind == "technical":
            health.consecutive_failures += 1
            count, threshold = health.consecutive_failures, self.failure_threshold
        else:
            health.consecutive_temporary += 1
            count, threshold = health.consecutive_temporary, self.temporary_threshold
        now = self.clock()
        if count < threshold or health.demoted(now):
            return False
        health.demoted_until = now + self.cooldown
        DEMOTIONS.labels(name).inc()
        log.warning(
            "SMS provider %s demoted for %s after %d %s failures in a row",
            name,
            self.cooldown,
            count,
            kind,
        )
        return True

    async def close(self) -> None:
        for provider in self.providers:
            await provider.close()
