"""LeanIMT.sol at its edges, each case one a mutation campaign showed untested (tests/mutation/BASELINE.md):
a full tree, a hasher that does not answer, a sibling missing on a left-child level, and an update of an
early even leaf followed by an insertion (the side node a later insertion reads must not be overwritten)."""

from __future__ import annotations

import pytest
from web3 import Web3

from contracts import ContractRevertError, RegistryClient, sign_enrollment
from contracts.deploy import deploy_contract
from contracts.transactions import dry_run

from .conftest import ENROLLED, FAR_FUTURE, imt_root

pytestmark = [pytest.mark.slow, pytest.mark.node]


def _refused(name: str):
    return pytest.raises(ContractRevertError, match=rf"\b{name}\(")


def _tree_slot(chain) -> int:
    """The storage slot of the registry's packed (size uint40, depth uint8), found by its known contents."""
    packed = ENROLLED | (3 << 40)  # the base world: 5 leaves, depth 3
    address = chain.deployment.registry
    for slot in range(16):
        if int.from_bytes(chain.w3.eth.get_storage_at(address, slot), "big") == packed:
            return slot
    raise AssertionError("the tree's size/depth slot was not found")


def test_a_full_tree_refuses_the_next_leaf(chain):
    slot = _tree_slot(chain)
    full = (1 << 32) | (32 << 40)  # 2^32 leaves at the largest depth
    chain.w3.provider.make_request(
        "anvil_setStorageAt", [chain.deployment.registry, hex(slot), "0x" + full.to_bytes(32, "big").hex()]
    )
    with _refused("TreeFull"):
        chain.enroll(ENROLLED)


def test_a_hasher_that_does_not_answer_is_refused(chain):
    w3: Web3 = chain.w3
    no_code = w3.eth.accounts[5]  # an account without code: the static call "succeeds" with no data
    contract = chain.contracts["PersonhoodRegistry"]
    address = deploy_contract(w3, contract, chain.owner, chain.owner, no_code, 3600)
    registry = RegistryClient(w3, chain.contracts, address)
    registry.authorize_device(chain.devices["A"].address, chain.owner)

    def enroll(index: int):
        enrollment = registry.enrollment(chain.commitments[index], FAR_FUTURE)
        return registry.enroll(enrollment, sign_enrollment(enrollment, chain.devices["A"].key), chain.relayer)

    enroll(0)  # one leaf: its own root, no hash
    with _refused("HasherFailed"):
        enroll(1)


def test_a_sibling_missing_on_a_left_child_level_is_refused(chain):
    fn = chain.registry._contract.functions
    for index in (1, 3):  # odd: the first level needs a sibling on the left
        with _refused("WrongSiblingNodes"):
            dry_run(fn.revoke(chain.commitments[index], []), chain.owner, chain.registry.abis)


def test_revoking_an_early_even_leaf_keeps_the_next_insertion_right(chain):
    chain.registry.revoke(chain.commitments[0], chain.owner)  # position 0 is not the last complete pair
    chain.enroll(ENROLLED)  # index 5 reads the side node at level 0: leaf 4, untouched by the update
    model = [0, *chain.commitments[1 : ENROLLED + 1]]
    assert chain.registry.current_root() == imt_root(model)
    assert chain.registry.leaves() == model
