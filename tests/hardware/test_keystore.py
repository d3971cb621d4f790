"""The encrypted software keystore (Ethereum v3 + our gallery-secret member): round trip, wrong passwords,
tampering, file hygiene."""

from __future__ import annotations

import json
import os
import stat

import pytest
from eth_account import Account

from hardware.errors import KeyStoreError, WrongPasswordError
from hardware.keystore import KeystoreDeviceKey, ScryptParams

FAST = ScryptParams(n=2**14)
PASSWORD = "correct horse battery"
# A fixed private key: its address is computed independently by eth-account below.
KNOWN_KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")


@pytest.fixture
def keystore(tmp_path):
    path = tmp_path / "device.json"
    KeystoreDeviceKey.create(path, PASSWORD, FAST, private_key=KNOWN_KEY).close()
    return path


def test_imported_key_has_the_address_eth_account_derives(keystore):
    key = KeystoreDeviceKey.unlock(keystore, PASSWORD)
    assert key.address == Account.from_key(KNOWN_KEY).address
    assert json.loads(keystore.read_text())["address"].lower() == key.address[2:].lower()  # v3: no 0x


def test_unlock_gives_the_same_key_and_gallery_key(tmp_path):
    path = tmp_path / "k.json"
    created = KeystoreDeviceKey.create(path, PASSWORD, FAST)
    unlocked = KeystoreDeviceKey.unlock(path, PASSWORD)
    assert unlocked.address == created.address
    assert unlocked.gallery_key() == created.gallery_key() and len(created.gallery_key()) == 32
    other = KeystoreDeviceKey.create(tmp_path / "other.json", PASSWORD, FAST)
    assert other.gallery_key() != created.gallery_key()
    assert created.derive_key_material(b"a") != created.derive_key_material(b"b")


def test_file_is_private_and_secrets_stay_out_of_repr(keystore):
    assert stat.S_IMODE(os.stat(keystore).st_mode) == 0o600
    key = KeystoreDeviceKey.unlock(keystore, PASSWORD)
    shown = repr(key) + json.dumps(dict(key.describe())) + keystore.read_text()
    assert KNOWN_KEY.hex() not in shown and key.gallery_key().hex() not in shown


def test_wrong_password_is_refused_and_changes_nothing(keystore):
    before = keystore.read_bytes()
    with pytest.raises(WrongPasswordError, match="wrong password"):
        KeystoreDeviceKey.unlock(keystore, PASSWORD + "!")
    assert keystore.read_bytes() == before
    KeystoreDeviceKey.unlock(keystore, PASSWORD)  # still opens


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.__setitem__("address", "11" * 20),
        lambda d: d.__setitem__("id", "00000000-0000-4000-8000-000000000000"),
        lambda d: d["crypto"]["cipherparams"].__setitem__("iv", "00" * 16),
        lambda d: d["crypto"]["kdfparams"].__setitem__("salt", "ab" * 16),
        lambda d: d["crypto"]["kdfparams"].__setitem__("n", 2**15),
        lambda d: d["crypto"].__setitem__("ciphertext", _flip(d["crypto"]["ciphertext"], 3)),
        lambda d: d["crypto"].__setitem__("mac", _flip(d["crypto"]["mac"], 31)),
        lambda d: d["personhood"].__setitem__("nonce", "00" * 12),
        lambda d: d["personhood"].__setitem__("secret", _flip(d["personhood"]["secret"], 0)),
        lambda d: d["personhood"].__setitem__("secret", _flip(d["personhood"]["secret"], 47)),
        lambda d: d["crypto"].__setitem__("cipher", "aes-256-gcm"),
        lambda d: d.__setitem__("version", 1),
        lambda d: d["crypto"]["kdfparams"].__setitem__("n", 2**30),
        lambda d: d["crypto"]["kdfparams"].__setitem__("dklen", 64),
        lambda d: d["crypto"].pop("mac"),
        lambda d: d.pop("personhood"),
        lambda d: d.__setitem__("extra", 1),
    ],
    ids=[
        "address",
        "id",
        "iv",
        "salt",
        "kdf-n",
        "ct",
        "mac",
        "secret-nonce",
        "secret-first",
        "secret-tag",
        "cipher",
        "version",
        "huge-n",
        "dklen",
        "missing",
        "no-secret",
        "extra",
    ],
)
def test_any_tampered_field_is_refused(keystore, edit):
    doc = json.loads(keystore.read_text())
    edit(doc)
    keystore.write_text(json.dumps(doc))
    with pytest.raises(KeyStoreError):
        KeystoreDeviceKey.unlock(keystore, PASSWORD)


def _flip(hex_text: str, byte: int) -> str:
    raw = bytearray(bytes.fromhex(hex_text))
    raw[byte] ^= 0x01
    return raw.hex()


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.__setitem__("address", "11" * 20),
        lambda d: d.__setitem__("id", "00000000-0000-4000-8000-000000000000"),
        lambda d: d["personhood"].__setitem__("secret", _flip(d["personhood"]["secret"], 10)),
    ],
    ids=["address", "id", "secret"],
)
def test_what_the_v3_mac_does_not_cover_is_reported_as_modified(keystore, edit):
    """v3's MAC covers the key ciphertext only; the address, the id and our member are checked by us."""
    doc = json.loads(keystore.read_text())
    edit(doc)
    keystore.write_text(json.dumps(doc))
    with pytest.raises(KeyStoreError, match=r"modified|does not match") as info:
        KeystoreDeviceKey.unlock(keystore, PASSWORD)
    assert not isinstance(info.value, WrongPasswordError)


@pytest.mark.parametrize("content", [b"", b"{", b"\xff\xfe", b"[]", b'{"format": "other"}', b"x" * 20000])
def test_malformed_files_are_refused(tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(KeyStoreError):
        KeystoreDeviceKey.unlock(path, PASSWORD)


def test_truncated_keystore_is_refused(keystore):
    keystore.write_bytes(keystore.read_bytes()[:-40])
    with pytest.raises(KeyStoreError, match="malformed"):
        KeystoreDeviceKey.unlock(keystore, PASSWORD)


def test_missing_file_names_the_init_command(tmp_path):
    with pytest.raises(KeyStoreError, match="personhood device init"):
        KeystoreDeviceKey.unlock(tmp_path / "nope.json", PASSWORD)


def test_create_refuses_overwrite_short_password_and_weak_scrypt(keystore, tmp_path):
    before = keystore.read_bytes()
    with pytest.raises(KeyStoreError, match="already exists"):
        KeystoreDeviceKey.create(keystore, PASSWORD, FAST)
    assert keystore.read_bytes() == before
    with pytest.raises(KeyStoreError, match="at least 8"):
        KeystoreDeviceKey.create(tmp_path / "short.json", "short", FAST)
    with pytest.raises(KeyStoreError, match="power of two"):
        ScryptParams(n=2**13)
    with pytest.raises(KeyStoreError, match="power of two"):
        ScryptParams(n=3 * 2**14)
    with pytest.raises(KeyStoreError, match="out of range"):
        KeystoreDeviceKey.create(tmp_path / "zero.json", PASSWORD, FAST, private_key=bytes(32))
    assert not (tmp_path / "short.json").exists() and not (tmp_path / "zero.json").exists()


def test_a_closed_key_cannot_sign(keystore):
    key = KeystoreDeviceKey.unlock(keystore, PASSWORD)
    key.close()
    with pytest.raises(KeyStoreError, match="closed"):
        key.sign_digest(bytes(32))
    with pytest.raises(KeyStoreError, match="closed"):
        key.gallery_key()


def test_device_cli_init_and_show_a_keystore(tmp_path, capsys, monkeypatch):
    path, secret = tmp_path / "dev" / "k.json", tmp_path / "pw"
    secret.write_text(PASSWORD + "\n")
    from personhood.cli import main

    args = ["--keystore", str(path), "--password-file", str(secret), "--json"]
    assert main(["device", "init", *args, "--scrypt-n", str(2**14)]) == 0
    created = json.loads(capsys.readouterr().out)
    assert main(["device", "show", *args]) == 0
    assert json.loads(capsys.readouterr().out)["address"] == created["address"]
    assert main(["device", "init", *args, "--scrypt-n", str(2**14)]) == 2  # refuses to overwrite
    secret.write_text("wrong password\n")
    assert main(["device", "show", *args]) == 2
    assert "wrong password" in capsys.readouterr().err
    monkeypatch.setenv("PERSONHOOD_DEVICE_PASSWORD", PASSWORD)
    assert main(["device", "show", "--keystore", str(path)]) == 0
