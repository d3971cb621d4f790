"""The device keystore is a standard Ethereum v3 keystore: other implementations open what we write
(eth-account; ethers in node, an implementation that shares no code with ours), and files of the first
format (tests/hardware/data/keystore_v1.json, written by hardware/keystore.py at commit a002f47)
migrate to it with the same key and gallery secret, a backup kept, nothing changed on a wrong password."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from eth_account import Account

from hardware.errors import KeyStoreError, WrongPasswordError
from hardware.keystore import KeystoreDeviceKey, ScryptParams, keystore_address

FAST = ScryptParams(n=2**14)
PASSWORD = "correct horse battery"
KNOWN_KEY = bytes.fromhex("4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318")
OLD_FILE = Path(__file__).parent / "data" / "keystore_v1.json"
# What the first-format code derived from OLD_FILE (gallery_key() at commit a002f47): migration keeps it.
OLD_GALLERY_KEY = "12be924d9318b94237d928f1474fbe3c80e26e6a6a0eb8daee9b0bd7ea41b452"


@pytest.fixture
def keystore(tmp_path) -> Path:
    path = tmp_path / "device.json"
    KeystoreDeviceKey.create(path, PASSWORD, FAST, private_key=KNOWN_KEY).close()
    return path


@pytest.fixture
def old_keystore(tmp_path) -> Path:
    path = tmp_path / "old.json"
    path.write_bytes(OLD_FILE.read_bytes())
    path.chmod(0o600)
    return path


def test_eth_account_opens_our_keystore(keystore):
    doc = json.loads(keystore.read_text())
    assert doc["version"] == 3 and doc["crypto"]["kdf"] == "scrypt"
    assert bytes(Account.decrypt(doc, PASSWORD)) == KNOWN_KEY
    with pytest.raises(ValueError, match="MAC mismatch"):
        Account.decrypt(doc, PASSWORD + "!")
    assert keystore_address(keystore) == Account.from_key(KNOWN_KEY).address


@pytest.mark.node
def test_ethers_opens_our_keystore(keystore, run_node):
    """ethers v6 (node_modules, brought by the Semaphore peers) decrypts the file as it is on disk."""
    opened = run_node(
        "import { decryptKeystoreJsonSync } from 'ethers';"
        "import { readFileSync } from 'node:fs';"
        "const [file, password] = process.argv.slice(1);"
        "const account = decryptKeystoreJsonSync(readFileSync(file, 'utf8'), password);"
        "console.log(JSON.stringify({address: account.address, key: account.privateKey}));",
        str(keystore),
        PASSWORD,
    )
    assert opened == {"address": Account.from_key(KNOWN_KEY).address, "key": "0x" + KNOWN_KEY.hex()}


def test_our_member_is_bound_to_the_document_it_came_in(keystore):
    """Moving the gallery-secret member onto another v3 encryption of the same key is refused."""
    doc = json.loads(keystore.read_text())
    foreign = dict(Account.encrypt(KNOWN_KEY, PASSWORD, kdf="scrypt", iterations=2**14))
    assert bytes(Account.decrypt(foreign, PASSWORD)) == KNOWN_KEY  # a valid v3 file of the same key
    keystore.write_text(json.dumps({**foreign, "personhood": doc["personhood"]}))
    with pytest.raises(KeyStoreError, match="modified"):
        KeystoreDeviceKey.unlock(keystore, PASSWORD)


def test_an_old_keystore_still_unlocks_read_only(old_keystore):
    before = old_keystore.read_bytes()
    key = KeystoreDeviceKey.unlock(old_keystore, PASSWORD)
    assert key.address == Account.from_key(KNOWN_KEY).address
    assert key.gallery_key().hex() == OLD_GALLERY_KEY
    assert old_keystore.read_bytes() == before


def test_migration_keeps_the_key_and_gallery_secret_and_a_backup(old_keystore):
    before = old_keystore.read_bytes()
    done = KeystoreDeviceKey.migrate(old_keystore, PASSWORD)
    assert done.migrated and done.address == Account.from_key(KNOWN_KEY).address
    assert done.backup == old_keystore.with_name("old.json.v1.bak")
    assert done.backup.read_bytes() == before
    for path in (old_keystore, done.backup):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    doc = json.loads(old_keystore.read_text())
    assert doc["version"] == 3 and doc["crypto"]["kdfparams"]["n"] == 2**14  # the old cost is kept
    assert bytes(Account.decrypt(doc, PASSWORD)) == KNOWN_KEY  # other tools open it now
    key = KeystoreDeviceKey.unlock(old_keystore, PASSWORD)
    assert key.gallery_key().hex() == OLD_GALLERY_KEY  # the gallery stays readable
    again = KeystoreDeviceKey.migrate(old_keystore, PASSWORD)  # a v3 file is left alone
    assert (again.migrated, again.backup) == (False, None)
    assert sorted(p.name for p in old_keystore.parent.iterdir()) == ["old.json", "old.json.v1.bak"]


def test_a_wrong_password_migrates_nothing(old_keystore):
    before = old_keystore.read_bytes()
    with pytest.raises(WrongPasswordError):
        KeystoreDeviceKey.migrate(old_keystore, PASSWORD + "!")
    assert old_keystore.read_bytes() == before
    assert [p.name for p in old_keystore.parent.iterdir()] == ["old.json"]  # no backup, no temp file


def test_a_differing_backup_is_never_overwritten(old_keystore):
    backup = old_keystore.with_name("old.json.v1.bak")
    backup.write_text("something else")
    before = old_keystore.read_bytes()
    with pytest.raises(KeyStoreError, match="exists and differs"):
        KeystoreDeviceKey.migrate(old_keystore, PASSWORD)
    assert old_keystore.read_bytes() == before and backup.read_text() == "something else"


def test_device_cli_migrates_a_keystore(old_keystore, tmp_path, capsys):
    from personhood.cli import main

    secret = tmp_path / "pw"
    secret.write_text(PASSWORD + "\n")
    args = ["device", "migrate-keystore", "--keystore", str(old_keystore), "--password-file", str(secret)]
    assert main([*args, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["migrated"] is True and out["backup"] == str(old_keystore) + ".v1.bak"
    assert main([*args, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["migrated"] is False
    secret.write_text("wrong password\n")
    assert main(args) == 2
    assert "wrong password" in capsys.readouterr().err


def test_a_cost_eth_account_cannot_write_is_refused_before_anything_is_written(tmp_path):
    path = tmp_path / "k.json"
    with pytest.raises(KeyStoreError, match="r = 8, p = 1"):
        KeystoreDeviceKey.create(path, PASSWORD, ScryptParams(n=2**14, r=4))
    assert not path.exists() and list(tmp_path.iterdir()) == []
