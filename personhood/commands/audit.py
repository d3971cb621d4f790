"""`personhood audit verify|show`: check a station's signed, hash-chained audit log."""

from __future__ import annotations

import argparse
from pathlib import Path

from hardware.audit_verify import read_entries, verify_audit_log
from hardware.signed_json import canonical_json

from ..config import Settings
from .exit_codes import EXIT_OK, EXIT_REFUSED
from .output import emit


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `audit` noun."""
    parser = subparsers.add_parser("audit", help="verify or read a station audit log")
    sub = parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)

    verify = sub.add_parser("verify", help="check every entry, signature, chain link and the signed head")
    verify.add_argument("file", type=Path, help="the audit log (JSON lines)")
    verify.add_argument("--head", type=Path, help="the signed head file (default: FILE.head)")
    verify.add_argument(
        "--no-head", action="store_true", help="accept a missing head (tail truncation undetectable)"
    )
    verify.add_argument("--device", help="the device address the log must be signed by")
    verify.add_argument("--json", action="store_true", help="print one JSON object")
    verify.set_defaults(handler=cmd_verify)

    show = sub.add_parser("show", help="print entries (shape-checked, not verified: run verify for that)")
    show.add_argument("file", type=Path, help="the audit log (JSON lines)")
    show.add_argument("--tail", type=int, default=0, help="only the last N entries")
    show.add_argument("--json", action="store_true", help="print one JSON object")
    show.set_defaults(handler=cmd_show)


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 if the log is intact, 1 with the first bad entry and why if not."""
    result = verify_audit_log(args.file, device=args.device, head=args.head, require_head=not args.no_head)
    if result.ok:
        text = f"intact: {result.entries} entries signed by {result.device} (head at entry {result.head_seq})"
    else:
        where = f"entry {result.first_bad}" if result.first_bad is not None else "head"
        text = f"TAMPERED at {where}: {result.reason} ({result.entries} entries verified before it)"
    emit(result.as_dict(), args.json, text)
    return EXIT_OK if result.ok else EXIT_REFUSED


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    """Print the log's entries (time, event, payload)."""
    entries = read_entries(args.file)
    if args.tail > 0:
        entries = entries[-args.tail :]
    lines = [
        f"{e['seq']:>6} {e['time']} {e['event']} {canonical_json(e['payload']).decode()}" for e in entries
    ]
    emit({"entries": entries}, args.json, "\n".join(lines) if lines else "(no entries)")
    return EXIT_OK
