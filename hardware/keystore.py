"""Encrypted software keystore for the device key: scrypt + AES-256-GCM, in the spirit of an
Ethereum (Web3 Secret Storage v3) keystore.

File layout (JSON, mode 0600, written atomically):

    {"format": "personhood-device-keystore", "version": 1, "id": <uuid4>, "address": <0x…>,
     "crypto": {"kdf": "scrypt", "kdfparams": {"n", "r", "p", "dklen": 64, "salt"},
                "cipher": "aes-256-gcm", "nonce", "password_check", "ciphertext"}}

scrypt (RFC 7914) stretches the password to 64 bytes: the first 32 are the AES-GCM key, the last
32 key a password check (so a wrong password and a modified file give different errors). The
plaintext is the secp256k1 private key followed by the 256-bit gallery secret; every other field
is the GCM associated data, so editing any of them (the address, the KDF parameters…) is detected.
Unlike v3 we use an AEAD instead of AES-CTR plus a Keccak MAC.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from .atomic_file import write_private_file
from .device_key import DeviceKey
from .errors import KeyStoreError, WrongPasswordError
from .secp256k1 import SECP256K1_N

KEYSTORE_FORMAT = "personhood-device-keystore"
KEYSTORE_VERSION = 1
MAX_KEYSTORE_BYTES = 16 * 1024
MIN_SCRYPT_N, MAX_SCRYPT_N = 2**14, 2**20  # 16 MiB .. 1 GiB of memory at r = 8
PASSWORD_CHECK_LABEL = b"personhood keystore password check v1"
MIN_PASSWORD_CHARS = 8


@dataclass(frozen=True)
class ScryptParams:
    """scrypt cost: n (power of two, 2^14..2^20), r (block size), p (parallelism). RFC 7914 §2.

    The default n = 2^17 takes 0.3-1 s and 128 MiB; geth's "standard" is 2^18. The bounds also cap
    what a planted keystore file can make an unlock cost (at most 1 GiB of memory).
    """

    n: int = 2**17
    r: int = 8
    p: int = 1

    def __post_init__(self) -> None:
        if type(self.n) is not int or self.n & (self.n - 1) or not MIN_SCRYPT_N <= self.n <= MAX_SCRYPT_N:
            raise KeyStoreError(f"scrypt n must be a power of two in [2^14, 2^20], got {self.n!r}")
        if type(self.r) is not int or not 1 <= self.r <= 8:  # memory 128 * n * r <= 1 GiB
            raise KeyStoreError(f"scrypt r must be in [1, 8], got {self.r!r}")
        if type(self.p) is not int or not 1 <= self.p <= 4:
            raise KeyStoreError(f"scrypt p must be in [1, 4], got {self.p!r}")


def _canonical(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _derive(password: str, salt: bytes, params: ScryptParams) -> tuple[bytes, bytes]:
    if not isinstance(password, str) or not password:
        raise KeyStoreError("the keystore password must be a non-empty string")
    stretched = Scrypt(salt=salt, length=64, n=params.n, r=params.r, p=params.p).derive(
        password.encode("utf-8")
    )
    check = hmac.new(stretched[32:], PASSWORD_CHECK_LABEL, hashlib.sha256).digest()
    return stretched[:32], check


def _private_key_from_bytes(raw: bytes) -> ec.EllipticCurvePrivateKey:
    value = int.from_bytes(raw, "big")
    if not 0 < value < SECP256K1_N:
        raise KeyStoreError("the stored private key is out of range")
    return ec.derive_private_key(value, ec.SECP256K1())


class KeystoreDeviceKey(DeviceKey):
    """A device key unlocked from an encrypted keystore file (see the module docstring)."""

    backend = "keystore"

    def __init__(self, private_key: ec.EllipticCurvePrivateKey, secret: bytes, path: Path) -> None:
        self._private_key: ec.EllipticCurvePrivateKey | None = private_key
        self._secret: bytes | None = secret
        self._public = private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.path = Path(path)

    @property
    def public_key(self) -> bytes:
        return self._public

    def _live_key(self) -> ec.EllipticCurvePrivateKey:
        if self._private_key is None:
            raise KeyStoreError("this keystore key was closed; unlock the keystore again")
        return self._private_key

    def _sign_raw(self, digest: bytes) -> tuple[int, int]:
        der = self._live_key().sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))  # digest used as-is
        return decode_dss_signature(der)

    def _hmac_sha256(self, message: bytes) -> bytes:
        self._live_key()
        assert self._secret is not None
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    def _describe(self) -> dict[str, object]:
        return {"keystore": str(self.path)}

    def close(self) -> None:
        self._private_key = None
        self._secret = None

    @classmethod
    def create(
        cls,
        path: Path,
        password: str,
        params: ScryptParams | None = None,
        *,
        private_key: bytes | None = None,
    ) -> KeystoreDeviceKey:
        """Generate (or import `private_key`, 32 bytes) a device key and write a new keystore at `path`.

        Refuses to overwrite an existing file and passwords shorter than 8 characters (KeyStoreError).
        """
        params = params or ScryptParams()
        path = Path(path)
        if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
            raise KeyStoreError(f"choose a keystore password of at least {MIN_PASSWORD_CHARS} characters")
        if path.exists():
            raise KeyStoreError(f"{path} already exists; refusing to overwrite a device key")
        raw = private_key if private_key is not None else secrets.token_bytes(32)
        if len(raw) != 32:
            raise KeyStoreError("a private key is 32 bytes")
        key = _private_key_from_bytes(raw)
        secret = secrets.token_bytes(32)
        device = cls(key, secret, path)
        salt, nonce = secrets.token_bytes(32), secrets.token_bytes(12)
        aes_key, check = _derive(password, salt, params)
        header = {
            "format": KEYSTORE_FORMAT,
            "version": KEYSTORE_VERSION,
            "id": str(uuid.uuid4()),
            "address": device.address,
            "crypto": {
                "kdf": "scrypt",
                "kdfparams": {"n": params.n, "r": params.r, "p": params.p, "dklen": 64, "salt": salt.hex()},
                "cipher": "aes-256-gcm",
                "nonce": nonce.hex(),
                "password_check": check.hex(),
            },
        }
        ciphertext = AESGCM(aes_key).encrypt(nonce, raw + secret, _canonical(header))
        header["crypto"]["ciphertext"] = ciphertext.hex()  # type: ignore[index]
        if not path.parent.is_dir():
            raise KeyStoreError(f"directory {path.parent} does not exist")
        try:
            write_private_file(
                path, json.dumps(header, indent=2, sort_keys=True).encode() + b"\n", overwrite=False
            )
        except FileExistsError as e:
            raise KeyStoreError(f"{path} already exists; refusing to overwrite a device key") from e
        return device

    @classmethod
    def unlock(cls, path: Path, password: str) -> KeystoreDeviceKey:
        """Decrypt the keystore at `path`.

        Raises WrongPasswordError for a wrong password, KeyStoreError for a missing, malformed or
        modified file. Nothing is written.
        """
        path = Path(path)
        doc = _read_document(path)
        crypto = doc["crypto"]
        kdf = crypto["kdfparams"]
        params = ScryptParams(n=kdf["n"], r=kdf["r"], p=kdf["p"])
        salt, nonce, stored_check, ciphertext = (
            _hex_field(kdf, "salt", 16, 64),
            _hex_field(crypto, "nonce", 12, 12),
            _hex_field(crypto, "password_check", 32, 32),
            _hex_field(crypto, "ciphertext", 80, 80),
        )
        aes_key, check = _derive(password, salt, params)
        if not hmac.compare_digest(check, stored_check):
            raise WrongPasswordError(f"wrong password for keystore {path}")
        header = {**doc, "crypto": {k: v for k, v in crypto.items() if k != "ciphertext"}}
        try:
            plaintext = AESGCM(aes_key).decrypt(nonce, ciphertext, _canonical(header))
        except InvalidTag as e:
            raise KeyStoreError(
                f"keystore {path} was modified (authentication failed); restore it from backup"
            ) from e
        key = cls(_private_key_from_bytes(plaintext[:32]), plaintext[32:], path)
        if key.address != doc["address"]:  # unreachable unless AES-GCM is broken; cheap to check
            raise KeyStoreError(f"keystore {path} address does not match its key")
        return key


def _hex_field(section: dict, name: str, min_bytes: int, max_bytes: int) -> bytes:
    value = section.get(name)
    try:
        raw = bytes.fromhex(value) if isinstance(value, str) else None
    except ValueError:
        raw = None
    if raw is None or not min_bytes <= len(raw) <= max_bytes:
        raise KeyStoreError(f"malformed keystore: {name!r} must be {min_bytes}..{max_bytes} bytes of hex")
    return raw


def _read_document(path: Path) -> dict:
    try:
        if path.stat().st_size > MAX_KEYSTORE_BYTES:
            raise KeyStoreError(f"{path} is too large to be a keystore")
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError as e:
        raise KeyStoreError(
            f"keystore {path} does not exist; create one with `personhood device init`"
        ) from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise KeyStoreError(f"malformed keystore {path}: not JSON ({e})") from e
    if not isinstance(doc, dict) or doc.get("format") != KEYSTORE_FORMAT:
        raise KeyStoreError(f"{path} is not a personhood device keystore")
    if doc.get("version") != KEYSTORE_VERSION:
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


def keystore_address(path: Path) -> str:
    """The address a keystore claims (unverified until unlocked); raises KeyStoreError if malformed."""
    return _read_document(Path(path))["address"]
