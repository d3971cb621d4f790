"""PersonhoodVerifier on anvil with real Semaphore v4 ceremony proofs: refusals by name, root window."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

from contracts import PROOF_TX_GAS, ContractRevertError
from contracts.transactions import dry_run
from zk_identity import BN254_BASE_FIELD as BASE_FIELD
from zk_identity import SNARK_SCALAR_FIELD, hash_to_field

from .conftest import BASE_DEPTH

pytestmark = [pytest.mark.slow, pytest.mark.node]
HOUR = 3600


def _verify(world, proof, depth=None):
    """verifyProof (explicit depth) as an eth_call with an explicit gas limit; raises ContractRevertError."""
    pv = world.w3.eth.contract(
        address=world.deployment.verifier, abi=list(world.contracts["PersonhoodVerifier"].abi)
    )
    depth = proof.merkle_tree_depth if depth is None else depth
    args = (proof.merkle_tree_root, proof.nullifier, proof.message, proof.scope)
    call = pv.functions.verifyProof(*args, depth, list(proof.points))
    dry_run(call, world.relayer, world.contracts.all_abis(), gas=PROOF_TX_GAS)
    at_root = pv.functions.verifyProofAtRoot(*args, list(proof.points))
    dry_run(at_root, world.relayer, world.contracts.all_abis(), gas=PROOF_TX_GAS)


def _altered(proof, **change) -> SimpleNamespace:
    """The proof's fields with some changed, unchecked: what a hostile caller can put in the calldata."""
    return SimpleNamespace(**{**dataclasses.asdict(proof), **change})


def _refused(name: str):
    return pytest.raises(ContractRevertError, match=rf"\b{name}\(")


def test_a_real_proof_is_accepted(world):
    proof = world.proofs["verify_id0"]
    assert proof.merkle_tree_root == world.base_root and proof.merkle_tree_depth == BASE_DEPTH
    _verify(world, proof)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"message": 8}, "InvalidProof"),
        ({"scope": 43}, "InvalidProof"),
        ({"nullifier": 1}, "InvalidProof"),
        ({"merkle_tree_root": 12345}, "UnknownRoot"),
        ({"merkle_tree_root": SNARK_SCALAR_FIELD - 1}, "UnknownRoot"),  # r - 1 passes the range check
        ({"merkle_tree_root": SNARK_SCALAR_FIELD}, "NotInField"),
        ({"nullifier": SNARK_SCALAR_FIELD}, "NotInField"),
        ({"nullifier": 2**256 - 1}, "NotInField"),
    ],
)
def test_altered_public_inputs_are_refused_by_name(world, change, error):
    with _refused(error):
        _verify(world, _altered(world.proofs["verify_id0"], **change))


@pytest.mark.parametrize("index", [0, 3, 7])
def test_point_coordinates_at_or_above_the_base_field_are_refused(world, index):
    proof = world.proofs["verify_id0"]
    points = list(proof.points)
    points[index] += BASE_FIELD  # the same residue: without the range check it could be malleable
    with _refused("PointNotInField"):
        _verify(world, _altered(proof, points=tuple(points)))
    points[index] = (proof.points[index] + 1) % BASE_FIELD
    with _refused("InvalidProof"):
        _verify(world, _altered(proof, points=tuple(points)))


@pytest.mark.parametrize("index", [0, 2, 5, 7])
def test_a_point_coordinate_equal_to_the_base_field_modulus_is_refused_by_name(world, index):
    """q itself (not only q + x): `>=` moved to `>` would let it through to the pairing as 0."""
    points = list(world.proofs["verify_id0"].points)
    points[index] = BASE_FIELD
    with _refused("PointNotInField"):
        _verify(world, _altered(world.proofs["verify_id0"], points=tuple(points)))
    points[index] = BASE_FIELD - 1  # the largest coordinate in range: reaches the pairing, which refuses it
    with _refused("InvalidProof"):
        _verify(world, _altered(world.proofs["verify_id0"], points=tuple(points)))


@pytest.mark.parametrize(("depth", "error"), [(BASE_DEPTH - 1, "WrongDepth"), (BASE_DEPTH + 1, "WrongDepth")])
def test_a_wrong_depth_is_refused(world, depth, error):
    pv = world.w3.eth.contract(
        address=world.deployment.verifier, abi=list(world.contracts["PersonhoodVerifier"].abi)
    )
    p = world.proofs["verify_id0"]
    call = pv.functions.verifyProof(
        p.merkle_tree_root, p.nullifier, p.message, p.scope, depth, list(p.points)
    )
    with _refused(error):
        dry_run(call, world.relayer, world.contracts.all_abis(), gas=PROOF_TX_GAS)


def test_a_superseded_root_stays_valid_for_the_window_then_expires(chain):
    proof = chain.proofs["verify_id0"]
    chain.enroll(5)  # supersedes the proof's root
    assert chain.registry.current_root() != proof.merkle_tree_root
    chain.warp(HOUR - 60)
    _verify(chain, proof)  # the window counts from the moment the root was superseded
    chain.warp(120)
    with _refused("RootExpired"):
        _verify(chain, proof)


def test_the_current_root_of_an_idle_group_never_expires(chain):
    chain.warp(30 * 24 * HOUR)
    _verify(chain, chain.proofs["verify_id0"])


def test_the_window_is_configurable_by_the_owner_only(chain):
    with _refused("NotOwner"):
        chain.registry.set_root_window(10, chain.relayer)
    chain.registry.set_root_window(10, chain.owner)
    chain.enroll(5)
    chain.warp(11)
    with _refused("RootExpired"):
        _verify(chain, chain.proofs["verify_id0"])


def test_verifiers_are_registered_once_per_depth(chain):
    pv = chain.w3.eth.contract(
        address=chain.deployment.verifier, abi=list(chain.contracts["PersonhoodVerifier"].abi)
    )
    fn = pv.functions
    abis = chain.contracts.all_abis()
    with _refused("VerifierAlreadySet"):
        dry_run(fn.setVerifier(BASE_DEPTH, chain.deployment.groth16[1]), chain.owner, abis)
    with _refused("NotOwner"):
        dry_run(fn.setVerifier(9, chain.deployment.groth16[1]), chain.relayer, abis)
    with _refused("NoVerifierForDepth"):
        dry_run(fn.setVerifier(33, chain.deployment.groth16[1]), chain.owner, abis)


def test_a_depth_without_verifier_is_refused(chain):
    for index in range(5, 8):
        chain.enroll(index)  # 8 leaves: depth 3 still
    enrollment = chain.registry.enrollment(SNARK_SCALAR_FIELD - 5, 2**40)
    from contracts import sign_enrollment

    chain.registry.enroll(enrollment, sign_enrollment(enrollment, chain.devices["A"].key), chain.relayer)
    assert chain.registry.depth() == 4
    # depth 4's verifier is registered; ask for a current-root proof at depth 5 instead
    p = chain.proofs["verify_id0"]
    pv = chain.w3.eth.contract(
        address=chain.deployment.verifier, abi=list(chain.contracts["PersonhoodVerifier"].abi)
    )
    root = chain.registry.current_root()
    call = pv.functions.verifyProof(root, p.nullifier, p.message, p.scope, 5, list(p.points))
    with _refused("WrongDepth"):
        dry_run(call, chain.relayer, chain.contracts.all_abis(), gas=PROOF_TX_GAS)


@pytest.mark.parametrize("value", [0, 1, 42, SNARK_SCALAR_FIELD, 2**256 - 1])
def test_onchain_hash_to_field_equals_zk_identity(world, value):
    pv = world.w3.eth.contract(
        address=world.deployment.verifier, abi=list(world.contracts["PersonhoodVerifier"].abi)
    )
    assert pv.functions.hashToField(value).call() == hash_to_field(value)
