"""The ballots at their edges: the voting window's exact first and last second, tally lanes past the first
storage word, and the cost a quadratic refusal reports (survivors of the ballots' mutation campaign).

tests/mutation/BASELINE.md: `block.timestamp < start` -> `<=`, `> end` -> `>=` and the results' `<= end`
-> `<` passed every test, which voted and read results a minute or an hour away from the window's edges;
OnePersonOneVote adding a vote to the header word instead of word 1+ passed, because no test voted for an
option past the header's three lanes.
"""

from __future__ import annotations

import pytest
from web3.exceptions import ContractLogicError

from contracts import ContractRevertError
from contracts.revert import decode_revert
from contracts.transactions import dry_run

pytestmark = [pytest.mark.slow, pytest.mark.node]
VOTE_GAS = 1_000_000


def _refused(name: str):
    return pytest.raises(ContractRevertError, match=rf"\b{name}\(")


def _vote_in_block_at(chain, timestamp: int, proposal: int, option: int, proof) -> dict:
    """Mine the vote (no dry run: a call would run at another time) in a block whose timestamp is given."""
    chain.w3.provider.make_request("evm_setNextBlockTimestamp", [timestamp])
    fn = chain.one._contract.functions
    call = fn.castVote(proposal, option, proof.merkle_tree_root, proof.nullifier, list(proof.points))
    tx = call.transact({"from": chain.relayer, "gas": VOTE_GAS})
    receipt = chain.w3.eth.wait_for_transaction_receipt(tx)
    assert chain.w3.eth.get_block(receipt["blockNumber"])["timestamp"] == timestamp
    return receipt


def _results_at(chain, proposal: int, block: int) -> list[int]:
    """results(proposal) as of `block` (its timestamp); raises the named revert."""
    try:
        return chain.one._contract.functions.results(proposal).call(block_identifier=block)
    except ContractLogicError as e:
        raise decode_revert(e.data, chain.one.abis) from e


def test_a_vote_in_the_first_second_of_the_window_counts(chain):
    p = chain.proposals["future"]
    start, _, _ = chain.one._contract.functions.proposal(p).call()
    receipt = _vote_in_block_at(chain, start, p, 0, chain.proofs["future_id0"])
    assert receipt["status"] == 1
    assert chain.one.tallies(p) == [1, 0]


def test_a_vote_in_the_last_second_counts_and_results_wait_until_after_it(chain):
    p = chain.proposals["short"]
    _, end, _ = chain.one._contract.functions.proposal(p).call()
    receipt = _vote_in_block_at(chain, end, p, 0, chain.proofs["short_id0"])
    assert receipt["status"] == 1
    with _refused("VotingNotEnded"):  # at `end` the window is still open: no final results yet
        _results_at(chain, p, receipt["blockNumber"])
    chain.w3.provider.make_request("evm_setNextBlockTimestamp", [end + 1])
    chain.w3.provider.make_request("evm_mine", [])
    assert _results_at(chain, p, chain.w3.eth.block_number) == [1, 0]


def test_a_vote_mined_one_second_before_the_start_fails(chain):
    p = chain.proposals["future"]
    start, _, _ = chain.one._contract.functions.proposal(p).call()
    receipt = _vote_in_block_at(chain, start - 1, p, 0, chain.proofs["future_id0"])
    assert receipt["status"] == 0  # reverted on chain (VotingNotStarted), counted nothing
    assert chain.one.tallies(p) == [0, 0]


def test_a_vote_for_an_option_past_the_header_word_lands_in_its_own_lane(chain):
    p = chain.proposals["wide"]
    assert chain.one.tallies(p) == [0] * 8
    chain.one.cast_vote(p, 6, chain.proofs["wide_id0_opt6"], chain.relayer)  # word 1, second lane
    assert chain.one.tallies(p) == [0, 0, 0, 0, 0, 0, 1, 0]
    assert chain.one.recount(p) == chain.one.tallies(p)
    start, end, options = chain.one._contract.functions.proposal(p).call()
    assert options == 8 and start < end  # the header word (window, options) is untouched by the vote


def test_a_quadratic_refusal_reports_the_ballots_real_cost_when_no_single_vote_exceeds_the_budget(chain):
    p, proof = chain.proposals["qv2"], chain.proofs["qv2_id0"]
    budget = chain.qv._contract.functions.proposal(p).call()[3]
    fn = chain.qv._contract.functions
    for votes, cost in (([budget, 0], budget * budget), ([budget + 1, 0], 2**256 - 1)):
        call = fn.castVote(p, votes, proof.merkle_tree_root, proof.nullifier, list(proof.points))
        with pytest.raises(ContractRevertError) as refused:
            dry_run(call, chain.relayer, chain.qv.abis, gas=VOTE_GAS)
        assert refused.value.error == "OverBudget"
        assert tuple(refused.value.error_args) == (cost, budget)
