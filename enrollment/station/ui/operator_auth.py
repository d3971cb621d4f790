"""The operator's password: set once at first start, kept as an scrypt hash (RFC 7914), checked at login.

The file `operator.json` (mode 0600) holds {"kdf": "scrypt", "n", "r", "p", "salt", "hash"}; the
password itself is never stored or logged. Comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from pathlib import Path

from hardware.atomic_file import write_private_file

from ..steps import StationError, StationInputError

MIN_PASSWORD_CHARS = 10
MAX_PASSWORD_CHARS = 256
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1  # ~0.1 s and 32 MiB per check


@dataclass(frozen=True)
class OperatorPassword:
    """The stored scrypt hash of the operator's password."""

    salt: bytes
    digest: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    def check(self, password: str) -> bool:
        """True iff `password` is the operator's (constant-time comparison)."""
        if not isinstance(password, str) or not 0 < len(password) <= MAX_PASSWORD_CHARS:
            return False
        return hmac.compare_digest(_scrypt(password, self.salt, self.n, self.r, self.p), self.digest)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32)


def load_password(path: Path) -> OperatorPassword | None:
    """The stored password hash, or None before the first start. Raises StationError if unreadable."""
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
        if doc.get("kdf") != "scrypt":
            raise ValueError("unknown kdf")
        return OperatorPassword(
            bytes.fromhex(doc["salt"]), bytes.fromhex(doc["hash"]), doc["n"], doc["r"], doc["p"]
        )
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError) as e:
        raise StationError(
            f"operator password file {path} is malformed ({e}); remove it to set a new one"
        ) from e


def set_password(path: Path, password: str) -> OperatorPassword:
    """Store the first operator password; refuses a weak one or overwriting an existing one."""
    if not isinstance(password, str) or not MIN_PASSWORD_CHARS <= len(password) <= MAX_PASSWORD_CHARS:
        raise StationInputError(
            f"choose a password of {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"
        )
    salt = secrets.token_bytes(16)
    stored = OperatorPassword(salt, _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P))
    doc = {
        "kdf": "scrypt",
        "n": stored.n,
        "r": stored.r,
        "p": stored.p,
        "salt": salt.hex(),
        "hash": stored.digest.hex(),
    }
    try:
        write_private_file(Path(path), json.dumps(doc).encode() + b"\n", overwrite=False)
    except FileExistsError as e:
        raise StationInputError("the operator password is already set") from e
    return stored
