"""Device-key fixtures: a private SoftHSM2 token for the session, and one fresh key per backend."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import pytest

from hardware.device_key import DeviceKey
from hardware.keystore import KeystoreDeviceKey, ScryptParams
from hardware.pkcs11_key import Pkcs11Config, Pkcs11DeviceKey
from hardware.softhsm import SoftHsmToken, init_softhsm_token

FAST_SCRYPT = ScryptParams(n=2**14)  # the smallest cost the keystore accepts: ~50 ms per unlock
KEYSTORE_PASSWORD = "correct horse battery"
_labels = itertools.count()


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsmToken]:
    """A SoftHSM2 token in a temp dir; SOFTHSM2_CONF points at it before the library is loaded.

    Fails (never skips) with a message naming `make setup` when SoftHSM2 is not installed.
    """
    token = init_softhsm_token(tmp_path_factory.mktemp("softhsm"), "personhood-test", "246810", "13579111")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(token.config)
    yield token
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


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
