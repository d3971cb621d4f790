"""The device keystore as a standard Ethereum v3 keystore (Web3 Secret Storage: scrypt, AES-128-CTR,
Keccak-256 MAC), written and read by eth-account, so geth, ethers or any wallet can open it with the
password; plus one member of our own, `personhood`, that carries the gallery secret.

    {"version": 3, "id", "address", "crypto": {<v3: cipher, cipherparams, ciphertext, kdf, kdfparams, mac>},
     "personhood": {"version": 1, "cipher": "aes-256-gcm", "nonce", "secret"}}

The v3 standard encrypts one private key. The device's 256-bit gallery secret rides beside it, sealed
with AES-256-GCM under HMAC-SHA256(private key, WRAP_LABEL): only the unlocked key opens it, so one
scrypt run unlocks both, and other tools simply ignore the member. Its associated data is the rest of
the document, which also authenticates what v3 leaves unauthenticated (the address and the id). A tool
that re-encrypts the file (a password change in geth) drops the member: keep a backup.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eth_account import Account
from eth_utils import to_checksum_address

from .errors import KeyStoreError, WrongPasswordError
from .keystore_legacy import canonical, hex_field
from .scrypt_params import ScryptParams

V3_VERSION = 3
MEMBER, MEMBER_VERSION = "personhood", 1
WRAP_LABEL = b"personhood keystore v3: gallery secret wrap v1"
V3_CRYPTO_FIELDS = {"cipher", "cipherparams", "ciphertext", "kdf", "kdfparams", "mac"}


def seal_v3(private_key: bytes, secret: bytes, password: str, params: ScryptParams) -> dict:
    """The v3 document holding `private_key` (32 bytes) and `secret` (32 bytes) under `password`.

    KeyStoreError when `params` asks for an r or p other than eth-account's (8, 1).
    """
    if (params.r, params.p) != (8, 1):
        raise KeyStoreError("Ethereum v3 keystores are written with scrypt r = 8, p = 1")
    doc = dict(Account.encrypt(private_key, password, kdf="scrypt", iterations=params.n))
    nonce = secrets.token_bytes(12)
    doc[MEMBER] = {"version": MEMBER_VERSION, "cipher": "aes-256-gcm", "nonce": nonce.hex()}
    sealed = AESGCM(_wrap_key(private_key)).encrypt(nonce, secret, canonical(doc))
    doc[MEMBER]["secret"] = sealed.hex()
    return doc


def check_v3(doc: dict, path: Path) -> dict:
    """`doc` if it is a v3 scrypt keystore with our member and nothing else; KeyStoreError otherwise.

    The scrypt cost is bounded (ScryptParams) before anything derives a key from it.
    """
    crypto, member = doc.get("crypto"), doc.get(MEMBER)
    if (
        set(doc) != {"version", "id", "address", "crypto", MEMBER}
        or not isinstance(doc["address"], str)
        or not isinstance(crypto, dict)
        or set(crypto) != V3_CRYPTO_FIELDS
        or crypto["kdf"] != "scrypt"
        or crypto["cipher"] != "aes-128-ctr"
        or not isinstance(crypto["kdfparams"], dict)
        or set(crypto["kdfparams"]) != {"n", "r", "p", "dklen", "salt"}
        or crypto["kdfparams"]["dklen"] != 32
        or not isinstance(crypto["cipherparams"], dict)
        or set(crypto["cipherparams"]) != {"iv"}
        or not isinstance(member, dict)
        or set(member) != {"version", "cipher", "nonce", "secret"}
        or member["version"] != MEMBER_VERSION
        or member["cipher"] != "aes-256-gcm"
    ):
        raise KeyStoreError(f"malformed keystore {path}: unexpected fields or algorithms")
    v3_params(doc)
    hex_field(crypto["kdfparams"], "salt", 16, 64)
    hex_field(crypto["cipherparams"], "iv", 16, 16)
    hex_field(crypto, "ciphertext", 32, 32)
    hex_field(crypto, "mac", 32, 32)
    hex_field(member, "nonce", 12, 12)
    hex_field(member, "secret", 48, 48)
    address(doc, path)
    return doc


def v3_params(doc: dict) -> ScryptParams:
    """The scrypt cost of a v3 document (KeyStoreError when out of bounds)."""
    kdf = doc["crypto"]["kdfparams"]
    return ScryptParams(n=kdf["n"], r=kdf["r"], p=kdf["p"])


def address(doc: dict, path: Path) -> str:
    """The EIP-55 address the document claims (v3 stores it without 0x)."""
    text = doc["address"].lower().removeprefix("0x")
    if len(text) != 40 or any(c not in "0123456789abcdef" for c in text):
        raise KeyStoreError(f"malformed keystore {path}: the address is not 20 bytes of hex")
    return to_checksum_address("0x" + text)


def open_v3(doc: dict, password: str, path: Path) -> tuple[bytes, bytes]:
    """(private key, gallery secret) from a checked v3 document.

    WrongPasswordError when the v3 MAC does not match (a wrong password; v3 cannot tell it apart from
    a modified key ciphertext or KDF parameters), KeyStoreError when anything else was modified.
    """
    if not isinstance(password, str) or not password:
        raise KeyStoreError("the keystore password must be a non-empty string")
    try:
        private_key = bytes(Account.decrypt(doc, password))
    except ValueError as e:
        if "MAC mismatch" not in str(e):
            raise KeyStoreError(f"malformed keystore {path}: {e}") from e
        wrong = f"wrong password for keystore {path} (or its key ciphertext was modified)"
        raise WrongPasswordError(wrong) from e
    member = doc[MEMBER]
    header = {**doc, MEMBER: {k: v for k, v in member.items() if k != "secret"}}
    try:
        secret = AESGCM(_wrap_key(private_key)).decrypt(
            bytes.fromhex(member["nonce"]), bytes.fromhex(member["secret"]), canonical(header)
        )
    except InvalidTag as e:
        modified = f"keystore {path} was modified (authentication failed); restore it from backup"
        raise KeyStoreError(modified) from e
    return private_key, secret


def encode(doc: dict) -> bytes:
    """The file's bytes: indented JSON, sorted keys, one final newline."""
    return json.dumps(doc, indent=2, sort_keys=True).encode() + b"\n"


def _wrap_key(private_key: bytes) -> bytes:
    return hmac.new(private_key, WRAP_LABEL, hashlib.sha256).digest()
