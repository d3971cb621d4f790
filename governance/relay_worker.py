"""The relayer's sender: drains the persisted queue (governance/relay_queue.py) into blocks.

One thread owns the account's nonces: it gives each queued vote the next nonce, writes it down, then
broadcasts, without waiting for receipts, so a block can hold as many votes as its gas allows. Each
`step()` also settles what is in flight (receipts read without waiting and outside any lock) and
deals with the stuck: a transaction not mined after `resend_after_s` is replaced at the same nonce
with a gas price `REPLACEMENT_BUMP` higher, so at most one of the two can be mined. After a restart
`step()` finds the rows left signed or sent and either sees them mined (receipt, or the nonce spent and
the nullifier used on chain), marks them failed (nonce spent, nullifier unused: it reverted), or
broadcasts them again at their recorded nonce. Nothing is lost, nothing is sent for a second nonce.
A re-broadcast or a replacement never pays less than the current price (GAS_PRICE_FACTOR times the base fee,
plus the suggested tip): after a base-fee rise the recorded price would be refused at every round, and every
later nonce with it.

The account must be used by this relayer alone (another sender would take its nonces).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from contracts import ChainError, NodeUnavailableError
from contracts.nonce_sender import Outbox

from .relay_queue import MINED, OPEN_STATES, QUEUED, SIGNED, QueuedVote, RelayQueue

log = logging.getLogger(__name__)
# A vote's gas limit: it uses ~283k (README); 500k keeps a wide margin for the pairing (a starved
# pairing makes the verifier return false) and lets 60 votes share a 30M-gas block (1M allows 30).
RELAY_VOTE_GAS = 500_000
REPLACEMENT_BUMP = 1.25  # nodes want >= +10% to replace a pending transaction at the same nonce
# head-room over the base fee, which rises up to 12.5% per full block (EIP-1559's maxFee = 2 baseFee + tip).
# Only the base fee is multiplied: the node's suggested price is base fee + the recent blocks' tips, and
# where the relayer's own transactions fill those blocks, doubling it doubled the price at every block.
GAS_PRICE_FACTOR = 2
MAX_REFUSALS = 3  # a vote the node refuses this often (before taking it) fails for good
NullifierSpent = Callable[[str, int], bool]  # (ballot, nullifier) -> used on chain?


class RelayWorker:
    """Sends the queue's votes from `outbox`'s account; `start()` runs `step()` in a thread."""

    def __init__(
        self,
        queue: RelayQueue,
        outbox: Outbox,
        nullifier_spent: NullifierSpent,
        *,
        batch: int = 200,
        resend_after_s: float = 30.0,
        poll_s: float = 0.2,
    ) -> None:
        self.queue, self.outbox, self._spent = queue, outbox, nullifier_spent
        self.batch, self.resend_after_s, self.poll_s = batch, resend_after_s, poll_s
        self._next_nonce: int | None = None
        self._refusals: dict[int, int] = {}
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- one round -------------------------------------------------------------------------------
    def step(self) -> int:
        """Settle what is in flight, then send what is queued; the number of transactions broadcast."""
        self.settle()
        return self.send_queued()

    def settle(self) -> None:
        """Mark mined/failed rows, re-broadcast unsent ones, replace ones stuck past `resend_after_s`."""
        in_flight = self.queue.in_state(OPEN_STATES, self.outbox.address)
        if not in_flight:
            return
        confirmed = self.outbox.nonce("latest")
        for vote in in_flight:
            receipt = self.outbox.receipt_if_mined(bytes.fromhex(vote.tx_hash[2:])) if vote.tx_hash else None
            if receipt is not None:
                if int(receipt["status"]) == 1:
                    self.queue.mined(vote.id, int(receipt["blockNumber"]), int(receipt["gasUsed"]))
                else:
                    self.queue.failed(vote.id, "the transaction reverted on chain")
            elif vote.nonce is not None and vote.nonce < confirmed:
                # Its nonce is spent by a version of it whose hash we did not keep (a replacement, or a
                # broadcast cut short by a crash): the chain's nullifier says whether it counted.
                if self._spent(vote.ballot, vote.nullifier):
                    self.queue.mined(vote.id, None, None)
                else:
                    self.queue.failed(vote.id, "its nonce was spent but the vote is not on chain")
            elif vote.state == SIGNED:  # never the recorded price below today's: the node would refuse it
                self._resend(vote, max(vote.gas_price or 0, self._price()))
            elif vote.sent_at is not None and time.time() - vote.sent_at > self.resend_after_s:
                bumped = int((vote.gas_price or self._price()) * REPLACEMENT_BUMP)
                self._resend(vote, max(bumped, self._price()))
        self._notify()

    def send_queued(self) -> int:
        """Give the queued votes the next nonces (one commit) and broadcast them; the number broadcast."""
        queued = self.queue.in_state((QUEUED,), self.outbox.address, self.batch)
        if not queued:
            return 0
        if self._next_nonce is None:
            highest = self.queue.highest_nonce(self.outbox.address)
            self._next_nonce = max(self.outbox.nonce("pending"), -1 if highest is None else highest + 1)
        price, first = self._price(), self._next_nonce
        nonces = {vote.id: first + k for k, vote in enumerate(queued)}
        self.queue.sign(nonces, price)  # on disk before any leaves: a restart re-sends these nonces
        hashes: dict[int, str] = {}
        for k, vote in enumerate(queued):
            tx_hash = self._try_broadcast(vote, price, first + k)
            if tx_hash is None:  # refused before the node took it: release this and later nonces
                self._refuse([v.id for v in queued[k:]])
                break
            hashes[vote.id] = tx_hash
            self._next_nonce = first + k + 1
        self.queue.sent(hashes, price)
        self._notify()
        return len(hashes)

    def _try_broadcast(self, vote: QueuedVote, price: int, nonce: int) -> str | None:
        try:
            return (
                "0x"
                + self.outbox.broadcast(self.outbox.prepare(vote.to, vote.data, nonce, vote.gas, price)).hex()
            )
        except NodeUnavailableError:  # no answer: the node may hold it; the row stays signed and is re-sent
            raise
        except ChainError as e:
            log.warning("relay: the node refused a vote at nonce %d: %s", nonce, e)
            return None

    def _refuse(self, vote_ids: list[int]) -> None:
        self._next_nonce = None  # resynchronize with the node next round
        first = vote_ids[0]
        refusals = self._refusals.get(first, 0) + 1
        self._refusals[first] = refusals
        if refusals >= MAX_REFUSALS:
            self.queue.failed(first, "refused by the node", release_nonce=True)
            vote_ids = vote_ids[1:]
        self.queue.requeue(vote_ids)

    def _resend(self, vote: QueuedVote, price: int) -> None:
        """Broadcast `vote` again at its recorded nonce (after a restart, or replacing a stuck one)."""
        assert vote.nonce is not None
        tx_hash = self._try_broadcast(vote, price, vote.nonce)
        if tx_hash is not None:  # refused: keep the row; settle() decides once its nonce is spent
            self.queue.sent({vote.id: tx_hash}, price)

    def _price(self) -> int:
        base = self.outbox.base_fee()
        if base is None:  # a chain without EIP-1559: its suggested price is all there is
            return self.outbox.gas_price() * GAS_PRICE_FACTOR
        return base * GAS_PRICE_FACTOR + self.outbox.priority_fee()

    # --- waiting for a vote ------------------------------------------------------------------------
    def wait(self, ballot: str, nullifier: int, timeout_s: float) -> QueuedVote | None:
        """The vote's row once mined or failed, or as it stands after `timeout_s` (None if unknown)."""
        deadline = time.monotonic() + timeout_s
        while True:
            vote = self.queue.get(ballot, nullifier)
            left = deadline - time.monotonic()
            if vote is None or vote.done or left <= 0:
                return vote
            with self._changed:
                self._changed.wait(min(left, self.poll_s))

    def _notify(self) -> None:
        with self._changed:
            self._changed.notify_all()

    # --- the thread ----------------------------------------------------------------------------------
    def start(self) -> RelayWorker:
        """Run `step()` every `poll_s` in a daemon thread until `stop()`."""
        self._thread = threading.Thread(target=self._run, name="relay-worker", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop the thread after its current round."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.step()
            except Exception:  # the chain or database hiccuped; the queue is on disk: retry
                log.exception("relay worker round failed; retrying")
            self._stop.wait(self.poll_s)

    @property
    def mined_count(self) -> int:
        """Votes mined (all time, this queue)."""
        return self.queue.count(MINED)
