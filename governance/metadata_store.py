"""Proposal metadata in the governance server's SQL database (SQLAlchemy: SQLite by default, PostgreSQL
in production), content-addressed by the proposal's on-chain descriptionHash.

A row is keyed by (chain id, ballot contract, proposal id, description hash), and reads look a proposal
up under the hash the chain holds now. So a row left from an earlier chain that reused the same
addresses (a restarted local node) is never shown for a new proposal, and nothing needs deleting. The
store checks nothing against the chain itself: `governance.metadata_publish` does, before `put`, and
readers re-hash what they read (a row edited in the database shows as unverified, not as the text).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from .errors import UpstreamError

log = logging.getLogger(__name__)
SQLITE_BUSY_TIMEOUT_S = 30

metadata = MetaData()
proposal_metadata = Table(
    "proposal_metadata",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("chain_id", BigInteger, nullable=False),
    Column("contract", String(42), nullable=False),  # checksummed ballot address
    Column("proposal_id", String(78), nullable=False),  # decimal: a uint256 exceeds BIGINT
    Column("description_hash", String(66), nullable=False),  # 0x + 64 hex
    Column("body", Text, nullable=False),  # the canonical JSON, UTF-8 text
    Column("stored_at", BigInteger, nullable=False),  # unix seconds
    UniqueConstraint("chain_id", "contract", "proposal_id", "description_hash", name="one_body_per_hash"),
)


@dataclass(frozen=True)
class ProposalKey:
    """Names one proposal across deployments: chain id, ballot contract address, proposal id."""

    chain_id: int
    contract: str
    proposal_id: int


class MetadataStore:
    """Insert-once, read-by-hash store of proposal metadata bodies."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        metadata.create_all(engine)

    @classmethod
    def from_url(cls, database_url: str) -> MetadataStore:
        """A store over its own engine (the CLI); the server shares the nullifier store's engine."""
        sqlite = database_url.startswith("sqlite")
        if database_url.startswith("sqlite:///") and database_url != "sqlite:///:memory:":
            Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False} if sqlite else {}
        return cls(create_engine(database_url, connect_args=connect_args))

    def put(self, key: ProposalKey, description_hash: str, body: bytes, now: int | None = None) -> bool:
        """Store `body` under the key and hash; True if stored now, False if that row already existed.
        The caller has checked that keccak256(body) is `description_hash` and that the chain holds it."""
        row = {
            "chain_id": key.chain_id,
            "contract": key.contract,
            "proposal_id": str(key.proposal_id),
            "description_hash": description_hash,
            "body": body.decode("utf-8"),
            "stored_at": int(time.time()) if now is None else now,
        }
        try:
            with self.engine.begin() as connection:
                connection.execute(proposal_metadata.insert().values(**row))
            return True
        except IntegrityError:
            return False  # the same hash: the same bytes, up to a keccak collision
        except SQLAlchemyError as e:
            raise _unavailable(e) from e

    def get(self, key: ProposalKey, description_hash: str) -> bytes | None:
        """The body stored for the proposal under `description_hash` (the chain's), or None."""
        query = select(proposal_metadata.c.body).where(
            proposal_metadata.c.chain_id == key.chain_id,
            proposal_metadata.c.contract == key.contract,
            proposal_metadata.c.proposal_id == str(key.proposal_id),
            proposal_metadata.c.description_hash == description_hash,
        )
        try:
            with self.engine.connect() as connection:
                body = connection.execute(query).scalar_one_or_none()
        except SQLAlchemyError as e:
            raise _unavailable(e) from e
        return None if body is None else body.encode("utf-8")

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()


def _unavailable(error: SQLAlchemyError) -> UpstreamError:
    log.warning("metadata database error: %s", error)  # the driver's text stays in the server log
    return UpstreamError("the metadata database is unavailable; nothing was stored, retry later")
