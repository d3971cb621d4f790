"""EdDSA over Baby Jubjub with Poseidon as the challenge hash, as @zk-kit/eddsa-poseidon (BLAKE-512 flavour).

Key derivation (RFC 8032 §5.1.5 style, on Baby Jubjub): h = BLAKE-512(private key); the first 32 bytes,
pruned (clear the 3 low bits, clear bit 255, set bit 254) and read little-endian, give s; the secret
scalar is (s >> 3) mod l and the public key A = secret_scalar * BASE8.

Signing (deterministic): r = BLAKE-512(h[32:64] || message as 32 little-endian bytes) mod l,
R8 = r * BASE8, hm = Poseidon(R8.x, R8.y, A.x, A.y, message), S = (r + hm * s) mod l.
Verification: S * BASE8 == R8 + (8 * hm) * A.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import babyjubjub as bjj
from .blake512 import blake512
from .errors import PersonhoodError
from .field import require_field_element, require_int
from .poseidon import poseidon

Point = bjj.Point


class SignatureError(PersonhoodError, ValueError):
    """A signature is malformed (S not below the subgroup order, R8 not a subgroup point)."""


@dataclass(frozen=True)
class Signature:
    """An EdDSA-Poseidon signature: the point R8 and the scalar S (0 <= S < l)."""

    r8: Point
    s: int


def _require_key_bytes(private_key: object) -> bytes:
    if not isinstance(private_key, (bytes, bytearray, memoryview)):
        raise TypeError(f"private key must be bytes, got {type(private_key).__name__}")
    return bytes(private_key)


def _pruned_scalar(digest: bytes) -> int:
    buf = bytearray(digest[:32])
    buf[0] &= 0xF8
    buf[31] &= 0x7F
    buf[31] |= 0x40
    return int.from_bytes(buf, "little")


def derive_secret_scalar(private_key: bytes) -> int:
    """The secret scalar in [0, l) derived from private key bytes (any length); raises TypeError."""
    return (_pruned_scalar(blake512(_require_key_bytes(private_key))) >> 3) % bjj.SUBGROUP_ORDER


def derive_public_key(private_key: bytes) -> Point:
    """The Baby Jubjub public key secret_scalar * BASE8 of private key bytes."""
    return bjj.mul(bjj.BASE8, derive_secret_scalar(private_key))


def sign_message(private_key: bytes, message: int) -> Signature:
    """Sign a field element `message` (0 <= message < r) with private key bytes.

    Raises TypeError for wrong types and FieldRangeError for a message outside the field.
    """
    digest = blake512(_require_key_bytes(private_key))
    message = require_field_element(message, "message")
    s = _pruned_scalar(digest)
    public_key = bjj.mul(bjj.BASE8, s >> 3)
    r = int.from_bytes(blake512(digest[32:64] + message.to_bytes(32, "little")), "little")
    r %= bjj.SUBGROUP_ORDER
    r8 = bjj.mul(bjj.BASE8, r)
    hm = poseidon([r8[0], r8[1], public_key[0], public_key[1], message])
    return Signature(r8, (r + hm * s) % bjj.SUBGROUP_ORDER)


def verify_signature(message: int, signature: Signature, public_key: Point) -> bool:
    """True if `signature` signs `message` under `public_key`; False if it does not.

    Malformed input raises instead of returning False: TypeError for wrong types, FieldRangeError
    for a message outside the field, SignatureError for S >= l, PointError for R8 or the public key
    off the curve or outside the prime-order subgroup (stricter than @zk-kit/eddsa-poseidon, which only
    checks the curve equation; honest signatures always pass).
    """
    message = require_field_element(message, "message")
    if not isinstance(signature, Signature):
        raise TypeError(f"signature must be a Signature, got {type(signature).__name__}")
    s = require_int(signature.s, "signature.s")
    if not 0 <= s < bjj.SUBGROUP_ORDER:
        raise SignatureError(f"signature S must be in [0, l), got {s}")
    r8 = bjj.require_point(signature.r8, "signature R8", subgroup=True)
    a = bjj.require_point(public_key, "public key", subgroup=True)
    hm = poseidon([r8[0], r8[1], a[0], a[1], message])
    return bjj.mul(bjj.BASE8, s) == bjj.add(r8, bjj.mul(a, 8 * hm))
