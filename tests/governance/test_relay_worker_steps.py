"""RelayWorker step by step on a bare anvil whose blocks are mined only when the test says so
(tests/governance/relay_chain.py): which nonce each vote gets, what is broadcast before anything is
mined, how a restart settles rows left signed, how a stuck or lost transaction is replaced, how a vote
the node refuses is requeued and then failed, and the waiting API. Fast and deterministic: no proofs,
no contracts but one that reverts, no sleeps but the resend delay's."""

from __future__ import annotations

import inspect
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from contracts import NodeUnavailableError, http_web3
from contracts.anvil import AnvilNode
from contracts.nonce_sender import Outbox
from governance import RelayQueue, RelayWorker
from governance.relay_queue import FAILED, MINED, QUEUED, SENT, SIGNED
from governance.relay_worker import MAX_REFUSALS, REPLACEMENT_BUMP

from .flaky_node import FlakyNode
from .relay_chain import REVERTER_INIT, RelayChain, enqueue, vote_data

pytestmark = pytest.mark.slow  # one anvil per module (~1 s)


@pytest.fixture(scope="module")
def chain() -> Iterator[RelayChain]:
    with AnvilNode.start() as node:
        w3 = Web3(Web3.HTTPProvider(node.url))
        w3.provider.make_request("evm_setAutomine", [False])
        deploy = w3.eth.send_transaction({"from": w3.eth.accounts[0], "data": REVERTER_INIT})
        w3.provider.make_request("evm_mine", [])
        reverter = w3.eth.get_transaction_receipt(deploy)["contractAddress"]
        yield RelayChain(w3, reverter)


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[RelayQueue]:
    built = RelayQueue(f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    try:
        yield built
    finally:
        built.close()


def _worker(chain: RelayChain, queue: RelayQueue, name: str, **kwargs) -> tuple[RelayWorker, str]:
    account = chain.relayer(name)
    worker = RelayWorker(queue, chain.outbox(account), chain.spent_by(account.address), **kwargs)
    return worker, account.address


def test_queued_votes_get_consecutive_nonces_and_all_leave_before_any_is_mined(chain, queue):
    worker, sender = _worker(chain, queue, "consecutive")
    first = chain.pending_count(sender)
    for nullifier in (11, 12, 13):
        enqueue(queue, sender, nullifier)
    expected_price = chain.price()
    assert worker.step() == 3
    rows = [queue.get("opv", n) for n in (11, 12, 13)]
    assert [r.nonce for r in rows] == [first, first + 1, first + 2]
    assert all(r.state == SENT and r.gas_price == expected_price and r.sent_at is not None for r in rows)
    assert chain.pending_count(sender) == first + 3 and chain.mined_count(sender) == first  # none mined yet
    for r in rows:  # the recorded hash is the transaction the node holds, with the recorded fields
        tx = chain.w3.eth.get_transaction(r.tx_hash)
        assert r.tx_hash == "0x" + bytes(tx["hash"]).hex()
        assert (tx["nonce"], tx["gasPrice"], tx["gas"], tx["from"]) == (r.nonce, r.gas_price, r.gas, sender)
        assert bytes(tx["input"]).hex() == vote_data(r.nullifier)[2:]
    assert worker.step() == 0  # nothing queued, nothing stuck: nothing sent again
    enqueue(queue, sender, 14)  # the next batch continues after the last nonce it gave
    assert worker.step() == 1 and queue.get("opv", 14).nonce == first + 3
    chain.mine()
    worker.settle()
    block = chain.w3.eth.block_number
    for r in (queue.get("opv", n) for n in (11, 12, 13, 14)):
        receipt = chain.w3.eth.get_transaction_receipt(r.tx_hash)
        assert (r.state, r.block_number, r.gas_used) == (MINED, block, receipt["gasUsed"])
        assert r.gas_used > 21_000
    assert worker.mined_count == 4 and chain.mined_count(sender) == first + 4


def test_a_vote_the_chain_reverts_fails_and_the_others_count(chain, queue):
    worker, sender = _worker(chain, queue, "reverts")
    enqueue(queue, sender, 21)
    enqueue(queue, sender, 22, to=chain.reverter)
    enqueue(queue, sender, 23)
    assert worker.step() == 3
    chain.mine()
    worker.step()
    states = {n: queue.get("opv", n) for n in (21, 22, 23)}
    assert states[22].state == FAILED and states[22].error == "the transaction reverted on chain"
    assert states[22].nonce is not None  # its nonce is spent on chain: kept
    assert states[21].state == MINED and states[23].state == MINED
    assert queue.count(SENT) == 0


def test_a_restart_settles_the_rows_left_signed_by_the_chain(chain, queue):
    """Crash after signing: one vote had left, its nonce's neighbour was taken by another transaction,
    the third never left. The restarted worker finds them mined, failed and re-broadcast."""
    account = chain.relayer("restart")
    outbox = chain.outbox(account)
    first = outbox.nonce("pending")
    price = chain.price()
    left, lost, unsent = (enqueue(queue, account.address, n) for n in (31, 32, 33))
    queue.sign({left.id: first, lost.id: first + 1, unsent.id: first + 2}, price)
    outbox.broadcast(outbox.prepare(left.to, left.data, first, left.gas, price))  # its hash was never written
    outbox.broadcast(outbox.prepare(left.to, "0xabcd", first + 1, left.gas, price))  # not the vote
    chain.mine()
    restarted = RelayWorker(queue, chain.outbox(account), chain.spent_by(account.address))
    resend_price = max(price, chain.price())  # never below today's price
    assert restarted.step() == 0  # nothing queued; settle re-broadcast the unsent one
    rows = {n: queue.get("opv", n) for n in (31, 32, 33)}
    assert (rows[31].state, rows[31].block_number, rows[31].gas_used) == (MINED, None, None)
    assert rows[32].state == FAILED and rows[32].error == "its nonce was spent but the vote is not on chain"
    assert (rows[33].state, rows[33].nonce, rows[33].gas_price) == (SENT, first + 2, resend_price)
    tx = chain.w3.eth.get_transaction(rows[33].tx_hash)  # at its recorded nonce
    assert (tx["nonce"], tx["gasPrice"]) == (first + 2, resend_price)
    chain.mine()
    restarted.settle()
    assert queue.get("opv", 33).state == MINED
    assert chain.mined_count(account.address) == first + 3  # one transaction per nonce


def test_a_vote_that_left_before_the_crash_is_not_sent_again(chain, queue):
    account = chain.relayer("left-pending")
    outbox = chain.outbox(account)
    first = outbox.nonce("pending")
    price = chain.price()
    vote = enqueue(queue, account.address, 41)
    queue.sign({vote.id: first}, price)
    tx_hash = outbox.broadcast(outbox.prepare(vote.to, vote.data, first, vote.gas, price))  # still pending
    restarted = RelayWorker(queue, chain.outbox(account), chain.spent_by(account.address))
    restarted.step()  # the node already holds it: the re-broadcast is refused, the row stays signed
    row = queue.get("opv", 41)
    assert (row.state, row.nonce, row.tx_hash) == (SIGNED, first, None)
    assert chain.pending_count(account.address) == first + 1
    chain.mine()
    restarted.step()
    assert queue.get("opv", 41).state == MINED
    assert chain.w3.eth.get_transaction_receipt(tx_hash)["status"] == 1


def test_new_votes_take_the_nonces_after_the_recorded_ones(chain, queue):
    account = chain.relayer("after-recorded")
    outbox = chain.outbox(account)
    first = outbox.nonce("pending")
    a, b = (enqueue(queue, account.address, n) for n in (51, 52))
    queue.sign({a.id: first, b.id: first + 1}, chain.price())  # recorded, not sent
    enqueue(queue, account.address, 53)
    worker = RelayWorker(queue, chain.outbox(account), chain.spent_by(account.address))
    assert worker.send_queued() == 1  # the node's pending nonce is still `first`: the records win
    assert queue.get("opv", 53).nonce == first + 2


def test_without_records_the_first_nonce_is_the_nodes_pending_one(chain, queue):
    account = chain.relayer("pending-nonce")
    outbox = chain.outbox(account)
    price = chain.price()
    for nonce in range(2):  # the account spent two nonces outside this queue, one still pending
        outbox.broadcast(outbox.prepare(account.address, "0x", nonce, 30_000, price))
        if nonce == 0:
            chain.mine()
    enqueue(queue, account.address, 61)
    worker = RelayWorker(queue, chain.outbox(account), chain.spent_by(account.address))
    assert worker.send_queued() == 1
    assert queue.get("opv", 61).nonce == 2
    enqueue(queue, account.address, 62)
    assert worker.send_queued() == 1 and queue.get("opv", 62).nonce == 3  # continues from memory


def test_a_lost_transaction_is_replaced_at_its_nonce_only_after_the_resend_delay(chain, queue):
    worker, sender = _worker(chain, queue, "lost", resend_after_s=1.0)
    enqueue(queue, sender, 71)
    enqueue(queue, sender, 72)
    assert worker.step() == 2
    sent = queue.get("opv", 71)
    chain.w3.provider.make_request("anvil_dropTransaction", [sent.tx_hash])  # the node forgot it
    worker.settle()  # too early: kept as it is
    assert queue.get("opv", 71).tx_hash == sent.tx_hash
    time.sleep(1.1)
    worker.settle()
    replaced = queue.get("opv", 71)
    assert replaced.nonce == sent.nonce and replaced.tx_hash != sent.tx_hash
    assert replaced.gas_price == int(sent.gas_price * REPLACEMENT_BUMP)
    assert replaced.sent_at > sent.sent_at
    chain.mine()
    worker.settle()
    assert [queue.get("opv", n).state for n in (71, 72)] == [MINED, MINED]
    assert chain.mined_count(sender) == sent.nonce + 2


def test_a_vote_the_node_refuses_is_requeued_then_failed_and_frees_its_nonce(chain, queue, caplog):
    worker, sender = _worker(chain, queue, "refused")
    first = chain.pending_count(sender)
    enqueue(queue, sender, 81, gas=40_000_000)  # above the block gas limit: the node refuses it
    enqueue(queue, sender, 82)
    with caplog.at_level(logging.WARNING, logger="governance.relay_worker"):
        assert worker.step() == 0
    assert (
        caplog.records[0]
        .getMessage()
        .startswith(
            f"relay: the node refused a vote at nonce {first}: the node refused transaction nonce {first}: "
        )
    )
    for _ in range(MAX_REFUSALS - 2):
        assert worker.step() == 0
        rows = [queue.get("opv", n) for n in (81, 82)]
        assert [(r.state, r.nonce, r.gas_price) for r in rows] == [(QUEUED, None, None)] * 2
    assert worker.step() == 0  # the third refusal: it fails for good, its nonce released
    refused = queue.get("opv", 81)
    assert (refused.state, refused.error, refused.nonce) == (FAILED, "refused by the node", None)
    assert queue.get("opv", 82).state == QUEUED
    assert worker.step() == 1
    assert queue.get("opv", 82).nonce == first  # no gap where the refused vote was
    chain.mine()
    worker.step()
    assert queue.get("opv", 82).state == MINED


def test_a_refusal_mid_batch_keeps_what_left_and_requeues_the_rest(chain, queue):
    worker, sender = _worker(chain, queue, "mid-batch")
    first = chain.pending_count(sender)
    enqueue(queue, sender, 91)
    enqueue(queue, sender, 92, gas=40_000_000)
    enqueue(queue, sender, 93)
    assert worker.step() == 1
    rows = [queue.get("opv", n) for n in (91, 92, 93)]
    assert (rows[0].state, rows[0].nonce) == (SENT, first)
    assert [(r.state, r.nonce) for r in rows[1:]] == [(QUEUED, None)] * 2
    assert worker.step() == 0  # the refused vote is first in line again; the one behind waits
    assert queue.get("opv", 92).state == QUEUED and queue.get("opv", 93).state == QUEUED
    chain.mine()
    worker.step()
    assert queue.get("opv", 91).state == MINED


def test_wait_returns_a_done_row_an_unknown_vote_or_the_row_at_its_timeout(chain, queue):
    worker, sender = _worker(chain, queue, "wait", poll_s=0.05)
    assert worker.wait("opv", 404, 5.0) is None
    enqueue(queue, sender, 101)
    started = time.monotonic()
    row = worker.wait("opv", 101, 0.3)
    assert row.state == QUEUED and 0.25 < time.monotonic() - started < 3.0
    worker.start()
    try:
        deadline = time.monotonic() + 10
        while queue.get("opv", 101).state != SENT:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        chain.mine()
        done = worker.wait("opv", 101, 10.0)
        assert done.state == MINED and done.done
    finally:
        worker.stop()
    assert not worker._thread.is_alive()


def test_a_broadcast_the_node_does_not_answer_keeps_its_nonce_and_is_sent_again(chain, queue):
    account = chain.relayer("unanswered")
    with FlakyNode(chain.w3.provider.endpoint_uri) as node:
        worker = RelayWorker(queue, Outbox(http_web3(node.url), account), chain.spent_by(account.address))
        vote = enqueue(queue, account.address, 181)
        first = chain.pending_count(account.address)
        node.fail("eth_sendRawTransaction")
        with pytest.raises(NodeUnavailableError, match="did not answer eth_sendRawTransaction"):
            worker.step()  # the round fails (the thread logs it and retries); no answer is not a refusal
        row = queue.get("opv", 181)
        assert (row.state, row.nonce, row.tx_hash) == (SIGNED, first, None)  # the nonce stays the vote's
        assert chain.pending_count(account.address) == first  # the proxy kept it from the node
        node.heal()
        worker.step()  # settle re-broadcasts the signed row at its recorded nonce
        row = queue.get("opv", 181)
        assert (row.state, row.nonce) == (SENT, first) and row.id == vote.id
        assert chain.pending_count(account.address) == first + 1
        chain.mine()
        worker.settle()
        assert queue.get("opv", 181).state == MINED


def test_the_thread_survives_a_round_that_fails(chain, queue, caplog):
    account = chain.relayer("survives")
    calls: list[int] = []

    def flaky_spent(ballot: str, nullifier: int) -> bool:
        calls.append(nullifier)
        if len(calls) == 1:
            raise ConnectionError("the node hiccuped")
        return chain.spent_by(account.address)(ballot, nullifier)

    outbox = chain.outbox(account)
    vote = enqueue(queue, account.address, 111)
    first = outbox.nonce("pending")
    price = chain.price()
    queue.sign({vote.id: first}, price)
    outbox.broadcast(outbox.prepare(vote.to, vote.data, first, vote.gas, price))
    chain.mine()  # its nonce is spent, its hash unknown: settle asks the chain, which fails once
    with caplog.at_level(logging.ERROR, logger="governance.relay_worker"):
        worker = RelayWorker(queue, outbox, flaky_spent, poll_s=0.05).start()
        try:
            assert worker._thread.name == "relay-worker" and worker._thread.daemon  # never blocks an exit
            done = worker.wait("opv", 111, 10.0)
        finally:
            worker.stop()
    assert done.state == MINED and len(calls) >= 2
    failed_round = [r for r in caplog.records if r.exc_info]
    assert [r.getMessage() for r in failed_round] == ["relay worker round failed; retrying"]
    assert failed_round[0].exc_info[0] is ConnectionError


def test_the_defaults_and_a_stop_that_does_not_wait_for_a_stuck_round(chain, queue):
    outbox = chain.outbox(chain.relayer("defaults"))
    worker = RelayWorker(queue, outbox, lambda _b, _n: False)
    assert (worker.batch, worker.resend_after_s, worker.poll_s) == (200, 30.0, 0.2)
    assert inspect.signature(worker.stop).parameters["timeout_s"].default == 10.0
    worker.stop()  # never started: nothing to join
    release = threading.Event()
    vote = enqueue(queue, outbox.address, 171)
    nonce, price = outbox.nonce("pending"), chain.price()
    queue.sign({vote.id: nonce}, price)
    outbox.broadcast(outbox.prepare(vote.to, vote.data, nonce, vote.gas, price))
    chain.mine()  # settle will ask the chain, which hangs until released
    stuck = RelayWorker(queue, outbox, lambda _b, _n: release.wait(30) and False, poll_s=0.05).start()
    time.sleep(0.2)
    started = time.monotonic()
    stuck.stop(timeout_s=0.3)
    assert time.monotonic() - started < 5.0  # the join is bounded
    release.set()


def test_a_batch_holds_at_most_batch_votes(chain, queue):
    worker, sender = _worker(chain, queue, "batch", batch=2)
    for nullifier in (181, 182, 183):
        enqueue(queue, sender, nullifier)
    assert worker.step() == 2 and queue.get("opv", 183).state == QUEUED
    assert worker.step() == 1


def test_a_restart_re_sends_at_the_recorded_price_when_it_is_above_todays(chain, queue):
    account = chain.relayer("recorded-higher")
    outbox = chain.outbox(account)
    first, price = outbox.nonce("pending"), 3 * chain.price()
    vote = enqueue(queue, account.address, 191)
    queue.sign({vote.id: first}, price)  # recorded, never sent
    restarted = RelayWorker(queue, chain.outbox(account), chain.spent_by(account.address))
    restarted.step()
    row = queue.get("opv", 191)
    assert (row.state, row.gas_price) == (SENT, price)  # a copy that did leave would be the same transaction


def _raise_base_fee(chain: RelayChain, wei: int) -> None:
    chain.w3.provider.make_request("anvil_setNextBlockBaseFeePerGas", [hex(wei)])
    chain.mine()  # the block after this one is priced from it


def test_a_vote_signed_before_a_fee_rise_is_sent_at_the_current_price_after_a_restart(chain, queue):
    """A relayer that stopped after signing and restarts once the base fee has risen past the recorded
    price must not re-send the recorded price forever (the node refuses it below the base fee)."""
    account = chain.relayer("fee-rise-signed")
    outbox = chain.outbox(account)
    first, price = outbox.nonce("pending"), chain.price()
    vote = enqueue(queue, account.address, 121)
    queue.sign({vote.id: first}, price)  # recorded, never sent
    _raise_base_fee(chain, 4 * price)
    restarted = RelayWorker(queue, chain.outbox(account), chain.spent_by(account.address))
    restarted.step()
    row = queue.get("opv", 121)
    assert (row.state, row.nonce) == (SENT, first)
    assert row.gas_price == chain.price() > price  # the base fee's rise, times two
    chain.mine()
    restarted.step()
    assert queue.get("opv", 121).state == MINED


def test_a_stuck_vote_is_replaced_above_a_risen_base_fee(chain, queue):
    worker, sender = _worker(chain, queue, "fee-rise-stuck", resend_after_s=0.2)
    enqueue(queue, sender, 131)
    assert worker.step() == 1
    sent = queue.get("opv", 131)
    chain.w3.provider.make_request("anvil_dropTransaction", [sent.tx_hash])
    _raise_base_fee(chain, 4 * sent.gas_price)  # a 25 % bump is not enough any more
    time.sleep(0.3)
    worker.settle()
    replaced = queue.get("opv", 131)
    assert replaced.tx_hash != sent.tx_hash and replaced.nonce == sent.nonce
    assert replaced.gas_price == chain.price()
    chain.mine()
    worker.settle()
    assert queue.get("opv", 131).state == MINED


def test_the_price_follows_the_base_fee_not_the_relayers_own_tips(chain, queue):
    """One vote per block for 12 blocks: the node's suggested price is base fee + recent tips, and the
    recent tips are the relayer's own; doubling the suggestion doubled the price at every block (2^11)."""
    worker, sender = _worker(chain, queue, "own-tips")
    prices = []
    for nullifier in range(141, 153):
        enqueue(queue, sender, nullifier)
        assert worker.step() == 1
        prices.append(queue.get("opv", nullifier).gas_price)
        chain.mine()
    worker.step()
    assert queue.count(MINED) == 12
    assert max(prices) < 4 * prices[0], [p // 10**6 for p in prices]


def test_on_a_chain_without_eip_1559_the_price_is_twice_the_suggested_one(tmp_path):
    with AnvilNode.start(extra_args=("--hardfork", "berlin")) as node:
        w3 = Web3(Web3.HTTPProvider(node.url))
        queue = RelayQueue(f"sqlite:///{tmp_path / 'berlin.sqlite3'}")
        sender = w3.eth.accounts[2]  # an unlocked node account
        worker = RelayWorker(queue, Outbox(w3, sender), lambda _ballot, _nullifier: False)
        enqueue(queue, sender, 161)
        assert worker.step() == 1
        assert queue.get("opv", 161).gas_price == 2 * w3.eth.gas_price
        queue.close()
