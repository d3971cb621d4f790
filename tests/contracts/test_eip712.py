"""The enrollment attestation: our EIP-712 digest is the registry's; it binds chain, contract, fields."""

from __future__ import annotations

import pytest
from eth_abi import encode
from eth_account import Account
from eth_account.messages import _hash_eip191_message, encode_typed_data
from eth_utils import keccak

from contracts import ChainInputError, Enrollment, recover_signer, sign_enrollment
from contracts.eip712 import ENROLLMENT_TYPEHASH
from zk_identity import SNARK_SCALAR_FIELD

KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def test_signature_recovers_the_device_and_is_low_s():
    enrollment = Enrollment(31337, REGISTRY, 123, 2**40)
    signature = sign_enrollment(enrollment, KEY)
    assert len(signature) == 65 and signature[64] in (27, 28)
    assert (
        int.from_bytes(signature[32:64], "big")
        <= 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0
    )
    assert recover_signer(enrollment, signature) == Account.from_key(KEY).address


@pytest.mark.parametrize(
    "other",
    [
        Enrollment(1, REGISTRY, 123, 2**40),
        Enrollment(31337, "0x" + "11" * 20, 123, 2**40),
        Enrollment(31337, REGISTRY, 124, 2**40),
        Enrollment(31337, REGISTRY, 123, 2**40 + 1),
    ],
)
def test_signature_does_not_transfer_to_another_domain_or_struct(other):
    signature = sign_enrollment(Enrollment(31337, REGISTRY, 123, 2**40), KEY)
    assert recover_signer(other, signature) != Account.from_key(KEY).address


@pytest.mark.parametrize("commitment", [0, SNARK_SCALAR_FIELD, -1, True])
def test_malformed_enrollments_are_refused(commitment):
    with pytest.raises(ChainInputError):
        Enrollment(31337, REGISTRY, commitment, 2**40)


@pytest.mark.slow
@pytest.mark.node
def test_digest_matches_the_registry(world):
    enrollment = world.registry.enrollment(world.commitments[5], 2**40)
    fn = world.registry._contract.functions
    domain = bytes(fn.domainSeparator().call())
    assert bytes(fn.ENROLLMENT_TYPEHASH().call()) == ENROLLMENT_TYPEHASH
    struct_hash = keccak(
        encode(["bytes32", "uint256", "uint256"], [ENROLLMENT_TYPEHASH, enrollment.commitment, 2**40])
    )
    onchain_digest = keccak(b"\x19\x01" + domain + struct_hash)
    assert _hash_eip191_message(encode_typed_data(full_message=enrollment.typed_data())) == onchain_digest
