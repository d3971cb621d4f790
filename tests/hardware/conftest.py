"""Device-key fixtures: one fresh key per backend (the session's SoftHSM2 token is in tests/conftest.py)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from hardware.device_key import DeviceKey
from hardware.keystore import KeystoreDeviceKey, ScryptParams
from hardware.pkcs11_key import Pkcs11Config, Pkcs11DeviceKey
from hardware.softhsm import SoftHsmToken

FAST_SCRYPT = ScryptParams(n=2**14)  # the smallest cost the keystore accepts: ~50 ms per unlock
KEYSTORE_PASSWORD = "correct horse battery"
_labels = itertools.count()


@pytest.fixture
def pkcs11_config(softhsm_token: SoftHsmToken) -> Pkcs11Config:
    """A config naming a not-yet-used key label on the session token."""
    return Pkcs11Config(softhsm_token.library, softhsm_token.label, f"device-{next(_labels)}")


@pytest.fixture(params=["keystore", "pkcs11"])
def device_key(request: pytest.FixtureRequest, tmp_path) -> Iterator[DeviceKey]:
    """A fresh device key from each backend (the same test body runs on both)."""
    if request.param == "keystore":
        key: DeviceKey = KeystoreDeviceKey.create(tmp_path / "device.json", KEYSTORE_PASSWORD, FAST_SCRYPT)
    else:
        token = request.getfixturevalue("softhsm_token")
        key = Pkcs11DeviceKey.generate(request.getfixturevalue("pkcs11_config"), token.user_pin)
    yield key
    key.close()
