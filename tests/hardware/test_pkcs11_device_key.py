"""Device-key signatures, differential over the keystore and a real PKCS#11 token (SoftHSM2).

Every signature is checked with eth-account's recovery (an implementation independent of ours),
including the EIP-712 enrollment attestation the registry checks with ecrecover.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os

import pkcs11
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from pkcs11 import Attribute, KeyType, ObjectClass

from contracts.eip712 import Enrollment, recover_signer
from hardware.errors import HsmError, SignatureError
from hardware.pkcs11_key import KDF_SUFFIX, Pkcs11Config, Pkcs11DeviceKey, decode_ec_point
from hardware.secp256k1 import HALF_N, SECP256K1_N, EthSignature, recoverable_signature
from hardware.softhsm import find_softhsm_library

REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def test_signatures_recover_to_the_device_address_with_eth_account(device_key):
    vs = set()
    for i in range(16):
        digest = hashlib.sha3_256(i.to_bytes(4, "big")).digest()
        v, r, s = device_key.sign_digest(digest)
        assert 0 < s <= HALF_N, "EIP-2 low-s"
        assert Account._recover_hash(digest, vrs=(v, r, s)) == device_key.address
        vs.add(v)
    assert vs == {27, 28}, "both recovery ids occur over 16 signatures (fails with probability 2^-15)"


def test_enrollment_attestation_verifies_like_the_registry(device_key):
    enrollment = Enrollment(chain_id=31337, registry=REGISTRY, commitment=123456789, deadline=2**40)
    signature = device_key.sign_typed_data(enrollment.typed_data())
    assert recover_signer(enrollment, signature.to_bytes()) == device_key.address
    other = Enrollment(chain_id=31337, registry=REGISTRY, commitment=123456790, deadline=2**40)
    assert recover_signer(other, signature.to_bytes()) != device_key.address


def test_personal_messages_verify_with_eth_account(device_key):
    signature = device_key.sign_message(b"station 7 opened")
    recovered = Account.recover_message(encode_defunct(b"station 7 opened"), signature=signature.to_bytes())
    assert recovered == device_key.address


def test_gallery_key_is_stable_and_purpose_bound(device_key):
    key = device_key.gallery_key()
    assert len(key) == 32 and key == device_key.gallery_key()
    assert device_key.derive_key_material(b"other-purpose") != key
    with pytest.raises(ValueError):
        device_key.derive_key_material(b"")


@pytest.mark.parametrize("digest", [b"", bytes(31), bytes(33), "00" * 32])
def test_sign_digest_takes_exactly_32_bytes(device_key, digest):
    with pytest.raises(ValueError):
        device_key.sign_digest(digest)


def test_high_s_is_normalized_and_a_foreign_signature_is_refused(device_key):
    digest = os.urandom(32)
    _v, r, s = device_key.sign_digest(digest)
    high = recoverable_signature(digest, r, SECP256K1_N - s, device_key.public_key)
    assert (high.r, high.s) == (r, s)
    other = Account.create()
    foreign = Account.unsafe_sign_hash(digest, other.key)
    with pytest.raises(SignatureError):
        recoverable_signature(digest, foreign.r, foreign.s, device_key.public_key)
    with pytest.raises(SignatureError):
        EthSignature(v=27, r=r, s=SECP256K1_N - s)  # high s is not a valid EthSignature


def test_pkcs11_key_reopens_with_the_same_address(softhsm_token, pkcs11_config):
    with Pkcs11DeviceKey.generate(pkcs11_config, softhsm_token.user_pin) as key:
        address, gallery = key.address, key.gallery_key()
    with Pkcs11DeviceKey.open(pkcs11_config, softhsm_token.user_pin) as key:
        assert key.address == address and key.gallery_key() == gallery
        assert key.describe()["token"] == softhsm_token.label


def test_private_key_and_secret_are_sensitive_on_the_token(softhsm_token, pkcs11_config):
    Pkcs11DeviceKey.generate(pkcs11_config, softhsm_token.user_pin).close()
    token = pkcs11.lib(str(softhsm_token.library)).get_token(token_label=softhsm_token.label)
    with token.open(user_pin=softhsm_token.user_pin) as session:
        private = session.get_key(ObjectClass.PRIVATE_KEY, KeyType.EC, label=pkcs11_config.key_label)
        secret = session.get_key(ObjectClass.SECRET_KEY, label=pkcs11_config.key_label + KDF_SUFFIX)
        for obj in (private, secret):
            assert obj[Attribute.SENSITIVE] and not obj[Attribute.EXTRACTABLE] and obj[Attribute.TOKEN]
            with pytest.raises(pkcs11.exceptions.AttributeSensitive):
                obj[Attribute.VALUE]


def test_pkcs11_key_material_is_hmac_sha256_of_the_token_secret(softhsm_token, pkcs11_config):
    """Replace the /kdf secret with a known value: the token's HMAC must equal Python's."""
    Pkcs11DeviceKey.generate(pkcs11_config, softhsm_token.user_pin).close()
    known = bytes(range(32))
    token = pkcs11.lib(str(softhsm_token.library)).get_token(token_label=softhsm_token.label)
    with token.open(rw=True, user_pin=softhsm_token.user_pin) as session:
        session.get_key(ObjectClass.SECRET_KEY, label=pkcs11_config.key_label + KDF_SUFFIX).destroy()
        session.create_object({
            Attribute.CLASS: ObjectClass.SECRET_KEY, Attribute.KEY_TYPE: KeyType.GENERIC_SECRET,
            Attribute.VALUE: known, Attribute.TOKEN: True, Attribute.SIGN: True,
            Attribute.LABEL: pkcs11_config.key_label + KDF_SUFFIX,
        })  # fmt: skip
    with Pkcs11DeviceKey.open(pkcs11_config, softhsm_token.user_pin) as key:
        assert key.derive_key_material(b"purpose") == hmac.new(known, b"purpose", hashlib.sha256).digest()


def test_wrong_pin_missing_key_missing_token_and_duplicate_label_are_refused(softhsm_token, pkcs11_config):
    with pytest.raises(HsmError, match="wrong PIN"):
        Pkcs11DeviceKey.open(pkcs11_config, "000000")
    with pytest.raises(HsmError, match="personhood device init --pkcs11"):
        Pkcs11DeviceKey.open(pkcs11_config, softhsm_token.user_pin)
    with pytest.raises(HsmError, match="no PKCS#11 token"):
        Pkcs11DeviceKey.open(Pkcs11Config(softhsm_token.library, "no-such-token"), softhsm_token.user_pin)
    Pkcs11DeviceKey.generate(pkcs11_config, softhsm_token.user_pin).close()
    with pytest.raises(HsmError, match="already holds"):
        Pkcs11DeviceKey.generate(pkcs11_config, softhsm_token.user_pin)
    with Pkcs11DeviceKey.open(pkcs11_config, softhsm_token.user_pin) as key:
        key.sign_digest(bytes(range(32)))  # the refused attempts left the key usable


def test_a_closed_pkcs11_key_cannot_sign(softhsm_token, pkcs11_config):
    key = Pkcs11DeviceKey.generate(pkcs11_config, softhsm_token.user_pin)
    key.close()
    with pytest.raises(HsmError, match="closed"):
        key.sign_digest(bytes(32))


def test_missing_library_names_make_setup(tmp_path):
    with pytest.raises(HsmError, match="make setup"):
        find_softhsm_library([tmp_path / "libsofthsm2.so"])
    with pytest.raises(HsmError, match="make setup"):
        Pkcs11DeviceKey.open(Pkcs11Config(tmp_path / "missing.so", "t"), "1234")


def test_ec_point_decoding_accepts_der_and_raw_and_refuses_off_curve(device_key):
    point = device_key.public_key
    assert decode_ec_point(b"\x04\x41" + point) == point == decode_ec_point(point)
    bad = bytearray(point)
    bad[-1] ^= 1
    with pytest.raises(SignatureError):
        decode_ec_point(bytes(bad))


def test_device_cli_init_and_show_on_the_token(softhsm_token, pkcs11_config, tmp_path, capsys):
    from personhood.cli import main

    pin = tmp_path / "pin"
    pin.write_text(softhsm_token.user_pin)
    args = ["--pkcs11", "--library", str(softhsm_token.library), "--token", softhsm_token.label,
            "--key-label", pkcs11_config.key_label, "--pin-file", str(pin), "--json"]  # fmt: skip
    assert main(["device", "init", *args]) == 0
    created = json.loads(capsys.readouterr().out)
    assert created["backend"] == "pkcs11"
    assert main(["device", "show", *args]) == 0
    assert json.loads(capsys.readouterr().out)["address"] == created["address"]
    pin.write_text("000000")
    assert main(["device", "show", *args]) == 1
    assert "wrong PIN" in capsys.readouterr().err


def test_softhsm2_util_failure_carries_its_stderr(tmp_path):
    from hardware.softhsm import init_softhsm_token

    with pytest.raises(HsmError, match="--init-token failed") as info:
        init_softhsm_token(tmp_path, "bad-token", "1234", "y" * 300)  # SoftHSM2 caps PINs at 255
    assert "PIN" in info.value.stderr
