"""`personhood id new|show|sign-enrollment`: a person's Semaphore identity, kept in a private key file.

The key file holds one line: the private key in Semaphore's export format (base64), so the same file
works with @semaphore-protocol/identity's `Identity.import`. It is created with mode 0600, atomically,
and never overwritten. Only the commitment (the public group leaf) is printed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zk_identity import Identity, KeyFormatError

from ..config import Settings
from .exit_codes import EXIT_OK, EXIT_REFUSED, EXIT_USAGE
from .key_file import KEY_FILE_NAME, read_key_file, write_key_file
from .output import emit


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `id` noun."""
    parser = subparsers.add_parser("id", help="create or inspect a Semaphore identity")
    sub = parser.add_subparsers(dest="id_command", metavar="ACTION", required=True)
    new = sub.add_parser("new", help="create an identity; write its private key file, print its commitment")
    new.add_argument("--out", type=Path, help=f"key file to create (default: DATA_DIR/{KEY_FILE_NAME})")
    new.add_argument("--json", action="store_true", help="print one JSON object")
    new.set_defaults(handler=cmd_new)
    show = sub.add_parser("show", help="print the commitment and public key of a key file")
    show.add_argument("file", type=Path, help="key file written by `personhood id new`")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(handler=cmd_show)
    sign = sub.add_parser(
        "sign-enrollment", help="answer an enrollment station's challenge (proves you hold the identity)"
    )
    sign.add_argument("file", type=Path, help="key file written by `personhood id new`")
    sign.add_argument("--challenge", required=True, help="the challenge the station shows (text or nonce)")
    sign.add_argument("--qr", type=Path, help="also write the answer as a QR code PNG to this path")
    sign.add_argument("--json", action="store_true", help="print one JSON object")
    sign.set_defaults(handler=cmd_sign_enrollment)


def _public(identity: Identity) -> dict[str, object]:
    # Field elements as decimal strings: JSON numbers lose precision past 2^53 in JavaScript.
    return {"commitment": str(identity.commitment), "public_key": [str(c) for c in identity.public_key]}


def cmd_new(args: argparse.Namespace, settings: Settings) -> int:
    """Create an identity and its key file; print the commitment. Exit 1 if the file exists."""
    path: Path = args.out if args.out is not None else settings.data_dir / KEY_FILE_NAME
    if path.exists():
        print(f"personhood: refused: {path} exists; not overwriting an identity", file=sys.stderr)
        return EXIT_REFUSED
    if args.out is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.parent.is_dir():
        print(f"personhood: error: directory {path.parent} does not exist", file=sys.stderr)
        return EXIT_USAGE
    identity = Identity()
    try:
        write_key_file(path, identity)
    except FileExistsError:
        print(f"personhood: refused: {path} exists; not overwriting an identity", file=sys.stderr)
        return EXIT_REFUSED
    print(f"personhood: private key written to {path} (mode 0600); keep it secret", file=sys.stderr)
    emit({"commitment": str(identity.commitment), "file": str(path)}, args.json, str(identity.commitment))
    return EXIT_OK


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    """Print the commitment and public key of a key file. Exit 2 if it is missing or malformed."""
    try:
        identity = read_key_file(args.file)
    except FileNotFoundError:
        print(f"personhood: error: {args.file} does not exist", file=sys.stderr)
        return EXIT_USAGE
    except KeyFormatError as e:
        print(f"personhood: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    result = _public(identity)
    x, y = identity.public_key
    emit(result, args.json, f"commitment  {identity.commitment}\npublic key  ({x},\n             {y})")
    return EXIT_OK


def cmd_sign_enrollment(args: argparse.Namespace, settings: Settings) -> int:
    """Sign a station's challenge; print the answer the station reads. Exit 2 for bad input."""
    from enrollment.errors import StationInputError
    from enrollment.possession import answer_challenge, parse_challenge  # keeps `id new` light

    try:
        nonce = parse_challenge(args.challenge)
        identity = read_key_file(args.file)
    except FileNotFoundError:
        print(f"personhood: error: {args.file} does not exist", file=sys.stderr)
        return EXIT_USAGE
    except (KeyFormatError, StationInputError) as e:
        print(f"personhood: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    text = answer_challenge(identity, nonce).to_text()
    if args.qr is not None:
        import qrcode  # only this path draws a QR code

        qrcode.make(text).save(str(args.qr))
    emit({"answer": text, "commitment": str(identity.commitment)}, args.json, text)
    return EXIT_OK
