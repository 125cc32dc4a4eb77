"""``python -m identity_service``: key rotation and the first administrator.

    python -m identity_service rotate-keys [--keys-file PATH]
    python -m identity_service create-admin USERNAME --name-ar "…"

Settings come from the environment, as for the service (``MAHALIYAT_IDENTITY_*``); both
commands write to the service's database (migrated first) and are audited there.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from identity_service.adapters import Adapters
from identity_service.app import MIGRATIONS
from identity_service.domain.keys import (
    KeyringError,
    dump_keyring,
    parse_keyring,
    public_jwks,
    rotate,
)
from identity_service.domain.roles import PLATFORM_ADMIN, RoleGrant
from identity_service.ports.keys import FileKeyStore, write_public
from identity_service.services.audit import Caller, audit
from identity_service.services.staff import create_staff
from identity_service.settings import IdentitySettings
from mahaliyat.clock import Clock, system_clock
from mahaliyat.db import Database
from mahaliyat.migrations import upgrade
from mahaliyat.problems import Problem

# Verifiers accept tokens up to this much past expiry (the kernel's leeway, with margin).
CLOCK_LEEWAY = timedelta(seconds=60)
# A new key is published this long before it signs: a verifier that refreshed its JWKS just
# before the rotation may refetch only 30 s later (mahaliyat.auth), so it meets no unknown kid.
ACTIVATION_DELAY = timedelta(seconds=60)


async def rotate_keys(
    settings: IdentitySettings,
    keys_file: Path | None = None,
    activate_after: timedelta = ACTIVATION_DELAY,
    clock: Clock = system_clock,
) -> str:
    """Add a signing key, retire the current one, drop keys retired long enough ago.

    Audited like an admin action (``keys.rotated``, actor ``system:cli``): the entry is
    written before the files and committed after them, so a rotation that fails leaves
    no entry, and a database that cannot take the entry stops the rotation.
    """
    if settings.signing_keys is not None and keys_file is None:
        raise KeyringError(
            "the keys come from MAHALIYAT_IDENTITY_SIGNING_KEYS: rotate them where that is set"
        )
    path = keys_file or settings.keys_path
    now = clock()
    keys = parse_keyring(path.read_text()) if path.exists() else []
    keep = timedelta(seconds=settings.longest_token_seconds) + CLOCK_LEEWAY
    # A first key has no verifier to wait for.
    ring, new, dropped = rotate(keys, now, keep, activate_after if keys else timedelta(0))
    database = Database(settings.database_url)
    written = False
    try:
        await upgrade(database, MIGRATIONS)
        async with database.unit_of_work() as uow:
            await audit(
                uow.session,
                Caller("system:cli", None),
                "keys.rotated",
                at=now,
                target=f"key:{new.kid}",
                activates_at=new.activates_at.isoformat() if new.activates_at else None,
                retired=[key.kid for key in keys if key.retired_at is None],
                dropped=[key.kid for key in dropped],
                keys_file=str(path),
                operator=_operator(),
            )
            await uow.session.flush()
            FileKeyStore(path).write(dump_keyring(ring))
            write_public(settings.jwks_path, public_jwks(ring))
            written = True
    except SQLAlchemyError as exc:
        if written:
            raise KeyringError(
                f"the keys were rotated (signing with {new.kid}) but the audit entry "
                f"could not be saved: {exc}"
            ) from exc
        raise KeyringError(f"nothing rotated: cannot write the audit entry: {exc}") from exc
    finally:
        await database.dispose()
    when = f"from {new.activates_at:%Y-%m-%d %H:%M:%S}Z" if new.activates_at else "now"
    lines = [f"signing with {new.kid} {when} (written to {path})"]
    lines += [f"still published: {key.kid}" for key in ring[1:]]
    lines += [f"dropped (retired before {now - keep:%Y-%m-%d %H:%M}Z): {k.kid}" for k in dropped]
    return "\n".join(lines)


def _operator() -> str:
    """The operating-system account that ran the command, for the audit trail."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


async def create_admin(
    settings: IdentitySettings, username: str, name_ar: str, name_en: str | None
) -> str:
    """A platform_admin with a generated password, printed once."""
    adapters = Adapters.from_settings(settings, system_clock)
    database = Database(settings.database_url)
    try:
        await upgrade(database, MIGRATIONS)
        async with database.unit_of_work() as uow:
            user, password = await create_staff(
                uow.session,
                adapters,
                username=username,
                full_name_ar=name_ar,
                full_name_en=name_en,
                password=None,
                grants=[RoleGrant(PLATFORM_ADMIN, "EG")],
                caller=Caller("system:cli", None),
            )
    finally:
        await database.dispose()
    return f"created {user.username} (platform_admin, EG); password, shown once: {password}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m identity_service")
    commands = parser.add_subparsers(dest="command", required=True)
    rotate_parser = commands.add_parser(
        "rotate-keys", help="add a signing key; drop old retired keys"
    )
    rotate_parser.add_argument("--keys-file", type=Path, default=None)
    rotate_parser.add_argument(
        "--activate-after",
        type=int,
        default=int(ACTIVATION_DELAY.total_seconds()),
        help="seconds the new key is published before it signs (default 60)",
    )
    admin_parser = commands.add_parser("create-admin", help="create a platform_admin account")
    admin_parser.add_argument("username")
    admin_parser.add_argument("--name-ar", required=True)
    admin_parser.add_argument("--name-en", default=None)
    args = parser.parse_args(argv)
    settings = IdentitySettings()
    try:
        if args.command == "rotate-keys":
            delay = timedelta(seconds=args.activate_after)
            print(asyncio.run(rotate_keys(settings, args.keys_file, delay)))
        else:
            print(asyncio.run(create_admin(settings, args.username, args.name_ar, args.name_en)))
    except (KeyringError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except Problem as problem:
        print(
            f"error: {problem.code}: {problem.detail or ''} {problem.errors or ''}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
