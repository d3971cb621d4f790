"""Naming and unlocking the station's device key from the command line (`device`, `station` and any
command that signs as the device).

Secrets never go on the command line: the keystore password comes from --password-file,
$PERSONHOOD_DEVICE_PASSWORD or a prompt; the token PIN from --pin-file, $PERSONHOOD_HSM_PIN or a
prompt.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from hardware.device_key import DeviceKey
from hardware.errors import HsmError, KeyStoreError
from hardware.keystore import KeystoreDeviceKey
from hardware.pkcs11_key import DEFAULT_KEY_LABEL, Pkcs11Config, Pkcs11DeviceKey
from hardware.softhsm import find_softhsm_library

from ..config import Settings

PASSWORD_ENV, PIN_ENV = "PERSONHOOD_DEVICE_PASSWORD", "PERSONHOOD_HSM_PIN"


def add_device_key_args(parser: argparse.ArgumentParser) -> None:
    """Options naming the device key: a keystore file (default) or a PKCS#11 token, and --json."""
    parser.add_argument(
        "--keystore", type=Path, help="keystore file (default: DATA_DIR/device-keystore.json)"
    )
    parser.add_argument(
        "--password-file", type=Path, help=f"file holding the keystore password (or ${PASSWORD_ENV})"
    )
    parser.add_argument("--pkcs11", action="store_true", help="use a PKCS#11 token instead of a keystore")
    parser.add_argument("--library", type=Path, help="PKCS#11 module .so (default: SoftHSM2's)")
    parser.add_argument("--token", help="PKCS#11 token label")
    parser.add_argument("--key-label", default=DEFAULT_KEY_LABEL, help="label of the key on the token")
    parser.add_argument("--pin-file", type=Path, help=f"file holding the token user PIN (or ${PIN_ENV})")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def read_secret(path: Path | None, env: str, prompt: str) -> str:
    """A secret from a file, else the environment variable `env`, else a prompt on a terminal."""
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as e:
            raise KeyStoreError(f"cannot read {path}: {e.strerror}") from e
    if os.environ.get(env):
        return os.environ[env]
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise KeyStoreError(f"no secret given: use a file option or ${env}")


def pkcs11_config(args: argparse.Namespace, settings: Settings) -> Pkcs11Config:
    """The token the arguments (or the settings) name; HsmError when no token is named."""
    library = args.library or settings.pkcs11_library or find_softhsm_library()
    token = args.token or settings.pkcs11_token
    if not token:
        raise HsmError("name the token with --token (or pkcs11_token in personhood.toml)")
    return Pkcs11Config(Path(library), token, args.key_label)


def keystore_path(args: argparse.Namespace, settings: Settings) -> Path:
    """The keystore file the arguments (or the settings) name."""
    return args.keystore or settings.device_keystore_path


def open_device_key(args: argparse.Namespace, settings: Settings) -> DeviceKey:
    """Unlock the device key the arguments name."""
    if args.pkcs11:
        return Pkcs11DeviceKey.open(
            pkcs11_config(args, settings), read_secret(args.pin_file, PIN_ENV, "Token PIN: ")
        )
    password = read_secret(args.password_file, PASSWORD_ENV, "Keystore password: ")
    return KeystoreDeviceKey.unlock(keystore_path(args, settings), password)
