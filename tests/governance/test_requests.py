"""Request parsing without I/O: field ranges, types, and the scope/message of actions and signals."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_utils import keccak
from hypothesis import given
from hypothesis import strategies as st

from governance import RequestError, action_scope, parse_vote, signal_message
from zk_identity import SNARK_SCALAR_FIELD

PROOF = {
    "merkleTreeDepth": 2,
    "merkleTreeRoot": "1",
    "nullifier": "2",
    "message": "1",
    "scope": "3",
    "points": [str(i) for i in range(1, 9)],
}


def test_scope_and_message_are_keccak_shifted_into_the_field():
    encoded = encode(["uint256", "string", "string"], [31337, "app_x", "a"])
    assert action_scope("app_x", 31337, "a") == int.from_bytes(keccak(encoded), "big") >> 8
    assert signal_message("") == int.from_bytes(keccak(b""), "big") >> 8


def test_scopes_are_namespaced_by_app_and_chain():
    scopes = {action_scope(app, chain, "vote") for app in ("app_a", "app_b") for chain in (1, 10)}
    assert len(scopes) == 4
    assert action_scope("ab", 1, "c") != action_scope("a", 1, "bc")  # abi.encode keeps the parts apart


@given(st.text(max_size=64))
def test_every_action_scope_is_a_field_element(action):
    assert 0 <= action_scope("app_x", 1, action) < SNARK_SCALAR_FIELD


@given(
    st.one_of(
        st.integers(), st.floats(), st.booleans(), st.none(), st.text(max_size=5), st.lists(st.integers())
    )
)
def test_proposal_ids_are_uint256_or_refused(value):
    body = {"ballot": "one_person_one_vote", "proposalId": value, "option": 0, "proof": PROOF}
    valid_int = type(value) is int and 0 <= value < 2**256
    valid_text = isinstance(value, str) and value.isascii() and value.isdecimal()
    if valid_int or valid_text:
        assert parse_vote(body).proposal_id == int(value)
    else:
        with pytest.raises(RequestError):
            parse_vote(body)


def test_a_quadratic_ballot_takes_votes():
    body = {"ballot": "quadratic", "proposalId": 0, "votes": [1, 2, 3], "proof": PROOF}
    assert parse_vote(body).votes == (1, 2, 3)
    with pytest.raises(RequestError, match="votes"):
        parse_vote({**body, "votes": [1]})
    with pytest.raises(RequestError, match="option"):
        parse_vote({**body, "option": 1})
