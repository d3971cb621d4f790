"""POST /v1/relay/vote: submit a ballot from the relayer's own funded account, so the voter's address
never touches their vote.

The relayer checks everything it can off chain first (proposal exists, option or vote vector valid and
within budget, scope and message bound to this ballot, nullifier unused on chain, root current or
recent, Groth16 proof) so junk costs it no gas; only then does it send, one transaction at a time (its
nonces, and a duplicate in flight is caught by the dry run). A per-client rate limit protects its funds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Blueprint, jsonify, request

from contracts import ChainError, ContractRevertError, SemaphoreProof, ballot_scope
from contracts.transactions import Sender

from .errors import NullifierUsedError, ProofRejectedError, UpstreamError
from .json_body import read_json
from .proof_check import ProofChecker
from .proposals import QUADRATIC, vote_message
from .requests import VoteRequest, parse_vote
from .services import Chain, current_services

blueprint = Blueprint("relayer", __name__)
CLOSED_ERRORS = ("VotingNotStarted", "VotingEnded")


@dataclass(frozen=True)
class Relayed:
    """A vote mined on chain through the relayer."""

    tx_hash: str
    ballot: str
    proposal_id: int
    nullifier: int
    block_number: int
    gas_used: int

    def to_json(self) -> dict[str, object]:
        """The API's JSON answer (field elements as decimal strings)."""
        return {
            "txHash": self.tx_hash,
            "ballot": self.ballot,
            "proposalId": self.proposal_id,
            "nullifier": str(self.nullifier),
            "blockNumber": self.block_number,
            "gasUsed": self.gas_used,
        }


def _chain_proof(req: VoteRequest) -> SemaphoreProof:
    p = req.proof
    return SemaphoreProof(p.merkle_tree_depth, p.merkle_tree_root, p.nullifier, p.message, p.scope, p.points)


def relay_vote(
    req: VoteRequest, chain: Chain, checker: ProofChecker, sender: Sender, lock: threading.Lock
) -> Relayed:
    """Check `req` off chain, then cast it from `sender`; raises the GovernanceError the API maps to 4xx."""
    proposal = chain.proposals.get(req.ballot, req.proposal_id)
    client = chain.proposals.client(req.ballot)
    message = vote_message(proposal, req.option, req.votes)
    scope = ballot_scope(chain.deployment.chain_id, client.address, req.proposal_id)
    nullifier = req.proof.nullifier
    try:
        used = bool(client.contract.functions.nullifierUsed(nullifier).call())
    except ChainError as e:
        raise UpstreamError(f"the chain could not be read: {e}") from e
    if used:
        raise NullifierUsedError("this person has already voted on this ballot", nullifier)
    checker.check(req.proof, scope, message)
    proof = _chain_proof(req)
    with lock:
        try:
            if req.ballot == QUADRATIC:
                receipt = client.cast_vote(req.proposal_id, list(req.votes or ()), proof, sender)  # type: ignore[arg-type]
            else:
                receipt = client.cast_vote(req.proposal_id, int(req.option or 0), proof, sender)  # type: ignore[arg-type]
        except ContractRevertError as e:
            if e.error == "NullifierAlreadyUsed":
                raise NullifierUsedError("this person has already voted on this ballot", nullifier) from e
            if e.error in CLOSED_ERRORS:
                raise ProofRejectedError(f"voting on this proposal is not open: {e}", "voting_closed") from e
            raise ProofRejectedError(f"the ballot contract refused the vote: {e}", "refused_by_chain") from e
        except ChainError as e:
            raise UpstreamError(f"the vote could not be submitted: {e}") from e
    return Relayed(
        receipt["transactionHash"].to_0x_hex(),
        req.ballot,
        req.proposal_id,
        nullifier,
        int(receipt["blockNumber"]),
        int(receipt["gasUsed"]),
    )


@blueprint.post("/v1/relay/vote")
def relay_vote_endpoint():
    """Relay a ballot (200 with the transaction hash), or refuse with 4xx; 429 past the rate limit."""
    services = current_services()
    services.rate_limiter.hit(services.guard.client(request))
    body = read_json(request)  # 415 for a non-JSON (cross-site form) POST before anything else
    if services.chain is None or services.relayer is None:
        raise UpstreamError("this server has no chain or relayer account configured")
    req = parse_vote(body)
    relayed = relay_vote(req, services.chain, services.checker, services.relayer, services.relay_lock)
    return jsonify(relayed.to_json()), 200
