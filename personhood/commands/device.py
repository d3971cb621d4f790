"""`personhood device init|show|migrate-keystore`: the station's device key, in a keystore file (Ethereum
v3) or a PKCS#11 token.

Secrets never go on the command line: the keystore password comes from --password-file,
$PERSONHOOD_DEVICE_PASSWORD or a prompt; the token PIN from --pin-file, $PERSONHOOD_HSM_PIN or a
prompt.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from hardware.device_key import DeviceKey
from hardware.keystore import KeystoreDeviceKey, ScryptParams
from hardware.pkcs11_key import Pkcs11DeviceKey

from ..config import Settings
from .device_key_args import (
    PASSWORD_ENV,
    PIN_ENV,
    add_device_key_args,
    keystore_path,
    open_device_key,
    pkcs11_config,
    read_secret,
)
from .output import emit


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `device` noun."""
    parser = subparsers.add_parser("device", help="create or inspect the station's device key")
    sub = parser.add_subparsers(dest="device_command", metavar="ACTION", required=True)
    init = sub.add_parser(
        "init", help="create a device key (keystore file by default, or on a PKCS#11 token)"
    )
    add_device_key_args(init)
    init.add_argument(
        "--scrypt-n", type=int, default=ScryptParams().n, help="keystore scrypt cost (power of 2)"
    )
    init.set_defaults(handler=cmd_init)
    show = sub.add_parser("show", help="unlock the device key and print its address")
    add_device_key_args(show)
    show.set_defaults(handler=cmd_show)
    migrate = sub.add_parser(
        "migrate-keystore",
        help="rewrite an old-format keystore as an Ethereum v3 keystore (same key; old file kept as .v1.bak)",
    )
    migrate.add_argument(
        "--keystore", type=Path, help="keystore file (default: DATA_DIR/device-keystore.json)"
    )
    migrate.add_argument(
        "--password-file", type=Path, help=f"file holding the keystore password (or ${PASSWORD_ENV})"
    )
    migrate.add_argument("--json", action="store_true", help="print one JSON object")
    migrate.set_defaults(handler=cmd_migrate_keystore)


def _report(key: DeviceKey, args: argparse.Namespace, verb: str) -> int:
    info = dict(key.describe())
    emit(info, args.json, f"{verb} {info['backend']} device key {info['address']}")
    key.close()
    return 0


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    """Create the key; refuses to overwrite an existing keystore or token label."""
    if args.pkcs11:
        config = pkcs11_config(args, settings)
        key: DeviceKey = Pkcs11DeviceKey.generate(config, read_secret(args.pin_file, PIN_ENV, "Token PIN: "))
    else:
        path = keystore_path(args, settings)
        password = read_secret(args.password_file, PASSWORD_ENV, "New keystore password: ")
        path.parent.mkdir(parents=True, exist_ok=True)
        key = KeystoreDeviceKey.create(path, password, ScryptParams(n=args.scrypt_n))
    return _report(key, args, "created")


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    """Unlock the key and print its backend, address and public key."""
    return _report(open_device_key(args, settings), args, "unlocked")


def cmd_migrate_keystore(args: argparse.Namespace, settings: Settings) -> int:
    """Rewrite an old-format keystore as v3; a v3 keystore is left as it is (both exit 0)."""
    path = keystore_path(args, settings)
    password = read_secret(args.password_file, PASSWORD_ENV, "Keystore password: ")
    done = KeystoreDeviceKey.migrate(path, password)
    result = {"address": done.address, "keystore": str(path), "migrated": done.migrated}
    result["backup"] = None if done.backup is None else str(done.backup)
    text = (
        f"migrated {path} to the Ethereum v3 format ({done.address}); the old file is {done.backup}"
        if done.migrated
        else f"{path} is already an Ethereum v3 keystore ({done.address}); nothing changed"
    )
    emit(result, args.json, text)
    return 0
