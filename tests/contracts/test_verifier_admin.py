"""PersonhoodVerifier's administration guards at their edges (survivors of its Solidity mutation campaign).

tests/mutation/BASELINE.md: removing the constructor's zero-address guard (or turning its `||` into `&&`),
removing setVerifier's zero-address guard, or moving `depth > MAX_DEPTH` to `>=` passed test_verifier.py,
which only ever deployed with every argument right and registered depths well inside 1..32.
"""

from __future__ import annotations

import pytest
from web3.exceptions import ContractLogicError

from contracts import PROOF_TX_GAS, ContractRevertError
from contracts.deploy import deploy_contract
from contracts.revert import decode_revert
from contracts.transactions import dry_run, transact

pytestmark = [pytest.mark.slow, pytest.mark.node]
ZERO = "0x" + "00" * 20
MAX_DEPTH = 32  # PersonhoodVerifier.MAX_DEPTH: Semaphore v4's deepest tree


def _refused(name: str):
    return pytest.raises(ContractRevertError, match=rf"\b{name}\(")


def _deploy_verifier(chain, registry: str, owner: str) -> None:
    """eth_call the verifier's constructor (a deployment that changes nothing); raise its named error."""
    compiled = chain.contracts["PersonhoodVerifier"]
    factory = chain.w3.eth.contract(abi=list(compiled.abi), bytecode="0x" + compiled.bytecode)
    data = factory.constructor(registry, owner).build_transaction({"from": chain.owner, "gas": 10**7})
    try:
        chain.w3.eth.call({"from": chain.owner, "data": data["data"], "gas": 10**7})
    except ContractLogicError as e:
        raise decode_revert(e.data, compiled.abi) from e


def _functions(chain):
    abi = list(chain.contracts["PersonhoodVerifier"].abi)
    return chain.w3.eth.contract(address=chain.deployment.verifier, abi=abi).functions


def test_the_constructor_refuses_a_zero_registry_or_owner(chain):
    registry = chain.deployment.registry
    _deploy_verifier(chain, registry, chain.owner)  # the control: this one deploys
    for reg, owner in ((ZERO, chain.owner), (registry, ZERO), (ZERO, ZERO)):
        with _refused("ZeroAddress"):
            _deploy_verifier(chain, reg, owner)


def test_set_verifier_refuses_the_zero_address_at_a_free_depth(chain):
    fn = _functions(chain)
    free = next(d for d in range(MAX_DEPTH, 0, -1) if d not in chain.deployment.groth16)
    with _refused("ZeroAddress"):
        dry_run(fn.setVerifier(free, ZERO), chain.owner, chain.contracts.all_abis())
    assert fn.verifiers(free).call() == ZERO


def test_depth_32_is_the_deepest_registrable_depth(chain):
    fn = _functions(chain)
    abis = chain.contracts.all_abis()
    assert MAX_DEPTH not in chain.deployment.groth16, "the fixture registers depth 32: pick another edge"
    some_verifier = next(iter(chain.deployment.groth16.values()))
    with _refused("NoVerifierForDepth"):
        dry_run(fn.setVerifier(MAX_DEPTH + 1, some_verifier), chain.owner, abis)
    with _refused("NoVerifierForDepth"):
        dry_run(fn.setVerifier(0, some_verifier), chain.owner, abis)
    transact(chain.w3, fn.setVerifier(MAX_DEPTH, some_verifier), chain.owner, abis)
    assert fn.verifiers(MAX_DEPTH).call() == some_verifier
    with _refused("VerifierAlreadySet"):
        dry_run(fn.setVerifier(MAX_DEPTH, some_verifier), chain.owner, abis)


def test_ownership_of_the_verifier_moves_only_to_a_real_address(chain):
    fn = _functions(chain)
    abis = chain.contracts.all_abis()
    with _refused("ZeroAddress"):
        transact(chain.w3, fn.transferOwnership(ZERO), chain.owner, abis)
    assert fn.owner().call() == chain.owner
    with _refused("NotOwner"):
        transact(chain.w3, fn.transferOwnership(chain.relayer), chain.relayer, abis)
    transact(chain.w3, fn.transferOwnership(chain.relayer), chain.owner, abis)
    assert fn.owner().call() == chain.relayer


def test_a_verifier_with_no_groth16_verifier_for_the_roots_depth_refuses_by_name(chain):
    """A fresh PersonhoodVerifier on the same registry, nothing registered: NoVerifierForDepth, not a call
    to address 0 (which 'succeeds' with no return data and would surface as InvalidProof)."""
    compiled = chain.contracts["PersonhoodVerifier"]
    fresh = deploy_contract(chain.w3, compiled, chain.owner, chain.deployment.registry, chain.owner)
    fn = chain.w3.eth.contract(address=fresh, abi=list(compiled.abi)).functions
    p = chain.proofs["verify_id0"]
    args = (p.merkle_tree_root, p.nullifier, p.message, p.scope)
    abis = chain.contracts.all_abis()
    with _refused("NoVerifierForDepth"):
        dry_run(fn.verifyProofAtRoot(*args, list(p.points)), chain.relayer, abis, gas=PROOF_TX_GAS)
    with _refused("NoVerifierForDepth"):
        call = fn.verifyProof(*args, p.merkle_tree_depth, list(p.points))
        dry_run(call, chain.relayer, abis, gas=PROOF_TX_GAS)
