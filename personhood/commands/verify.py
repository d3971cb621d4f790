"""`personhood verify proof.json`: check a Semaphore v4 membership proof.

Exit 0 valid, 1 invalid, 2 malformed (not JSON, wrong shape, values out of the field, points
off the curve or outside G2's subgroup, unknown depth).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from zk_identity import MembershipProof, ProofFormatError, verify

from ..config import Settings
from .exit_codes import EXIT_OK, EXIT_REFUSED
from .output import emit


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `verify` noun."""
    parser = subparsers.add_parser(
        "verify", help="verify a membership proof (exit 0 valid, 1 invalid, 2 malformed)"
    )
    parser.add_argument("proof", type=Path, help="proof JSON as `personhood prove` writes it ('-' for stdin)")
    parser.add_argument(
        "--keys", choices=("official", "own"), help="verification keys (default: settings.keys)"
    )
    parser.add_argument("--vkey", type=Path, help="a snarkjs verification key file (overrides --keys)")
    parser.add_argument(
        "--backend",
        choices=("py_ecc", "node", "native"),
        default="node",
        help="snarkjs in the node worker, the py_ecc reference, or the native C pairing",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=cmd_verify)


def _read(path: Path) -> str:
    try:
        return sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ProofFormatError(f"cannot read {path}: {e}") from e


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 if the proof verifies, 1 if not; malformed input raises (exit 2)."""
    proof = MembershipProof.from_json(_read(args.proof))
    vkey = None
    if args.vkey is not None:
        try:
            vkey = json.loads(_read(args.vkey))
        except json.JSONDecodeError as e:
            raise ProofFormatError(f"{args.vkey} is not JSON: {e}") from e
    valid = verify(
        proof,
        vkey,
        backend=args.backend,
        keys=args.keys or settings.keys,
        cache_dir=settings.cache_dir,
        node_modules=settings.node_modules,
    )
    result = {
        "valid": valid,
        "nullifier": str(proof.nullifier),
        "merkleTreeRoot": str(proof.merkle_tree_root),
    }
    emit(result, args.json, "valid" if valid else "INVALID")
    return EXIT_OK if valid else EXIT_REFUSED
