"""TallyBook's packed storage, read back slot by slot (survivors of its Solidity mutation campaign).

The tallies() view reads lanes through the same lane() the votes write through, so a wrong lane, a
missing sentinel word or an extra one were invisible to every test that only compared tallies. Here the
proposal's words are read with eth_getStorageAt and checked against the layout TallyBook documents:
header = start | end << 40 | options << 80 | budget << 88 | three 48-bit lanes from bit 112; then
ceil((options - 3) / 5) words of five lanes, each created with the sentinel bit 255 set; nothing after.
"""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import keccak

from contracts import ContractRevertError
from contracts.transactions import dry_run

pytestmark = [pytest.mark.slow, pytest.mark.node]
LANE_BITS, HEAD_LANES, HEAD_SHIFT, WORD_LANES = 48, 3, 112, 5
LANE_MASK = (1 << LANE_BITS) - 1
SENTINEL = 1 << 255
YEAR = 365 * 24 * 3600
VOTE_GAS = 1_000_000


def _refused(name: str):
    return pytest.raises(ContractRevertError, match=rf"\b{name}\(")


def _slot(proposal: int, word: int, base: int) -> int:
    """Storage slot of `_words[proposal][word]` for a nested mapping declared at slot `base`."""
    inner = keccak(encode(["uint256", "uint256"], [proposal, base]))
    return int.from_bytes(keccak(encode(["uint256", "bytes32"], [word, inner])), "big")


def _read(chain, address: str, slot: int) -> int:
    return int.from_bytes(chain.w3.eth.get_storage_at(address, slot), "big")


def _extra_words(options: int) -> int:
    return 0 if options <= HEAD_LANES else -(-(options - HEAD_LANES) // WORD_LANES)


def _lane(option: int) -> tuple[int, int]:
    if option < HEAD_LANES:
        return 0, HEAD_SHIFT + option * LANE_BITS
    rest = option - HEAD_LANES
    return 1 + rest // WORD_LANES, (rest % WORD_LANES) * LANE_BITS


def _words_base(chain, proposal: int) -> int:
    """The storage slot at which the ballot declares `_words`, found by its documented header."""
    start, end, options = chain.one._contract.functions.proposal(proposal).call()
    tallies = chain.one.tallies(proposal)
    header = start | end << 40 | options << 80
    for option in range(min(options, HEAD_LANES)):
        header |= tallies[option] << (HEAD_SHIFT + option * LANE_BITS)
    found = [b for b in range(16) if _read(chain, chain.one.address, _slot(proposal, 0, b)) == header]
    assert len(found) == 1, f"the header word of proposal {proposal} is not where the layout says: {found}"
    return found[0]


@pytest.mark.parametrize("options", [2, 3, 4, 8, 9, 32])
def test_a_proposal_is_its_header_then_sentinel_words_then_nothing(chain, options):
    now = chain.now()
    p = chain.one.create_proposal(b"\x42" * 32, options, now - 1, now + YEAR, chain.owner)
    base = _words_base(chain, p)
    extra = _extra_words(options)
    words = [_read(chain, chain.one.address, _slot(p, w, base)) for w in range(extra + 2)]
    assert words[1 : extra + 1] == [SENTINEL] * extra
    assert words[extra + 1] == 0
    assert chain.one.tallies(p) == [0] * options


def test_votes_land_in_their_documented_lanes(chain):
    for name, option, proof in (("open", 1, "vote_p0_id0_opt1"), ("wide", 6, "wide_id0_opt6")):
        p = chain.proposals[name]
        base = _words_base(chain, p)
        word, shift = _lane(option)
        before = _read(chain, chain.one.address, _slot(p, word, base))
        chain.one.cast_vote(p, option, chain.proofs[proof], chain.relayer)
        after = _read(chain, chain.one.address, _slot(p, word, base))
        assert after - before == 1 << shift, (name, option)


def test_a_lane_fills_to_its_last_count_and_then_refuses_without_carrying(chain):
    p, option = chain.proposals["open"], 1
    base = _words_base(chain, p)
    word, shift = _lane(option)
    slot = _slot(p, word, base)
    header = _read(chain, chain.one.address, slot)
    assert (header >> shift) & LANE_MASK == 0
    nearly_full = header | (LANE_MASK - 1) << shift
    chain.w3.provider.make_request(
        "anvil_setStorageAt", [chain.one.address, hex(slot), "0x" + nearly_full.to_bytes(32, "big").hex()]
    )
    chain.one.cast_vote(p, option, chain.proofs["vote_p0_id0_opt1"], chain.relayer)  # the last count
    assert chain.one.tallies(p) == [0, LANE_MASK, 0]
    proof = chain.proofs["vote_p0_id1_opt1"]
    call = chain.one._contract.functions.castVote(
        p, option, proof.merkle_tree_root, proof.nullifier, list(proof.points)
    )
    with _refused("TallyOverflow"):
        dry_run(call, chain.relayer, chain.one.abis, gas=VOTE_GAS)


def test_the_window_end_must_fit_40_bits_and_lie_in_the_future(chain):
    fn = chain.one._contract.functions
    now = chain.now()
    with _refused("BadProposal"):
        dry_run(fn.createProposal(b"\x43" * 32, 2, now, 1 << 40), chain.owner, chain.one.abis)
    assert chain.one.create_proposal(b"\x43" * 32, 2, now, (1 << 40) - 1, chain.owner) >= 0
    # an end equal to the creating block's timestamp is already past: mined in a block at exactly `end`
    end = chain.now() + 100
    chain.w3.provider.make_request("evm_setNextBlockTimestamp", [end])
    tx = fn.createProposal(b"\x44" * 32, 2, end - 50, end).transact({"from": chain.owner, "gas": 500_000})
    assert chain.w3.eth.wait_for_transaction_receipt(tx)["status"] == 0
    chain.w3.provider.make_request("evm_setNextBlockTimestamp", [end + 10])
    tx = fn.createProposal(b"\x45" * 32, 2, end - 50, end + 11).transact(
        {"from": chain.owner, "gas": 500_000}
    )
    assert chain.w3.eth.wait_for_transaction_receipt(tx)["status"] == 1


def test_the_budget_fits_24_bits_to_the_last_credit(chain):
    fn, now = chain.qv._contract.functions, chain.now()
    most = (1 << 24) - 1
    p = chain.qv.create_proposal(b"\x46" * 32, 2, now, now + YEAR, most, chain.owner)
    assert chain.qv._contract.functions.proposal(p).call()[3] == most
    with _refused("BadProposal"):
        dry_run(fn.createProposal(b"\x47" * 32, 2, now, now + YEAR, most + 1), chain.owner, chain.qv.abis)
