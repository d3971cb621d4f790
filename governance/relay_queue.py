"""The relayer's persisted queue of accepted votes, in SQL through SQLAlchemy (SQLite by default).

One row per accepted vote; UNIQUE(ballot, nullifier) makes "this vote is already queued" a database
fact, so two requests (or two processes) cannot both enqueue one vote. UNIQUE(sender, nonce) makes two
transactions for one nonce impossible to record. A row moves queued -> signed (nonce and gas price
chosen, written BEFORE the transaction leaves) -> sent (the node took it; its hash) -> mined or failed.
Because the nonce is on disk before the broadcast, a relayer killed at any point re-broadcasts the same
nonce after a restart: at most one transaction per vote can ever be mined, and none is forgotten.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from .errors import NullifierUsedError, UpstreamError
from .nullifier_store import SQLITE_BUSY_TIMEOUT_S

log = logging.getLogger(__name__)
QUEUED, SIGNED, SENT, MINED, FAILED = "queued", "signed", "sent", "mined", "failed"
OPEN_STATES = (SIGNED, SENT)  # a nonce is taken; the transaction may be (or become) mined

metadata = MetaData()
relay_votes = Table(
    "relay_queue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ballot", String(32), nullable=False),
    Column("proposal_id", BigInteger, nullable=False),
    Column("nullifier", String(78), nullable=False),  # decimal: a BN254 field element exceeds BIGINT
    Column("sender", String(42), nullable=False),
    Column("to_address", String(42), nullable=False),
    Column("data", Text, nullable=False),
    Column("gas", BigInteger, nullable=False),
    Column("state", String(8), nullable=False),
    Column("nonce", BigInteger),
    Column("gas_price", String(78)),
    Column("tx_hash", String(66)),
    Column("sent_at", Float),
    Column("block_number", BigInteger),
    Column("gas_used", BigInteger),
    Column("error", String(200)),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("ballot", "nullifier", name="one_vote_per_nullifier"),
    UniqueConstraint("sender", "nonce", name="one_transaction_per_nonce"),
)


class AlreadyQueuedError(NullifierUsedError):
    """The vote (ballot, nullifier) is already in the queue (HTTP 409)."""

    code = "already_queued"


@dataclass(frozen=True)
class QueuedVote:
    """One row of the queue."""

    id: int
    ballot: str
    proposal_id: int
    nullifier: int
    sender: str
    to: str
    data: str
    gas: int
    state: str
    nonce: int | None = None
    gas_price: int | None = None
    tx_hash: str | None = None
    sent_at: float | None = None
    block_number: int | None = None
    gas_used: int | None = None
    error: str | None = None

    @property
    def done(self) -> bool:
        """True once mined or failed."""
        return self.state in (MINED, FAILED)


def _vote(row) -> QueuedVote:
    return QueuedVote(
        row.id,
        row.ballot,
        int(row.proposal_id),
        int(row.nullifier),
        row.sender,
        row.to_address,
        row.data,
        int(row.gas),
        row.state,
        None if row.nonce is None else int(row.nonce),
        None if row.gas_price is None else int(row.gas_price),
        row.tx_hash,
        row.sent_at,
        None if row.block_number is None else int(row.block_number),
        None if row.gas_used is None else int(row.gas_used),
        row.error,
    )


def relay_queue_url(data_dir: Path) -> str:
    """The default database: relay-queue.sqlite3 in `data_dir`."""
    return f"sqlite:///{Path(data_dir) / 'relay-queue.sqlite3'}"


class RelayQueue:
    """The persisted queue; every method is one short transaction (safe from many threads)."""

    def __init__(self, database_url: str) -> None:
        sqlite = database_url.startswith("sqlite")
        if sqlite and database_url.startswith("sqlite:///") and database_url != "sqlite:///:memory:":
            Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False} if sqlite else {}
        self.engine = create_engine(database_url, connect_args=connect_args)
        if sqlite:
            event.listen(self.engine, "connect", _wal)
        metadata.create_all(self.engine)

    def enqueue(
        self, ballot: str, proposal_id: int, nullifier: int, sender: str, to: str, data: str, gas: int
    ) -> QueuedVote:
        """Queue a vote; AlreadyQueuedError if (ballot, nullifier) is in the queue already."""
        row = dict(
            ballot=ballot,
            proposal_id=proposal_id,
            nullifier=str(nullifier),
            sender=sender,
            to_address=to,
            data=data,
            gas=gas,
            state=QUEUED,
            created_at=time.time(),
        )
        try:
            with self.engine.begin() as connection:
                connection.execute(relay_votes.insert().values(**row))
        except IntegrityError as e:
            raise AlreadyQueuedError("this vote is already queued", nullifier) from e
        except SQLAlchemyError as e:
            raise _unavailable(e) from e
        found = self.get(ballot, nullifier)
        assert found is not None
        return found

    def get(self, ballot: str, nullifier: int) -> QueuedVote | None:
        """The row of (ballot, nullifier), or None."""
        query = select(relay_votes).where(
            relay_votes.c.ballot == ballot, relay_votes.c.nullifier == str(nullifier)
        )
        return self._one(query)

    def in_state(self, states: tuple[str, ...], sender: str, limit: int = 1000) -> list[QueuedVote]:
        """Rows of `sender` in `states`: queued ones oldest first, others by nonce."""
        order = relay_votes.c.id if states == (QUEUED,) else relay_votes.c.nonce
        query = (
            select(relay_votes)
            .where(relay_votes.c.state.in_(states), relay_votes.c.sender == sender)
            .order_by(order)
            .limit(limit)
        )
        try:
            with self.engine.connect() as connection:
                return [_vote(r) for r in connection.execute(query)]
        except SQLAlchemyError as e:
            raise _unavailable(e) from e

    def highest_nonce(self, sender: str) -> int | None:
        """The highest nonce recorded for `sender`, or None."""
        query = select(func.max(relay_votes.c.nonce)).where(relay_votes.c.sender == sender)
        with self.engine.connect() as connection:
            value = connection.execute(query).scalar_one_or_none()
        return None if value is None else int(value)

    def count(self, state: str | None = None) -> int:
        """Rows (in `state`)."""
        query = select(func.count()).select_from(relay_votes)
        if state is not None:
            query = query.where(relay_votes.c.state == state)
        with self.engine.connect() as connection:
            return int(connection.execute(query).scalar_one())

    def sign(self, nonces: dict[int, int], gas_price: int) -> None:
        """Record the nonces (by row id) and gas price chosen for queued rows, in one transaction, before
        any of them is broadcast."""
        self._set_many({i: dict(state=SIGNED, nonce=n, gas_price=str(gas_price)) for i, n in nonces.items()})

    def sent(self, hashes: dict[int, str], gas_price: int) -> None:
        """The node took these transactions (row id -> hash; first broadcasts or replacements)."""
        now = time.time()
        self._set_many(
            {i: dict(state=SENT, tx_hash=h, gas_price=str(gas_price), sent_at=now) for i, h in hashes.items()}
        )

    def mined(self, vote_id: int, block_number: int | None, gas_used: int | None) -> None:
        """Its transaction was mined and succeeded (block unknown when seen only by its spent nullifier)."""
        self._set(vote_id, state=MINED, block_number=block_number, gas_used=gas_used)

    def failed(self, vote_id: int, error: str, *, release_nonce: bool = False) -> None:
        """It will not be counted; `release_nonce` when its transaction never reached the node."""
        extra = {"nonce": None} if release_nonce else {}
        self._set(vote_id, state=FAILED, error=error[:200], **extra)

    def requeue(self, vote_ids: list[int]) -> None:
        """Back to queued, nonces released (the node refused them before taking them)."""
        values = dict(state=QUEUED, nonce=None, gas_price=None, tx_hash=None, sent_at=None)
        self._set_many({i: values for i in vote_ids})

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    def _set(self, vote_id: int, **values: object) -> None:
        try:
            with self.engine.begin() as connection:
                connection.execute(update(relay_votes).where(relay_votes.c.id == vote_id).values(**values))
        except SQLAlchemyError as e:
            raise _unavailable(e) from e

    def _set_many(self, changes: dict[int, dict[str, object]]) -> None:
        if not changes:
            return
        try:
            with self.engine.begin() as connection:
                for vote_id, values in changes.items():
                    connection.execute(
                        update(relay_votes).where(relay_votes.c.id == vote_id).values(**values)
                    )
        except SQLAlchemyError as e:
            raise _unavailable(e) from e

    def _one(self, query) -> QueuedVote | None:
        try:
            with self.engine.connect() as connection:
                row = connection.execute(query).first()
        except SQLAlchemyError as e:
            raise _unavailable(e) from e
        return None if row is None else _vote(row)


def _unavailable(error: SQLAlchemyError) -> UpstreamError:
    log.warning("relay queue database error: %s", error)  # the driver's text stays in the log
    return UpstreamError("the relay queue database is unavailable; nothing was queued, retry later")


def _wal(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    cursor.close()
