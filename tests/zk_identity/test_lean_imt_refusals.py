"""LeanIMT's refusals say what was wrong and where, and its small paths keep the index (mutation survivors).

tests/mutation/BASELINE.md: each test here kills mutants that survived test_lean_imt.py, where the
errors were checked by type only (a message emptied or naming the wrong argument still passed), and
`index_of` after an insert or update, `update` to the same leaf and `True in tree` were never tried.
"""

from __future__ import annotations

import dataclasses

import pytest

from zk_identity import FieldRangeError, LeanIMT
from zk_identity.field import SNARK_SCALAR_FIELD as R
from zk_identity.lean_imt import DuplicateLeafError, LeafIndexError, LeafNotFoundError


@pytest.fixture
def tree() -> LeanIMT:
    return LeanIMT([1, 2, 3, 4, 5])


def test_index_of_follows_inserts_and_updates(tree: LeanIMT) -> None:
    tree.insert(6)
    assert tree.index_of(6) == 5
    tree.update(2, 33)
    assert tree.index_of(33) == 2
    assert 3 not in tree
    with pytest.raises(LeafNotFoundError, match="leaf 3 is not in the tree"):
        tree.index_of(3)
    with pytest.raises(TypeError, match=r"^leaf must be an int"):
        tree.index_of("3")  # type: ignore[arg-type]


def test_updating_a_leaf_to_itself_changes_nothing(tree: LeanIMT) -> None:
    root = tree.root
    tree.update(1, 2)
    assert tree.root == root and tree.index_of(2) == 1
    with pytest.raises(TypeError, match=r"^leaf must be an int, got bool"):  # True == 1, but not a leaf
        LeanIMT([1, 2]).update(0, True)  # type: ignore[arg-type]


def test_a_bool_is_never_a_member(tree: LeanIMT) -> None:
    assert 1 in tree and True not in tree and 1.0 not in tree


def test_leaf_refusals_name_the_leaf(tree: LeanIMT) -> None:
    with pytest.raises(DuplicateLeafError, match=r"^leaf 4 is already in the tree at index 3$"):
        tree.insert(4)
    with pytest.raises(ValueError, match=r"^leaf must not be 0"):
        tree.insert(0)
    with pytest.raises(FieldRangeError, match=r"^leaf must be in \[0, "):
        tree.insert(R)
    with pytest.raises(ValueError, match=r"^insert_many needs at least one leaf$"):
        tree.insert_many([])
    with pytest.raises(DuplicateLeafError, match=r"^leaves\[1\] 5 is already in the tree at index 4$"):
        tree.insert_many([9, 5])
    with pytest.raises(DuplicateLeafError, match=r"^leaves\[2\] repeats leaves\[0\]$"):
        tree.insert_many([9, 10, 9])
    with pytest.raises(TypeError, match=r"^leaves\[1\] must be an int"):
        tree.insert_many([9, "10"])  # type: ignore[list-item]
    assert tree.size == 5  # all or nothing


def test_index_refusals_name_the_index(tree: LeanIMT) -> None:
    with pytest.raises(LeafIndexError, match=r"^index 5 is outside the tree \(size 5\)$"):
        tree.generate_proof(5)
    with pytest.raises(TypeError, match=r"^index must be an int"):
        tree.remove("1")  # type: ignore[arg-type]
    tree.remove(1)
    with pytest.raises(LeafIndexError, match=r"^the member at index 1 was already removed$"):
        tree.remove(1)
    with pytest.raises(LeafIndexError, match=r"^the member at index 1 was removed and cannot be updated$"):
        tree.update(1, 7)


def test_proof_refusals_name_the_field(tree: LeanIMT) -> None:
    proof = tree.generate_proof(2)
    with pytest.raises(TypeError, match=r"^expected a MerkleProof, got dict$"):
        LeanIMT.verify_proof({"leaf": 3})  # type: ignore[arg-type]
    for field, bad, error, message in (
        ("leaf", R, FieldRangeError, r"^proof\.leaf must be in"),
        ("root", -1, FieldRangeError, r"^proof\.root must be in"),
        ("index", "0", TypeError, r"^proof\.index must be an int"),
        ("siblings", "12", TypeError, r"^proof\.siblings must be a tuple of ints$"),
        ("siblings", (1, R), FieldRangeError, r"^proof\.siblings\[1\] must be in"),
    ):
        with pytest.raises(error, match=message):
            LeanIMT.verify_proof(dataclasses.replace(proof, **{field: bad}))
