"""`personhood device init|show`: the station's device key, in a keystore file or a PKCS#11 token.

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
from hardware.keystore import KeystoreDeviceKey, ScryptParams
from hardware.pkcs11_key import DEFAULT_KEY_LABEL, Pkcs11Config, Pkcs11DeviceKey
from hardware.softhsm import find_softhsm_library

from ..config import Settings
from .output import emit

PASSWORD_ENV, PIN_ENV = "PERSONHOOD_DEVICE_PASSWORD", "PERSONHOOD_HSM_PIN"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `device` noun."""
    parser = subparsers.add_parser("device", help="create or inspect the station's device key")
    sub = parser.add_subparsers(dest="device_command", metavar="ACTION", required=True)
    init = sub.add_parser(
        "init", help="create a device key (keystore file by default, or on a PKCS#11 token)"
    )
    _add_backend_args(init)
    init.add_argument(
        "--scrypt-n", type=int, default=ScryptParams().n, help="keystore scrypt cost (power of 2)"
    )
    init.set_defaults(handler=cmd_init)
    show = sub.add_parser("show", help="unlock the device key and print its address")
    _add_backend_args(show)
    show.set_defaults(handler=cmd_show)


def _add_backend_args(parser: argparse.ArgumentParser) -> None:
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


def _secret(path: Path | None, env: str, prompt: str) -> str:
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


def _pkcs11_config(args: argparse.Namespace, settings: Settings) -> Pkcs11Config:
    library = args.library or settings.extra.get("pkcs11_library") or find_softhsm_library()
    token = args.token or settings.extra.get("pkcs11_token")
    if not token:
        raise HsmError("name the token with --token (or pkcs11_token in [extra] of personhood.toml)")
    return Pkcs11Config(Path(library), token, args.key_label)


def _keystore_path(args: argparse.Namespace, settings: Settings) -> Path:
    return args.keystore or Path(
        settings.extra.get("device_keystore", settings.data_dir / "device-keystore.json")
    )


def open_device_key(args: argparse.Namespace, settings: Settings) -> DeviceKey:
    """Unlock the device key the arguments name (for this and other commands)."""
    if args.pkcs11:
        return Pkcs11DeviceKey.open(
            _pkcs11_config(args, settings), _secret(args.pin_file, PIN_ENV, "Token PIN: ")
        )
    password = _secret(args.password_file, PASSWORD_ENV, "Keystore password: ")
    return KeystoreDeviceKey.unlock(_keystore_path(args, settings), password)


def _report(key: DeviceKey, args: argparse.Namespace, verb: str) -> int:
    info = dict(key.describe())
    emit(info, args.json, f"{verb} {info['backend']} device key {info['address']}")
    key.close()
    return 0


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    """Create the key; refuses to overwrite an existing keystore or token label."""
    if args.pkcs11:
        config = _pkcs11_config(args, settings)
        key: DeviceKey = Pkcs11DeviceKey.generate(config, _secret(args.pin_file, PIN_ENV, "Token PIN: "))
    else:
        path = _keystore_path(args, settings)
        password = _secret(args.password_file, PASSWORD_ENV, "New keystore password: ")
        path.parent.mkdir(parents=True, exist_ok=True)
        key = KeystoreDeviceKey.create(path, password, ScryptParams(n=args.scrypt_n))
    return _report(key, args, "created")


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    """Unlock the key and print its backend, address and public key."""
    return _report(open_device_key(args, settings), args, "unlocked")
