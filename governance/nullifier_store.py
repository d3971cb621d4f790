"""Used nullifiers per action, in SQL through SQLAlchemy (SQLite by default, PostgreSQL in production).

The UNIQUE constraint on (action, nullifier) is the only arbiter of "already used": `record` is a single
INSERT, so two concurrent requests with the same nullifier cannot both succeed, whatever the interleaving
of the checks before it (DESIGN.md invariant 2). The key column holds what names the nullifier space:
`scope:<decimal>` for a dapp action (the scope already binds app id, chain id and action), never
client text, so no NUL or other driver-hostile character reaches the database. Database failures reach
the client as a bare 503; the driver's message stays in the server log.
"""

from __future__ import annotations

import logging
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
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from .errors import NullifierUsedError, UpstreamError

log = logging.getLogger(__name__)
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

    def record(self, action: str, nullifier: int, signal_hash: int, now: int | None = None) -> bool:
        """Record the first use of `nullifier` under `action`; True when this call recorded it.

        A repeat of the identical (action, nullifier, signal_hash) returns False (idempotent: the first
        verdict stands); the nullifier used with another signal raises NullifierUsedError. UpstreamError
        (without the driver's text) when the database fails.
        """
        row = {
            "action": action,
            "nullifier": str(nullifier),
            "signal_hash": str(signal_hash),
            "recorded_at": int(time.time()) if now is None else now,
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(nullifiers.insert().values(**row))
            return True
        except IntegrityError:
            pass  # already used: by this same claim (a repeat) or by another
        except SQLAlchemyError as e:
            raise _unavailable(e) from e
        if self.recorded_signal(action, nullifier) == signal_hash:
            return False
        raise NullifierUsedError("this nullifier was already used for this action", nullifier)

    def recorded_signal(self, action: str, nullifier: int) -> int | None:
        """The signal hash `nullifier` was recorded with under `action`, or None if it is unused."""
        query = select(nullifiers.c.signal_hash).where(
            nullifiers.c.action == action, nullifiers.c.nullifier == str(nullifier)
        )
        try:
            with self.engine.connect() as connection:
                value = connection.execute(query).scalar_one_or_none()
        except SQLAlchemyError as e:
            raise _unavailable(e) from e
        return None if value is None else int(value)

    def is_used(self, action: str, nullifier: int) -> bool:
        """True if `nullifier` was recorded for `action` (a cheap pre-check; `record` decides)."""
        return self.recorded_signal(action, nullifier) is not None

    def count(self) -> int:
        """Rows stored (all actions)."""
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(nullifiers)).scalar_one())

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()


def _unavailable(error: SQLAlchemyError) -> UpstreamError:
    # The driver's text can name tables, hosts or values: it goes to the log, never to the client.
    log.warning("nullifier database error: %s", error)
    return UpstreamError("the nullifier database is unavailable; nothing was recorded, retry later")


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not block the writer
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()
