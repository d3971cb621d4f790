"""PersonhoodRegistry's administration refusals, one by one (Solidity mutants that test_registry.py let live).

tests/mutation/BASELINE.md: removing any one of these guards, or turning its `||` into `&&`, used to pass
the contract tests, because each was only ever exercised with every argument right.
"""

from __future__ import annotations

import pytest
from web3.exceptions import ContractLogicError

from contracts import ContractRevertError, RegistryClient
from contracts.deploy import deploy_contract
from contracts.revert import decode_revert
from contracts.transactions import transact

pytestmark = [pytest.mark.slow, pytest.mark.node]
ZERO = "0x" + "00" * 20


def _refused(name: str):
    return pytest.raises(ContractRevertError, match=rf"\b{name}\(")


def _deploy_registry(chain, owner: str, poseidon: str) -> None:
    """eth_call the registry's constructor (a deployment that changes nothing); raise its named error."""
    compiled = chain.contracts["PersonhoodRegistry"]
    factory = chain.w3.eth.contract(abi=list(compiled.abi), bytecode="0x" + compiled.bytecode)
    data = factory.constructor(owner, poseidon, 3600).build_transaction({"from": chain.owner, "gas": 10**7})
    try:
        chain.w3.eth.call({"from": chain.owner, "data": data["data"], "gas": 10**7})
    except ContractLogicError as e:
        raise decode_revert(e.data, compiled.abi) from e


def test_the_constructor_refuses_a_zero_owner_or_hasher(chain):
    _deploy_registry(chain, chain.owner, chain.deployment.poseidon)  # the control: this one deploys
    for owner, poseidon in ((ZERO, chain.deployment.poseidon), (chain.owner, ZERO), (ZERO, ZERO)):
        with _refused("ZeroAddress"):
            _deploy_registry(chain, owner, poseidon)


def test_ownership_moves_only_to_a_real_address(chain):
    fn = chain.registry.contract.functions
    with _refused("ZeroAddress"):
        transact(chain.w3, fn.transferOwnership(ZERO), chain.owner, chain.registry.abis)
    assert fn.owner().call() == chain.owner
    transact(chain.w3, fn.transferOwnership(chain.relayer), chain.owner, chain.registry.abis)
    assert fn.owner().call() == chain.relayer
    with _refused("NotOwner"):
        transact(chain.w3, fn.transferOwnership(chain.owner), chain.owner, chain.registry.abis)


def test_the_zero_address_is_never_a_device(chain):
    fn = chain.registry.contract.functions
    with _refused("ZeroAddress"):
        chain.registry.authorize_device(ZERO, chain.owner)
    assert fn.deviceStatus(ZERO).call() == 0  # Unknown
    with _refused("DeviceNotActive"):
        chain.registry.revoke_device(ZERO, chain.owner)


def test_an_empty_registry_knows_no_root(chain):
    # currentRoot is 0 until the first enrollment: 0 must not pass as the current root
    registry = RegistryClient(
        chain.w3,
        chain.contracts,
        deploy_contract(chain.w3, chain.contracts["PersonhoodRegistry"], chain.owner, chain.owner,
                        chain.deployment.poseidon, 3600),
    )  # fmt: skip
    assert registry.current_root() == 0
    with _refused("UnknownRoot"):
        registry.check_root(0)
