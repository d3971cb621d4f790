"""The BN254 moduli and keccak-to-field, written once in zk_identity/field.py."""

from __future__ import annotations

import pytest
from py_ecc.bn128 import curve_order, field_modulus

from zk_identity import BN254_BASE_FIELD, SNARK_SCALAR_FIELD, keccak_to_field
from zk_identity.bn254_checks import P, R

# Published keccak256 digests (Ethereum's keccak, not SHA-3): of "" and of "abc".
KECCAK_EMPTY = 0xC5D2460186F7233C927E7DB2DCC703C0E500B653CA82273B7BFAD8045D85A470
KECCAK_ABC = 0x4E03657AEA45A94FC7D47BA826C8D667C0D1E6E33A64A036EC44F58FA12D6C45


def test_moduli_agree_with_py_ecc_everywhere() -> None:  # the proof checks and bn254_checks use these
    assert (curve_order, field_modulus) == (SNARK_SCALAR_FIELD, BN254_BASE_FIELD)
    assert (curve_order, field_modulus) == (R, P)


@pytest.mark.parametrize(("data", "digest"), [(b"", KECCAK_EMPTY), (b"abc", KECCAK_ABC)])
def test_keccak_to_field_is_the_digest_shifted_right_8(data: bytes, digest: int) -> None:
    assert keccak_to_field(data) == digest >> 8
    assert keccak_to_field(data) < 2**248 < SNARK_SCALAR_FIELD
