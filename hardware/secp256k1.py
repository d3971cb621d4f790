"""Ethereum-style secp256k1 signatures: low-s normalization, recovery id, address derivation.

Pure functions, no I/O. A token or a software key produces a plain ECDSA (r, s) over a 32-byte
digest; `recoverable_signature` turns it into what Solidity's `ecrecover` accepts: s in the lower
half of the group order (EIP-2, which OpenZeppelin's ECDSA library also enforces) and v in {27, 28}
chosen so that recovery yields the signer's public key.
"""

from __future__ import annotations

from dataclasses import dataclass

from coincurve import PublicKey
from Crypto.Hash import keccak
from eth_utils import to_checksum_address

from .errors import SignatureError

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141  # SEC 2 §2.4.1, group order
SECP256K1_P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFC2F  # SEC 2 §2.4.1, field prime
HALF_N = SECP256K1_N // 2  # EIP-2: s must be <= n/2
EIP191_PREFIX = b"\x19Ethereum Signed Message:\n"  # EIP-191 version 0x45 (personal_sign)

assert SECP256K1_N % 2 == 1 and SECP256K1_P % 4 == 3  # facts the curve relies on, checked at import


@dataclass(frozen=True)
class EthSignature:
    """A recoverable secp256k1 signature as `ecrecover` takes it: v in {27, 28}, 0 < r < n, 0 < s <= n/2.

    Iterating yields (v, r, s), so `v, r, s = key.sign_digest(d)` works.
    """

    v: int
    r: int
    s: int

    def __post_init__(self) -> None:
        for name in ("v", "r", "s"):
            if type(getattr(self, name)) is not int:
                raise SignatureError(f"signature {name} must be an int")
        if self.v not in (27, 28):
            raise SignatureError(f"signature v must be 27 or 28, got {self.v}")
        if not 0 < self.r < SECP256K1_N:
            raise SignatureError("signature r is out of range")
        if not 0 < self.s <= HALF_N:
            raise SignatureError("signature s is out of range or not low-s (EIP-2)")

    def __iter__(self):
        return iter((self.v, self.r, self.s))

    def to_bytes(self) -> bytes:
        """The 65-byte r || s || v encoding Solidity's ECDSA.recover and eth-account use."""
        return self.r.to_bytes(32, "big") + self.s.to_bytes(32, "big") + bytes([self.v])

    def to_hex(self) -> str:
        """`to_bytes()` as 0x-prefixed lowercase hex (132 characters)."""
        return "0x" + self.to_bytes().hex()

    @classmethod
    def from_bytes(cls, data: bytes) -> EthSignature:
        """Parse 65 bytes r || s || v (v may be 0/1 or 27/28); raises SignatureError."""
        if len(data) != 65:
            raise SignatureError(f"a signature is 65 bytes, got {len(data)}")
        v = data[64] + 27 if data[64] in (0, 1) else data[64]
        return cls(v=v, r=int.from_bytes(data[:32], "big"), s=int.from_bytes(data[32:64], "big"))

    @classmethod
    def from_hex(cls, text: str) -> EthSignature:
        """Parse the `to_hex()` form; raises SignatureError for anything else."""
        if not isinstance(text, str) or not text.startswith("0x") or len(text) != 132:
            raise SignatureError("a signature must be 0x followed by 130 hex digits")
        try:
            return cls.from_bytes(bytes.fromhex(text[2:]))
        except ValueError as e:
            if isinstance(e, SignatureError):
                raise
            raise SignatureError("a signature must be 0x followed by 130 hex digits") from e


def keccak256(data: bytes) -> bytes:
    """Keccak-256 (the pre-standard SHA-3 Ethereum uses)."""
    return keccak.new(digest_bits=256, data=data).digest()


def eip191_digest(message: bytes) -> bytes:
    """The digest `personal_sign` / eth-account's `encode_defunct` sign for `message` (EIP-191 0x45)."""
    return keccak256(EIP191_PREFIX + str(len(message)).encode("ascii") + message)


def check_public_key(public_key: bytes) -> bytes:
    """Return `public_key` if it is a 65-byte uncompressed point on secp256k1; else SignatureError."""
    if len(public_key) != 65 or public_key[0] != 4:
        raise SignatureError("a public key must be 65 bytes, uncompressed (0x04 || X || Y)")
    x, y = int.from_bytes(public_key[1:33], "big"), int.from_bytes(public_key[33:], "big")
    if not (x < SECP256K1_P and y < SECP256K1_P and (y * y - x * x * x - 7) % SECP256K1_P == 0):
        raise SignatureError("the public key is not a point on secp256k1")
    return public_key


def public_key_to_address(public_key: bytes) -> str:
    """EIP-55 checksummed Ethereum address of an uncompressed secp256k1 public key."""
    check_public_key(public_key)
    return to_checksum_address(keccak256(public_key[1:])[12:])


def recover_public_key(digest: bytes, signature: EthSignature) -> bytes:
    """The 65-byte public key that produced `signature` over `digest` (what ecrecover computes)."""
    if len(digest) != 32:
        raise SignatureError(f"a digest is 32 bytes, got {len(digest)}")
    # libsecp256k1 through coincurve (~0.1 ms; py_ecc's pure-Python ecdsa_raw_recover took ~16 ms and
    # is the reference it is tested against in tests/hardware/test_secp256k1_recover.py)
    compact = signature.r.to_bytes(32, "big") + signature.s.to_bytes(32, "big") + bytes([signature.v - 27])
    try:
        return PublicKey.from_signature_and_message(compact, digest, hasher=None).format(compressed=False)
    except ValueError as e:
        raise SignatureError("the signature does not recover to any public key") from e


def recover_address(digest: bytes, signature: EthSignature) -> str:
    """Checksummed address that signed `digest` (raises SignatureError if nothing recovers)."""
    return public_key_to_address(recover_public_key(digest, signature))


def recoverable_signature(digest: bytes, r: int, s: int, public_key: bytes) -> EthSignature:
    """Turn a plain ECDSA (r, s) by `public_key` into an EthSignature: low-s and the right v.

    Negating s keeps the signature valid for the same key (ECDSA malleability); the recovery id is
    then found by recovering with each parity and comparing with the known key. Raises
    SignatureError if neither recovers to `public_key` (the signer is not who it claims to be).
    """
    if not (0 < r < SECP256K1_N and 0 < s < SECP256K1_N):
        raise SignatureError("the signer returned r or s out of range")
    if s > HALF_N:
        s = SECP256K1_N - s
    for v in (27, 28):
        candidate = EthSignature(v=v, r=r, s=s)
        try:
            if recover_public_key(digest, candidate) == public_key:
                return candidate
        except SignatureError:
            continue
    raise SignatureError("the signature does not verify against the device's public key")
