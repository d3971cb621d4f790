"""QuadraticVote on anvil: budgets, one ballot per person, the ballot bound to the proof, tallies."""

from __future__ import annotations

import pytest

from contracts import ContractRevertError, quadratic_cost, quadratic_message
from contracts.transactions import dry_run

pytestmark = [pytest.mark.slow, pytest.mark.node]


def _refused(name: str):
    return pytest.raises(ContractRevertError, match=rf"\b{name}\(")


@pytest.mark.parametrize(
    ("n", "name", "votes"),
    [(2, "qv2_id0", [6, 8]), (5, "qv5_id1", [1, 2, 3, 0, 4]), (10, "qv10_id2", [1] * 10)],
)
def test_a_ballot_within_budget_is_counted(chain, n, name, votes):
    p = chain.proposals[f"qv{n}"]
    assert quadratic_cost(votes) <= 100
    chain.qv.cast_vote(p, votes, chain.proofs[name], chain.relayer)
    assert chain.qv.tallies(p) == votes
    assert chain.qv.recount(p) == votes


def test_ballots_add_up_and_each_person_votes_once(chain):
    p = chain.proposals["qv2"]
    chain.qv.cast_vote(p, [6, 8], chain.proofs["qv2_id0"], chain.relayer)
    chain.qv.cast_vote(p, [10, 0], chain.proofs["qv2_id1"], chain.relayer)
    assert chain.qv.tallies(p) == [16, 8] == chain.qv.recount(p)
    with _refused("NullifierAlreadyUsed"):
        chain.qv.cast_vote(p, [6, 8], chain.proofs["qv2_id0"], chain.relayer)


@pytest.mark.parametrize("votes", [[8, 8], [11, 0], [2**255, 0]])
def test_over_budget_is_refused(chain, votes):
    p, proof = chain.proposals["qv2"], chain.proofs["qv2_id0"]
    call = chain.qv._contract.functions.castVote(
        p, votes, proof.merkle_tree_root, proof.nullifier, list(proof.points)
    )
    with _refused("OverBudget"):
        dry_run(call, chain.relayer, chain.qv.abis, gas=1_000_000)


def test_a_relayer_cannot_alter_the_ballot(chain):
    p, proof = chain.proposals["qv2"], chain.proofs["qv2_id0"]
    fn = chain.qv._contract.functions
    assert fn.messageOf([6, 8]).call() == quadratic_message([6, 8]) == proof.message
    altered = fn.castVote(p, [8, 6], proof.merkle_tree_root, proof.nullifier, list(proof.points))
    with _refused("InvalidProof"):
        dry_run(altered, chain.relayer, chain.qv.abis, gas=1_000_000)
    short = fn.castVote(p, [6], proof.merkle_tree_root, proof.nullifier, list(proof.points))
    with _refused("WrongVoteCount"):
        dry_run(short, chain.relayer, chain.qv.abis, gas=1_000_000)
    assert chain.qv.tallies(p) == [0, 0]


def test_a_budget_is_required(chain):
    now = chain.now()
    for budget in (0, 2**24):
        with _refused("BadProposal"):
            chain.qv.create_proposal(b"\x00" * 32, 2, now, now + 10, budget, chain.owner)
