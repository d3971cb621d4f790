"""Reading the first device keystore format (read only; `personhood device migrate-keystore` rewrites a
file of this format as an Ethereum v3 keystore, hardware/keystore_v3.py).

Layout (JSON): {"format": "personhood-device-keystore", "version": 1, "id", "address",
"crypto": {"kdf": "scrypt", "kdfparams": {"n", "r", "p", "dklen": 64, "salt"}, "cipher": "aes-256-gcm",
"nonce", "password_check", "ciphertext"}}. scrypt stretches the password to 64 bytes: the first 32 are
the AES-GCM key, the last 32 key a password check (so a wrong password and a modified file give
different errors). The plaintext is the secp256k1 private key followed by the 256-bit gallery secret;
every other field is the GCM associated data.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .errors import KeyStoreError, WrongPasswordError
from .scrypt_params import ScryptParams

LEGACY_FORMAT = "personhood-device-keystore"
LEGACY_VERSION = 1
PASSWORD_CHECK_LABEL = b"personhood keystore password check v1"


def is_legacy(doc: object) -> bool:
    """True when `doc` claims the first format (whether or not it is well formed)."""
    return isinstance(doc, dict) and doc.get("format") == LEGACY_FORMAT


def canonical(obj: object) -> bytes:
    """The JSON bytes used as associated data: sorted keys, no spaces, ASCII."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def hex_field(section: dict, name: str, min_bytes: int, max_bytes: int) -> bytes:
    """`section[name]` as bytes from hex, `min_bytes..max_bytes` long; KeyStoreError otherwise."""
    value = section.get(name)
    try:
        raw = bytes.fromhex(value) if isinstance(value, str) else None
    except ValueError:
        raw = None
    if raw is None or not min_bytes <= len(raw) <= max_bytes:
        raise KeyStoreError(f"malformed keystore: {name!r} must be {min_bytes}..{max_bytes} bytes of hex")
    return raw


def check_legacy(doc: dict, path: Path) -> dict:
    """`doc` if it has exactly the first format's fields and algorithms; KeyStoreError otherwise."""
    if doc.get("version") != LEGACY_VERSION:
        raise KeyStoreError(f"{path}: unsupported keystore version {doc.get('version')!r}")
    crypto = doc.get("crypto")
    if (
        set(doc) != {"format", "version", "id", "address", "crypto"}
        or not isinstance(doc["address"], str)
        or not isinstance(crypto, dict)
        or set(crypto) != {"kdf", "kdfparams", "cipher", "nonce", "password_check", "ciphertext"}
        or crypto["kdf"] != "scrypt"
        or crypto["cipher"] != "aes-256-gcm"
        or not isinstance(crypto["kdfparams"], dict)
        or set(crypto["kdfparams"]) != {"n", "r", "p", "dklen", "salt"}
        or crypto["kdfparams"]["dklen"] != 64
    ):
        raise KeyStoreError(f"malformed keystore {path}: unexpected fields or algorithms")
    return doc


def legacy_params(doc: dict) -> ScryptParams:
    """The scrypt cost a (checked) first-format document was written with."""
    kdf = doc["crypto"]["kdfparams"]
    return ScryptParams(n=kdf["n"], r=kdf["r"], p=kdf["p"])


def open_legacy(doc: dict, password: str, path: Path) -> tuple[bytes, bytes]:
    """(private key, gallery secret) from a checked first-format document.

    WrongPasswordError for a wrong password, KeyStoreError for a modified file.
    """
    crypto = doc["crypto"]
    kdf = crypto["kdfparams"]
    params = legacy_params(doc)
    salt, nonce, stored_check, ciphertext = (
        hex_field(kdf, "salt", 16, 64),
        hex_field(crypto, "nonce", 12, 12),
        hex_field(crypto, "password_check", 32, 32),
        hex_field(crypto, "ciphertext", 80, 80),
    )
    if not isinstance(password, str) or not password:
        raise KeyStoreError("the keystore password must be a non-empty string")
    stretched = Scrypt(salt=salt, length=64, n=params.n, r=params.r, p=params.p).derive(
        password.encode("utf-8")
    )
    check = hmac.new(stretched[32:], PASSWORD_CHECK_LABEL, hashlib.sha256).digest()
    if not hmac.compare_digest(check, stored_check):
        raise WrongPasswordError(f"wrong password for keystore {path}")
    header = {**doc, "crypto": {k: v for k, v in crypto.items() if k != "ciphertext"}}
    try:
        plaintext = AESGCM(stretched[:32]).decrypt(nonce, ciphertext, canonical(header))
    except InvalidTag as e:
        modified = f"keystore {path} was modified (authentication failed); restore it from backup"
        raise KeyStoreError(modified) from e
    return plaintext[:32], plaintext[32:]
