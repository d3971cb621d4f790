"""An off-chain copy of the registry's lean incremental Merkle tree, rebuilt from its events.

The registry's `revoke` needs the leaf's Merkle siblings; an indexer replays `MemberEnrolled` and
`MemberRevoked` into this mirror and reads them here. Same algorithm as zk-kit's LeanIMT: a node without
a right sibling moves up unhashed.
"""

from __future__ import annotations

from collections.abc import Sequence

from zk_identity.poseidon import poseidon2_unchecked


def _levels(leaves: Sequence[int]) -> list[list[int]]:
    levels = [list(leaves)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        above = [
            poseidon2_unchecked(below[i], below[i + 1]) if i + 1 < len(below) else below[i]
            for i in range(0, len(below), 2)
        ]
        levels.append(above)
    return levels


def lean_imt_root(leaves: Sequence[int]) -> int:
    """The root of a LeanIMT over `leaves` (0 for no leaves)."""
    return _levels(leaves)[-1][0] if leaves else 0


def lean_imt_siblings(leaves: Sequence[int], index: int) -> list[int]:
    """The existing siblings of leaf `index`, bottom up (levels where the node has none are skipped)."""
    if not 0 <= index < len(leaves):
        raise IndexError(f"leaf index {index} out of range for {len(leaves)} leaves")
    siblings = []
    for level in _levels(leaves)[:-1]:
        partner = index ^ 1
        if partner < len(level):
            siblings.append(level[partner])
        index >>= 1
    return siblings
