"""`personhood group root|export`: the Semaphore group root (LeanIMT, Poseidon) of a list of commitments,
and the registry's group as a file of commitments (what `prove --group` reads)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zk_identity import LeanIMT

from ..config import Settings
from .exit_codes import EXIT_OK, EXIT_USAGE
from .group_file import parse_commitments, read_commitment_lines
from .output import emit


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `group` noun."""
    parser = subparsers.add_parser("group", help="Semaphore groups of identity commitments")
    sub = parser.add_subparsers(dest="group_command", metavar="ACTION", required=True)
    root = sub.add_parser("root", help="print the root, depth and size of the group of these commitments")
    root.add_argument("commitments", nargs="*", metavar="COMMITMENT", help="decimal identity commitments")
    root.add_argument("--file", type=Path, help="file with one decimal commitment per line")
    root.add_argument("--json", action="store_true", help="print one JSON object")
    root.set_defaults(handler=cmd_root)
    export = sub.add_parser("export", help="write the registry's group (from its events) for `prove --group`")
    export.add_argument("--out", type=Path, help="file to write (default: stdout)")
    export.add_argument("--deployment", type=Path, help="deployment JSON (default: DATA_DIR/deployment.json)")
    export.set_defaults(handler=cmd_export)


def cmd_root(args: argparse.Namespace, settings: Settings) -> int:
    """Build the group and print its root. Exit 2 for malformed, duplicate or out-of-field commitments."""
    entries = [(f"argument {i + 1}", c) for i, c in enumerate(args.commitments)]
    try:
        if args.file is not None:
            entries += read_commitment_lines(args.file)
        if not entries:
            raise ValueError("give commitments as arguments or with --file")
        tree = LeanIMT(parse_commitments(entries))
    except (OSError, UnicodeDecodeError) as e:
        print(f"personhood: error: cannot read {args.file}: {e}", file=sys.stderr)
        return EXIT_USAGE
    except (ValueError, TypeError) as e:
        print(f"personhood: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    result = {"root": str(tree.root), "depth": tree.depth, "size": tree.size}
    emit(result, args.json, f"root   {tree.root}\ndepth  {tree.depth}\nsize   {tree.size}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """One decimal commitment per line, in leaf order (revoked leaves as 0); root and size on stderr."""
    from governance.errors import UpstreamError
    from hardware.atomic_file import write_private_file

    from .chain_args import open_chain

    registry = open_chain(settings, args.deployment).registry
    tree = registry.tree()
    if tree.root != registry.current_root():
        raise UpstreamError("the group rebuilt from the events does not match the registry's root; retry")
    text = "".join(f"{leaf}\n" for leaf in tree.leaves)
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_private_file(args.out, text.encode())
    print(f"group of {tree.size} at root {tree.root} (depth {tree.depth})", file=sys.stderr)
    return EXIT_OK
