"""What the relayer agrees to pay for: allowlisted ballots and proposers, per-proposal and per-period gas.

Anyone enrolled can create a proposal (~75k gas) and the relayer pays ~283k gas per relayed vote, so
without a policy one person can drain the relayer's account with proposals of their own. Before a vote
is sent the relayer reserves the transaction's gas limit against both budgets (refused when either is
spent), and settles the reservation to the gas actually used once the receipt arrives (or releases it
when nothing was sent). Budgets are in memory: a restart starts a new period (documented limit).

Settings (typed, personhood/config.py): `relay_ballots` (comma-separated ballot kinds), `relay_proposers`
(comma-separated addresses; empty: any proposer), `relay_gas_per_proposal`, `relay_gas_per_period`,
`relay_period_s`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from eth_utils import is_address, to_checksum_address

from .errors import GovernanceError, RateLimitedError, SetupMissingError
from .proposals import BALLOT_KINDS, ProposalBook
from .relay_pending import PendingVotes

DEFAULT_GAS_PER_PROPOSAL = 300_000_000  # ~1,000 relayed votes at ~283k gas each
DEFAULT_GAS_PER_PERIOD = 1_000_000_000  # ~3,500 relayed votes a day
DEFAULT_PERIOD_S = 86_400.0
RECEIPT_WAIT_S = 60.0  # a request waits this long for its receipt, then answers 202 with the hash


class RelayRefusedError(GovernanceError):
    """The relayer's policy does not pay for this vote (ballot or proposer not allowed, budget spent)."""

    code = "relay_refused"
    status = 403


@dataclass(frozen=True)
class RelayPolicy:
    """Which votes the relayer pays for; `proposers` None means any proposer."""

    ballots: frozenset[str] = frozenset(BALLOT_KINDS)
    proposers: frozenset[str] | None = None
    gas_per_proposal: int = DEFAULT_GAS_PER_PROPOSAL
    gas_per_period: int = DEFAULT_GAS_PER_PERIOD
    period_s: float = DEFAULT_PERIOD_S

    def __post_init__(self) -> None:
        if not self.ballots <= set(BALLOT_KINDS):
            raise ValueError(f"relay ballots must be among {', '.join(BALLOT_KINDS)}")
        if self.gas_per_proposal < 1 or self.gas_per_period < 1 or self.period_s <= 0:
            raise ValueError("relay gas budgets and the period must be positive")
        if self.proposers is not None:
            object.__setattr__(self, "proposers", frozenset(to_checksum_address(p) for p in self.proposers))

    @classmethod
    def from_settings(cls, extra: Mapping[str, object]) -> RelayPolicy:
        """The policy from the relay settings that are set (Settings.given); SetupMissingError for a malformed
        value."""
        try:
            ballots = _items(extra.get("relay_ballots", "")) or list(BALLOT_KINDS)
            proposers = _items(extra.get("relay_proposers", ""))
            if not all(is_address(p) for p in proposers):
                raise ValueError("relay_proposers holds something that is not an address")
            return cls(
                frozenset(ballots),
                frozenset(proposers) if proposers else None,
                int(extra.get("relay_gas_per_proposal", DEFAULT_GAS_PER_PROPOSAL)),
                int(extra.get("relay_gas_per_period", DEFAULT_GAS_PER_PERIOD)),
                float(extra.get("relay_period_s", DEFAULT_PERIOD_S)),
            )
        except (ValueError, TypeError) as e:
            raise SetupMissingError(f"the relay policy settings are malformed: {e}") from e

    def admit(self, ballot: str, proposer: Callable[[], str]) -> None:
        """Refuse (RelayRefusedError) a ballot or a proposal's proposer the policy does not pay for."""
        if ballot not in self.ballots:
            raise RelayRefusedError(f"this relayer does not pay for {ballot} ballots", "ballot_not_relayed")
        if self.proposers is not None and to_checksum_address(proposer()) not in self.proposers:
            raise RelayRefusedError(
                "this relayer only pays for votes on proposals of its allowlisted proposers; "
                "send the vote yourself or through another relayer",
                "proposer_not_relayed",
            )


def _items(text: str) -> list[str]:
    return [item.strip() for item in str(text).split(",") if item.strip()]


class GasBudget:
    """Reservations of gas per proposal and per period, settled to the gas actually used."""

    def __init__(self, policy: RelayPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self.policy, self._clock = policy, clock
        self._lock = threading.Lock()
        self._per_proposal: dict[tuple[str, int], int] = {}
        self._period_start, self._period_used = clock(), 0

    def _roll(self, now: float) -> None:
        if now - self._period_start >= self.policy.period_s:
            self._period_start, self._period_used = now, 0

    def reserve(self, proposal: tuple[str, int], gas: int) -> None:
        """Reserve `gas` for one vote on `proposal`; RelayRefusedError / RateLimitedError when spent."""
        with self._lock:
            now = self._clock()
            self._roll(now)
            used = self._per_proposal.get(proposal, 0)
            if used + gas > self.policy.gas_per_proposal:
                raise RelayRefusedError(
                    "this proposal's relay gas budget is spent; send the vote yourself",
                    "proposal_budget_spent",
                )
            if self._period_used + gas > self.policy.gas_per_period:
                retry = self._period_start + self.policy.period_s - now
                raise RateLimitedError("the relayer's gas budget for this period is spent", retry)
            self._per_proposal[proposal] = used + gas
            self._period_used += gas

    def settle(self, proposal: tuple[str, int], reserved: int, used: int) -> None:
        """Replace a reservation by the gas actually used (0 when nothing was sent)."""
        with self._lock:
            delta = reserved - used
            self._per_proposal[proposal] = max(0, self._per_proposal.get(proposal, 0) - delta)
            self._period_used = max(0, self._period_used - delta)

    def used(self, proposal: tuple[str, int]) -> int:
        """Gas reserved or spent on `proposal` so far."""
        with self._lock:
            return self._per_proposal.get(proposal, 0)


class RelayControls:
    """The relayer's policy, gas budget, pending votes, proposer cache and receipt wait, shared by one app."""

    def __init__(
        self,
        policy: RelayPolicy | None = None,
        receipt_wait_s: float = RECEIPT_WAIT_S,
        pending: PendingVotes | None = None,
    ) -> None:
        self.policy = policy or RelayPolicy()
        self.budget = GasBudget(self.policy)
        self.pending = pending or PendingVotes()
        self.receipt_wait_s = receipt_wait_s
        self._proposers: dict[tuple[str, int], str] = {}  # immutable once created: cached for good
        self._lock = threading.Lock()

    def proposer(self, book: ProposalBook, ballot: str, proposal_id: int) -> str:
        """Who created the proposal (from its ProposalCreated event, read once)."""
        with self._lock:
            known = self._proposers.get((ballot, proposal_id))
        if known is None:
            known = book.proposer(ballot, proposal_id)
            with self._lock:
                self._proposers[(ballot, proposal_id)] = known
        return known
