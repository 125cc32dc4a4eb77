"""Staff password policy."""

from __future__ import annotations

from dataclasses import dataclass

MAX_PASSWORD_LENGTH = 256  # argon2 cost grows with input; nobody types more


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    min_length: int = 10

    def problems(self, password: str, *, username: str) -> list[str]:
        """Message codes for what the password breaks; empty when it is acceptable."""
        found = []
        if len(password) < self.min_length:
            found.append("password_too_short")
        if len(password) > MAX_PASSWORD_LENGTH:
            found.append("password_too_long")
        if password.strip().casefold() == username.strip().casefold():
            found.append("password_equals_username")
        return found


MESSAGES: dict[str, tuple[str, str]] = {
    "password_too_short": (
        "كلمة المرور قصيرة جدًا.",
        "The password is too short.",
    ),
    "password_too_long": (
        "كلمة المرور أطول من 256 حرفًا.",
        "The password is longer than 256 characters.",
    ),
    "password_equals_username": (
        "لا يجوز أن تكون كلمة المرور هي اسم المستخدم.",
        "The password must not be the username.",
    ),
    "password_unchanged": (
        "كلمة المرور الجديدة هي نفسها الحالية.",
        "The new password is the current one.",
    ),
}
