"""`governance.relayer.relay_vote` called as the library function, on anvil: what it answers (every field of
`Relayed`, checked against the chain's own receipt), what it charges to the gas budget, and the words and
nullifier of each refusal, on both of its paths (sent inline under the lock, or through the persisted
queue), with and without an admission gate, for a vote mined at once, one not mined in time and retried,
one still queued, and one that loses a race on chain to the same ballot cast elsewhere. Written for the
survivors of the relayer's mutation run (tests/mutation/BASELINE.md): the HTTP tests saw only status codes."""

from __future__ import annotations

import re
import threading
import time

import pytest

from contracts import ContractRevertError
from contracts.ballot_client import PROOF_TX_GAS
from governance import RelayQueue, RelayWorker
from governance.admission import AdmissionGate
from governance.errors import NullifierUsedError, ProofRejectedError, UpstreamError
from governance.proposals import ONE_PERSON_ONE_VOTE
from governance.relay_policy import RelayControls
from governance.relay_worker import RELAY_VOTE_GAS
from governance.relayer import Relayed, _refusal, relay_vote
from governance.requests import parse_vote
from zk_identity import LeanIMT, ProvingSetup, prove

from .conftest import MEMBERS, YEAR

pytestmark = [pytest.mark.slow, pytest.mark.node]

ALREADY_VOTED = "this person has already voted on this ballot"
NOT_OPEN = r"^voting on this proposal is not open: .*VotingNotStarted"


def _request(gov, proposal_id: int | None = None, option: int = 2, proof=None):
    proof = proof or gov.proofs["vote"]
    return parse_vote(
        {
            "ballot": ONE_PERSON_ONE_VOTE,
            "proposalId": gov.proposals["open"] if proposal_id is None else proposal_id,
            "option": option,
            "proof": proof.to_json(),
        }
    )


def _receipt_of(gov, tx_hash: str):
    return gov.w3.eth.get_transaction_receipt(tx_hash)


def _mined_as(gov, tx_hash: str, nullifier: int, counted: bool = False) -> Relayed:
    """The answer a vote mined in `tx_hash` must get: every field read from the chain's receipt."""
    receipt = _receipt_of(gov, tx_hash)
    return Relayed(
        "0x" + bytes(receipt["transactionHash"]).hex(),
        ONE_PERSON_ONE_VOTE,
        gov.proposals["open"],
        nullifier,
        int(receipt["blockNumber"]),
        int(receipt["gasUsed"]),
        counted=counted,
    )


@pytest.mark.parametrize("gated", [False, True], ids=["no_gate", "gate"])
def test_an_inline_vote_answers_its_own_receipt_and_is_charged_the_gas_it_used(gov_chain, services, gated):
    gov = gov_chain
    req = _request(gov)
    controls = RelayControls()
    gate = AdmissionGate() if gated else None
    relayed = relay_vote(
        req, services.chain, services.checker, services.relayer, threading.Lock(), controls, gate
    )
    receipt = _receipt_of(gov, relayed.tx_hash)
    assert relayed == _mined_as(gov, relayed.tx_hash, req.proof.nullifier)
    assert relayed.mined and not relayed.counted
    assert controls.budget.used((ONE_PERSON_ONE_VOTE, gov.proposals["open"])) == int(receipt["gasUsed"])
    assert len(controls.pending) == 0  # the receipt came: nothing left waiting
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 1]

    with pytest.raises(NullifierUsedError, match=f"^{ALREADY_VOTED}$") as again:
        relay_vote(req, services.chain, services.checker, services.relayer, threading.Lock(), controls, gate)
    assert again.value.nullifier == req.proof.nullifier
    assert controls.budget.used((ONE_PERSON_ONE_VOTE, gov.proposals["open"])) == int(receipt["gasUsed"])


def test_an_inline_vote_whose_proof_does_not_match_is_refused_and_charged_nothing(gov_chain, services):
    gov = gov_chain
    controls = RelayControls()
    nonce = gov.w3.eth.get_transaction_count(gov.relayer.address)
    with pytest.raises(ProofRejectedError):
        relay_vote(
            _request(gov, option=1),  # the proof was made for option 2
            services.chain,
            services.checker,
            services.relayer,
            threading.Lock(),
            controls,
        )
    assert controls.budget.used((ONE_PERSON_ONE_VOTE, gov.proposals["open"])) == 0
    assert gov.w3.eth.get_transaction_count(gov.relayer.address) == nonce


def test_a_vote_before_the_window_is_refused_in_words_that_say_so(gov_chain, services):
    gov = gov_chain
    now = gov.now()
    later = gov.chain.proposals.create(ONE_PERSON_ONE_VOTE, "Later", 2, now + YEAR, now + 2 * YEAR, gov.owner)
    group = LeanIMT(i.commitment for i in gov.identities[:MEMBERS])
    scope = gov.chain.proposals.client(ONE_PERSON_ONE_VOTE).scope(later.proposal_id)
    proof = prove(gov.identities[0], group, 1, scope, setup=ProvingSetup(pool=gov.pool))
    controls = RelayControls()
    with pytest.raises(
        ProofRejectedError, match=r"^voting on this proposal is not open: .*VotingNotStarted"
    ) as e:
        relay_vote(
            _request(gov, later.proposal_id, 1, proof),
            services.chain,
            services.checker,
            services.relayer,
            threading.Lock(),
            controls,
        )
    assert e.value.code == "voting_closed"
    assert controls.budget.used((ONE_PERSON_ONE_VOTE, later.proposal_id)) == 0  # reserved, then given back


def test_a_queued_vote_answers_its_rows_receipt_and_is_charged_the_gas_it_used(gov_chain, services, tmp_path):
    gov = gov_chain
    queue = RelayQueue(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    worker = RelayWorker(
        queue, gov.chain.system.outbox(gov.relayer), gov.chain.proposals.nullifier_spent, resend_after_s=60
    ).start()
    req = _request(gov)
    controls = RelayControls()
    key = (ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    try:
        relayed = relay_vote(
            req, services.chain, services.checker, services.relayer, threading.Lock(), controls, worker=worker
        )
        row = queue.get(ONE_PERSON_ONE_VOTE, req.proof.nullifier)
        receipt = _receipt_of(gov, relayed.tx_hash)
        assert row is not None and row.tx_hash == relayed.tx_hash
        assert relayed == _mined_as(gov, row.tx_hash, req.proof.nullifier, counted=True)
        assert controls.budget.used(key) == int(receipt["gasUsed"])
        with pytest.raises(NullifierUsedError, match=f"^{ALREADY_VOTED}$") as again:
            relay_vote(
                req,
                services.chain,
                services.checker,
                services.relayer,
                threading.Lock(),
                controls,
                worker=worker,
            )
        assert again.value.nullifier == req.proof.nullifier
        assert controls.budget.used(key) == int(receipt["gasUsed"])
        assert queue.count() == 1
    finally:
        worker.stop()


def test_a_queued_vote_cast_elsewhere_is_refused_with_its_nullifier_and_charged_nothing(
    gov_chain, services, tmp_path
):
    gov = gov_chain
    p = gov.proofs["vote"]
    gov.chain.proposals.client(ONE_PERSON_ONE_VOTE).cast_vote(gov.proposals["open"], 2, p, gov.owner)
    queue = RelayQueue(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    worker = RelayWorker(queue, gov.chain.system.outbox(gov.relayer), gov.chain.proposals.nullifier_spent)
    controls = RelayControls()
    with pytest.raises(NullifierUsedError, match=f"^{ALREADY_VOTED}$") as e:
        relay_vote(
            _request(gov),
            services.chain,
            services.checker,
            services.relayer,
            threading.Lock(),
            controls,
            worker=worker,
        )
    assert e.value.nullifier == p.nullifier
    assert controls.budget.used((ONE_PERSON_ONE_VOTE, gov.proposals["open"])) == 0 and queue.count() == 0


def test_the_answer_names_every_field_mined_or_pending():
    mined = Relayed("0xab", ONE_PERSON_ONE_VOTE, 7, 2**200, block_number=12, gas_used=345_678)
    assert mined.to_json() == {
        "status": "mined",
        "txHash": "0xab",
        "ballot": ONE_PERSON_ONE_VOTE,
        "proposalId": 7,
        "nullifier": str(2**200),
        "blockNumber": 12,
        "gasUsed": 345_678,
    }
    pending = Relayed("0xcd", ONE_PERSON_ONE_VOTE, 7, 5)
    assert not pending.mined
    assert pending.to_json() == {
        "status": "pending",
        "txHash": "0xcd",
        "ballot": ONE_PERSON_ONE_VOTE,
        "proposalId": 7,
        "nullifier": "5",
    }
    counted = Relayed("0xef", ONE_PERSON_ONE_VOTE, 7, 5, counted=True)  # seen spent after a restart
    assert counted.mined and counted.to_json()["status"] == "mined"
    assert counted.to_json()["blockNumber"] is None


def _automine(gov, on: bool) -> None:
    gov.w3.provider.make_request("evm_setAutomine", [on])


def test_a_vote_not_mined_in_time_is_answered_pending_and_a_retry_waits_for_the_same_transaction(
    gov_chain, services
):
    gov = gov_chain
    req = _request(gov)
    controls = RelayControls(receipt_wait_s=0.5)
    key = (ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    nonce = gov.w3.eth.get_transaction_count(gov.relayer.address)
    args = (req, services.chain, services.checker, services.relayer, threading.Lock(), controls)
    _automine(gov, False)
    try:
        first = relay_vote(*args)
        assert first == Relayed(
            first.tx_hash, ONE_PERSON_ONE_VOTE, gov.proposals["open"], req.proof.nullifier
        )
        assert not first.mined and first.to_json()["status"] == "pending"
        assert controls.budget.used(key) == PROOF_TX_GAS  # reserved until the receipt is seen
        retry = relay_vote(*args)  # still not mined: answered pending again, nothing sent twice
        assert retry == first
        assert gov.w3.eth.get_transaction_count(gov.relayer.address, "pending") == nonce + 1
        gov.w3.provider.make_request("evm_mine", [])
    finally:
        _automine(gov, True)
    mined = relay_vote(*args)  # the retry after the block: the same transaction's receipt
    receipt = _receipt_of(gov, first.tx_hash)
    assert mined == _mined_as(gov, first.tx_hash, req.proof.nullifier)
    assert controls.budget.used(key) == int(receipt["gasUsed"]) and len(controls.pending) == 0
    assert gov.w3.eth.get_transaction_count(gov.relayer.address) == nonce + 1
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 1]


def test_a_second_submission_while_the_first_is_being_sent_is_refused_by_name(gov_chain, services):
    gov = gov_chain
    req = _request(gov)
    controls = RelayControls(receipt_wait_s=30.0)
    key = (ONE_PERSON_ONE_VOTE, req.proof.nullifier)
    args = (req, services.chain, services.checker, services.relayer, threading.Lock(), controls)
    _automine(gov, False)
    try:
        waiting = threading.Thread(target=relay_vote, args=args)
        waiting.start()
        deadline = time.monotonic() + 30
        while controls.pending.get(key) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        with pytest.raises(
            NullifierUsedError, match=r"^a vote with this nullifier is already being submitted$"
        ) as e:
            relay_vote(*args)
        assert e.value.nullifier == req.proof.nullifier
        gov.w3.provider.make_request("evm_mine", [])
        waiting.join(30)
    finally:
        _automine(gov, True)


@pytest.mark.parametrize(
    ("error", "cls", "code", "words"),
    [
        (
            "NullifierAlreadyUsed",
            NullifierUsedError,
            "nullifier_used",
            "^this person has already voted on this ballot$",
        ),
        ("VotingNotStarted", ProofRejectedError, "voting_closed", "^voting on this proposal is not open: "),
        ("VotingEnded", ProofRejectedError, "voting_closed", "^voting on this proposal is not open: "),
        ("UnknownRoot", ProofRejectedError, "refused_by_chain", "^the ballot contract refused the vote: "),
    ],
)
def test_each_contract_refusal_maps_to_its_code_and_words(error, cls, code, words):
    refusal = _refusal(ContractRevertError(error), 77)
    assert type(refusal) is cls and refusal.code == code
    assert re.search(words, str(refusal)) and (error in str(refusal) or cls is NullifierUsedError)
    if cls is NullifierUsedError:
        assert refusal.nullifier == 77


def test_a_sent_vote_that_fails_on_chain_is_refused_by_its_hash_and_its_gas_counted_as_burnt(
    gov_chain, services
):
    """A race the off-chain checks cannot see: the same ballot cast elsewhere, mined first (a higher tip)."""
    gov = gov_chain
    req = _request(gov)
    controls = RelayControls(receipt_wait_s=0.5)
    key = (ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    args = (req, services.chain, services.checker, services.relayer, threading.Lock(), controls)
    client = gov.chain.proposals.client(ONE_PERSON_ONE_VOTE)
    to, data = client.encode(client.vote_call(gov.proposals["open"], 2, req.proof))
    _automine(gov, False)
    try:
        sent = relay_vote(*args)
        assert not sent.mined
        gov.w3.eth.send_transaction(
            {
                "from": gov.owner,
                "to": to,
                "data": data,
                "gas": PROOF_TX_GAS,
                "maxPriorityFeePerGas": 10**12,
                "maxFeePerGas": 2 * 10**12,
            }
        )
        gov.w3.provider.make_request("evm_mine", [])
    finally:
        _automine(gov, True)
    assert _receipt_of(gov, sent.tx_hash)["status"] == 0  # mined after the other, and reverted
    with pytest.raises(UpstreamError, match=f"^the vote transaction {sent.tx_hash} failed on chain: ") as e:
        relay_vote(*args)
    assert e.value.code == "upstream_unavailable"
    assert controls.budget.used(key) == PROOF_TX_GAS  # burnt: the whole reservation is counted
    assert len(controls.pending) == 0
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 1]  # the other one


def _idle_worker(gov, tmp_path) -> RelayWorker:
    queue = RelayQueue(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    return RelayWorker(queue, gov.chain.system.outbox(gov.relayer), gov.chain.proposals.nullifier_spent)


def _wait_until_done(worker: RelayWorker, nullifier: int, timeout_s: float = 60.0) -> None:
    """Until the started worker has mined or failed the vote's row (or `timeout_s` passed)."""
    deadline = time.monotonic() + timeout_s
    while not worker.queue.get(ONE_PERSON_ONE_VOTE, nullifier).done and time.monotonic() < deadline:
        time.sleep(0.1)


def test_a_vote_still_in_the_queue_is_answered_pending_with_no_hash_yet(gov_chain, services, tmp_path):
    gov = gov_chain
    worker = _idle_worker(gov, tmp_path)  # not started yet: the vote waits in the queue
    req = _request(gov)
    controls = RelayControls(receipt_wait_s=0.2)
    key = (ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    args = (req, services.chain, services.checker, services.relayer, threading.Lock(), controls)
    queued = relay_vote(*args, worker=worker)
    assert queued == Relayed("", ONE_PERSON_ONE_VOTE, gov.proposals["open"], req.proof.nullifier)
    assert queued.to_json()["status"] == "pending"
    assert controls.budget.used(key) == RELAY_VOTE_GAS  # reserved until an answer sees it mined
    worker.start()
    try:
        _wait_until_done(worker, req.proof.nullifier)
        with pytest.raises(NullifierUsedError, match=f"^{ALREADY_VOTED}$"):
            relay_vote(*args, worker=worker)
    finally:
        worker.stop()
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 1]
    assert worker.queue.count() == 1


def test_a_queued_vote_that_reverts_on_chain_is_refused_as_not_counted(gov_chain, services, tmp_path):
    gov = gov_chain
    worker = _idle_worker(gov, tmp_path)
    req = _request(gov)
    controls = RelayControls(receipt_wait_s=0.2)
    args = (req, services.chain, services.checker, services.relayer, threading.Lock(), controls)
    relay_vote(*args, worker=worker)  # queued; then the same ballot is cast elsewhere first
    gov.chain.proposals.client(ONE_PERSON_ONE_VOTE).cast_vote(gov.proposals["open"], 2, req.proof, gov.owner)
    worker.start()
    try:
        _wait_until_done(worker, req.proof.nullifier)
        with pytest.raises(ProofRejectedError, match=r"^the vote was not counted: ") as e:
            relay_vote(*args, worker=worker)
    finally:
        worker.stop()
    assert e.value.code == "refused_by_chain"
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 1]


def test_a_vote_for_option_zero_is_counted_for_option_zero(gov_chain, services):
    gov = gov_chain
    group = LeanIMT(i.commitment for i in gov.identities[:MEMBERS])
    scope = gov.chain.proposals.client(ONE_PERSON_ONE_VOTE).scope(gov.proposals["open"])
    proof = prove(gov.identities[1], group, 0, scope, setup=ProvingSetup(pool=gov.pool))
    controls = RelayControls()
    relayed = relay_vote(
        _request(gov, option=0, proof=proof),
        services.chain,
        services.checker,
        services.relayer,
        threading.Lock(),
        controls,
    )
    assert relayed.mined
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [1, 0, 0]


def _proof(gov, who: int, option: int):
    group = LeanIMT(i.commitment for i in gov.identities[:MEMBERS])
    scope = gov.chain.proposals.client(ONE_PERSON_ONE_VOTE).scope(gov.proposals["open"])
    return prove(gov.identities[who], group, option, scope, setup=ProvingSetup(pool=gov.pool))


def test_the_same_person_voting_otherwise_while_queued_is_refused_by_name(gov_chain, services, tmp_path):
    gov = gov_chain
    worker = _idle_worker(gov, tmp_path)  # never started: the first vote stays queued
    controls = RelayControls(receipt_wait_s=0.2)
    common = (services.chain, services.checker, services.relayer, threading.Lock(), controls)
    first = relay_vote(_request(gov), *common, worker=worker)  # identity 1, option 2
    other = _proof(gov, 1, 0)  # the same person (same nullifier), option 0: another transaction
    assert other.nullifier == first.nullifier
    with pytest.raises(
        NullifierUsedError, match=r"^a vote with this nullifier is already queued or counted$"
    ) as e:
        relay_vote(_request(gov, option=0, proof=other), *common, worker=worker)
    assert e.value.nullifier == other.nullifier
    assert worker.queue.count() == 1


def test_two_peoples_votes_pending_at_once_are_two_transactions(gov_chain, services):
    gov = gov_chain
    controls = RelayControls(receipt_wait_s=0.3)
    common = (services.chain, services.checker, services.relayer, threading.Lock(), controls)
    nonce = gov.w3.eth.get_transaction_count(gov.relayer.address)
    _automine(gov, False)
    try:
        one = relay_vote(_request(gov), *common)
        two = relay_vote(_request(gov, option=1, proof=_proof(gov, 0, 1)), *common)
        gov.w3.provider.make_request("evm_mine", [])
    finally:
        _automine(gov, True)
    assert not one.mined and not two.mined and one.tx_hash != two.tx_hash
    assert one.nullifier != two.nullifier
    assert gov.w3.eth.get_transaction_count(gov.relayer.address) == nonce + 2
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 1, 1]
