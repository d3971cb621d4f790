"""The station's device key: one secp256k1 key that signs attestations, whatever holds it.

Two backends implement `DeviceKey`: `KeystoreDeviceKey` (an encrypted file, the default) and
`Pkcs11DeviceKey` (an HSM or secure element through PKCS#11). Both only have to produce a plain
ECDSA (r, s) over a 32-byte digest and a keyed hash; the shared code here makes the signature
Ethereum-recoverable and checks it against the key's public key before handing it out, so a
misbehaving token can never emit a signature that `ecrecover` would attribute to someone else.

Key material for the uniqueness gallery at rest: each device key also holds a 256-bit secret
(inside the keystore's ciphertext, or a non-extractable generic-secret object on the token).
`derive_key_material(purpose)` is HMAC-SHA256(secret, purpose) (RFC 2104), so the gallery key is
`derive_key_material(GALLERY_KEY_PURPOSE)`: stable across restarts, different per purpose, and on
a token the secret itself never leaves the hardware.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping

from eth_account.messages import encode_typed_data

from .secp256k1 import EthSignature, eip191_digest, keccak256, public_key_to_address, recoverable_signature

GALLERY_KEY_PURPOSE = b"personhood/gallery-at-rest/v1"  # HMAC input for the gallery encryption key
MAX_PURPOSE_BYTES = 256


class DeviceKey(ABC):
    """A secp256k1 signing key plus a keyed-hash secret, held by some backend.

    Subclasses implement `_public_key`, `_sign_raw`, `_hmac_sha256`, `_describe` and `close`;
    never a private key or secret in `repr`, `describe()` or logs.
    """

    backend: str = "abstract"

    @property
    @abstractmethod
    def public_key(self) -> bytes:
        """The 65-byte uncompressed public key (0x04 || X || Y)."""

    @property
    def address(self) -> str:
        """The EIP-55 checksummed Ethereum address `ecrecover` returns for this key's signatures."""
        return public_key_to_address(self.public_key)

    @abstractmethod
    def _sign_raw(self, digest: bytes) -> tuple[int, int]:
        """Plain ECDSA over the 32-byte `digest` (no hashing): (r, s), any s."""

    @abstractmethod
    def _hmac_sha256(self, message: bytes) -> bytes:
        """HMAC-SHA256 of `message` under the backend's 256-bit secret."""

    @abstractmethod
    def _describe(self) -> dict[str, object]:
        """Backend-specific, non-secret facts for `describe()`."""

    @abstractmethod
    def close(self) -> None:
        """Forget the key material / close the token session; the key cannot sign afterwards."""

    def sign_digest(self, digest: bytes) -> EthSignature:
        """Sign a 32-byte digest (e.g. an EIP-712 hash) as (v, r, s), low-s, recoverable to `address`.

        Raises ValueError for a digest that is not 32 bytes, SignatureError if the backend's
        signature does not verify against this key.
        """
        if not isinstance(digest, (bytes, bytearray)) or len(digest) != 32:
            raise ValueError("sign_digest takes exactly 32 bytes (a Keccak-256 digest)")
        r, s = self._sign_raw(bytes(digest))
        return recoverable_signature(bytes(digest), r, s, self.public_key)

    def sign_message(self, message: bytes) -> EthSignature:
        """Sign `message` as EIP-191 personal_sign does (what eth-account's `encode_defunct` checks)."""
        return self.sign_digest(eip191_digest(message))

    def sign_typed_data(self, typed_data: Mapping[str, object]) -> EthSignature:
        """Sign an EIP-712 typed-data document (e.g. contracts.eip712.Enrollment.typed_data()).

        The digest is keccak256(0x19 || 0x01 || domainSeparator || hashStruct(message)) (EIP-712),
        encoded by eth-account; raises ValueError for a malformed document.
        """
        try:
            signable = encode_typed_data(full_message=dict(typed_data))
        except (TypeError, KeyError, ValueError) as e:
            raise ValueError(f"not a valid EIP-712 typed-data document: {e}") from e
        return self.sign_digest(keccak256(b"\x19" + signable.version + signable.header + signable.body))

    def derive_key_material(self, purpose: bytes) -> bytes:
        """32 bytes of key material bound to this device and `purpose` (HMAC-SHA256, RFC 2104)."""
        if not isinstance(purpose, bytes) or not 0 < len(purpose) <= MAX_PURPOSE_BYTES:
            raise ValueError(f"purpose must be 1..{MAX_PURPOSE_BYTES} bytes")
        return self._hmac_sha256(purpose)

    def gallery_key(self) -> bytes:
        """The 256-bit key that encrypts the uniqueness gallery at rest."""
        return self.derive_key_material(GALLERY_KEY_PURPOSE)

    def describe(self) -> Mapping[str, object]:
        """Non-secret facts about the key: backend, address, public key and backend details."""
        return {
            "backend": self.backend,
            "address": self.address,
            "public_key": "0x" + self.public_key.hex(),
            **self._describe(),
        }

    def __enter__(self) -> DeviceKey:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.backend} {self.address}>"
