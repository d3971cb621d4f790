"""The device key in a PKCS#11 token (HSM, secure element, or SoftHSM2 for development).

On the token, a device key named LABEL is three objects, all `CKA_TOKEN`, private keys and
secrets `CKA_SENSITIVE` and not `CKA_EXTRACTABLE`:

- LABEL, CKO_PRIVATE_KEY, CKK_EC on secp256k1 (CKA_EC_PARAMS = the curve OID, DER), CKA_SIGN;
- LABEL, CKO_PUBLIC_KEY, its CKA_EC_POINT (a DER OCTET STRING around 0x04 || X || Y);
- LABEL + "/kdf", CKO_SECRET_KEY, CKK_GENERIC_SECRET (256 bits), CKA_SIGN for CKM_SHA256_HMAC.

Signing uses CKM_ECDSA on the precomputed 32-byte digest; the token returns raw r || s (PKCS#11
v2.40 §2.3.1), which `DeviceKey.sign_digest` makes low-s and recoverable. Gallery key material is
CKM_SHA256_HMAC over the purpose string under the /kdf secret, so the secret never leaves the token.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import pkcs11
from pkcs11 import Attribute, KeyType, Mechanism, MechanismFlag, ObjectClass
from pkcs11.exceptions import PKCS11Error
from pkcs11.util.ec import encode_named_curve_parameters

from .device_key import DeviceKey
from .errors import HsmError
from .secp256k1 import check_public_key
from .softhsm import INSTALL_HINT

SECP256K1_EC_PARAMS = encode_named_curve_parameters("secp256k1")  # DER OID 1.3.132.0.10
KDF_SUFFIX = "/kdf"
DEFAULT_KEY_LABEL = "personhood-device"


@dataclass(frozen=True)
class Pkcs11Config:
    """Where the key lives: the PKCS#11 module (.so), the token label and the key label."""

    library: Path
    token_label: str
    key_label: str = DEFAULT_KEY_LABEL

    def __post_init__(self) -> None:
        if not 0 < len(self.token_label) <= 32:
            raise ValueError("a PKCS#11 token label is 1..32 characters")
        if not 0 < len(self.key_label) <= 64:
            raise ValueError("a key label is 1..64 characters")


def _load_library(path: Path) -> pkcs11._pkcs11.lib:  # type: ignore[name-defined]
    if not Path(path).is_file():
        raise HsmError(f"PKCS#11 library {path} not found; {INSTALL_HINT}")
    try:
        return pkcs11.lib(str(path))
    except PKCS11Error as e:
        raise HsmError(f"cannot load PKCS#11 library {path}: {e!r}") from e


def _open_session(config: Pkcs11Config, pin: str, rw: bool) -> pkcs11.Session:
    lib = _load_library(config.library)
    try:
        token = lib.get_token(token_label=config.token_label)
    except pkcs11.NoSuchToken as e:
        raise HsmError(f"no PKCS#11 token labelled {config.token_label!r} in {config.library}") from e
    except pkcs11.MultipleTokensReturned as e:
        raise HsmError(f"more than one token is labelled {config.token_label!r}") from e
    try:
        return token.open(rw=rw, user_pin=pin)
    except pkcs11.PinIncorrect as e:
        raise HsmError(f"wrong PIN for token {config.token_label!r}") from e
    except pkcs11.UserAlreadyLoggedIn as e:
        # PKCS#11 login state is per application and token: a second login cannot check the PIN.
        raise HsmError(
            f"token {config.token_label!r} is in use by another open device key in this process; close it"
        ) from e
    except pkcs11.PinLocked as e:
        raise HsmError(f"token {config.token_label!r} is locked after too many wrong PINs") from e
    except PKCS11Error as e:
        raise HsmError(f"cannot log in to token {config.token_label!r}: {e!r}") from e


def decode_ec_point(value: bytes) -> bytes:
    """The 65-byte uncompressed point from CKA_EC_POINT (DER OCTET STRING, or raw as some tokens give)."""
    if len(value) == 67 and value[0] == 0x04 and value[1] == 65:
        value = value[2:]
    return check_public_key(bytes(value))


class Pkcs11DeviceKey(DeviceKey):
    """A device key whose private half and HMAC secret live in a PKCS#11 token (see module doc)."""

    backend = "pkcs11"

    def __init__(self, config: Pkcs11Config, session: pkcs11.Session) -> None:
        self.config = config
        self._session: pkcs11.Session | None = session
        self._lock = threading.Lock()  # one PKCS#11 operation at a time on the shared session
        try:
            self._private = session.get_key(ObjectClass.PRIVATE_KEY, KeyType.EC, label=config.key_label)
            public = session.get_key(ObjectClass.PUBLIC_KEY, KeyType.EC, label=config.key_label)
            self._kdf = session.get_key(ObjectClass.SECRET_KEY, label=config.key_label + KDF_SUFFIX)
            if public[Attribute.EC_PARAMS] != SECP256K1_EC_PARAMS:
                raise HsmError(f"key {config.key_label!r} is not on secp256k1")
            self._public = decode_ec_point(public[Attribute.EC_POINT])
        except pkcs11.NoSuchKey as e:
            session.close()
            raise HsmError(
                f"token {config.token_label!r} has no complete device key {config.key_label!r}; "
                "create one with `personhood device init --pkcs11`"
            ) from e
        except (PKCS11Error, ValueError) as e:
            session.close()
            raise HsmError(f"cannot read device key {config.key_label!r}: {e}") from e

    @property
    def public_key(self) -> bytes:
        return self._public

    def _live(self) -> pkcs11.Session:
        if self._session is None:
            raise HsmError("this PKCS#11 key was closed; open it again")
        return self._session

    def _sign_raw(self, digest: bytes) -> tuple[int, int]:
        with self._lock:
            self._live()
            try:
                raw = self._private.sign(digest, mechanism=Mechanism.ECDSA)
            except PKCS11Error as e:
                raise HsmError(f"token refused to sign: {e!r}") from e
        if len(raw) != 64:
            raise HsmError(f"CKM_ECDSA returned {len(raw)} bytes, expected r || s of 64")
        return int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")

    def _hmac_sha256(self, message: bytes) -> bytes:
        with self._lock:
            self._live()
            try:
                mac = self._kdf.sign(message, mechanism=Mechanism.SHA256_HMAC)
            except PKCS11Error as e:
                raise HsmError(f"token refused CKM_SHA256_HMAC: {e!r}") from e
        if len(mac) != 32:
            raise HsmError(f"CKM_SHA256_HMAC returned {len(mac)} bytes")
        return bytes(mac)

    def _describe(self) -> dict[str, object]:
        return {
            "library": str(self.config.library),
            "token": self.config.token_label,
            "key_label": self.config.key_label,
        }

    def close(self) -> None:
        with self._lock:
            if self._session is not None:
                self._session.close()
                self._session = None

    @classmethod
    def open(cls, config: Pkcs11Config, pin: str) -> Pkcs11DeviceKey:
        """Log in to the token and find the device key; raises HsmError (wrong PIN, no key, no token)."""
        return cls(config, _open_session(config, pin, rw=False))

    @classmethod
    def generate(cls, config: Pkcs11Config, pin: str) -> Pkcs11DeviceKey:
        """Generate a new device key on the token (refuses if LABEL already exists there)."""
        session = _open_session(config, pin, rw=True)
        try:
            existing = list(session.get_objects({Attribute.LABEL: config.key_label}))
            existing += list(session.get_objects({Attribute.LABEL: config.key_label + KDF_SUFFIX}))
            if existing:
                raise HsmError(
                    f"token {config.token_label!r} already holds a key labelled {config.key_label!r}"
                )
            key_id = session.generate_random(128)
            params = session.create_domain_parameters(
                KeyType.EC, {Attribute.EC_PARAMS: SECP256K1_EC_PARAMS}, local=True
            )
            params.generate_keypair(
                store=True,
                id=key_id,
                label=config.key_label,
                capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
                private_template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False},
            )
            session.generate_key(
                KeyType.GENERIC_SECRET,
                256,
                store=True,
                id=key_id,
                label=config.key_label + KDF_SUFFIX,
                capabilities=MechanismFlag.SIGN | MechanismFlag.VERIFY,
                template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False},
            )
        except PKCS11Error as e:
            session.close()
            raise HsmError(f"token {config.token_label!r} could not generate a secp256k1 key: {e!r}") from e
        except HsmError:
            session.close()
            raise
        return cls(config, session)
