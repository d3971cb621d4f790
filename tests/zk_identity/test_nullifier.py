"""Nullifiers: the definition, input checks, and one real Semaphore proof built from our tree and identity."""

from __future__ import annotations

import json

import pytest

from zk_identity import Identity, LeanIMT, hash_to_field, nullifier, poseidon
from zk_identity.babyjubjub import SUBGROUP_ORDER
from zk_identity.message_hash import to_uint256

PROVE = """
import { Identity } from '@semaphore-protocol/identity';
import { generateProof, verifyProof } from '@semaphore-protocol/proof';
const { key, proof, depth, message, scope } = JSON.parse(process.argv[1]);
const art = `node_modules/@zk-kit/semaphore-artifacts/semaphore-${depth}`;
const merkleProof = { root: BigInt(proof.root), leaf: BigInt(proof.leaf), index: proof.index,
                      siblings: proof.siblings.map(BigInt) };
const p = await generateProof(Identity.import(key), merkleProof, message, scope, depth,
                              { wasm: `${art}.wasm`, zkey: `${art}.zkey` });
console.log(JSON.stringify({ ...p, verified: await verifyProof(p) }));
process.exit(0);  // snarkjs leaves worker threads that keep node alive
"""


def test_nullifier_definition_and_scope_separation() -> None:
    identity = Identity(b"voter")
    assert nullifier(identity, "poll-1") == poseidon([hash_to_field("poll-1"), identity.secret_scalar])
    assert nullifier(identity, "poll-1") == nullifier(identity.secret_scalar, "poll-1")
    assert nullifier(identity, "poll-1") != nullifier(identity, "poll-2")
    assert nullifier(identity, 7) == nullifier(identity, "7") == nullifier(identity, b"\x07")
    assert nullifier(Identity(b"other"), "poll-1") != nullifier(identity, "poll-1")


def test_nullifier_rejects_bad_secrets_and_scopes() -> None:
    assert isinstance(nullifier(SUBGROUP_ORDER - 1, 1), int)
    with pytest.raises(ValueError):
        nullifier(SUBGROUP_ORDER, 1)
    with pytest.raises(ValueError):
        nullifier(-1, 1)
    with pytest.raises(TypeError):
        nullifier(True, 1)
    with pytest.raises(TypeError):
        nullifier(b"key", 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        nullifier(Identity(b"k"), "x" * 40)


@pytest.mark.slow
@pytest.mark.node
def test_semaphore_proof_from_our_tree_verifies_with_our_nullifier(run_node) -> None:
    members = [Identity(f"member {i}".encode()) for i in range(5)]
    tree = LeanIMT(m.commitment for m in members)
    me = members[4]  # the last leaf: exercises a level without a sibling
    proof = tree.generate_proof(tree.index_of(me.commitment))
    payload = {
        "key": me.export(),
        "proof": {"root": str(proof.root), "leaf": str(proof.leaf), "index": proof.index,
                  "siblings": [str(s) for s in proof.siblings]},
        "depth": tree.depth,
        "message": "42",
        "scope": "poll-2026",
    }  # fmt: skip
    js = run_node(PROVE, json.dumps(payload))
    assert js["verified"] is True
    assert js["merkleTreeRoot"] == str(tree.root)
    assert js["nullifier"] == str(nullifier(me, "poll-2026"))
    assert js["scope"] == str(to_uint256("poll-2026")) and js["message"] == "42"
