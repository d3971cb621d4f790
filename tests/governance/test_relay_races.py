"""`governance.relay_vote` when something happens between two of its steps: two submissions of one ballot
both past the first check, the same ballot cast elsewhere while this one waits for the send lock, another
relayer queueing the same nullifier between the dry run and the insert, and a retry that sees its queued
vote mined while it waits. Each interleaving is forced, not hoped for: the test holds the send lock until
every racer waits on it (`ArrivalLock`), or runs the other relayer at the exact step. Written for the
relayer's last mutation survivors (tests/mutation/BASELINE.md, "fifth campaign"), on anvil."""

from __future__ import annotations

import threading

import pytest

from contracts import OnePersonOneVoteClient
from governance import RelayQueue, RelayWorker
from governance.errors import NullifierUsedError
from governance.proposals import ONE_PERSON_ONE_VOTE
from governance.relay_policy import RelayControls
from governance.relay_queue import MINED, AlreadyQueuedError
from governance.relay_worker import RELAY_VOTE_GAS
from governance.relayer import Relayed, relay_vote
from governance.requests import parse_vote

pytestmark = [pytest.mark.slow, pytest.mark.node]

ALREADY_VOTED = "this person has already voted on this ballot"
BEING_SUBMITTED = "a vote with this nullifier is already being submitted"


class ArrivalLock:
    """The relayer's send lock, counting the threads that reached it; the test holds it (`hold`) until
    `wait_for(n)` says n racers are waiting, then `release`s them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arrived = threading.Condition()
        self.arrivals = 0

    def __enter__(self) -> None:
        with self._arrived:
            self.arrivals += 1
            self._arrived.notify_all()
        self._lock.acquire()

    def __exit__(self, *exc: object) -> None:
        self._lock.release()

    def hold(self) -> None:
        self._lock.acquire()

    def release(self) -> None:
        self._lock.release()

    def wait_for(self, n: int, timeout_s: float = 60.0) -> bool:
        with self._arrived:
            return self._arrived.wait_for(lambda: self.arrivals >= n, timeout_s)


def _request(gov):
    return parse_vote(
        {
            "ballot": ONE_PERSON_ONE_VOTE,
            "proposalId": gov.proposals["open"],
            "option": 2,
            "proof": gov.proofs["vote"].to_json(),
        }
    )


def _in_thread(call, outcomes: list, done: threading.Event | None = None) -> threading.Thread:
    """Run `call()` in a thread; its answer or exception is appended to `outcomes`."""

    def run() -> None:
        try:
            outcomes.append(call())
        except Exception as e:  # the outcome under test
            outcomes.append(e)
        if done is not None:
            done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _automine(gov, on: bool) -> None:
    gov.w3.provider.make_request("evm_setAutomine", [on])


def test_two_submissions_of_one_ballot_past_the_first_check_send_once(gov_chain, services):
    gov = gov_chain
    req = _request(gov)
    controls = RelayControls(receipt_wait_s=30.0)
    key = (ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    lock = ArrivalLock()
    nonce = gov.w3.eth.get_transaction_count(gov.relayer.address, "pending")
    outcomes: list = []
    first_done = threading.Event()
    _automine(gov, False)  # the winner's receipt waits: its entry is pending when the loser gets the lock
    try:
        lock.hold()
        racers = [
            _in_thread(
                lambda: relay_vote(req, services.chain, services.checker, services.relayer, lock, controls),
                outcomes,
                first_done,
            )
            for _ in range(2)
        ]
        assert lock.wait_for(2), "both submissions should pass the first check and wait for the send lock"
        lock.release()
        assert first_done.wait(60)  # the loser's answer: it does not wait for any block
        assert len(outcomes) == 1
        gov.w3.provider.make_request("evm_mine", [])
    finally:
        _automine(gov, True)
    for racer in racers:
        racer.join(60)
    refused = [o for o in outcomes if isinstance(o, Exception)]
    mined = [o for o in outcomes if isinstance(o, Relayed)]
    assert len(refused) == 1 and len(mined) == 1, outcomes
    assert type(refused[0]) is NullifierUsedError and str(refused[0]) == BEING_SUBMITTED
    assert refused[0].nullifier == req.proof.nullifier
    receipt = gov.w3.eth.get_transaction_receipt(mined[0].tx_hash)
    assert mined[0].block_number == int(receipt["blockNumber"])
    assert gov.w3.eth.get_transaction_count(gov.relayer.address) == nonce + 1  # one transaction
    assert controls.budget.used(key) == int(receipt["gasUsed"])  # the loser's reservation given back
    assert len(controls.pending) == 0
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 1]


def test_the_same_ballot_cast_elsewhere_while_waiting_for_the_lock_is_refused_with_its_nullifier(
    gov_chain, services
):
    gov = gov_chain
    req = _request(gov)
    controls = RelayControls()
    key = (ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    lock = ArrivalLock()
    nonce = gov.w3.eth.get_transaction_count(gov.relayer.address)
    outcomes: list = []
    lock.hold()
    try:
        waiting = _in_thread(
            lambda: relay_vote(req, services.chain, services.checker, services.relayer, lock, controls),
            outcomes,
        )
        assert lock.wait_for(1)  # past the nullifier check and the proof check
        # another relayer (the owner's account, its own lock and budget) casts the same ballot first
        elsewhere = relay_vote(
            req, services.chain, services.checker, gov.owner, threading.Lock(), RelayControls()
        )
        assert elsewhere.mined
    finally:
        lock.release()
    waiting.join(60)
    [refusal] = outcomes
    assert type(refusal) is NullifierUsedError and str(refusal) == ALREADY_VOTED
    assert refusal.nullifier == req.proof.nullifier  # the send's dry run refused it, by name
    assert controls.budget.used(key) == 0 and len(controls.pending) == 0
    assert gov.w3.eth.get_transaction_count(gov.relayer.address) == nonce  # this relayer sent nothing
    assert gov.tallies(ONE_PERSON_ONE_VOTE, gov.proposals["open"]) == [0, 0, 1]


def test_another_relayer_queueing_the_nullifier_after_the_dry_run_gets_the_reservation_back(
    gov_chain, services, tmp_path, monkeypatch
):
    gov = gov_chain
    req = _request(gov)
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    worker = RelayWorker(
        RelayQueue(url), gov.chain.system.outbox(gov.relayer), gov.chain.proposals.nullifier_spent
    )
    other = RelayQueue(url)  # a second relayer process on the same database
    controls = RelayControls(receipt_wait_s=0.2)
    key = (ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    dry_run = OnePersonOneVoteClient.dry_run

    def dry_run_then_the_other_queues(client, call, sender, gas=None):
        dry_run(client, call, sender, gas)
        to, data = client.encode(call)
        other.enqueue(
            ONE_PERSON_ONE_VOTE, req.proposal_id, req.proof.nullifier, gov.owner, to, data, RELAY_VOTE_GAS
        )

    monkeypatch.setattr(OnePersonOneVoteClient, "dry_run", dry_run_then_the_other_queues)
    with pytest.raises(AlreadyQueuedError, match=r"^this vote is already queued$") as refused:
        relay_vote(
            req, services.chain, services.checker, services.relayer, threading.Lock(), controls, worker=worker
        )
    assert refused.value.nullifier == req.proof.nullifier
    assert controls.budget.used(key) == 0  # reserved before the insert, given back when it was refused
    assert worker.queue.count() == 1  # the other relayer's row, not a second one
    assert worker.queue.get(ONE_PERSON_ONE_VOTE, req.proof.nullifier).sender == gov.owner
    other.close()


def test_a_retry_that_sees_its_queued_vote_mined_while_waiting_does_not_settle_it_again(
    gov_chain, services, tmp_path
):
    gov = gov_chain
    req = _request(gov)
    queue = RelayQueue(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    worker = RelayWorker(queue, gov.chain.system.outbox(gov.relayer), gov.chain.proposals.nullifier_spent)
    key = (ONE_PERSON_ONE_VOTE, gov.proposals["open"])
    controls = RelayControls(receipt_wait_s=0.2)
    args = (req, services.chain, services.checker, services.relayer, threading.Lock(), controls)
    first = relay_vote(*args, worker=worker)  # the worker is idle: answered while still queued
    assert first == Relayed("", ONE_PERSON_ONE_VOTE, gov.proposals["open"], req.proof.nullifier)
    assert controls.budget.used(key) == RELAY_VOTE_GAS  # reserved; no answer has seen it mined
    controls.receipt_wait_s = 60.0

    def mine_while_the_retry_waits() -> None:
        worker.step()  # broadcast (anvil mines it at once)
        worker.settle()  # the row is MINED: the waiting retry is woken

    timer = threading.Timer(0.5, mine_while_the_retry_waits)
    timer.start()
    try:
        retry = relay_vote(*args, worker=worker)
    finally:
        timer.join(60)
    row = queue.get(ONE_PERSON_ONE_VOTE, req.proof.nullifier)
    assert row.state == MINED
    assert retry == Relayed(
        row.tx_hash,
        ONE_PERSON_ONE_VOTE,
        gov.proposals["open"],
        req.proof.nullifier,
        row.block_number,
        row.gas_used,
        counted=True,
    )
    # the retry reserved nothing, so it settles nothing: a settle here (and in every further retry) would
    # give the first answer's refund back once per retry. The first reservation stays whole (conservative).
    assert row.gas_used < RELAY_VOTE_GAS
    assert controls.budget.used(key) == RELAY_VOTE_GAS
