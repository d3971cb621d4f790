"""Signature recovery through libsecp256k1 (coincurve) against py_ecc's pure-Python reference."""

from __future__ import annotations

import contextlib
import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature
from py_ecc.secp256k1 import ecdsa_raw_recover

from hardware.errors import SignatureError
from hardware.secp256k1 import EthSignature, recover_public_key, recoverable_signature


def _public(key: ec.EllipticCurvePrivateKey) -> bytes:
    n = key.public_key().public_numbers()
    return b"\x04" + n.x.to_bytes(32, "big") + n.y.to_bytes(32, "big")


@pytest.mark.parametrize("seed", range(8))
def test_recovery_matches_the_pure_python_reference(seed: int) -> None:
    key = ec.derive_private_key(10**20 + seed, ec.SECP256K1())
    digest = hashlib.sha256(f"message {seed}".encode()).digest()
    r, s = decode_dss_signature(key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256()))))
    signature = recoverable_signature(digest, r, s, _public(key))
    x, y = ecdsa_raw_recover(digest, (signature.v, signature.r, signature.s))
    reference = b"\x04" + int(x).to_bytes(32, "big") + int(y).to_bytes(32, "big")
    assert recover_public_key(digest, signature) == reference == _public(key)
    other = EthSignature(v=55 - signature.v, r=signature.r, s=signature.s)  # the other parity
    with contextlib.suppress(SignatureError):  # either nothing recovers or someone else does
        assert recover_public_key(digest, other) != _public(key)
