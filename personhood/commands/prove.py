"""`personhood prove`: a Semaphore v4 membership proof (JSON) for an identity in a group.

    personhood prove --identity KEY_FILE --group GROUP_FILE --action A --signal S > proof.json
    personhood prove --identity KEY_FILE --group GROUP_FILE --scope S --message M > proof.json

KEY_FILE is what `personhood id new --out` writes; GROUP_FILE holds one decimal commitment per
line, in insertion order. --action/--signal encode a dapp's action and signal exactly as
POST /v1/verify does (action_binding.py), so the proof is accepted there. --scope/--message are
converted as @semaphore-protocol/proof's generateProof converts them (numbers stay numbers, other
text becomes a bytes32 string of at most 31 bytes). Keys: the official Semaphore ceremony by
default, `--keys own` for our circuit.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from zk_identity import ProofFormatError, prove

from ..config import Settings
from .action_binding import add_action_arguments, scope_and_message
from .exit_codes import EXIT_OK
from .group_file import read_group
from .key_file import read_key_file
from .output import progress


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `prove` noun."""
    parser = subparsers.add_parser("prove", help="prove membership in a group for a scope and message")
    parser.add_argument(
        "--identity", type=Path, required=True, help="key file from `personhood id new --out`"
    )
    parser.add_argument("--group", type=Path, required=True, help="one decimal commitment per line, in order")
    add_action_arguments(parser, "prove")
    parser.add_argument("--scope", help="raw Semaphore scope: a number, or text of at most 31 bytes")
    parser.add_argument("--message", help="raw Semaphore message: a number, or text of at most 31 bytes")
    parser.add_argument("--depth", type=int, help="circuit depth (default: the group's depth, at least 1)")
    parser.add_argument("--keys", choices=("official", "own"), help="proving keys (default: settings.keys)")
    parser.add_argument(
        "--backend",
        choices=("auto", "native", "worker", "cli"),
        default="auto",
        help="native C prover, snarkjs in the node worker, or the snarkjs CLI (auto: native if built)",
    )
    parser.set_defaults(handler=cmd_prove)


def cmd_prove(args: argparse.Namespace, settings: Settings) -> int:
    """Print the proof JSON on stdout. Exit 1 if proving is refused (e.g. not a member), 2 for bad input."""
    scope, message = scope_and_message(args, proving=True, deployment=settings.deployment_path)
    try:
        identity = read_key_file(args.identity)
    except OSError as e:
        raise ProofFormatError(f"cannot read identity file {args.identity}: {e}") from e
    group = read_group(args.group)
    setup = settings.proving_setup(keys=args.keys, prover=args.backend)
    progress(f"proving membership in a group of {group.size} ({setup.keys} keys)")
    proof = prove(identity, group, message, scope, depth=args.depth, setup=setup)
    print(json.dumps(proof.to_json(), indent=2))
    return EXIT_OK
