"""The lean incremental Merkle tree (LeanIMT) with Poseidon(2), root-compatible with Semaphore groups.

LeanIMT (zk-kit's @zk-kit/lean-imt, used by @semaphore-protocol/group 4.x) differs from a fixed-depth
tree: depth grows as ceil(log2(size)), and a node without a right sibling is carried up unchanged
instead of being hashed with a zero. Levels are stored as lists; `_nodes[0]` are the leaves and
`_nodes[depth]` holds the root.

Semaphore conventions kept here: leaf 0 marks a removed member (`remove` writes it, `insert` refuses
it); the root of the empty tree is 0. Stricter than zk-kit: duplicate leaves, leaves outside the
field and out-of-range indices raise instead of corrupting the tree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .errors import PersonhoodError
from .field import require_field_element, require_int
from .poseidon import poseidon2_unchecked

REMOVED = 0  # the leaf value of a removed member (Semaphore's Group.removeMember)


class DuplicateLeafError(PersonhoodError, ValueError):
    """The leaf is already in the tree (one commitment, one leaf)."""


class LeafNotFoundError(PersonhoodError, ValueError):
    """The leaf is not in the tree."""


class LeafIndexError(PersonhoodError, IndexError):
    """A leaf index outside [0, size), or a leaf that was removed."""


@dataclass(frozen=True)
class MerkleProof:
    """Membership proof in zk-kit's LeanIMT format.

    `siblings` lists only the levels where the node had a sibling (bottom up); bit i of `index`
    says whether the node was the right child at the i-th of those levels. This is exactly what
    @zk-kit/lean-imt's generateProof returns and what the Semaphore circuit consumes.
    """

    leaf: int
    index: int
    siblings: tuple[int, ...]
    root: int


class LeanIMT:
    """A LeanIMT over BN254 field elements. `LeanIMT(leaves)` inserts `leaves` in one batch.

    Raises (here and in every mutator) TypeError for non-int leaves, FieldRangeError for leaves
    outside [0, r), ValueError for a zero leaf, DuplicateLeafError for a leaf already present.
    """

    def __init__(self, leaves: Iterable[int] = ()) -> None:
        self._nodes: list[list[int]] = [[]]
        self._positions: dict[int, int] = {}
        batch = list(leaves)
        if batch:
            self.insert_many(batch)

    @property
    def root(self) -> int:
        """The root (0 for the empty tree, as Semaphore's Group)."""
        return self._nodes[-1][0] if self._nodes[0] else 0

    @property
    def depth(self) -> int:
        """Number of levels above the leaves: ceil(log2(size)), 0 for 0 or 1 leaves."""
        return len(self._nodes) - 1

    @property
    def size(self) -> int:
        """Number of leaves, removed ones included."""
        return len(self._nodes[0])

    @property
    def leaves(self) -> tuple[int, ...]:
        """All leaves in insertion order (0 where a member was removed)."""
        return tuple(self._nodes[0])

    def __len__(self) -> int:
        return self.size

    def __contains__(self, leaf: object) -> bool:
        return isinstance(leaf, int) and not isinstance(leaf, bool) and leaf in self._positions

    def index_of(self, leaf: int) -> int:
        """Index of `leaf`; raises LeafNotFoundError (a ValueError) if it is not a (current) member."""
        leaf = require_field_element(leaf, "leaf")
        try:
            return self._positions[leaf]
        except KeyError:
            raise LeafNotFoundError(f"leaf {leaf} is not in the tree") from None

    def _check_new(self, leaf: object, name: str = "leaf") -> int:
        value = require_field_element(leaf, name)
        if value == REMOVED:
            raise ValueError(f"{name} must not be 0 (0 marks a removed member)")
        if value in self._positions:
            raise DuplicateLeafError(
                f"{name} {value} is already in the tree at index {self._positions[value]}"
            )
        return value

    def _check_index(self, index: object) -> int:
        index = require_int(index, "index")
        if not 0 <= index < self.size:
            raise LeafIndexError(f"index {index} is outside the tree (size {self.size})")
        return index

    def insert(self, leaf: int) -> None:
        """Append one leaf: O(depth) hashes."""
        leaf = self._check_new(leaf)
        if (1 << self.depth) < self.size + 1:
            self._nodes.append([])
        index = self.size
        self._positions[leaf] = index
        node = leaf
        for level in range(self.depth):
            nodes = self._nodes[level]
            if index == len(nodes):
                nodes.append(node)
            else:
                nodes[index] = node
            if index & 1:
                node = poseidon2_unchecked(nodes[index - 1], node)
            index >>= 1
        self._nodes[self.depth] = [node]

    def insert_many(self, leaves: Iterable[int]) -> None:
        """Append many leaves, hashing level by level (each new parent once); all or nothing.

        Raises ValueError for an empty batch, and the leaf errors above (also for a duplicate
        inside the batch) before changing anything.
        """
        batch = list(leaves)
        if not batch:
            raise ValueError("insert_many needs at least one leaf")
        seen: dict[int, int] = {}
        for i, leaf in enumerate(batch):
            value = self._check_new(leaf, f"leaves[{i}]")
            if value in seen:
                raise DuplicateLeafError(f"leaves[{i}] repeats leaves[{seen[value]}]")
            seen[value] = i
        first = self.size
        self._positions.update((leaf, first + i) for i, leaf in enumerate(batch))
        self._nodes[0].extend(batch)
        while (1 << self.depth) < self.size:
            self._nodes.append([])
        start = first >> 1
        for level in range(self.depth):
            below, above = self._nodes[level], self._nodes[level + 1]
            del above[start:]
            count = len(below)
            for i in range(2 * start, count - 1, 2):
                above.append(poseidon2_unchecked(below[i], below[i + 1]))
            if count & 1:
                above.append(below[-1])
            start >>= 1

    def update(self, index: int, leaf: int) -> None:
        """Replace the leaf at `index` with a new non-zero leaf: O(depth) hashes.

        Raises LeafIndexError for a bad index or a removed member, plus the leaf errors above.
        """
        index = self._check_index(index)
        old = self._nodes[0][index]
        if old == REMOVED:
            raise LeafIndexError(f"the member at index {index} was removed and cannot be updated")
        if leaf == old and type(leaf) is int:
            return
        leaf = self._check_new(leaf)
        del self._positions[old]
        self._positions[leaf] = index
        self._set(index, leaf)

    def remove(self, index: int) -> None:
        """Remove the member at `index` by setting its leaf to 0 (size and other indices do not change).

        Raises LeafIndexError for a bad index or a member already removed.
        """
        index = self._check_index(index)
        old = self._nodes[0][index]
        if old == REMOVED:
            raise LeafIndexError(f"the member at index {index} was already removed")
        del self._positions[old]
        self._set(index, REMOVED)

    def _set(self, index: int, node: int) -> None:
        for level in range(self.depth):
            nodes = self._nodes[level]
            nodes[index] = node
            if index & 1:
                node = poseidon2_unchecked(nodes[index - 1], node)
            elif index + 1 < len(nodes):
                node = poseidon2_unchecked(node, nodes[index + 1])
            index >>= 1
        self._nodes[self.depth] = [node]

    def generate_proof(self, index: int) -> MerkleProof:
        """Membership proof for the leaf at `index` (zk-kit format); raises LeafIndexError."""
        index = self._check_index(index)
        leaf = self._nodes[0][index]
        siblings: list[int] = []
        path = 0
        for level in range(self.depth):
            nodes = self._nodes[level]
            sibling_index = index ^ 1
            if sibling_index < len(nodes):
                path |= (index & 1) << len(siblings)
                siblings.append(nodes[sibling_index])
            index >>= 1
        return MerkleProof(leaf=leaf, index=path, siblings=tuple(siblings), root=self.root)

    @staticmethod
    def verify_proof(proof: MerkleProof) -> bool:
        """True if `proof` hashes from its leaf up to its root.

        Raises TypeError for a non-MerkleProof or non-int fields, FieldRangeError for values outside
        the field, ValueError for an index with bits beyond the number of siblings.
        """
        if not isinstance(proof, MerkleProof):
            raise TypeError(f"expected a MerkleProof, got {type(proof).__name__}")
        node = require_field_element(proof.leaf, "proof.leaf")
        root = require_field_element(proof.root, "proof.root")
        index = require_int(proof.index, "proof.index")
        if not isinstance(proof.siblings, (tuple, list)):
            raise TypeError("proof.siblings must be a tuple of ints")
        siblings = [require_field_element(s, f"proof.siblings[{i}]") for i, s in enumerate(proof.siblings)]
        if not 0 <= index < (1 << len(siblings)):
            raise ValueError(f"proof.index {index} does not fit {len(siblings)} path bits")
        for i, sibling in enumerate(siblings):
            if (index >> i) & 1:
                node = poseidon2_unchecked(sibling, node)
            else:
                node = poseidon2_unchecked(node, sibling)
        return node == root
