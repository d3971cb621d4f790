"""What the secure device owns: its signing key, capture sources, attestations and the audit log."""

from .attestation import CaptureManifest, SignedManifest, frame_sha256, sign_manifest, verify_manifest
from .audit_log import AuditEntry, AuditLog
from .audit_payload import PayloadPolicy, check_payload
from .audit_verify import AuditVerification, verify_audit_log
from .device_key import GALLERY_KEY_PURPOSE, DeviceKey
from .errors import (
    AttestationError,
    AuditLogError,
    CaptureError,
    HsmError,
    KeyStoreError,
    SignatureError,
    WrongPasswordError,
)
from .keystore import KeystoreDeviceKey, ScryptParams
from .pkcs11_key import Pkcs11Config, Pkcs11DeviceKey
from .secp256k1 import EthSignature, recover_address
from .softhsm import SoftHsmToken, find_softhsm_library, init_softhsm_token

__all__ = [
    "GALLERY_KEY_PURPOSE",
    "AttestationError",
    "AuditEntry",
    "AuditLog",
    "AuditLogError",
    "AuditVerification",
    "CaptureError",
    "CaptureManifest",
    "DeviceKey",
    "EthSignature",
    "HsmError",
    "KeyStoreError",
    "KeystoreDeviceKey",
    "PayloadPolicy",
    "Pkcs11Config",
    "Pkcs11DeviceKey",
    "ScryptParams",
    "SignatureError",
    "SignedManifest",
    "SoftHsmToken",
    "WrongPasswordError",
    "check_payload",
    "find_softhsm_library",
    "frame_sha256",
    "init_softhsm_token",
    "recover_address",
    "sign_manifest",
    "verify_audit_log",
    "verify_manifest",
]
