"""The composition root: keys, clock, policies, hashing — what use cases need besides a session.

Built once, by ``create_app`` (or a command of ``__main__``), from the settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from identity_service.domain.limits import LockoutPolicy, Window
from identity_service.domain.otp import OtpPolicy
from identity_service.domain.passwords import PasswordPolicy
from identity_service.passwords import PasswordHashing
from identity_service.ports.keys import Keyring
from identity_service.ports.otp_delivery import OtpDelivery, SealedForNotification
from identity_service.settings import IdentitySettings
from identity_service.tokens import KeyringVerifier, TokenMinter
from mahaliyat.clock import Clock, system_clock


@dataclass
class Adapters:
    settings: IdentitySettings
    keyring: Keyring
    clock: Clock
    minter: TokenMinter = field(init=False)
    verifier: KeyringVerifier = field(init=False)
    hashing: PasswordHashing = field(init=False)
    otp_delivery: OtpDelivery = field(init=False)
    otp_policy: OtpPolicy = field(init=False)
    lockout: LockoutPolicy = field(init=False)
    password_policy: PasswordPolicy = field(init=False)
    phone_windows: tuple[Window, ...] = field(init=False)
    national_id_windows: tuple[Window, ...] = field(init=False)
    ip_windows: tuple[Window, ...] = field(init=False)
    redirect_windows: tuple[Window, ...] = field(init=False)

    @classmethod
    def from_settings(cls, settings: IdentitySettings, clock: Clock = system_clock) -> Adapters:
        """The adapters with the keyring the settings point at (KeyringError when unusable)."""
        keyring = Keyring.from_settings(
            keyring_json=settings.signing_keys.get_secret_value()
            if settings.signing_keys
            else None,
            path=settings.keys_path,
            jwks_path=settings.jwks_path,
            check_seconds=settings.keyring_check_seconds,
            may_generate=settings.may_generate_keys,
            now=clock(),
        )
        return cls(settings, keyring, clock)

    def __post_init__(self) -> None:
        s = self.settings
        self.minter = TokenMinter(
            self.keyring, issuer=s.jwt_issuer, audience=s.jwt_audience, clock=self.clock
        )
        self.verifier = KeyringVerifier(self.keyring, issuer=s.jwt_issuer, audience=s.jwt_audience)
        self.hashing = PasswordHashing(
            time_cost=s.argon2_time_cost,
            memory_kib=s.argon2_memory_kib,
            parallelism=s.argon2_parallelism,
        )
        self.otp_delivery = SealedForNotification(s.otp_delivery_key.get_secret_value())
        self.otp_policy = OtpPolicy(timedelta(seconds=s.otp_ttl_seconds), s.otp_max_attempts)
        self.lockout = LockoutPolicy(
            s.staff_max_failures,
            timedelta(seconds=s.staff_failure_window_seconds),
            timedelta(seconds=s.staff_lockout_seconds),
        )
        self.password_policy = PasswordPolicy(s.password_min_length)
        self.phone_windows = _windows(s.otp_phone_limits)
        self.national_id_windows = _windows(s.otp_national_id_limits)
        self.ip_windows = _windows(s.otp_ip_limits)
        self.redirect_windows = _windows(s.otp_redirect_limits)

    @property
    def otp_pepper(self) -> bytes:
        return self.settings.otp_pepper.get_secret_value().encode()


def _windows(limits: tuple[tuple[int, int], ...]) -> tuple[Window, ...]:
    return tuple(Window(count, timedelta(seconds=seconds)) for count, seconds in limits)
