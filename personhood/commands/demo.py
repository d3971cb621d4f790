"""`personhood demo`: the identity layer end to end, offline, in a temporary directory.

Creates a few identities (key files written as `personhood id new` writes them), builds their
Semaphore group, proves one member's membership with a Merkle proof and checks it, and shows that a
non-member gets no proof and a forged one fails. One progress line per step on stderr, then a one-line
JSON summary on stdout. (A later issue replaces this with the full enrollment-to-vote demo.)
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from zk_identity import Identity, LeafNotFoundError, LeanIMT, MerkleProof, nullifier

from ..config import Settings
from .identity import read_key_file, write_key_file
from .output import progress

EXIT_OK, EXIT_REFUSED = 0, 1
MEMBERS = 4
SCOPE = "demo-poll"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `demo` noun."""
    parser = subparsers.add_parser("demo", help="run the identity/group/membership demo (offline, ~1 s)")
    parser.add_argument("--members", type=int, default=MEMBERS, help=f"group size (default {MEMBERS})")
    parser.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Run the demo; exit 0 if every check came out as expected, 1 otherwise."""
    if not 2 <= args.members <= 1000:
        progress("personhood: error: --members must be between 2 and 1000")
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="personhood-demo-") as tmp:
        files = [Path(tmp) / f"member-{i}.key" for i in range(args.members)]
        for path in files:
            write_key_file(path, Identity())
        progress(f"[1/5] created {args.members} identities, private keys in 0600 files under {tmp}")
        members = [read_key_file(path) for path in files]
        group = LeanIMT(m.commitment for m in members)
        progress(f"[2/5] built the group from their commitments: root {group.root}, depth {group.depth}")

    me = members[-1]
    proof = group.generate_proof(group.index_of(me.commitment))
    member_ok = LeanIMT.verify_proof(proof)
    progress(
        f"[3/5] member {proof.leaf}: Merkle proof ({len(proof.siblings)} siblings) verifies: {member_ok}"
    )

    outsider = Identity()
    try:
        group.index_of(outsider.commitment)
        outsider_has_proof = True
    except LeafNotFoundError:
        outsider_has_proof = False
    forged = MerkleProof(outsider.commitment, proof.index, proof.siblings, group.root)
    forged_ok = LeanIMT.verify_proof(forged)
    progress(
        f"[4/5] non-member: in the group: {outsider_has_proof}; borrowed-path proof verifies: {forged_ok}"
    )

    my_nullifier = nullifier(me, SCOPE)
    signature = me.sign(group.root)
    signed_ok = Identity.verify_signature(group.root, signature, me.public_key)
    progress(f"[5/5] member's nullifier for scope {SCOPE!r}: {my_nullifier}; signed the root: {signed_ok}")

    ok = member_ok and not outsider_has_proof and not forged_ok and signed_ok
    summary = {
        "ok": ok,
        "members": group.size,
        "root": str(group.root),
        "depth": group.depth,
        "member_proof_verified": member_ok,
        "non_member_has_proof": outsider_has_proof,
        "forged_proof_verified": forged_ok,
        "scope": SCOPE,
        "nullifier": str(my_nullifier),
        "seconds": round(time.perf_counter() - started, 3),
    }
    print(json.dumps(summary, sort_keys=True))
    return EXIT_OK if ok else EXIT_REFUSED
