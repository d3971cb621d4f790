"""Templates in transit, encrypted to the service's X25519 key (an HPKE-style base mode, RFC 9180's shape).

    sender:   ephemeral X25519 key e; shared = X25519(e, S); key = HKDF-SHA256(shared,
              salt = e_pub || S_pub, info = INFO) (RFC 5869); AES-256-GCM(key, nonce, probe, aad)
    receiver: shared = X25519(s, e_pub), the same HKDF, AES-GCM open (tag checked)

One ephemeral key per message, so the key is used once and a random 96-bit nonce is safe. The AAD
is the canonical JSON of the signed request (which names e_pub and the probe's SHA-256), so a
ciphertext cannot be moved under another request, and the signature covers what was sealed.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .errors import RequestRefusedError

INFO = b"personhood uniqueness probe v1"
X25519_BYTES = 32
NONCE_BYTES = 12  # GCM's 96-bit IV (SP 800-38D §8.2.2)
X25519_KEY_PURPOSE = b"personhood/uniqueness-x25519/v1"  # device-key HMAC input for the service's key


def public_bytes(key: X25519PublicKey) -> bytes:
    """The raw 32-byte public key."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def _key(shared: bytes, ephemeral: bytes, recipient: bytes) -> AESGCM:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral + recipient, info=INFO).derive(shared)
    return AESGCM(derived)


def new_ephemeral() -> X25519PrivateKey:
    """A fresh sender key (its public half goes into the signed request before sealing)."""
    return X25519PrivateKey.generate()


def seal(ephemeral: X25519PrivateKey, recipient: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """nonce || AES-256-GCM ciphertext+tag of `plaintext` for `recipient` (raw X25519 public key)."""
    if len(recipient) != X25519_BYTES:
        raise ValueError("the service's X25519 public key has 32 bytes")
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient))
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + _key(shared, public_bytes(ephemeral.public_key()), recipient).encrypt(
        nonce, plaintext, aad
    )


def open_sealed(recipient: X25519PrivateKey, ephemeral: bytes, sealed: bytes, aad: bytes) -> bytes:
    """The plaintext of `sealed`; RequestRefusedError (code bad_ciphertext) when it does not authenticate."""
    if len(ephemeral) != X25519_BYTES or len(sealed) < NONCE_BYTES + 16:
        raise RequestRefusedError("the sealed probe is malformed", "bad_ciphertext")
    try:
        shared = recipient.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        aead = _key(shared, ephemeral, public_bytes(recipient.public_key()))
        return aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError) as e:
        raise RequestRefusedError(
            "the sealed probe does not decrypt under this service's key with this request", "bad_ciphertext"
        ) from e
