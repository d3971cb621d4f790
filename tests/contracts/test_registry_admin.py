"""PersonhoodRegistry's administration refusals, one by one (Solidity mutants that test_registry.py let live).

tests/mutation/BASELINE.md: removing any one of these guards, or turning its `||` into `&&`, used to pass
the contract tests, because each was only ever exercised with every argument right.
"""

from __future__ import annotations

import pytest
from eth_account.messages import encode_typed_data
from web3.exceptions import ContractLogicError

from contracts import ContractRevertError, Enrollment, RegistryClient, sign_enrollment
from contracts.deploy import deploy_contract
from contracts.revert import decode_revert
from contracts.transactions import dry_run, transact

from .conftest import ENROLLED

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
    fn = chain.registry._contract.functions
    with _refused("ZeroAddress"):
        transact(chain.w3, fn.transferOwnership(ZERO), chain.owner, chain.registry.abis)
    assert fn.owner().call() == chain.owner
    transact(chain.w3, fn.transferOwnership(chain.relayer), chain.owner, chain.registry.abis)
    assert fn.owner().call() == chain.relayer
    with _refused("NotOwner"):
        transact(chain.w3, fn.transferOwnership(chain.owner), chain.owner, chain.registry.abis)


def test_the_zero_address_is_never_a_device(chain):
    fn = chain.registry._contract.functions
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


def test_after_a_fork_the_domain_follows_the_new_chain_id(chain):
    # The deploy-time separator is a cache: on another chain id an attestation for the old chain must
    # stop working and one for the new chain must work (EIP-712's replay protection across forks).
    fn = chain.registry._contract.functions

    def domain(enrollment: Enrollment) -> bytes:
        return encode_typed_data(full_message=enrollment.typed_data()).header

    commitment = chain.commitments[ENROLLED]
    old = Enrollment(31337, chain.registry.address, commitment, 2**40)
    assert bytes(fn.domainSeparator().call()) == domain(old)
    forked = Enrollment(31338, chain.registry.address, commitment, 2**40)
    chain.w3.provider.make_request("anvil_setChainId", [31338])
    try:
        assert bytes(fn.domainSeparator().call()) == domain(forked)
        enroll = fn.enroll(commitment, 2**40, sign_enrollment(forked, chain.devices["A"].key))
        dry_run(enroll, chain.relayer, chain.registry.abis)  # accepted on the new chain
        stale = fn.enroll(commitment, 2**40, sign_enrollment(old, chain.devices["A"].key))
        with _refused("DeviceNotActive"):  # the old chain's signature recovers some other address
            dry_run(stale, chain.relayer, chain.registry.abis)
    finally:
        chain.w3.provider.make_request("anvil_setChainId", [31337])
    assert bytes(fn.domainSeparator().call()) == domain(old)
