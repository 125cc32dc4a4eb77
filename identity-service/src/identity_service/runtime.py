"""What the identity use cases need besides a session: keys, clock, policies, hashing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from identity_service.domain.limits import LockoutPolicy, Window
from identity_service.domain.otp import OtpPolicy
from identity_service.domain.passwords import PasswordPolicy
from identity_service.keyring import Keyring
from identity_service.passwords import PasswordHashing
from identity_service.settings import IdentitySettings
from identity_service.tokens import KeyringVerifier, TokenMinter
from mahaliyat.clock import Clock


@dataclass
class IdentityRuntime:
    settings: IdentitySettings
    keyring: Keyring
    clock: Clock
    minter: TokenMinter = field(init=False)
    verifier: KeyringVerifier = field(init=False)
    hashing: PasswordHashing = field(init=False)
    otp_policy: OtpPolicy = field(init=False)
    lockout: LockoutPolicy = field(init=False)
    password_policy: PasswordPolicy = field(init=False)
    phone_windows: tuple[Window, ...] = field(init=False)
    national_id_windows: tuple[Window, ...] = field(init=False)
    ip_windows: tuple[Window, ...] = field(init=False)
    redirect_windows: tuple[Window, ...] = field(init=False)

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

    @property
    def otp_delivery_secret(self) -> str:
        return self.settings.otp_delivery_key.get_secret_value()


def _windows(limits: tuple[tuple[int, int], ...]) -> tuple[Window, ...]:
    return tuple(Window(count, timedelta(seconds=seconds)) for count, seconds in limits)
