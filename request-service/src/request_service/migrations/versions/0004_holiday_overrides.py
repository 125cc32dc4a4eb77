"""Holidays: the table holds the admins' decisions over the seed from the holidays package.

Egypt's holidays now come from the kernel calendar (``mahaliyat.calendar.egypt_holidays``,
the holidays package); the ``holidays`` table keeps what the admins decided over them.
``removed`` marks a day they made a working day whatever the seed says. The rows 0002
seeded and nobody changed are dropped (the new seed replaces them); a seeded day an
admin removed before (the audit log says so) becomes a ``removed`` row, so the new
seed does not bring it back.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The rows 0002 seeded (copied: a revision never imports another).
_FIXED = (
    (1, 7, "عيد الميلاد المجيد", "Coptic Christmas"),
    (1, 25, "عيد ثورة 25 يناير وعيد الشرطة", "January 25 Revolution and Police Day"),
    (4, 25, "عيد تحرير سيناء", "Sinai Liberation Day"),
    (5, 1, "عيد العمال", "Labour Day"),
    (6, 30, "ذكرى ثورة 30 يونيو", "June 30 Revolution"),
    (7, 23, "عيد ثورة 23 يوليو", "July 23 Revolution"),
    (10, 6, "عيد القوات المسلحة", "Armed Forces Day"),
)
_MOVABLE_2026 = (
    (date(2026, 3, 20), "عيد الفطر", "Eid al-Fitr"),
    (date(2026, 3, 21), "عيد الفطر", "Eid al-Fitr"),
    (date(2026, 3, 22), "عيد الفطر", "Eid al-Fitr"),
    (date(2026, 4, 13), "شم النسيم", "Sham El-Nessim"),
    (date(2026, 5, 26), "وقفة عرفات", "Arafat Day"),
    (date(2026, 5, 27), "عيد الأضحى", "Eid al-Adha"),
    (date(2026, 5, 28), "عيد الأضحى", "Eid al-Adha"),
    (date(2026, 5, 29), "عيد الأضحى", "Eid al-Adha"),
    (date(2026, 6, 16), "رأس السنة الهجرية", "Islamic New Year"),
    (date(2026, 8, 26), "المولد النبوي الشريف", "Prophet's Birthday (Mawlid)"),
)
_SEED_0002 = [
    {"day": date(year, month, day), "name_ar": ar, "name_en": en, "approximate": False}
    for year in (2026, 2027)
    for month, day, ar, en in _FIXED
] + [{"day": d, "name_ar": ar, "name_en": en, "approximate": True} for d, ar, en in _MOVABLE_2026]

_holidays = sa.table(
    "holidays",
    sa.column("day", sa.Date),
    sa.column("name_ar", sa.Text),
    sa.column("name_en", sa.Text),
    sa.column("approximate", sa.Boolean),
    sa.column("removed", sa.Boolean),
)
_audit = sa.table("audit_log", sa.column("action", sa.String), sa.column("details", sa.JSON))


def upgrade() -> None:
    op.add_column(
        "holidays", sa.Column("removed", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    connection = op.get_bind()
    for row in _SEED_0002:
        connection.execute(
            _holidays.delete().where(
                _holidays.c.day == row["day"],
                _holidays.c.name_ar == row["name_ar"],
                _holidays.c.name_en == row["name_en"],
                _holidays.c.approximate == row["approximate"],
            )
        )
    present = set(connection.execute(sa.select(_holidays.c.day)).scalars())
    removed = {
        date.fromisoformat(details["day"])
        for details in connection.execute(
            sa.select(_audit.c.details).where(_audit.c.action == "holiday_removed")
        ).scalars()
        if isinstance(details, dict) and isinstance(details.get("day"), str)
    }
    rows = [
        {"day": day, "name_ar": "", "name_en": "", "approximate": False, "removed": True}
        for day in sorted(removed - present)
    ]
    if rows:
        op.bulk_insert(_holidays, rows)


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(_holidays.delete().where(_holidays.c.removed.is_(True)))
    with op.batch_alter_table("holidays") as batch:
        batch.drop_column("removed")
    plain = sa.table(
        "holidays",
        sa.column("day", sa.Date),
        sa.column("name_ar", sa.Text),
        sa.column("name_en", sa.Text),
        sa.column("approximate", sa.Boolean),
    )
    present = set(connection.execute(sa.select(plain.c.day)).scalars())
    rows = [row for row in _SEED_0002 if row["day"] not in present]
    if rows:
        op.bulk_insert(plain, rows)
