"""OnePersonOneVote on anvil: counting, nullifiers, scope binding (proposal, contract, chain), window."""

from __future__ import annotations

import pytest

from contracts import ChainInputError, ContractRevertError

pytestmark = [pytest.mark.slow, pytest.mark.node]


def _refused(name: str):
    return pytest.raises(ContractRevertError, match=rf"\b{name}\(")


def test_votes_are_counted_and_equal_a_recount_from_events(chain):
    one, p = chain.one, chain.proposals["open"]
    for name, option in (("vote_p0_id0_opt1", 1), ("vote_p0_id1_opt1", 1), ("vote_p0_id2_opt0", 0)):
        receipt = one.cast_vote(p, option, chain.proofs[name], chain.relayer)
        assert receipt["gasUsed"] < 288_798  # Semaphore v4's validateProof average, which tallies nothing
    assert one.tallies(p) == [1, 2, 0]
    assert one.recount(p) == one.tallies(p)
    assert chain.one.tallies(chain.proposals["other"]) == [0, 0, 0]


def test_the_same_nullifier_cannot_vote_twice(chain):
    one, p, proof = chain.one, chain.proposals["open"], chain.proofs["vote_p0_id0_opt1"]
    one.cast_vote(p, 1, proof, chain.relayer)
    with _refused("NullifierAlreadyUsed"):
        one.cast_vote(p, 1, proof, chain.owner)
    assert one.tallies(p) == [0, 1, 0]


@pytest.mark.parametrize("name", ["other_proposal_id3", "other_contract_id3", "other_chain_id3"])
def test_a_proof_for_another_proposal_contract_or_chain_is_refused(chain, name):
    with _refused("InvalidProof"):
        chain.one.cast_vote(chain.proposals["open"], 1, chain.proofs[name], chain.relayer)
    assert chain.one.tallies(chain.proposals["open"]) == [0, 0, 0]


def test_the_other_contract_accepts_its_own_proof(chain):
    chain.other_one.cast_vote(0, 1, chain.proofs["other_contract_id3"], chain.relayer)
    assert chain.other_one.tallies(0) == [0, 1, 0]


def test_a_proof_for_another_option_is_refused(chain):
    proof = chain.proofs["vote_p0_id0_opt1"]
    with pytest.raises(ChainInputError):  # the client refuses before sending
        chain.one.cast_vote(chain.proposals["open"], 2, proof, chain.relayer)
    fn = chain.one._contract.functions
    call = fn.castVote(
        chain.proposals["open"], 2, proof.merkle_tree_root, proof.nullifier, list(proof.points)
    )
    from contracts.transactions import dry_run

    with _refused("InvalidProof"):
        dry_run(call, chain.relayer, chain.one.abis, gas=1_000_000)
    with _refused("InvalidOption"):
        dry_run(fn.castVote(chain.proposals["open"], 3, 1, 1, [0] * 8), chain.relayer, chain.one.abis)


def test_voting_before_the_start_is_refused(chain):
    with _refused("VotingNotStarted"):
        chain.one.cast_vote(chain.proposals["future"], 0, chain.proofs["future_id0"], chain.relayer)


def test_voting_after_the_end_is_refused_and_results_are_final(chain):
    p = chain.proposals["short"]
    with _refused("VotingNotEnded"):
        chain.one.results(p)
    chain.one.cast_vote(p, 0, chain.proofs["short_id0"], chain.relayer)
    chain.warp(3601)
    assert chain.one.results(p) == [1, 0]
    with _refused("VotingEnded"):
        chain.one.cast_vote(p, 0, chain.proofs["short_id0"], chain.relayer)


def test_bad_proposals_are_refused(chain):
    now = chain.now()
    for options, start, end in (
        (1, now, now + 10),
        (33, now, now + 10),
        (2, now + 10, now + 10),
        (2, 0, now - 1),
    ):
        with _refused("BadProposal"):
            chain.one.create_proposal(b"\x00" * 32, options, start, end, chain.owner)
    with _refused("UnknownProposal"):
        chain.one.tallies(999)
