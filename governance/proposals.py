"""Proposals on the two ballots (one-person-one-vote, quadratic): values, opening, reading, results.

`Proposal` and `ProposalResults` are plain values; `ProposalBook` is the thin adapter over the contract
clients (reads, event scans, transactions). The recount is `contracts.recount` over the vote events, so a
result can be checked by anyone holding the log, independently of the contract's counters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from eth_utils import keccak

from contracts import (
    ChainError,
    ContractRevertError,
    OnChainProposal,
    OnePersonOneVoteClient,
    QuadraticVoteClient,
    quadratic_cost,
    quadratic_message,
)
from contracts.tally import recount
from contracts.transactions import Sender

from .errors import NotFoundError, RequestError, UpstreamError

ONE_PERSON_ONE_VOTE, QUADRATIC = "one_person_one_vote", "quadratic"
BALLOT_KINDS = (ONE_PERSON_ONE_VOTE, QUADRATIC)
MIN_OPTIONS, MAX_OPTIONS = 2, 32  # TallyBook's limits
BallotClient = OnePersonOneVoteClient | QuadraticVoteClient


@dataclass(frozen=True)
class Proposal:
    """A proposal as the chain holds it; `budget` is the voice-credit budget (quadratic only)."""

    ballot: str
    proposal_id: int
    options: int
    start: int
    end: int
    budget: int | None = None
    description_hash: str = ""  # 0x hex of the on-chain descriptionHash

    def to_json(self) -> dict[str, object]:
        """JSON-ready fields (the CLI's `gov list`/`gov propose` and the results' `proposal` part)."""
        return {
            "ballot": self.ballot,
            "proposalId": self.proposal_id,
            "options": self.options,
            "start": self.start,
            "end": self.end,
            "budget": self.budget,
            "descriptionHash": self.description_hash,
        }


@dataclass(frozen=True)
class ProposalResults:
    """On-chain tallies next to the recount from events; `final` once the voting window has closed."""

    proposal: Proposal
    tallies: tuple[int, ...]
    recount: tuple[int, ...]
    final: bool
    ballots: int = 0  # vote events counted (one per person on either ballot)

    @property
    def consistent(self) -> bool:
        """True when the contract's counters equal the recount from the event log."""
        return self.tallies == self.recount

    def to_json(self) -> dict[str, object]:
        """JSON-ready summary (numbers as ints)."""
        return {
            **self.proposal.to_json(),
            "tallies": list(self.tallies),
            "recount": list(self.recount),
            "consistent": self.consistent,
            "final": self.final,
            "ballots": self.ballots,
        }


def description_hash(description: str) -> bytes:
    """bytes32 stored on chain for a proposal's text: keccak256 of its UTF-8 bytes."""
    return keccak(description.encode("utf-8"))


def check_new_proposal(options: int, start: int, end: int, budget: int | None, ballot: str) -> None:
    """Raise RequestError for a proposal the contracts would refuse (pure)."""
    if ballot not in BALLOT_KINDS:
        raise RequestError(f"ballot must be one of {', '.join(BALLOT_KINDS)}", "unknown_ballot")
    if not MIN_OPTIONS <= options <= MAX_OPTIONS:
        raise RequestError(
            f"a proposal has {MIN_OPTIONS}..{MAX_OPTIONS} options, got {options}", "out_of_range"
        )
    if not 0 <= start < end < 2**64:
        raise RequestError("the voting window must satisfy 0 <= start < end < 2^64", "out_of_range")
    if ballot == QUADRATIC and (budget is None or not 1 <= budget < 2**64):
        raise RequestError("a quadratic proposal needs a credit budget in 1..2^64-1", "out_of_range")


def _proposal(ballot: str, found: OnChainProposal) -> Proposal:
    digest = "0x" + found.description_hash.hex() if found.description_hash else ""
    return Proposal(ballot, found.proposal_id, found.options, found.start, found.end, found.budget, digest)


class ProposalBook:
    """Proposals of the deployed ballots, by kind."""

    def __init__(self, ballots: Mapping[str, BallotClient]) -> None:
        self.ballots = dict(ballots)

    def client(self, ballot: str) -> BallotClient:
        """The contract client of `ballot`; NotFoundError for another name."""
        try:
            return self.ballots[ballot]
        except KeyError as e:
            raise NotFoundError(f"no ballot {ballot!r}; known: {', '.join(self.ballots)}") from e

    def nullifier_spent(self, ballot: str, nullifier: int) -> bool:
        """True if `nullifier` has voted on `ballot` on chain."""
        return self.client(ballot).nullifier_used(nullifier)

    def get(self, ballot: str, proposal_id: int, *, with_hash: bool = True) -> Proposal:
        """Read a proposal; NotFoundError if it was never created. `with_hash=False` skips reading its
        descriptionHash (one eth_call less on the relayer's path; `description_hash` is then "")."""
        client = self.client(ballot)
        try:
            found = client.proposal(proposal_id)
            if with_hash:
                found = dataclasses.replace(found, description_hash=client.description_hash(proposal_id))
        except ContractRevertError as e:
            raise NotFoundError(f"no proposal {proposal_id} on the {ballot} ballot") from e
        except ChainError as e:
            raise UpstreamError(f"the chain could not be read: {e}") from e
        return _proposal(ballot, found)

    def proposer(self, ballot: str, proposal_id: int) -> str:
        """The address that created the proposal (its ProposalCreated event); NotFoundError if none."""
        client = self.client(ballot)
        try:
            proposer = client.proposer(proposal_id)
        except ChainError as e:
            raise UpstreamError(f"the chain could not be read: {e}") from e
        if proposer is None:
            raise NotFoundError(f"no proposal {proposal_id} on the {ballot} ballot")
        return proposer

    def list(self, ballot: str) -> list[Proposal]:
        """Every proposal of `ballot`, from ProposalCreated events."""
        return [_proposal(ballot, found) for found in self.client(ballot).created_proposals()]

    def create(
        self,
        ballot: str,
        description: str | bytes,
        options: int,
        start: int,
        end: int,
        sender: Sender,
        budget: int | None = None,
    ) -> Proposal:
        """Open a proposal from `sender`; RequestError for values the contract would refuse.

        `description` is the text whose keccak256 goes on chain, or that bytes32 itself (a metadata
        digest, ProposalMetadata.digest())."""
        check_new_proposal(options, start, end, budget, ballot)
        client = self.client(ballot)
        digest = description if isinstance(description, bytes) else description_hash(description)
        if len(digest) != 32:
            raise RequestError("a description hash is 32 bytes", "out_of_range")
        if isinstance(client, QuadraticVoteClient):
            proposal_id = client.create_proposal(digest, options, start, end, int(budget or 0), sender)
        else:
            proposal_id = client.create_proposal(digest, options, start, end, sender)
        return self.get(ballot, proposal_id)

    def results(self, ballot: str, proposal_id: int, now: int | None = None) -> ProposalResults:
        """Live tallies and the recount from events; `now` (chain time) decides `final`."""
        proposal = self.get(ballot, proposal_id)
        client = self.client(ballot)
        tallies = tuple(client.tallies(proposal_id))
        votes = [v for v in client.ballots() if v.proposal_id == proposal_id]
        counted = tuple(recount(votes, proposal_id, proposal.options))
        if now is None:
            now = client.now()
        return ProposalResults(proposal, tallies, counted, now > proposal.end, len(votes))

    def all_results(self, ballot: str, now: int | None = None) -> list[ProposalResults]:
        """Results of every proposal of `ballot` from one scan of its vote events (`gov list`)."""
        client = self.client(ballot)
        try:
            proposals = self.list(ballot)
            votes = client.ballots()
            now = client.now() if now is None else now
            found = []
            for p in proposals:
                mine = [v for v in votes if v.proposal_id == p.proposal_id]
                tallies = tuple(client.tallies(p.proposal_id))
                counted = tuple(recount(mine, p.proposal_id, p.options))
                found.append(ProposalResults(p, tallies, counted, now > p.end, len(mine)))
        except ChainError as e:
            raise UpstreamError(f"the chain could not be read: {e}") from e
        return found


def vote_message(proposal: Proposal, option: int | None, votes: Sequence[int] | None) -> int:
    """The proof message a ballot must carry (pure): the option, or the quadratic vote vector's hash."""
    if proposal.ballot == ONE_PERSON_ONE_VOTE:
        if option is None or not 0 <= option < proposal.options:
            raise RequestError(f"option must be in 0..{proposal.options - 1}", "invalid_option")
        return option
    if votes is None or len(votes) != proposal.options:
        raise RequestError(f"votes must have {proposal.options} entries, one per option", "invalid_option")
    cost = quadratic_cost(votes)
    if proposal.budget is not None and cost > proposal.budget:
        raise RequestError(f"the votes cost {cost} credits; the budget is {proposal.budget}", "over_budget")
    return quadratic_message(votes)
