"""MembershipProof values: JSON round trip, packing order (vs @zk-kit/utils), validation."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zk_identity import FieldRangeError, MembershipProof, ProofFormatError
from zk_identity.proof import BASE_FIELD, SCALAR_FIELD, message_value, pack_points, unpack_points

PACK = """
import { packGroth16Proof, unpackGroth16Proof } from "@zk-kit/utils/proof-packing";
const proof = JSON.parse(process.argv[1]);
const packed = packGroth16Proof(proof);
console.log(JSON.stringify({ packed, unpacked: unpackGroth16Proof(packed) }));
"""

SNARKJS_PROOF = {
    "pi_a": ["11", "12", "1"],
    "pi_b": [["21", "22"], ["23", "24"], ["1", "0"]],
    "pi_c": ["31", "32", "1"],
    "protocol": "groth16",
    "curve": "bn128",
}


def _proof(**changes) -> MembershipProof:
    base = MembershipProof(3, 5, 6, 7, 8, tuple(range(1, 9)))
    return dataclasses.replace(base, **changes)


def test_packing_matches_zk_kit(run_node) -> None:
    theirs = run_node(PACK, json.dumps(SNARKJS_PROOF))
    assert [str(v) for v in pack_points(SNARKJS_PROOF)] == theirs["packed"]
    mine = unpack_points(pack_points(SNARKJS_PROOF))
    # zk-kit leaves out the projective z coordinates that snarkjs writes; the rest must agree.
    assert mine["pi_b"][:2] == theirs["unpacked"]["pi_b"]
    assert mine["pi_a"][:2] == theirs["unpacked"]["pi_a"] and mine["pi_c"][:2] == theirs["unpacked"]["pi_c"]


@given(
    depth=st.integers(1, 32),
    root=st.integers(0, SCALAR_FIELD - 1),
    message=st.integers(0, (1 << 256) - 1),
    points=st.lists(st.integers(0, BASE_FIELD - 1), min_size=8, max_size=8),
)
def test_json_round_trip(depth: int, root: int, message: int, points: list[int]) -> None:
    proof = MembershipProof(depth, root, root, message, message, tuple(points))
    assert MembershipProof.from_json(proof.dumps()) == proof
    assert MembershipProof.from_json(proof.to_json()) == proof
    assert all(isinstance(v, str) for v in proof.to_json()["points"])


def test_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        _proof().nullifier = 1  # type: ignore[misc]


def test_field_boundaries() -> None:
    assert _proof(merkle_tree_root=SCALAR_FIELD - 1).merkle_tree_root == SCALAR_FIELD - 1
    with pytest.raises(FieldRangeError):
        _proof(merkle_tree_root=SCALAR_FIELD)
    with pytest.raises(FieldRangeError):
        _proof(nullifier=-1)
    with pytest.raises(FieldRangeError):
        _proof(points=(BASE_FIELD, *range(7)))
    with pytest.raises(ProofFormatError):
        _proof(points=tuple(range(7)))
    with pytest.raises(ProofFormatError):
        _proof(merkle_tree_depth=33)


@pytest.mark.parametrize(
    "text",
    ["", "{}", "[1]", '"proof"', '{"merkleTreeDepth": 1, "merkleTreeRoot": "1"}', "\xff"],
)
def test_malformed_json(text: str) -> None:
    with pytest.raises(ProofFormatError):
        MembershipProof.from_json(text)


def test_decimal_strings_only() -> None:
    data = _proof().to_json()
    for bad in ("0x5", " 5", "5.0", "", "1" * 79):
        with pytest.raises((ProofFormatError, FieldRangeError)):
            MembershipProof.from_json(data | {"merkleTreeRoot": bad})


def test_message_value_follows_generate_proof() -> None:
    assert message_value("42") == 42
    assert message_value(b"\x01\x00") == 256
    assert message_value("hi") == int.from_bytes(b"hi".ljust(32, b"\0"), "big")
    with pytest.raises(ProofFormatError, match="31"):
        message_value("é" * 16)  # 32 UTF-8 bytes
    with pytest.raises(ProofFormatError):
        message_value(1 << 256)
