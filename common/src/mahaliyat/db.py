"""Database: async engine and sessions for SQLite and PostgreSQL, the unit of work, column types.

Only :class:`UnitOfWork` commits. Services and domain code receive a session and
never call ``commit`` themselves.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from sqlalchemy import BigInteger, DateTime, MetaData, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Session, SessionTransaction
from sqlalchemy.types import TypeDecorator

from mahaliyat.money import Money

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> MetaData:
    """A MetaData with the shared constraint naming convention (stable names in migrations)."""
    return MetaData(naming_convention=NAMING_CONVENTION)


class Base(DeclarativeBase):
    """Declarative base for a service's own tables; each service subclasses it with its metadata."""

    __abstract__ = True


def utcnow() -> datetime:
    return datetime.now(UTC)


Bind = AsyncSession | AsyncConnection | AsyncEngine | Session | Connection | Engine


def dialect_name(bind: Bind | str) -> str:
    """``"sqlite"`` or ``"postgresql"``: the backend a session, connection or engine talks to.

    A string is taken as the dialect's name already (for statements cached per dialect).
    """
    if isinstance(bind, str):
        return bind
    if isinstance(bind, AsyncSession | Session):
        return bind.get_bind().dialect.name
    return bind.dialect.name


def upsert(bind: Bind | str, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT into ``table`` that has ``on_conflict_do_nothing``/``on_conflict_do_update``.

    The statement is the backend's own (PostgreSQL or SQLite); both take
    ``index_elements=``, ``index_where=``, ``set_=`` and ``where=``.
    """
    if dialect_name(bind) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def on_commit(session: AsyncSession | Session, callback: Callable[[], object]) -> None:
    """Run ``callback`` once, after the session's current transaction commits.

    Nothing runs if that transaction rolls back instead (a later transaction of the
    same session committing does not run it either). Savepoints do not count: releasing
    one runs nothing, and a callback registered inside one that rolls back still runs
    when the outer transaction commits. For what must only follow
    durable changes: a cache invalidated, a worker woken. An exception from the
    callback propagates from ``commit`` (the transaction is committed by then).
    """
    sync = session.sync_session if isinstance(session, AsyncSession) else session
    finished = False

    def committed(sync_session: Session) -> None:
        nonlocal finished
        # Releasing a savepoint fires after_commit too; only the outermost commit counts.
        if not finished and not sync_session.in_nested_transaction():
            finished = True
            callback()

    def ended(_session: Session, transaction: SessionTransaction) -> None:
        nonlocal finished
        if transaction.parent is None:  # the outermost transaction (not a savepoint)
            finished = True

    event.listen(sync, "after_commit", committed)
    event.listen(sync, "after_transaction_end", ended)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC; naive values are refused, results are always aware.

    SQLite keeps no time zone, so values read back are marked UTC explicitly.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        moment: datetime = value.astimezone(UTC)
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class MoneyType(TypeDecorator[Money]):
    """Stores :class:`Money` as a BIGINT of piasters."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if not isinstance(value, Money):
            raise TypeError("expected Money")
        return value.piasters

    def process_result_value(self, value: Any, dialect: Dialect) -> Money | None:
        return None if value is None else Money(int(value))


class Database:
    """One service's database: engine, session factory, and the signal that wakes its relay."""

    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.url = make_url(url)
        kwargs: dict[str, Any] = {"echo": echo, "pool_pre_ping": True}
        if self.is_sqlite:
            database = self.url.database or ""
            if database and database != ":memory:":
                from pathlib import Path

                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs.update(pool_size=pool_size, max_overflow=pool_size)
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        # Set after a commit that wrote to the outbox; the relay in this process waits on it.
        self.outbox_written = asyncio.Event()

    @property
    def dialect(self) -> str:
        return self.url.get_backend_name()

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reads only; it is rolled back, never committed."""
        async with self.sessions() as session:
            try:
                yield session
            finally:
                await session.rollback()

    async def ping(self) -> None:
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


class UnitOfWork:
    """The one place that commits: ``async with db.unit_of_work() as uow: ... uow.session``.

    Leaving the block normally commits; an exception rolls everything back, outbox
    rows included, so an event exists only if its business change committed.
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("unit of work not entered")
        return self._session

    async def __aenter__(self) -> UnitOfWork:
        self._session = self._database.sessions()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if exc_type is None:
                await session.commit()
                if session.info.pop("outbox_written", False):
                    self._database.outbox_written.set()
            else:
                await session.rollback()
        finally:
            await session.close()
            self._session = None


def _configure_sqlite(engine: AsyncEngine) -> None:
    """WAL, foreign keys, and BEGIN IMMEDIATE so that writers queue instead of failing."""
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
