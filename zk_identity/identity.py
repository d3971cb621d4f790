"""Semaphore v4 identities: an EdDSA-Poseidon key pair whose public key hashes to the group commitment.

As @semaphore-protocol/identity 4.x: the private key is arbitrary bytes (text is used as its UTF-8
bytes; a fresh identity gets 32 random bytes from `secrets`), the secret scalar and Baby Jubjub public
key come from `eddsa_poseidon`, and commitment = Poseidon(A.x, A.y). `export()` is the base64 of the
private key bytes, exactly what Semaphore's `Identity.export()` produces.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from .babyjubjub import Point, require_point
from .eddsa_poseidon import Signature, derive_public_key, derive_secret_scalar, sign_message, verify_signature
from .errors import PersonhoodError
from .poseidon import poseidon

PRIVATE_KEY_BYTES = 32  # size of a freshly generated key (Semaphore draws 32 random bytes)


class KeyFormatError(PersonhoodError, ValueError):
    """A private key is empty, or an exported key is not valid base64."""


def _key_bytes(private_key: object) -> bytes:
    if isinstance(private_key, str):
        try:
            raw = private_key.encode("utf-8")
        except UnicodeEncodeError as e:
            raise KeyFormatError(f"private key text is not encodable as UTF-8: {e.reason}") from e
    elif isinstance(private_key, (bytes, bytearray, memoryview)):
        raw = bytes(private_key)
    else:
        raise TypeError(f"private key must be bytes or str, got {type(private_key).__name__}")
    if not raw:
        raise KeyFormatError("private key must not be empty")
    return raw


class Identity:
    """A Semaphore v4 identity: `private_key` (bytes), `secret_scalar`, `public_key`, `commitment`.

    `Identity()` makes a fresh random identity; `Identity(key)` re-derives one from bytes or text.
    Raises TypeError for another type and KeyFormatError for an empty key. The private key never
    appears in repr() or str().
    """

    __slots__ = ("_commitment", "_private_key", "_public_key", "_secret_scalar")

    def __init__(self, private_key: bytes | str | None = None) -> None:
        key = secrets.token_bytes(PRIVATE_KEY_BYTES) if private_key is None else _key_bytes(private_key)
        self._private_key = key
        self._secret_scalar = derive_secret_scalar(key)
        self._public_key = derive_public_key(key)
        self._commitment = poseidon(self._public_key)

    @property
    def private_key(self) -> bytes:
        """The private key bytes (keep them secret: anyone holding them is this identity)."""
        return self._private_key

    @property
    def secret_scalar(self) -> int:
        """The secret scalar in [0, l) that the Semaphore circuit takes as its private input."""
        return self._secret_scalar

    @property
    def public_key(self) -> Point:
        """The Baby Jubjub public key (x, y)."""
        return self._public_key

    @property
    def commitment(self) -> int:
        """The identity commitment Poseidon(x, y): the leaf this identity occupies in a group."""
        return self._commitment

    def export(self) -> str:
        """The private key as base64 (Semaphore's export format); `Identity.import_` reverses it."""
        return base64.b64encode(self._private_key).decode("ascii")

    @classmethod
    def import_(cls, exported: str) -> Identity:
        """Re-create an identity from `export()` output (canonical padded base64; outer white space ignored).

        Raises TypeError for a non-str and KeyFormatError for malformed base64 or an empty key.
        """
        if not isinstance(exported, str):
            raise TypeError(f"an exported identity is a base64 str, got {type(exported).__name__}")
        try:
            text = exported.strip().encode("ascii")
            key = binascii.a2b_base64(text, strict_mode=True)
        except (binascii.Error, UnicodeEncodeError) as e:
            raise KeyFormatError("exported identity is not valid base64") from e
        if base64.b64encode(key) != text:
            raise KeyFormatError("exported identity is not canonical base64 (padding or trailing bits)")
        return cls(key)

    def sign(self, message: int) -> Signature:
        """EdDSA-Poseidon signature of a field element (see `eddsa_poseidon.sign_message`)."""
        return sign_message(self._private_key, message)

    @staticmethod
    def verify_signature(message: int, signature: Signature, public_key: Point) -> bool:
        """True if `signature` over `message` verifies under `public_key` (see `eddsa_poseidon`)."""
        return verify_signature(message, signature, public_key)

    @staticmethod
    def generate_commitment(public_key: Point) -> int:
        """The commitment Poseidon(x, y) of a public key; raises PointError for a point off the curve."""
        x, y = require_point(public_key, "public key")
        return poseidon([x, y])

    def __repr__(self) -> str:
        return f"Identity(commitment={self._commitment})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Identity):
            return NotImplemented
        return secrets.compare_digest(self._private_key, other._private_key)

    def __hash__(self) -> int:
        return hash(self._commitment)
