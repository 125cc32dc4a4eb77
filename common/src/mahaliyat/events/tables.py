"""The outbox and inbox tables, present in every service's database."""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, String, Table, Text, Uuid, text

from mahaliyat.db import UTCDateTime, make_metadata

MESSAGING_METADATA = make_metadata()

outbox = Table(
    "outbox",
    MESSAGING_METADATA,
    Column("id", Uuid, primary_key=True),  # the event id (UUIDv7, so it orders by time)
    Column("type", String(200), nullable=False),
    Column("payload", Text, nullable=False),  # the whole CloudEvent, JSON
    Column("created_at", UTCDateTime, nullable=False),
    Column("published_at", UTCDateTime, nullable=True),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text, nullable=True),
    Index(
        "ix_outbox_pending",
        "id",
        postgresql_where=text("published_at IS NULL"),
        sqlite_where=text("published_at IS NULL"),
    ),
)

inbox = Table(
    "inbox",
    MESSAGING_METADATA,
    Column("consumer", String(200), primary_key=True),
    Column("event_id", Uuid, primary_key=True),
    Column("event_type", String(200), nullable=False),
    Column("processed_at", UTCDateTime, nullable=False),
)
