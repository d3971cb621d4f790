"""`personhood demo --identity-only`: the identity layer alone, offline, in about a second.

A few identities (key files written as `personhood id new` writes them), their Semaphore group, a
member's Merkle proof checked, a non-member with no proof and a forged one refused, a nullifier and a
signature. Returns the summary; `ok` says whether everything came out as it must.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from zk_identity import Identity, LeafNotFoundError, LeanIMT, MerkleProof, nullifier

from ..commands.key_file import read_key_file, write_key_file

SCOPE = "demo-poll"
Report = Callable[[str], None]


def run_identity_demo(members: int, report: Report) -> dict[str, object]:
    """Run the five identity steps for a group of `members` (2..1000); ValueError otherwise."""
    if isinstance(members, bool) or not isinstance(members, int) or not 2 <= members <= 1000:
        raise ValueError(f"the identity demo needs 2..1000 members, got {members!r}")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="personhood-demo-") as tmp:
        files = [Path(tmp) / f"member-{i}.key" for i in range(members)]
        for path in files:
            write_key_file(path, Identity())
        report(f"[1/5] created {members} identities, private keys in 0600 files under {tmp}")
        people = [read_key_file(path) for path in files]
    group = LeanIMT(m.commitment for m in people)
    report(f"[2/5] built the group from their commitments: root {group.root}, depth {group.depth}")

    me = people[-1]
    proof = group.generate_proof(group.index_of(me.commitment))
    member_ok = LeanIMT.verify_proof(proof)
    report(f"[3/5] member {proof.leaf}: Merkle proof ({len(proof.siblings)} siblings) verifies: {member_ok}")

    outsider = Identity()
    try:
        group.index_of(outsider.commitment)
        outsider_has_proof = True
    except LeafNotFoundError:
        outsider_has_proof = False
    forged_ok = LeanIMT.verify_proof(
        MerkleProof(outsider.commitment, proof.index, proof.siblings, group.root)
    )
    report(f"[4/5] non-member: in the group: {outsider_has_proof}; borrowed-path proof verifies: {forged_ok}")

    my_nullifier = nullifier(me, SCOPE)
    signed_ok = Identity.verify_signature(group.root, me.sign(group.root), me.public_key)
    report(f"[5/5] member's nullifier for scope {SCOPE!r}: {my_nullifier}; signed the root: {signed_ok}")
    return {
        "ok": member_ok and not outsider_has_proof and not forged_ok and signed_ok,
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
