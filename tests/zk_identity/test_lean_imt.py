"""LeanIMT: roots and proofs against @semaphore-protocol/group (run live), tree properties with hypothesis."""

from __future__ import annotations

import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zk_identity import FieldRangeError, LeanIMT, MerkleProof
from zk_identity.field import SNARK_SCALAR_FIELD as R
from zk_identity.lean_imt import DuplicateLeafError, LeafIndexError, LeafNotFoundError

GROUP_PEER = """
import { Group } from '@semaphore-protocol/group';
const scenarios = JSON.parse(process.argv[1]);
const out = scenarios.map(({ initial, ops }) => {
  const g = new Group(initial.map(BigInt));
  const state = () => ({ root: g.root.toString(), depth: g.depth, size: g.size });
  const states = [state()];
  for (const [op, a, b] of ops) {
    if (op === 'add') g.addMember(BigInt(a));
    if (op === 'addMany') g.addMembers(a.map(BigInt));
    if (op === 'update') g.updateMember(a, BigInt(b));
    if (op === 'remove') g.removeMember(a);
    states.push(state());
  }
  const proofs = [];
  for (let i = 0; i < g.size; i++) {
    const p = g.generateMerkleProof(i);
    proofs.push({ leaf: p.leaf.toString(), index: p.index, root: p.root.toString(),
                  siblings: p.siblings.map(String) });
  }
  return { states, proofs };
});
console.log(JSON.stringify(out));
"""


def _fresh(rng: random.Random, used: set[int]) -> int:
    while True:
        leaf = rng.choice((rng.randrange(1, R), R - 1, rng.randrange(1, 1 << 64)))
        if leaf not in used:
            used.add(leaf)
            return leaf


def _scenarios() -> list[dict]:
    rng = random.Random()  # new members every run; the JS group is the oracle
    scenarios = []
    for size in [*range(0, 18), 31, 32, 33, 100]:
        used: set[int] = set()
        scenarios.append({"initial": [_fresh(rng, used) for _ in range(size)], "ops": []})
    used = set()
    ops: list[list] = []
    size = 0
    for _ in range(40):
        kind = rng.choice(("add", "addMany", "update", "remove") if size else ("add", "addMany"))
        if kind == "add":
            ops.append(["add", _fresh(rng, used)])
            size += 1
        elif kind == "addMany":
            batch = [_fresh(rng, used) for _ in range(rng.randrange(1, 9))]
            ops.append(["addMany", batch])
            size += len(batch)
        else:
            ops.append([kind, rng.randrange(size), _fresh(rng, used)])
    scenarios.append({"initial": [], "ops": ops})
    return scenarios


def _leaves_as_strings(scenarios: list[dict]) -> list[dict]:
    """JSON numbers lose precision in JavaScript: send leaves as decimal strings (indices stay numbers)."""

    def op(o: list) -> list:
        if o[0] == "add":
            return ["add", str(o[1])]
        if o[0] == "addMany":
            return ["addMany", [str(x) for x in o[1]]]
        return [o[0], o[1], str(o[2])]

    return [{"initial": [str(x) for x in s["initial"]], "ops": [op(o) for o in s["ops"]]} for s in scenarios]


def _replay(scenario: dict) -> tuple[LeanIMT, list[dict]]:
    tree = LeanIMT(scenario["initial"])
    states = [{"root": str(tree.root), "depth": tree.depth, "size": tree.size}]
    removed: set[int] = set()
    for op, *args in scenario["ops"]:
        if op == "add":
            tree.insert(args[0])
        elif op == "addMany":
            tree.insert_many(args[0])
        elif args[0] in removed:  # the JS group refuses it too; keep both in step by skipping
            pass
        elif op == "update":
            tree.update(args[0], args[1])
        else:
            tree.remove(args[0])
            removed.add(args[0])
        states.append({"root": str(tree.root), "depth": tree.depth, "size": tree.size})
    return tree, states


@pytest.mark.node
def test_roots_and_proofs_equal_semaphore_group(run_node) -> None:
    scenarios = _scenarios()
    # The JS group throws on update/remove of a removed member: drop those ops before sending.
    for scenario in scenarios:
        removed: set[int] = set()
        kept = []
        for op in scenario["ops"]:
            if op[0] in ("update", "remove") and op[1] in removed:
                continue
            if op[0] == "remove":
                removed.add(op[1])
            kept.append(op)
        scenario["ops"] = kept
    peers = run_node(GROUP_PEER, json.dumps(_leaves_as_strings(scenarios)))
    for scenario, peer in zip(scenarios, peers, strict=True):
        tree, states = _replay(scenario)
        assert states == peer["states"]
        for index, js in enumerate(peer["proofs"]):
            proof = tree.generate_proof(index)
            assert str(proof.leaf) == js["leaf"] and proof.index == js["index"]
            assert [str(s) for s in proof.siblings] == js["siblings"] and str(proof.root) == js["root"]
            assert LeanIMT.verify_proof(proof)


leaf_lists = st.lists(st.integers(1, R - 1), min_size=1, max_size=40, unique=True)


@settings(max_examples=40, deadline=None)
@given(leaf_lists, st.integers(0, 40))
def test_batch_and_incremental_inserts_agree(leaves: list[int], split: int) -> None:
    one_by_one = LeanIMT()
    for leaf in leaves:
        one_by_one.insert(leaf)
    mixed = LeanIMT(leaves[:split])
    if leaves[split:]:
        mixed.insert_many(leaves[split:])
    assert one_by_one.root == mixed.root == LeanIMT(leaves).root
    assert one_by_one.depth == mixed.depth == max(0, (len(leaves) - 1).bit_length())
    assert one_by_one.leaves == tuple(leaves)


@settings(max_examples=40, deadline=None)
@given(leaf_lists, st.data())
def test_every_proof_verifies_and_tampering_fails(leaves: list[int], data) -> None:
    tree = LeanIMT(leaves)
    index = data.draw(st.integers(0, len(leaves) - 1))
    proof = tree.generate_proof(index)
    assert proof.leaf == leaves[index] and tree.index_of(leaves[index]) == index
    assert LeanIMT.verify_proof(proof)
    assert not LeanIMT.verify_proof(
        MerkleProof((proof.leaf + 1) % R, proof.index, proof.siblings, proof.root)
    )
    assert not LeanIMT.verify_proof(
        MerkleProof(proof.leaf, proof.index, proof.siblings, (proof.root + 1) % R)
    )
    if proof.siblings:
        bad = ((proof.siblings[0] + 1) % R, *proof.siblings[1:])
        assert not LeanIMT.verify_proof(MerkleProof(proof.leaf, proof.index, bad, proof.root))


@settings(max_examples=40, deadline=None)
@given(leaf_lists, st.data())
def test_update_and_remove_equal_a_rebuilt_tree(leaves: list[int], data) -> None:
    tree = LeanIMT(leaves)
    index = data.draw(st.integers(0, len(leaves) - 1))
    new_leaf = data.draw(st.integers(1, R - 1).filter(lambda x: x not in leaves))
    tree.update(index, new_leaf)
    expected = [*leaves]
    expected[index] = new_leaf
    assert tree.root == LeanIMT(expected).root
    tree.remove(index)
    assert tree.leaves[index] == 0 and new_leaf not in tree
    with pytest.raises(LeafNotFoundError):
        tree.index_of(new_leaf)
    assert LeanIMT.verify_proof(tree.generate_proof(index))


def test_field_boundary_and_bad_leaves() -> None:
    tree = LeanIMT([R - 1])
    assert tree.root == R - 1 and tree.depth == 0
    with pytest.raises(FieldRangeError):
        tree.insert(R)
    with pytest.raises(FieldRangeError):
        tree.insert(-1)
    with pytest.raises(ValueError, match="0"):
        tree.insert(0)
    with pytest.raises(TypeError):
        tree.insert(True)
    with pytest.raises(TypeError):
        tree.insert("5")
    with pytest.raises(DuplicateLeafError):
        tree.insert(R - 1)
    with pytest.raises(DuplicateLeafError):
        tree.insert_many([5, 6, 5])
    with pytest.raises(ValueError):
        tree.insert_many([])
    assert tree.size == 1  # failed batches changed nothing
    with pytest.raises(FieldRangeError):
        LeanIMT([1, R])


def test_index_errors_and_empty_tree() -> None:
    empty = LeanIMT()
    assert (empty.root, empty.depth, empty.size) == (0, 0, 0)
    with pytest.raises(LeafIndexError):
        empty.generate_proof(0)
    tree = LeanIMT([1, 2, 3])
    for bad in (-1, 3):
        with pytest.raises(LeafIndexError):
            tree.update(bad, 9)
        with pytest.raises(IndexError):
            tree.remove(bad)
    tree.remove(1)
    with pytest.raises(LeafIndexError):
        tree.remove(1)
    with pytest.raises(LeafIndexError):
        tree.update(1, 7)
    with pytest.raises(DuplicateLeafError):
        tree.update(0, 3)
    with pytest.raises(LeafNotFoundError):
        tree.index_of(2)


def test_verify_proof_rejects_malformed_proofs() -> None:
    proof = LeanIMT([1, 2, 3]).generate_proof(2)
    with pytest.raises(ValueError, match="path bits"):
        LeanIMT.verify_proof(MerkleProof(proof.leaf, 1 << len(proof.siblings), proof.siblings, proof.root))
    with pytest.raises(FieldRangeError):
        LeanIMT.verify_proof(MerkleProof(proof.leaf, proof.index, (R,), proof.root))
    with pytest.raises(TypeError):
        LeanIMT.verify_proof((proof.leaf, proof.index, proof.siblings, proof.root))
