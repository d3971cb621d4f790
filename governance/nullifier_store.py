"""Used nullifiers per action, in SQL through SQLAlchemy (SQLite by default, PostgreSQL in production).

The UNIQUE constraint on (action, nullifier) is the only arbiter of "already used": `record` is a single
INSERT, so two concurrent requests with the same nullifier cannot both succeed, whatever the interleaving
of the checks before it (DESIGN.md invariant 2).
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError

from .errors import NullifierUsedError, UpstreamError

SQLITE_BUSY_TIMEOUT_S = 30  # concurrent writers wait for SQLite's lock instead of failing

metadata = MetaData()
nullifiers = Table(
    "used_nullifiers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(256), nullable=False),  # the action text (or "ballot:<scope>")
    Column("nullifier", String(78), nullable=False),  # decimal: a BN254 field element exceeds BIGINT
    Column("signal_hash", String(78), nullable=False),
    Column("recorded_at", BigInteger, nullable=False),  # unix seconds
    UniqueConstraint("action", "nullifier", name="one_use_per_action"),
)


def sqlite_url(data_dir: Path) -> str:
    """The default database: governance.sqlite3 in `data_dir`."""
    return f"sqlite:///{Path(data_dir) / 'governance.sqlite3'}"


class NullifierStore:
    """Insert-or-refuse store of (action, nullifier) pairs."""

    def __init__(self, database_url: str) -> None:
        sqlite = database_url.startswith("sqlite")
        if sqlite and database_url.startswith("sqlite:///") and database_url != "sqlite:///:memory:":
            Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False} if sqlite else {}
        self.engine: Engine = create_engine(database_url, connect_args=connect_args)
        if sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        metadata.create_all(self.engine)

    def record(self, action: str, nullifier: int, signal_hash: int, now: int | None = None) -> None:
        """Record the first use of `nullifier` for `action`; raise NullifierUsedError if it was used."""
        row = {
            "action": action,
            "nullifier": str(nullifier),
            "signal_hash": str(signal_hash),
            "recorded_at": int(time.time()) if now is None else now,
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(nullifiers.insert().values(**row))
        except IntegrityError as e:
            raise NullifierUsedError(
                f"this nullifier was already used for action {action!r}", nullifier
            ) from e
        except OperationalError as e:
            raise UpstreamError(f"the nullifier database did not answer: {e.orig}") from e

    def is_used(self, action: str, nullifier: int) -> bool:
        """True if `nullifier` was recorded for `action` (a cheap pre-check; `record` decides)."""
        query = select(nullifiers.c.id).where(
            nullifiers.c.action == action, nullifiers.c.nullifier == str(nullifier)
        )
        with self.engine.connect() as connection:
            return connection.execute(query).first() is not None

    def count(self) -> int:
        """Rows stored (all actions)."""
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(nullifiers)).scalar_one())

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()
