"""The device key in an encrypted keystore file: a standard Ethereum v3 keystore (hardware/keystore_v3.py)
that geth, ethers or any wallet opens with the password, plus the gallery secret in a member of our own.

Files of the first format (scrypt + AES-256-GCM, hardware/keystore_legacy.py) still unlock, read only;
`KeystoreDeviceKey.migrate` (`personhood device migrate-keystore`) rewrites one as v3, keeping the old
file beside it as a backup. Unlocking never writes: a station whose keystore sits on a read-only
volume keeps working, and a file changes only when its operator asks.

Files are JSON, mode 0600, written atomically (temp file, fsync, rename).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature

from .atomic_file import write_private_file
from .device_key import DeviceKey
from .errors import KeyStoreError
from .keystore_legacy import check_legacy, is_legacy, legacy_params, open_legacy
from .keystore_v3 import V3_VERSION, address, check_v3, encode, open_v3, seal_v3
from .scrypt_params import ScryptParams
from .secp256k1 import SECP256K1_N

__all__ = ["KeystoreDeviceKey", "Migration", "ScryptParams", "keystore_address"]

log = logging.getLogger(__name__)
MAX_KEYSTORE_BYTES = 16 * 1024
MIN_PASSWORD_CHARS = 8
BACKUP_SUFFIX = ".v1.bak"  # the first-format file kept beside its migrated v3 replacement


@dataclass(frozen=True)
class Migration:
    """What `KeystoreDeviceKey.migrate` did: the key's address, whether it rewrote the file, the backup."""

    address: str
    migrated: bool
    backup: Path | None


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
        """Generate (or import `private_key`, 32 bytes) a device key and write a new v3 keystore at `path`.

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
        secret = secrets.token_bytes(32)
        device = cls(_private_key_from_bytes(raw), secret, path)
        if not path.parent.is_dir():
            raise KeyStoreError(f"directory {path.parent} does not exist")
        try:
            write_private_file(path, encode(seal_v3(raw, secret, password, params)), overwrite=False)
        except FileExistsError as e:
            raise KeyStoreError(f"{path} already exists; refusing to overwrite a device key") from e
        return device

    @classmethod
    def unlock(cls, path: Path, password: str) -> KeystoreDeviceKey:
        """Decrypt the keystore at `path` (v3, or the first format, which logs a hint to migrate).

        Raises WrongPasswordError for a wrong password, KeyStoreError for a missing, malformed or
        modified file. Nothing is written.
        """
        path = Path(path)
        doc = _read_document(path)
        if is_legacy(doc):
            log.warning("keystore %s is in the old format; run `personhood device migrate-keystore`", path)
            raw, secret = open_legacy(doc, password, path)
        else:
            raw, secret = open_v3(doc, password, path)
        key = cls(_private_key_from_bytes(raw), secret, path)
        if key.address != address(doc, path):  # v3's MAC does not cover the address: check it here
            raise KeyStoreError(f"keystore {path} address does not match its key; restore it from backup")
        return key

    @classmethod
    def migrate(cls, path: Path, password: str, params: ScryptParams | None = None) -> Migration:
        """Rewrite a first-format keystore as v3 (same key, same gallery secret), the old file kept at
        `<path>.v1.bak`; a v3 file is left alone (`migrated` False).

        The new document is opened again before anything is written; a wrong password or a damaged
        file raises (WrongPasswordError / KeyStoreError) and changes nothing. The scrypt cost stays
        the old file's n unless `params` is given. The backup is written (0600, atomically) before the
        keystore is replaced, so a crash between the two leaves the old file in place.
        """
        path = Path(path)
        doc = _read_document(path)
        if not is_legacy(doc):
            key = cls.unlock(path, password)
            key.close()
            return Migration(key.address, False, None)
        raw, secret = open_legacy(doc, password, path)
        key = cls(_private_key_from_bytes(raw), secret, path)
        if key.address != address(doc, path):
            raise KeyStoreError(f"keystore {path} address does not match its key; restore it from backup")
        new = seal_v3(raw, secret, password, params or ScryptParams(n=legacy_params(doc).n))
        reopened_key, reopened_secret = open_v3(check_v3(new, path), password, path)
        if (reopened_key, reopened_secret) != (raw, secret):  # never replace a key with one that differs
            raise KeyStoreError(f"migrating {path} did not round-trip; nothing was changed")
        backup = path.with_name(path.name + BACKUP_SUFFIX)
        old = path.read_bytes()
        if not (backup.exists() and backup.read_bytes() == old):  # a re-run after a crash reuses it
            try:
                write_private_file(backup, old, overwrite=False)
            except FileExistsError as e:
                raise KeyStoreError(f"{backup} exists and differs; move it away and run again") from e
        write_private_file(path, encode(new), overwrite=True)
        key.close()
        return Migration(key.address, True, backup)


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
    if is_legacy(doc):
        return check_legacy(doc, path)
    if not isinstance(doc, dict) or doc.get("version") != V3_VERSION:
        raise KeyStoreError(f"{path} is not a personhood device keystore (Ethereum v3 or the old format)")
    return check_v3(doc, path)


def keystore_address(path: Path) -> str:
    """The address a keystore claims (unverified until unlocked); raises KeyStoreError if malformed."""
    path = Path(path)
    return address(_read_document(path), path)
