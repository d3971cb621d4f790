"""Typed clients of the ballots: OnePersonOneVote and QuadraticVote (proposals, votes, tallies, recounts)."""

from __future__ import annotations

from collections.abc import Sequence

from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.types import TxReceipt

from .build import ContractSet
from .errors import ChainInputError
from .semaphore_proof import SemaphoreProof
from .tally import CastVote, ballot_scope, quadratic_message, recount
from .transactions import Sender, dry_run, transact

# Explicit gas for anything that checks a proof: eth_estimateGas under-estimates the pairing, and a starved
# pairing makes the verifier return false (InvalidProof) instead of running out of gas.
PROOF_TX_GAS = 1_000_000


class _BallotClient:
    contract_name = ""

    def __init__(self, w3: Web3, contracts: ContractSet, address: str) -> None:
        self.w3 = w3
        self.abis = contracts.all_abis()
        self.contract = w3.eth.contract(address=address, abi=list(contracts[self.contract_name].abi))
        self.address = self.contract.address

    def scope(self, proposal_id: int, chain_id: int | None = None) -> int:
        """The Semaphore scope a vote on `proposal_id` must be proven for (this chain unless given)."""
        return ballot_scope(self.w3.eth.chain_id if chain_id is None else chain_id, self.address, proposal_id)

    def tallies(self, proposal_id: int) -> list[int]:
        """Live tallies; raises ContractRevertError("UnknownProposal") for an id never created."""
        counts = dry_run(self.contract.functions.tallies(proposal_id), self.address, self.abis)
        return [int(x) for x in counts]  # type: ignore[union-attr]

    def results(self, proposal_id: int) -> list[int]:
        """Final tallies; raises ContractRevertError("VotingNotEnded") while voting is open."""
        from .transactions import dry_run

        return [
            int(x) for x in dry_run(self.contract.functions.results(proposal_id), self.address, self.abis)
        ]  # type: ignore[union-attr]

    @staticmethod
    def _proof_args(proof: SemaphoreProof) -> tuple[int, int, list[int]]:
        proof.check_ranges()
        return proof.merkle_tree_root, proof.nullifier, list(proof.points)

    def _created_id(self, receipt: TxReceipt) -> int:
        return int(self.contract.events.ProposalCreated().process_receipt(receipt)[0]["args"]["proposalId"])


class OnePersonOneVoteClient(_BallotClient):
    """One person, one vote: a proof's message is the chosen option."""

    contract_name = "OnePersonOneVote"

    def create_proposal(
        self, description_hash: bytes, options: int, start: int, end: int, sender: Sender
    ) -> int:
        """Open a proposal; returns its id."""
        call = self.contract.functions.createProposal(description_hash, options, start, end)
        return self._created_id(transact(self.w3, call, sender, self.abis))

    def vote_call(self, proposal_id: int, option: int, proof: SemaphoreProof) -> ContractFunction:
        """The castVote call (not sent); the proof must be for message = option."""
        if proof.message != option:
            raise ChainInputError(f"the proof is for option {proof.message}, not {option}")
        root, nullifier, points = self._proof_args(proof)
        return self.contract.functions.castVote(proposal_id, option, root, nullifier, points)

    def cast_vote(self, proposal_id: int, option: int, proof: SemaphoreProof, relayer: Sender) -> TxReceipt:
        """Submit a vote; the proof must be for message = option and this proposal's scope."""
        call = self.vote_call(proposal_id, option, proof)
        return transact(self.w3, call, relayer, self.abis, gas=PROOF_TX_GAS)

    def ballots(self, from_block: int = 0, to_block: int | str = "latest") -> list[CastVote]:
        """Every counted vote in the block range, from VoteCast events."""
        return [
            CastVote(
                int(e["args"]["proposalId"]),
                int(e["args"]["nullifier"]),
                tuple(int(i == e["args"]["option"]) for i in range(int(e["args"]["option"]) + 1)),
            )
            for e in self.contract.events.VoteCast.get_logs(from_block=from_block, to_block=to_block)
        ]

    def recount(self, proposal_id: int) -> list[int]:
        """Tallies recomputed off chain from the event log."""
        _, _, options = self.contract.functions.proposal(proposal_id).call()
        return recount(self.ballots(), proposal_id, int(options))


class QuadraticVoteClient(_BallotClient):
    """Quadratic voting: one ballot per person, a vote vector whose squares sum to at most the budget."""

    contract_name = "QuadraticVote"

    def create_proposal(
        self, description_hash: bytes, options: int, start: int, end: int, budget: int, sender: Sender
    ) -> int:
        call = self.contract.functions.createProposal(description_hash, options, start, end, budget)
        return self._created_id(transact(self.w3, call, sender, self.abis))

    @staticmethod
    def message(votes: Sequence[int]) -> int:
        """The proof message for `votes`."""
        return quadratic_message(votes)

    def vote_call(self, proposal_id: int, votes: Sequence[int], proof: SemaphoreProof) -> ContractFunction:
        """The castVote call (not sent); the proof must be for the hash of `votes`."""
        if proof.message != quadratic_message(votes):
            raise ChainInputError("the proof's message is not the hash of this vote vector")
        root, nullifier, points = self._proof_args(proof)
        return self.contract.functions.castVote(proposal_id, list(votes), root, nullifier, points)

    def cast_vote(
        self, proposal_id: int, votes: Sequence[int], proof: SemaphoreProof, relayer: Sender
    ) -> TxReceipt:
        call = self.vote_call(proposal_id, votes, proof)
        return transact(self.w3, call, relayer, self.abis, gas=PROOF_TX_GAS)

    def ballots(self, from_block: int = 0, to_block: int | str = "latest") -> list[CastVote]:
        """Every counted ballot in the block range, from BallotCast events."""
        return [
            CastVote(
                int(e["args"]["proposalId"]), int(e["args"]["nullifier"]), tuple(map(int, e["args"]["votes"]))
            )
            for e in self.contract.events.BallotCast.get_logs(from_block=from_block, to_block=to_block)
        ]

    def recount(self, proposal_id: int) -> list[int]:
        _, _, options, _ = self.contract.functions.proposal(proposal_id).call()
        return recount(self.ballots(), proposal_id, int(options))
