"""`personhood verify proof.json`: check a Semaphore v4 membership proof, and say why it is refused.

    personhood verify proof.json --action A --signal S --group GROUP_FILE

Without options it checks the Groth16 proof against its own public values. --action/--signal (encoded
as POST /v1/verify does) or --scope/--message check what the proof is bound to; --group checks its root
and depth against a group file. Every mismatch is reported with the API's error code (wrong_scope,
wrong_message, unknown_root, wrong_depth, invalid_proof).

Exit 0 valid, 1 invalid, 2 malformed (not JSON, wrong shape, values out of the field, points
off the curve or outside G2's subgroup, unknown depth).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from zk_identity import MembershipProof, ProofFormatError, verify
from zk_identity.proof import message_value

from ..config import Settings
from .action_binding import add_action_arguments, scope_and_message
from .exit_codes import EXIT_OK, EXIT_REFUSED
from .group_file import read_group
from .output import emit


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `verify` noun."""
    parser = subparsers.add_parser(
        "verify", help="verify a membership proof (exit 0 valid, 1 invalid, 2 malformed)"
    )
    parser.add_argument("proof", type=Path, help="proof JSON as `personhood prove` writes it ('-' for stdin)")
    add_action_arguments(parser, "check the proof is")
    parser.add_argument("--scope", help="check the raw Semaphore scope (a number, or bytes32 text)")
    parser.add_argument("--message", help="check the raw Semaphore message (a number, or bytes32 text)")
    parser.add_argument("--group", type=Path, help="check root and depth against this group file")
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


def _expectation(args: argparse.Namespace, settings: Settings):
    """What the options ask the proof to be bound to (governance.proof_diagnosis.Expectation)."""
    from governance.proof_diagnosis import Expectation

    scope, message = scope_and_message(args, proving=False, deployment=settings.deployment_path)
    root = depth = None
    if args.group is not None:
        group = read_group(args.group)
        root, depth = group.root, max(1, group.depth)  # the depth `prove` uses for this group
    by_action = args.action is not None
    return Expectation(
        scope=None if scope is None else message_value(scope),  # type: ignore[arg-type]
        message=None if message is None else message_value(message),  # type: ignore[arg-type]
        root=root,
        depth=depth,
        scope_from=f"the scope of action {args.action!r}" if by_action else "the scope given",
        message_from=f"the message of signal {args.signal!r}" if by_action else "the message given",
    )


def cmd_verify(args: argparse.Namespace, settings: Settings) -> int:
    """Exit 0 if the proof verifies and matches every option given, 1 if not; malformed input exits 2."""
    from governance.proof_diagnosis import Problem, diagnose

    proof = MembershipProof.from_json(_read(args.proof))
    expected = _expectation(args, settings)
    vkey = None
    if args.vkey is not None:
        try:
            vkey = json.loads(_read(args.vkey))
        except json.JSONDecodeError as e:
            raise ProofFormatError(f"{args.vkey} is not JSON: {e}") from e
    problems = list(diagnose(proof, expected))
    if not verify(proof, vkey, setup=settings.proving_setup(keys=args.keys, verifier=args.backend)):
        problems.append(
            Problem("invalid_proof", "the Groth16 proof does not verify against its public values")
        )
    valid = not problems
    result = {
        "valid": valid,
        "problems": [p.to_json() for p in problems],
        "nullifier": str(proof.nullifier),
        "merkleTreeRoot": str(proof.merkle_tree_root),
        "merkleTreeDepth": proof.merkle_tree_depth,
    }
    text = "valid" if valid else "\n".join(["INVALID"] + [f"  {p.code}: {p.message}" for p in problems])
    emit(result, args.json, text)
    return EXIT_OK if valid else EXIT_REFUSED
