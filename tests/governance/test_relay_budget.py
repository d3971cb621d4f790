"""The relayer's policy, gas budget and pending votes (governance/relay_policy.py, relay_pending.py) without
a chain: which settings parse, what is refused and with which code, the budgets at their exact limits and
period boundary, and the pending map's expiry and size bound, on clocks the tests set."""

from __future__ import annotations

import pytest

from governance.errors import RateLimitedError, SetupMissingError
from governance.proposals import BALLOT_KINDS, ONE_PERSON_ONE_VOTE, QUADRATIC
from governance.relay_pending import PendingVote, PendingVotes
from governance.relay_policy import (
    DEFAULT_GAS_PER_PERIOD,
    DEFAULT_GAS_PER_PROPOSAL,
    DEFAULT_PERIOD_S,
    GasBudget,
    RelayControls,
    RelayPolicy,
    RelayRefusedError,
)

ALICE = "0x" + "a1" * 20  # lower case: not checksummed
ALICE_CHECKSUM = "0xA1A1a1a1A1A1A1A1A1a1a1a1a1a1A1A1a1A1a1a1"  # EIP-55
PROPOSAL = (ONE_PERSON_ONE_VOTE, 1)
ALLOWLIST_WORDS = (
    r"^this relayer only pays for votes on proposals of its allowlisted proposers; "
    r"send the vote yourself or through another relayer$"
)


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_default_policy_pays_for_every_ballot_and_proposer():
    policy = RelayPolicy()
    assert policy.ballots == frozenset(BALLOT_KINDS) and policy.proposers is None
    assert (policy.gas_per_proposal, policy.gas_per_period, policy.period_s) == (
        DEFAULT_GAS_PER_PROPOSAL,
        DEFAULT_GAS_PER_PERIOD,
        DEFAULT_PERIOD_S,
    )
    policy.admit(QUADRATIC, lambda: pytest.fail("the proposer is not read when any proposer is paid for"))


@pytest.mark.parametrize(
    "fields",
    [
        {"ballots": frozenset({"ranked"})},
        {"gas_per_proposal": 0},
        {"gas_per_period": 0},
        {"period_s": 0.0},
        {"period_s": -1.0},
    ],
)
def test_a_policy_outside_its_ranges_is_refused(fields):
    words = {"ballots": r"^relay ballots must be among one_person_one_vote, quadratic$"}
    with pytest.raises(
        ValueError,
        match=words.get(next(iter(fields)), r"^relay gas budgets and the period must be positive$"),
    ):
        RelayPolicy(**fields)


def test_the_smallest_budgets_are_allowed_and_proposers_are_checksummed():
    policy = RelayPolicy(frozenset(), frozenset({ALICE}), 1, 1, 1e-9)
    assert policy.proposers == frozenset({ALICE_CHECKSUM})
    assert RelayPolicy(frozenset({QUADRATIC})).ballots == frozenset({QUADRATIC})


def test_settings_parse_into_a_policy():
    policy = RelayPolicy.from_settings(
        {
            "relay_ballots": f" {QUADRATIC} ,, ",
            "relay_proposers": f"{ALICE}, ",
            "relay_gas_per_proposal": "500",
            "relay_gas_per_period": 700,
            "relay_period_s": "60",
        }
    )
    assert policy == RelayPolicy(frozenset({QUADRATIC}), frozenset({ALICE_CHECKSUM}), 500, 700, 60.0)
    assert RelayPolicy.from_settings({}) == RelayPolicy()
    assert RelayPolicy.from_settings({"relay_ballots": " , "}).ballots == frozenset(BALLOT_KINDS)


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        ({"relay_proposers": "0x1234"}, "relay_proposers holds something that is not an address$"),
        ({"relay_ballots": "ranked"}, "relay ballots must be among"),
        ({"relay_gas_per_period": "lots"}, "invalid literal"),
        ({"relay_period_s": "0"}, "must be positive"),
        ({"relay_gas_per_proposal": None}, "int"),
    ],
)
def test_malformed_settings_name_the_relay_policy(extra, words):
    with pytest.raises(SetupMissingError, match=rf"^the relay policy settings are malformed: .*{words}"):
        RelayPolicy.from_settings(extra)


def test_admit_refuses_ballots_and_proposers_not_paid_for():
    policy = RelayPolicy(frozenset({ONE_PERSON_ONE_VOTE}), frozenset({ALICE}))
    with pytest.raises(RelayRefusedError, match=f"does not pay for {QUADRATIC} ballots") as ballot:
        policy.admit(QUADRATIC, lambda: ALICE)
    assert (ballot.value.code, ballot.value.status) == ("ballot_not_relayed", 403)
    policy.admit(ONE_PERSON_ONE_VOTE, lambda: ALICE)  # any spelling of an allowlisted address
    with pytest.raises(RelayRefusedError, match=ALLOWLIST_WORDS) as proposer:
        policy.admit(ONE_PERSON_ONE_VOTE, lambda: "0x" + "b2" * 20)
    assert proposer.value.code == "proposer_not_relayed"


def test_a_proposals_budget_holds_exactly_its_gas():
    budget = GasBudget(RelayPolicy(gas_per_proposal=1000, gas_per_period=10_000), Clock())
    budget.reserve(PROPOSAL, 600)
    budget.reserve(PROPOSAL, 400)  # exactly the budget
    assert budget.used(PROPOSAL) == 1000
    with pytest.raises(
        RelayRefusedError, match=r"^this proposal's relay gas budget is spent; send the vote yourself$"
    ) as spent:
        budget.reserve(PROPOSAL, 1)
    assert spent.value.code == "proposal_budget_spent"
    assert budget.used(PROPOSAL) == 1000  # a refusal reserves nothing
    budget.reserve((QUADRATIC, 1), 1000)  # another proposal has its own budget
    assert budget.used((ONE_PERSON_ONE_VOTE, 2)) == 0


def test_the_period_budget_refuses_with_the_time_left_and_renews_at_the_period_end():
    clock = Clock(1000.0)
    budget = GasBudget(RelayPolicy(gas_per_proposal=10_000, gas_per_period=1000, period_s=100.0), clock)
    budget.reserve(PROPOSAL, 1000)
    clock.now = 1030.0
    with pytest.raises(
        RateLimitedError, match=r"^the relayer's gas budget for this period is spent$"
    ) as limited:
        budget.reserve((QUADRATIC, 2), 1)
    assert limited.value.retry_after == pytest.approx(70.0)
    clock.now = 1099.999
    with pytest.raises(RateLimitedError):
        budget.reserve((QUADRATIC, 2), 1)
    clock.now = 1100.0  # the period ends exactly here
    budget.reserve((QUADRATIC, 2), 1000)
    clock.now = 1150.0
    with pytest.raises(RateLimitedError) as again:  # the new period started at 1100
        budget.reserve((QUADRATIC, 3), 1)
    assert again.value.retry_after == pytest.approx(50.0)
    assert budget.used(PROPOSAL) == 1000  # per-proposal budgets do not renew


def test_settling_replaces_a_reservation_by_the_gas_used():
    clock = Clock()
    budget = GasBudget(RelayPolicy(gas_per_proposal=1000, gas_per_period=1000), clock)
    budget.reserve(PROPOSAL, 800)
    budget.settle(PROPOSAL, 800, 300)
    assert budget.used(PROPOSAL) == 300
    budget.reserve(PROPOSAL, 700)  # the period has room again too: 300 + 700
    with pytest.raises(RelayRefusedError):
        budget.reserve(PROPOSAL, 1)
    budget.settle(PROPOSAL, 700, 0)  # nothing was sent
    assert budget.used(PROPOSAL) == 300
    budget.settle((QUADRATIC, 9), 500, 0)  # never below zero: the proposal's and the period's use
    assert budget.used((QUADRATIC, 9)) == 0
    budget.reserve((QUADRATIC, 9), 1000)  # the period's 300 - 500 clamped to 0: the whole budget, not more
    with pytest.raises(RateLimitedError):
        budget.reserve((QUADRATIC, 10), 1)


def test_the_period_use_never_goes_below_zero():
    budget = GasBudget(RelayPolicy(gas_per_proposal=1000, gas_per_period=1000), Clock())
    budget.settle(PROPOSAL, 600, 0)  # a settle with nothing reserved
    budget.reserve((QUADRATIC, 1), 1000)
    with pytest.raises(RateLimitedError):
        budget.reserve((QUADRATIC, 2), 1)


class Book:
    """A proposal book that counts its reads (the proposer is read from a chain event in production)."""

    def __init__(self) -> None:
        self.reads: list[tuple[str, int]] = []

    def proposer(self, ballot: str, proposal_id: int) -> str:
        self.reads.append((ballot, proposal_id))
        return f"proposer-of-{ballot}-{proposal_id}"


def test_the_controls_read_each_proposer_once():
    controls = RelayControls(RelayPolicy(gas_per_period=5), receipt_wait_s=7.5)
    assert controls.receipt_wait_s == 7.5 and controls.budget.policy.gas_per_period == 5
    assert isinstance(controls.pending, PendingVotes) and len(controls.pending) == 0
    book = Book()
    assert controls.proposer(book, QUADRATIC, 4) == "proposer-of-quadratic-4"
    assert controls.proposer(book, QUADRATIC, 4) == "proposer-of-quadratic-4"
    assert controls.proposer(book, ONE_PERSON_ONE_VOTE, 4) == "proposer-of-one_person_one_vote-4"
    assert book.reads == [(QUADRATIC, 4), (ONE_PERSON_ONE_VOTE, 4)]
    assert RelayControls().policy == RelayPolicy()


def _pending(n: int) -> PendingVote:
    return PendingVote(bytes([n]) * 32, (ONE_PERSON_ONE_VOTE, n), 1000 + n)


def test_pending_votes_are_found_handed_back_and_popped_once():
    pending = PendingVotes(clock=Clock())
    key = (ONE_PERSON_ONE_VOTE, 77)
    assert pending.get(key) is None and not pending.pop(key)
    pending.add(key, _pending(1))
    assert pending.get(key) == _pending(1) and not pending.get(key).handed_back
    pending.hand_back(key)
    assert pending.get(key) == PendingVote(bytes([1]) * 32, (ONE_PERSON_ONE_VOTE, 1), 1001, handed_back=True)
    pending.hand_back((QUADRATIC, 77))  # unknown: nothing happens
    assert len(pending) == 1
    assert pending.pop(key) and not pending.pop(key)
    assert pending.get(key) is None


def test_pending_votes_expire_at_their_ttl_oldest_first():
    clock = Clock(0.0)
    pending = PendingVotes(ttl_s=10.0, clock=clock)
    pending.add(("a", 1), _pending(1))
    clock.now = 4.0
    pending.add(("a", 2), _pending(2))
    pending.hand_back(("a", 1))  # marking it keeps its age
    clock.now = 9.999
    assert pending.get(("a", 1)) is not None
    clock.now = 10.0  # exactly the ttl
    assert pending.get(("a", 1)) is None and pending.get(("a", 2)) is not None
    clock.now = 14.0
    assert pending.get(("a", 2)) is None and len(pending) == 0


def test_pending_votes_keep_at_most_max_entries_dropping_the_oldest():
    pending = PendingVotes(max_entries=2, clock=Clock())
    for n in range(1, 4):
        pending.add(("a", n), _pending(n))
    assert len(pending) == 2
    assert pending.get(("a", 1)) is None
    assert pending.get(("a", 2)) == _pending(2) and pending.get(("a", 3)) == _pending(3)


def test_the_period_adds_up_reservations_of_several_proposals():
    budget = GasBudget(RelayPolicy(gas_per_proposal=10_000, gas_per_period=1000), Clock())
    budget.reserve((QUADRATIC, 1), 600)
    budget.reserve((QUADRATIC, 2), 400)
    with pytest.raises(RateLimitedError):
        budget.reserve((QUADRATIC, 3), 1)


def test_gas_used_beyond_an_unknown_reservation_is_charged():
    budget = GasBudget(RelayPolicy(gas_per_proposal=1000, gas_per_period=1000), Clock())
    budget.settle(PROPOSAL, 0, 100)  # a vote that used more than nothing reserved
    assert budget.used(PROPOSAL) == 100
