"""Typed clients of the ballots: OnePersonOneVote and QuadraticVote (proposals, votes, tallies, recounts)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from zk_identity import MembershipProof

from .client_base import ContractClient
from .errors import ChainInputError
from .tally import CastVote, ballot_scope, quadratic_message, recount
from .transactions import Sender, transact

# Explicit gas for anything that checks a proof: eth_estimateGas under-estimates the pairing, and a starved
# pairing makes the verifier return false (InvalidProof) instead of running out of gas.
PROOF_TX_GAS = 1_000_000


@dataclass(frozen=True)
class OnChainProposal:
    """A proposal as a ballot contract holds it; `budget` is None on a one-person-one-vote ballot."""

    proposal_id: int
    options: int
    start: int
    end: int
    budget: int | None
    description_hash: bytes = b""  # the bytes32 the proposal was opened with (keccak256 of its text)


class _BallotClient(ContractClient):
    def scope(self, proposal_id: int, chain_id: int | None = None) -> int:
        """The Semaphore scope a vote on `proposal_id` must be proven for (this chain unless given)."""
        return ballot_scope(self.chain_id if chain_id is None else chain_id, self.address, proposal_id)

    def tallies(self, proposal_id: int) -> list[int]:
        """Live tallies; raises ContractRevertError("UnknownProposal") for an id never created."""
        return [int(x) for x in self._read("tallies", proposal_id)]  # type: ignore[attr-defined]

    def results(self, proposal_id: int) -> list[int]:
        """Final tallies; raises ContractRevertError("VotingNotEnded") while voting is open."""
        return [int(x) for x in self._read("results", proposal_id)]  # type: ignore[attr-defined]

    def nullifier_used(self, nullifier: int) -> bool:
        """True once a vote with `nullifier` was counted on this ballot."""
        return bool(self._read("nullifierUsed", nullifier))

    def proposal(self, proposal_id: int) -> OnChainProposal:
        """The proposal's window, options and budget; ContractRevertError("UnknownProposal") if none."""
        fields = self._read("proposal", proposal_id)
        start, end, options = (int(x) for x in fields[:3])  # type: ignore[index]
        budget = int(fields[3]) if len(fields) > 3 else None  # type: ignore[arg-type, index]
        return OnChainProposal(proposal_id, options, start, end, budget)  # hash: description_hash()

    def description_hash(self, proposal_id: int) -> bytes:
        """The bytes32 `descriptionHash` a proposal was opened with (32 zero bytes for an unknown id)."""
        return bytes(self._read("descriptionHash", proposal_id))  # type: ignore[arg-type]

    def proposer(self, proposal_id: int) -> str | None:
        """The address that opened `proposal_id` (its ProposalCreated event), or None if none did."""
        events = self._scan(("ProposalCreated",), where={"proposalId": proposal_id})
        return str(events[0]["args"]["proposer"]) if events else None

    def created_proposals(self) -> list[OnChainProposal]:
        """Every proposal opened on this ballot, from its ProposalCreated events."""
        return [
            OnChainProposal(
                int(e["args"]["proposalId"]),
                int(e["args"]["options"]),
                int(e["args"]["start"]),
                int(e["args"]["end"]),
                int(e["args"]["budget"]) if "budget" in e["args"] else None,
                bytes(e["args"]["descriptionHash"]),
            )
            for e in self._scan(("ProposalCreated",))
        ]

    @staticmethod
    def _proof_args(proof: MembershipProof) -> tuple[int, int, list[int]]:
        # a MembershipProof is range-checked when made (root and nullifier < r, coordinates < q)
        return proof.merkle_tree_root, proof.nullifier, list(proof.points)

    def _created_id(self, receipt: TxReceipt) -> int:
        return int(self._contract.events.ProposalCreated().process_receipt(receipt)[0]["args"]["proposalId"])


class OnePersonOneVoteClient(_BallotClient):
    """One person, one vote: a proof's message is the chosen option."""

    contract_name = "OnePersonOneVote"

    def create_proposal(
        self, description_hash: bytes, options: int, start: int, end: int, sender: Sender
    ) -> int:
        """Open a proposal; returns its id."""
        call = self._contract.functions.createProposal(description_hash, options, start, end)
        return self._created_id(transact(self._w3, call, sender, self.abis))

    def vote_call(self, proposal_id: int, option: int, proof: MembershipProof) -> ContractFunction:
        """The castVote call (not sent); the proof must be for message = option."""
        if proof.message != option:
            raise ChainInputError(f"the proof is for option {proof.message}, not {option}")
        root, nullifier, points = self._proof_args(proof)
        return self._contract.functions.castVote(proposal_id, option, root, nullifier, points)

    def cast_vote(self, proposal_id: int, option: int, proof: MembershipProof, relayer: Sender) -> TxReceipt:
        """Submit a vote; the proof must be for message = option and this proposal's scope."""
        call = self.vote_call(proposal_id, option, proof)
        return transact(self._w3, call, relayer, self.abis, gas=PROOF_TX_GAS)

    def ballots(self, from_block: int | None = None, to_block: int | None = None) -> list[CastVote]:
        """Every counted vote in the block range, from VoteCast events."""
        return [
            CastVote(
                int(e["args"]["proposalId"]),
                int(e["args"]["nullifier"]),
                tuple(int(i == e["args"]["option"]) for i in range(int(e["args"]["option"]) + 1)),
            )
            for e in self._scan(("VoteCast",), from_block, to_block)
        ]

    def recount(self, proposal_id: int) -> list[int]:
        """Tallies recomputed off chain from the event log."""
        return recount(self.ballots(), proposal_id, self.proposal(proposal_id).options)


class QuadraticVoteClient(_BallotClient):
    """Quadratic voting: one ballot per person, a vote vector whose squares sum to at most the budget."""

    contract_name = "QuadraticVote"

    def create_proposal(
        self, description_hash: bytes, options: int, start: int, end: int, budget: int, sender: Sender
    ) -> int:
        call = self._contract.functions.createProposal(description_hash, options, start, end, budget)
        return self._created_id(transact(self._w3, call, sender, self.abis))

    @staticmethod
    def message(votes: Sequence[int]) -> int:
        """The proof message for `votes`."""
        return quadratic_message(votes)

    def vote_call(self, proposal_id: int, votes: Sequence[int], proof: MembershipProof) -> ContractFunction:
        """The castVote call (not sent); the proof must be for the hash of `votes`."""
        if proof.message != quadratic_message(votes):
            raise ChainInputError("the proof's message is not the hash of this vote vector")
        root, nullifier, points = self._proof_args(proof)
        return self._contract.functions.castVote(proposal_id, list(votes), root, nullifier, points)

    def cast_vote(
        self, proposal_id: int, votes: Sequence[int], proof: MembershipProof, relayer: Sender
    ) -> TxReceipt:
        call = self.vote_call(proposal_id, votes, proof)
        return transact(self._w3, call, relayer, self.abis, gas=PROOF_TX_GAS)

    def ballots(self, from_block: int | None = None, to_block: int | None = None) -> list[CastVote]:
        """Every counted ballot in the block range, from BallotCast events."""
        return [
            CastVote(
                int(e["args"]["proposalId"]), int(e["args"]["nullifier"]), tuple(map(int, e["args"]["votes"]))
            )
            for e in self._scan(("BallotCast",), from_block, to_block)
        ]

    def recount(self, proposal_id: int) -> list[int]:
        return recount(self.ballots(), proposal_id, self.proposal(proposal_id).options)
