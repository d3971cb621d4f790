"""Proposal metadata against the chain: publish only what hashes to the on-chain descriptionHash, and
read back with a status saying whether what is shown is the metadata the proposal committed to.

Statuses: `verified` (the stored body hashes to the chain's descriptionHash and fits the proposal),
`missing` (nothing stored under that hash: a proposal opened with a bare --description, or whose
metadata nobody published here), `unverified` (a stored body whose canonical form does not hash to the
chain's descriptionHash, or that no longer parses: the database was edited; its text is never shown).
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts import ChainError

from .errors import UpstreamError
from .metadata_store import MetadataStore, ProposalKey
from .proposal_metadata import MetadataError, MetadataMismatchError, ProposalMetadata, hex32
from .proposals import Proposal, ProposalBook

VERIFIED, MISSING, UNVERIFIED = "verified", "missing", "unverified"


@dataclass(frozen=True)
class MetadataView:
    """What a page may show about a proposal: `metadata` only when `status` is verified."""

    status: str
    description_hash: str
    metadata: ProposalMetadata | None = None

    @property
    def hidden_until_close(self) -> bool:
        """True when verified metadata asks to hide results until voting closes."""
        return self.metadata is not None and self.metadata.hide_results_until_close

    def label(self, option: int) -> str:
        """The option's label, or `option N` without verified metadata."""
        return self.metadata.options[option] if self.metadata is not None else f"option {option}"

    def to_json(self) -> dict[str, object]:
        """`metadataStatus`, `descriptionHash` and `metadata` (null unless verified)."""
        return {
            "metadataStatus": self.status,
            "descriptionHash": self.description_hash,
            "metadata": None if self.metadata is None else self.metadata.to_json(),
        }


def proposal_key(book: ProposalBook, proposal: Proposal) -> ProposalKey:
    """The store key of a proposal: chain id, ballot contract address, id."""
    client = book.client(proposal.ballot)
    try:
        return ProposalKey(client.chain_id, client.address, proposal.proposal_id)
    except ChainError as e:
        raise UpstreamError(f"the chain could not be read: {e}") from e


def check_against(proposal: Proposal, metadata: ProposalMetadata) -> None:
    """MetadataMismatchError unless `metadata` hashes to the proposal's descriptionHash and has one
    label per option (pure)."""
    actual = hex32(metadata.digest())
    if actual != proposal.description_hash:
        raise MetadataMismatchError(
            f"metadata hashes to {actual}, but {proposal.ballot} proposal {proposal.proposal_id} was opened "
            f"with descriptionHash {proposal.description_hash}; nothing was stored",
            expected=proposal.description_hash,
            actual=actual,
        )
    if len(metadata.options) != proposal.options:
        raise MetadataMismatchError(
            f"metadata has {len(metadata.options)} option labels; the proposal has {proposal.options} options"
        )


def publish(
    book: ProposalBook, store: MetadataStore, ballot: str, proposal_id: int, metadata: ProposalMetadata
) -> bool:
    """Store `metadata` for a proposal after checking it against the chain; True if newly stored.
    NotFoundError (no such proposal), MetadataMismatchError (nothing stored), UpstreamError."""
    proposal = book.get(ballot, proposal_id)
    check_against(proposal, metadata)
    return store.put(proposal_key(book, proposal), proposal.description_hash, metadata.canonical())


def lookup(book: ProposalBook, store: MetadataStore, proposal: Proposal) -> MetadataView:
    """The metadata stored for `proposal` under its on-chain hash, re-hashed and re-checked."""
    body = store.get(proposal_key(book, proposal), proposal.description_hash)
    if body is None:
        return MetadataView(MISSING, proposal.description_hash)
    try:
        metadata = ProposalMetadata.from_bytes(body)
        check_against(proposal, metadata)
    except (MetadataError, MetadataMismatchError):
        return MetadataView(UNVERIFIED, proposal.description_hash)
    return MetadataView(VERIFIED, proposal.description_hash, metadata)
