"""PersonhoodRegistry on anvil: roots equal @semaphore-protocol/group's, device rules, replay, revocation."""

from __future__ import annotations

import pytest
from eth_account import Account

from contracts import ContractRevertError, Enrollment, sign_enrollment
from peers import semaphore_peer
from zk_identity import SNARK_SCALAR_FIELD

from .conftest import ENROLLED, SECRETS, imt_root

pytestmark = [pytest.mark.slow, pytest.mark.node]


def _refused(name: str):
    return pytest.raises(ContractRevertError, match=rf"\b{name}\(")


def test_roots_equal_the_semaphore_group_after_every_insertion(chain):
    for index in range(ENROLLED, len(SECRETS)):
        chain.enroll(index)
    roots = [*chain.base_roots]
    leaves = list(chain.commitments)
    expected = semaphore_peer(
        {"secrets": [], "jobs": [{"kind": "roots", "leaves": [str(c) for c in leaves]}]}
    )[0]
    events = chain.registry._contract.events.MemberEnrolled.get_logs(from_block=0)
    onchain = [int(e["args"]["root"]) for e in events]
    assert onchain[: len(roots)] == roots
    assert onchain == [int(root) for root, _ in expected]
    assert chain.registry.depth() == expected[-1][1] == 3
    assert chain.registry.leaves() == leaves
    assert chain.registry.current_root() == imt_root(leaves)


def test_revocation_zeroes_the_leaf_like_the_semaphore_group(chain):
    chain.enroll(5)
    chain.enroll(6)
    leaves = [str(c) for c in chain.commitments[:7]]
    for removed, by in ((2, chain.owner), (6, chain.devices["A"])):
        chain.registry.revoke(chain.commitments[removed], by)
    answer = semaphore_peer(
        {
            "secrets": list(SECRETS),
            "jobs": [{"kind": "proof", "secret": 0, "leaves": leaves, "removed": [2, 6], "message": "1",
                      "scope": "1", "depth": 3}],
        }
    )[0]  # fmt: skip
    assert chain.registry.current_root() == int(answer["merkleTreeRoot"])
    record = chain.registry.member(chain.commitments[2])
    assert record.enrolled and record.revoked and record.index == 2
    # the tree keeps working after revocations: the next insertion matches the peer again
    chain.enroll(7)
    model = [int(x) for x in leaves] + [chain.commitments[7]]
    model[2] = model[6] = 0
    assert chain.registry.current_root() == imt_root(model)
    assert chain.registry.leaves() == model


@pytest.mark.parametrize("device", ["B", "C"])  # B was revoked, C never authorized
def test_unauthorized_or_revoked_device_cannot_enroll(chain, device):
    size = chain.registry.size()
    with _refused("DeviceNotActive"):
        chain.enroll(5, device=device)
    assert chain.registry.size() == size


def test_revoked_device_can_never_be_authorized_again(chain):
    with _refused("DeviceAlreadyKnown"):
        chain.registry.authorize_device(chain.devices["B"].address, chain.owner)


def test_only_the_owner_manages_devices(chain):
    with _refused("NotOwner"):
        chain.registry.authorize_device(chain.devices["C"].address, chain.relayer)
    with _refused("NotOwner"):
        chain.registry.revoke_device(chain.devices["A"].address, chain.relayer)


def test_the_same_attestation_cannot_be_replayed(chain):
    enrollment = chain.registry.enrollment(chain.commitments[5], 2**40)
    signature = sign_enrollment(enrollment, chain.devices["A"].key)
    chain.registry.enroll(enrollment, signature, chain.relayer)
    with _refused("AlreadyEnrolled"):
        chain.registry.enroll(enrollment, signature, chain.owner)


def test_a_commitment_cannot_be_enrolled_twice_even_after_revocation(chain):
    with _refused("AlreadyEnrolled"):
        chain.enroll(0)
    chain.registry.revoke(chain.commitments[0], chain.owner)
    with _refused("AlreadyEnrolled"):
        chain.enroll(0)


def test_attestation_for_another_chain_or_registry_is_refused(chain):
    good = chain.registry.enrollment(chain.commitments[5], 2**40)
    for forged in (
        Enrollment(1, good.registry, good.commitment, good.deadline),
        Enrollment(good.chain_id, chain.deployment.verifier, good.commitment, good.deadline),
        Enrollment(good.chain_id, good.registry, good.commitment, good.deadline + 1),
    ):
        signature = sign_enrollment(forged, chain.devices["A"].key)
        with _refused("DeviceNotActive"):  # recovers some other address
            chain.registry.enroll(good, signature, chain.relayer)
    assert chain.registry.size() == ENROLLED


def test_expired_attestation_and_malformed_signatures_are_refused(chain):
    with _refused("AttestationExpired"):
        chain.enroll(5, deadline=chain.now() - 1)
    enrollment = chain.registry.enrollment(chain.commitments[5], 2**40)
    signature = bytearray(sign_enrollment(enrollment, chain.devices["A"].key))
    high_s = bytearray(signature)
    s = int.from_bytes(signature[32:64], "big")
    n = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
    high_s[32:64] = (n - s).to_bytes(32, "big")
    high_s[64] = 55 - signature[64]  # the twin signature flips v
    for bad in (bytes(high_s), bytes(signature[:64]) + b"\x1d"):
        with _refused("InvalidSignature"):
            chain.registry.enroll(enrollment, bad, chain.relayer)
    assert chain.registry.size() == ENROLLED


@pytest.mark.parametrize("commitment", [0, SNARK_SCALAR_FIELD, 2**256 - 1])
def test_commitments_outside_the_field_are_refused(chain, commitment):
    call = chain.registry._contract.functions.enroll(commitment, 2**40, b"\x00" * 65)
    with _refused("InvalidCommitment"):
        from contracts.transactions import dry_run

        dry_run(call, chain.relayer, chain.registry.abis)


def test_largest_field_element_is_a_valid_commitment(chain):
    enrollment = chain.registry.enrollment(SNARK_SCALAR_FIELD - 1, 2**40)
    chain.registry.enroll(enrollment, sign_enrollment(enrollment, chain.devices["A"].key), chain.relayer)
    assert chain.registry.leaves()[-1] == SNARK_SCALAR_FIELD - 1


def test_revocation_rights(chain):
    stranger = Account.create()
    chain.w3.eth.send_transaction({"from": chain.owner, "to": stranger.address, "value": 10**18})
    with _refused("NotAllowedToRevoke"):
        chain.registry.revoke(chain.commitments[1], stranger)
    chain.registry.revoke_device(chain.devices["A"].address, chain.owner)
    with _refused("NotAllowedToRevoke"):  # a revoked device loses its right to revoke
        chain.registry.revoke(chain.commitments[1], chain.devices["A"])
    chain.registry.revoke(chain.commitments[1], chain.owner)
    with _refused("AlreadyRevoked"):
        chain.registry.revoke(chain.commitments[1], chain.owner)
    with _refused("NotEnrolled"):
        chain.registry.revoke(chain.commitments[6], chain.owner)


def test_wrong_sibling_nodes_are_refused(chain):
    siblings = list(chain.registry.tree().generate_proof(3).siblings)
    fn = chain.registry._contract.functions
    from contracts.transactions import dry_run

    for bad in (siblings[:-1], [*siblings, 1], [siblings[0] + 1, *siblings[1:]]):
        with _refused("WrongSiblingNodes"):
            dry_run(fn.revoke(chain.commitments[3], bad), chain.owner, chain.registry.abis)


def test_enrollment_gas_at_depth_three(world):
    # signature check + tree insertion + root history: the budget at 1,024 leaves is 200,000 (bench/gas.py)
    assert max(world.enroll_gas) < 200_000
