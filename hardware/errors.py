"""Errors raised by the hardware layer (device keys, token, audit log, attestations, capture)."""

from __future__ import annotations

from zk_identity.errors import PersonhoodError


class KeyStoreError(PersonhoodError, ValueError):
    """A software keystore is malformed, was modified, or cannot be written."""


class WrongPasswordError(KeyStoreError):
    """The keystore password is wrong (the file itself is intact as far as can be told)."""


class HsmError(PersonhoodError, RuntimeError):
    """The PKCS#11 library, token or key is missing, locked, refused the PIN, or misbehaved."""

    def __init__(self, message: str, stderr: str = "") -> None:
        super().__init__(message)
        self.stderr = stderr


class SignatureError(PersonhoodError, ValueError):
    """A signature is malformed, not low-s, or does not recover to the expected device address."""


class AuditLogError(PersonhoodError, ValueError):
    """The audit log cannot be appended to (tampered, torn, locked) or an entry payload is refused."""


class AttestationError(PersonhoodError, ValueError):
    """A capture provenance manifest is malformed or its signature does not verify."""


class CaptureError(PersonhoodError, OSError):
    """A capture source cannot be opened or read, or produced a frame that is not an image."""
