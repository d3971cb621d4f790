"""The relayer's persisted queue and its sender (governance/relay_queue.py, relay_worker.py) on anvil:
several votes in one block, and a relayer killed at each step of a send loses no vote and sends none
twice (counted on chain: tallies, the relayer's nonce, the queue's rows)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from governance import AlreadyQueuedError, RelayQueue, RelayWorker
from governance.proposals import ONE_PERSON_ONE_VOTE
from governance.relay_queue import MINED, QUEUED
from governance.relay_worker import RELAY_VOTE_GAS
from zk_identity import LeanIMT, ProvingSetup, prove

from ..governance.conftest import MEMBERS

pytestmark = [pytest.mark.slow, pytest.mark.node]


@pytest.fixture(scope="module")
def votes(gov):
    """One 1p1v vote per member on the "cli" and the "open" proposals: (proposal, option, proof)."""
    group = LeanIMT(i.commitment for i in gov.identities[:MEMBERS])
    client = gov.chain.proposals.client(ONE_PERSON_ONE_VOTE)
    made = []
    for name in ("cli", "open"):
        proposal = gov.proposals[name]
        for i, identity in enumerate(gov.identities[:MEMBERS]):
            option = i % 2
            made.append(
                (
                    proposal,
                    option,
                    prove(identity, group, option, client.scope(proposal), setup=ProvingSetup(pool=gov.pool)),
                )
            )
    return made


def _enqueue(gov, queue: RelayQueue, votes) -> None:
    client = gov.chain.proposals.client(ONE_PERSON_ONE_VOTE)
    for proposal, option, p in votes:
        to, data = client.encode(client.vote_call(proposal, option, p))
        queue.enqueue(
            ONE_PERSON_ONE_VOTE, proposal, p.nullifier, gov.relayer.address, to, data, RELAY_VOTE_GAS
        )


def _worker(gov, queue: RelayQueue, outbox=None) -> RelayWorker:
    outbox = outbox or gov.chain.system.outbox(gov.relayer)
    return RelayWorker(queue, outbox, gov.chain.proposals.nullifier_spent, resend_after_s=60)


def _counted(gov) -> int:
    book = gov.chain.proposals.client(ONE_PERSON_ONE_VOTE)
    return sum(book.tallies(gov.proposals["cli"])) + sum(book.tallies(gov.proposals["open"]))


def _nonce(gov) -> int:
    return gov.w3.eth.get_transaction_count(gov.relayer.address)


def test_queued_votes_share_one_block(gov_chain, votes, tmp_path: Path):
    gov = gov_chain
    queue = RelayQueue(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    counted, nonce = _counted(gov), _nonce(gov)
    gov.w3.provider.make_request("evm_setAutomine", [False])
    try:
        _enqueue(gov, queue, votes)
        with pytest.raises(AlreadyQueuedError):  # the database holds one row per nullifier
            _enqueue(gov, queue, votes[:1])
        worker = _worker(gov, queue)
        assert worker.step() == len(votes)  # all broadcast before any is mined
        gov.w3.provider.make_request("evm_mine", [])
        worker.step()
    finally:
        gov.w3.provider.make_request("evm_setAutomine", [True])
    rows = [queue.get(ONE_PERSON_ONE_VOTE, p.nullifier) for _, _, p in votes]
    assert all(r is not None and r.state == MINED for r in rows)
    assert len({r.block_number for r in rows if r is not None}) == 1  # one block holds them all
    assert _counted(gov) == counted + len(votes)
    assert _nonce(gov) == nonce + len(votes)


class Killed(BaseException):
    """The relayer process dies here (BaseException: nothing in the worker catches it)."""


class KillingOutbox:
    """The real outbox; dies before or after the `at`-th broadcast."""

    def __init__(self, outbox, at: int, before: bool) -> None:
        self._outbox, self._at, self._before, self._count = outbox, at, before, 0

    def __getattr__(self, name):
        return getattr(self._outbox, name)

    def broadcast(self, tx):
        self._count += 1
        if self._count == self._at and self._before:
            raise Killed
        tx_hash = self._outbox.broadcast(tx)
        if self._count == self._at:
            raise Killed  # sent, but the hash was never written down
        return tx_hash


class KillingQueue(RelayQueue):
    """The real queue; dies right after recording the broadcast transactions' hashes."""

    def sent(self, hashes, gas_price):
        super().sent(hashes, gas_price)
        raise Killed


@pytest.mark.parametrize("step", ["before_broadcast", "after_broadcast", "after_recording"])
def test_a_relayer_killed_mid_stream_loses_no_vote_and_sends_none_twice(gov_chain, votes, tmp_path, step):
    gov = gov_chain
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    counted, nonce = _counted(gov), _nonce(gov)
    outbox = gov.chain.system.outbox(gov.relayer)
    if step == "after_recording":
        queue: RelayQueue = KillingQueue(url)
        first = _worker(gov, queue)
    else:
        queue = RelayQueue(url)
        first = _worker(gov, queue, KillingOutbox(outbox, at=3, before=step == "before_broadcast"))
    _enqueue(gov, queue, votes)
    with pytest.raises(Killed):
        first.step()
    queue.close()
    restarted_queue = RelayQueue(url)  # a new process: only the database survived
    restarted = _worker(gov, restarted_queue)
    # steps until every vote is mined, for longer than the worker's resend_after_s (60 s): a transaction
    # the node never took is re-broadcast at its nonce then, as after any restart
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        restarted.step()
        if restarted_queue.count(MINED) == len(votes):
            break
        time.sleep(0.05)
    rows = [restarted_queue.get(ONE_PERSON_ONE_VOTE, p.nullifier) for _, _, p in votes]
    states = [(r.proposal_id, r.state, r.nonce, r.error) if r else None for r in rows]
    assert restarted_queue.count(MINED) == len(votes), (
        f"rows after restart: {states}, chain nonce {_nonce(gov)}"
    )
    assert restarted_queue.count(QUEUED) == 0
    assert _counted(gov) == counted + len(votes)  # no vote lost
    assert _nonce(gov) == nonce + len(votes)  # one transaction per vote: none sent twice


def test_the_api_relays_through_the_queue(gov_chain, services, tmp_path):
    import dataclasses

    from personhood.app import create_app

    gov = gov_chain
    queue = RelayQueue(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    worker = _worker(gov, queue).start()
    try:
        app = create_app({"PERSONHOOD_SERVICES": dataclasses.replace(services, relay_worker=worker)})
        body = {
            "ballot": ONE_PERSON_ONE_VOTE,
            "proposalId": gov.proposals["open"],
            "option": 2,
            "proof": gov.proofs["vote"].to_json(),
        }
        counted = _counted(gov)
        first = app.test_client().post("/v1/relay/vote", json=body)
        assert first.status_code == 200, first.json
        assert first.json["status"] == "mined" and first.json["blockNumber"] > 0
        again = app.test_client().post("/v1/relay/vote", json=body)
        assert again.status_code == 409
        assert _counted(gov) == counted + 1
        assert queue.count() == 1
    finally:
        worker.stop()


def test_a_vote_already_cast_elsewhere_is_refused_before_queueing(gov_chain, services, tmp_path):
    import dataclasses

    from personhood.app import create_app

    gov = gov_chain
    p = gov.proofs["vote"]
    gov.chain.proposals.client(ONE_PERSON_ONE_VOTE).cast_vote(gov.proposals["open"], 2, p, gov.owner)
    queue = RelayQueue(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    worker = _worker(gov, queue)
    app = create_app({"PERSONHOOD_SERVICES": dataclasses.replace(services, relay_worker=worker)})
    body = {
        "ballot": ONE_PERSON_ONE_VOTE,
        "proposalId": gov.proposals["open"],
        "option": 2,
        "proof": p.to_json(),
    }
    nonce = _nonce(gov)
    answer = app.test_client().post("/v1/relay/vote", json=body)
    assert answer.status_code == 409 and answer.json["error"] == "nullifier_used"
    assert queue.count() == 0 and _nonce(gov) == nonce  # nothing queued, no gas spent


def test_a_stuck_vote_is_replaced_at_its_nonce_and_counted_once(gov_chain, votes, tmp_path):
    gov = gov_chain
    queue = RelayQueue(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    counted, nonce = _counted(gov), _nonce(gov)
    worker = RelayWorker(queue, gov.chain.system.outbox(gov.relayer), gov.chain.proposals.nullifier_spent)
    worker.resend_after_s = 0.0  # every round finds it stuck
    gov.w3.provider.make_request("evm_setAutomine", [False])
    try:
        _enqueue(gov, queue, votes[:1])
        assert worker.step() == 1
        first = queue.get(ONE_PERSON_ONE_VOTE, votes[0][2].nullifier)
        time.sleep(0.01)
        worker.settle()  # not mined: replaced at the same nonce with a higher gas price
        replaced = queue.get(ONE_PERSON_ONE_VOTE, votes[0][2].nullifier)
        assert first is not None and replaced is not None
        assert replaced.nonce == first.nonce and replaced.tx_hash != first.tx_hash
        assert replaced.gas_price is not None and first.gas_price is not None
        assert replaced.gas_price > first.gas_price
        gov.w3.provider.make_request("evm_mine", [])
        worker.settle()
    finally:
        gov.w3.provider.make_request("evm_setAutomine", [True])
    assert queue.count(MINED) == 1
    assert _counted(gov) == counted + 1 and _nonce(gov) == nonce + 1  # one of the two was mined, once
