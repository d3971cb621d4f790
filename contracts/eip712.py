"""The EIP-712 enrollment attestation an enrollment device signs, and a plain-key signer for tests.

Domain {name: "PersonhoodRegistry", version: "1", chainId, verifyingContract}; struct
`Enrollment(uint256 commitment, uint256 deadline)`. Replay: the domain pins the chain and the registry,
the registry accepts a commitment once ever, and `deadline` expires an unused attestation. Production
stations sign the same digest with their device key (PKCS#11 etc., in hardware/).
"""

from __future__ import annotations

from dataclasses import dataclass

from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak

from zk_identity.field import SNARK_SCALAR_FIELD

from .errors import ChainInputError

DOMAIN_NAME = "PersonhoodRegistry"
DOMAIN_VERSION = "1"
ENROLLMENT_TYPE = "Enrollment(uint256 commitment,uint256 deadline)"
ENROLLMENT_TYPEHASH = keccak(text=ENROLLMENT_TYPE)
UINT256_MAX = 2**256 - 1


@dataclass(frozen=True)
class Enrollment:
    """A device attests: `commitment` may join the registry `registry` on `chain_id` until `deadline`."""

    chain_id: int
    registry: str
    commitment: int
    deadline: int

    def __post_init__(self) -> None:
        for name in ("chain_id", "commitment", "deadline"):
            if type(getattr(self, name)) is not int:
                raise ChainInputError(f"{name} must be an int")
        if not 0 < self.commitment < SNARK_SCALAR_FIELD:
            raise ChainInputError("commitment must be a non-zero BN254 scalar field element")
        if not 0 <= self.deadline <= UINT256_MAX or self.chain_id <= 0:
            raise ChainInputError("deadline must be a uint256 and chain_id positive")

    def typed_data(self) -> dict:
        """The EIP-712 typed-data document (as eth_account and wallets take it)."""
        return {
            "types": {
                "EIP712Domain": [
                    {"name": "name", "type": "string"},
                    {"name": "version", "type": "string"},
                    {"name": "chainId", "type": "uint256"},
                    {"name": "verifyingContract", "type": "address"},
                ],
                "Enrollment": [
                    {"name": "commitment", "type": "uint256"},
                    {"name": "deadline", "type": "uint256"},
                ],
            },
            "primaryType": "Enrollment",
            "domain": {
                "name": DOMAIN_NAME,
                "version": DOMAIN_VERSION,
                "chainId": self.chain_id,
                "verifyingContract": self.registry,
            },
            "message": {"commitment": self.commitment, "deadline": self.deadline},
        }


def sign_enrollment(enrollment: Enrollment, private_key: bytes | str) -> bytes:
    """The 65-byte signature r || s || v (v in {27, 28}, low s) of `enrollment` with a secp256k1 key."""
    signed = Account.sign_message(encode_typed_data(full_message=enrollment.typed_data()), private_key)
    return bytes(signed.signature)


def recover_signer(enrollment: Enrollment, signature: bytes) -> str:
    """The address that signed `enrollment` (what the registry's ecrecover computes)."""
    return Account.recover_message(
        encode_typed_data(full_message=enrollment.typed_data()), signature=signature
    )
