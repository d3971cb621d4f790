"""Ballot arithmetic without I/O: scopes, messages, quadratic costs and recounts from vote events.

These mirror the contracts exactly (OnePersonOneVote.scopeOf, QuadraticVote.messageOf) so a client can
build a proof's scope and message offline and anyone can recount a result from the event log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from eth_abi import encode
from eth_utils import to_canonical_address

from zk_identity.field import keccak_to_field

from .errors import ChainInputError

UINT256_MAX = 2**256 - 1


def ballot_scope(chain_id: int, ballot: str, proposal_id: int) -> int:
    """The scope of a proposal: keccak256(abi.encode(chainid, ballot address, proposal id)) >> 8."""
    payload = encode(["uint256", "address", "uint256"], [chain_id, to_canonical_address(ballot), proposal_id])
    return keccak_to_field(payload)


def quadratic_message(votes: Sequence[int]) -> int:
    """The proof message of a quadratic ballot: keccak256(abi.encodePacked(uint256[] votes)) >> 8."""
    if any(type(v) is not int or not 0 <= v <= UINT256_MAX for v in votes):
        raise ChainInputError("votes must be non-negative uint256 values")
    return keccak_to_field(b"".join(v.to_bytes(32, "big") for v in votes))


def quadratic_cost(votes: Sequence[int]) -> int:
    """Voice credits a vote vector spends: the sum of squares."""
    return sum(v * v for v in votes)


@dataclass(frozen=True)
class CastVote:
    """One counted ballot as its event reports it: per-option amounts (a single 1 for one-person-one-vote)."""

    proposal_id: int
    nullifier: int
    amounts: tuple[int, ...]


def recount(ballots: Iterable[CastVote], proposal_id: int, options: int) -> list[int]:
    """Tallies of `proposal_id` from its ballots; a repeated nullifier would be an invariant breach."""
    counts = [0] * options
    seen: set[int] = set()
    for ballot in ballots:
        if ballot.proposal_id != proposal_id:
            continue
        if ballot.nullifier in seen:
            raise ValueError(f"nullifier {ballot.nullifier} counted twice in proposal {proposal_id}")
        seen.add(ballot.nullifier)
        for option, amount in enumerate(ballot.amounts):
            counts[option] += amount
    return counts
