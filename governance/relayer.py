"""POST /v1/relay/vote: submit a ballot from the relayer's own funded account, so the voter's address
never touches their vote.

The relayer checks everything it can off chain first (its policy: ballot and proposer allowlists;
proposal exists, option or vote vector valid and within budget, scope and message bound to this
ballot, nullifier unused on chain, root current or recent, Groth16 proof inside the bounded admission
gate) so junk costs it no gas; then it reserves the transaction's gas against the proposal's and the
period's budgets and sends. The lock is held only while sending (nonces), never across the wait for the
receipt. A receipt that does not come in time (or a node that stops answering while it is awaited) is
answered 202 with the transaction hash (it may still be mined); a retry of the same ballot waits for that
transaction, never sends a second. A per-client rate limit protects the relayer's funds too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from flask import Blueprint, jsonify, request
from web3.contract.contract import ContractFunction
from web3.exceptions import TimeExhausted

from contracts import (
    ChainError,
    ChainInputError,
    ContractRevertError,
    NodeUnavailableError,
    OnePersonOneVoteClient,
    QuadraticVoteClient,
    ballot_scope,
)
from contracts.ballot_client import PROOF_TX_GAS
from contracts.transactions import Sender

from .admission import AdmissionGate
from .errors import NullifierUsedError, ProofRejectedError, UpstreamError
from .json_body import read_json
from .proof_check import ProofChecker
from .proposals import QUADRATIC, vote_message
from .relay_pending import PendingVote
from .relay_policy import RelayControls
from .relay_queue import FAILED, MINED
from .relay_worker import RELAY_VOTE_GAS, RelayWorker
from .requests import VoteRequest, parse_vote
from .services import Chain, current_services

blueprint = Blueprint("relayer", __name__)
CLOSED_ERRORS = ("VotingNotStarted", "VotingEnded")


@dataclass(frozen=True)
class Relayed:
    """A vote sent on chain through the relayer: mined (with its block and gas) or still pending."""

    tx_hash: str
    ballot: str
    proposal_id: int
    nullifier: int
    block_number: int | None = None
    gas_used: int | None = None

    counted: bool = False  # mined, seen by its spent nullifier rather than a receipt (after a restart)

    @property
    def mined(self) -> bool:
        """True once the receipt was seen (or the vote seen counted on chain)."""
        return self.block_number is not None or self.counted

    def to_json(self) -> dict[str, object]:
        """The API's JSON answer (field elements as decimal strings)."""
        answer: dict[str, object] = {
            "status": "mined" if self.mined else "pending",
            "txHash": self.tx_hash,
            "ballot": self.ballot,
            "proposalId": self.proposal_id,
            "nullifier": str(self.nullifier),
        }
        if self.mined:
            answer.update(blockNumber=self.block_number, gasUsed=self.gas_used)
        return answer


def _refusal(e: ContractRevertError, nullifier: int) -> Exception:
    if e.error == "NullifierAlreadyUsed":
        return NullifierUsedError("this person has already voted on this ballot", nullifier)
    if e.error in CLOSED_ERRORS:
        return ProofRejectedError(f"voting on this proposal is not open: {e}", "voting_closed")
    return ProofRejectedError(f"the ballot contract refused the vote: {e}", "refused_by_chain")


def relay_vote(
    req: VoteRequest,
    chain: Chain,
    checker: ProofChecker,
    sender: Sender,
    lock: threading.Lock,
    controls: RelayControls | None = None,
    gate: AdmissionGate | None = None,
    worker: RelayWorker | None = None,
) -> Relayed:
    """Check `req` off chain, then cast it from `sender` (through `worker`'s persisted queue when given,
    else sent here under `lock`); raises the GovernanceError the API maps to 4xx."""
    controls = controls or RelayControls()
    proposal = chain.proposals.get(req.ballot, req.proposal_id, with_hash=False)
    controls.policy.admit(req.ballot, lambda: controls.proposer(chain.proposals, req.ballot, req.proposal_id))
    client = chain.proposals.client(req.ballot)
    message = vote_message(proposal, req.option, req.votes)
    scope = ballot_scope(chain.deployment.chain_id, client.address, req.proposal_id)
    nullifier = req.proof.nullifier
    key = (req.ballot, nullifier)
    if worker is not None:
        # The queue (a local read) knows every vote this relayer took; the dry run before queueing
        # catches one cast elsewhere, so no chain read here.
        queued = worker.queue.get(req.ballot, nullifier)
        if queued is not None and queued.state == MINED:
            raise NullifierUsedError("this person has already voted on this ballot", nullifier)
    else:
        earlier = controls.pending.get(key)
        if earlier is not None:
            return _after_send(chain, req, key, earlier, controls, retry=True)
        try:
            used = client.nullifier_used(nullifier)
        except ChainError as e:
            raise UpstreamError(f"the chain could not be read: {e}") from e
        if used:
            raise NullifierUsedError("this person has already voted on this ballot", nullifier)
    if gate is None:
        checker.check(req.proof, scope, message)
    else:
        with gate.admit():
            checker.check(req.proof, scope, message)
    try:
        if req.ballot == QUADRATIC:
            call = client.vote_call(req.proposal_id, list(req.votes or ()), req.proof)  # type: ignore[arg-type]
        else:
            call = client.vote_call(req.proposal_id, int(req.option or 0), req.proof)  # type: ignore[arg-type]
    except ChainInputError as e:
        raise ProofRejectedError(f"the vote does not match its proof: {e}", "wrong_message") from e
    budget_key = (req.ballot, req.proposal_id)
    if worker is not None:
        return _queue_vote(req, client, call, sender, worker, controls, budget_key)
    controls.budget.reserve(budget_key, PROOF_TX_GAS)
    sent = None
    try:
        with lock:  # nonces: one send at a time; the receipt is awaited outside
            if controls.pending.get(key) is not None:
                raise NullifierUsedError("a vote with this nullifier is already being submitted", nullifier)
            tx_hash = client.send(call, sender, gas=PROOF_TX_GAS)
            sent = PendingVote(tx_hash, budget_key, PROOF_TX_GAS)
            controls.pending.add(key, sent)
    except ContractRevertError as e:
        raise _refusal(e, nullifier) from e
    except ChainError as e:
        raise UpstreamError(f"the vote could not be submitted: {e}") from e
    finally:
        if sent is None:
            controls.budget.settle(budget_key, PROOF_TX_GAS, 0)  # nothing was sent
    return _after_send(chain, req, key, sent, controls, retry=False)


def _queue_vote(
    req: VoteRequest,
    client: OnePersonOneVoteClient | QuadraticVoteClient,
    call: ContractFunction,
    sender: Sender,
    worker: RelayWorker,
    controls: RelayControls,
    budget_key: tuple[str, int],
) -> Relayed:
    """Dry-run, queue (the database refuses a second row per nullifier), and wait up to the receipt wait."""
    nullifier = req.proof.nullifier
    earlier = worker.queue.get(req.ballot, nullifier)
    if earlier is None:
        try:
            client.dry_run(call, sender, gas=RELAY_VOTE_GAS)
        except ContractRevertError as e:
            raise _refusal(e, nullifier) from e
        except ChainError as e:
            raise UpstreamError(f"the chain could not be read: {e}") from e
        to, data = client.encode(call)
        controls.budget.reserve(budget_key, RELAY_VOTE_GAS)
        try:
            worker.queue.enqueue(
                req.ballot, req.proposal_id, nullifier, worker.outbox.address, to, data, RELAY_VOTE_GAS
            )
        except NullifierUsedError:
            controls.budget.settle(budget_key, RELAY_VOTE_GAS, 0)
            raise
    elif earlier.state == MINED or earlier.data != client.encode(call)[1]:
        raise NullifierUsedError("a vote with this nullifier is already queued or counted", nullifier)
    vote = worker.wait(req.ballot, nullifier, controls.receipt_wait_s)
    assert vote is not None
    if vote.state == FAILED:
        raise ProofRejectedError(f"the vote was not counted: {vote.error}", "refused_by_chain")
    if earlier is None and vote.state == MINED:
        controls.budget.settle(budget_key, RELAY_VOTE_GAS, vote.gas_used or RELAY_VOTE_GAS)
    tx_hash = vote.tx_hash or ""  # empty while still queued
    counted = vote.state == MINED
    return Relayed(tx_hash, req.ballot, req.proposal_id, nullifier, vote.block_number, vote.gas_used, counted)


def _after_send(
    chain: Chain,
    req: VoteRequest,
    key: tuple[str, int],
    vote: PendingVote,
    controls: RelayControls,
    *,
    retry: bool,
) -> Relayed:
    """Wait for a sent vote's receipt; mined (200), still pending (202), or a refusal."""
    nullifier = req.proof.nullifier
    if retry and not vote.handed_back:
        raise NullifierUsedError("a vote with this nullifier is already being submitted", nullifier)
    pending = Relayed("0x" + vote.tx_hash.hex(), req.ballot, req.proposal_id, nullifier)
    try:
        receipt = chain.proposals.client(req.ballot).receipt(vote.tx_hash, timeout=controls.receipt_wait_s)
    except (TimeExhausted, NodeUnavailableError):  # not mined in time, or the node stopped answering
        controls.pending.hand_back(key)  # a retry waits for this transaction; none is sent again
        return pending
    except ChainError as e:
        if controls.pending.pop(key):
            controls.budget.settle(vote.proposal, vote.reserved, vote.reserved)  # burnt: count it all
        raise UpstreamError(f"the vote transaction {pending.tx_hash} failed on chain: {e}") from e
    if controls.pending.pop(key):
        controls.budget.settle(vote.proposal, vote.reserved, int(receipt["gasUsed"]))
    return Relayed(
        pending.tx_hash,
        req.ballot,
        req.proposal_id,
        nullifier,
        int(receipt["blockNumber"]),
        int(receipt["gasUsed"]),
    )


@blueprint.post("/v1/relay/vote")
def relay_vote_endpoint():
    """Relay a ballot (200 mined, 202 sent but not yet mined), or refuse with 4xx; 429 past the rate limit."""
    services = current_services()
    services.rate_limiter.hit(services.guard.client(request))
    body = read_json(request)  # 415 for a non-JSON (cross-site form) POST before anything else
    if services.chain is None or services.relayer is None:
        raise UpstreamError("this server has no chain or relayer account configured")
    req = parse_vote(body)
    services.guard.relay_per_proposal.hit(f"{req.ballot}:{req.proposal_id}")
    relayed = relay_vote(
        req,
        services.chain,
        services.checker,
        services.relayer,
        services.relay_lock,
        services.relay,
        services.guard.gate,
        services.relay_worker,
    )
    return jsonify(relayed.to_json()), 200 if relayed.mined else 202
