// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title LeanIMT
/// @notice A lean incremental Merkle tree with Poseidon(2), giving the same roots as the zk-kit LeanIMT
///         and the Semaphore group package. A node without a right sibling moves up unhashed, so the depth is
///         ceil(log2(size)) and a tree of one leaf has that leaf as its root.
/// @dev Storage: `sideNodes[l]` holds the last COMPLETE even-indexed node at level l, the only node a
///      later insertion reads at that level. An insertion therefore writes one side node (at the level
///      of its lowest zero bit) instead of one per zero bit, and hashes once per one bit of its index.
library LeanIMT {
    /// @notice The largest depth (2^32 leaves), as the Semaphore circuits.
    uint256 internal constant MAX_DEPTH = 32;

    struct Tree {
        uint40 size;
        uint8 depth;
        mapping(uint256 level => uint256 node) sideNodes;
    }

    /// @notice The tree cannot hold more leaves.
    error TreeFull();
    /// @notice The sibling nodes given for an update do not lead to the current root.
    error WrongSiblingNodes();
    /// @notice The Poseidon contract did not answer with a hash.
    error HasherFailed();

    /// @notice Appends `leaf`; returns the new root and the leaf's index.
    function insert(Tree storage tree, address hasher, uint256 leaf) internal returns (uint256 node, uint256 index) {
        index = tree.size;
        uint256 depth = tree.depth;
        if ((uint256(1) << depth) <= index) {
            if (depth == MAX_DEPTH) revert TreeFull();
            depth += 1;
            tree.depth = uint8(depth);
        }
        tree.size = uint40(index + 1);
        uint256 lowestZero = (index + 1) & ~index; // 2^(level of the node this leaf completes)
        node = leaf;
        for (uint256 level = 0; level < depth; ++level) {
            if ((index >> level) & 1 == 1) {
                node = hash(hasher, tree.sideNodes[level], node);
            } else if (uint256(1) << level == lowestZero) {
                tree.sideNodes[level] = node;
            }
        }
        if (uint256(1) << depth == lowestZero) tree.sideNodes[depth] = node; // the tree is full
    }

    /// @notice Replaces the leaf at `index` (currently `oldLeaf`) by `newLeaf`; returns the new root.
    /// @param siblingNodes the existing siblings on the leaf's path, bottom up (levels without one skipped).
    /// @param currentRoot the root before the update, which the siblings must reproduce.
    function update(
        Tree storage tree,
        address hasher,
        uint256 index,
        uint256 oldLeaf,
        uint256 newLeaf,
        uint256[] calldata siblingNodes,
        uint256 currentRoot
    ) internal returns (uint256) {
        uint256 size = tree.size;
        (uint256[] memory path, uint256 oldRoot) = _paths(hasher, index, size, tree.depth, oldLeaf, newLeaf, siblingNodes);
        if (oldRoot != currentRoot) revert WrongSiblingNodes();
        for (uint256 level = 0; level < path.length; ++level) {
            uint256 position = index >> level;
            uint256 complete = size >> level; // nodes at this level whose subtree is full
            if (position & 1 == 0 && complete > 0 && position == (complete - 1) & ~uint256(1)) {
                tree.sideNodes[level] = path[level]; // the side node a later insertion reads
            }
        }
        return path[path.length - 1];
    }

    /// @dev The new leaf's path nodes (levels 0..depth) and the old leaf's root, from the same siblings.
    function _paths(
        address hasher,
        uint256 index,
        uint256 size,
        uint256 depth,
        uint256 oldNode,
        uint256 node,
        uint256[] calldata siblingNodes
    ) private view returns (uint256[] memory path, uint256) {
        path = new uint256[](depth + 1);
        uint256 used = 0;
        for (uint256 level = 0; level < depth; ++level) {
            path[level] = node;
            if ((index >> level) & 1 == 1) {
                if (used == siblingNodes.length) revert WrongSiblingNodes();
                node = hash(hasher, siblingNodes[used], node);
                oldNode = hash(hasher, siblingNodes[used++], oldNode);
            } else if (index >> level < (size - 1) >> level) {
                if (used == siblingNodes.length) revert WrongSiblingNodes();
                node = hash(hasher, node, siblingNodes[used]);
                oldNode = hash(hasher, oldNode, siblingNodes[used++]);
            }
        }
        if (used != siblingNodes.length) revert WrongSiblingNodes();
        path[depth] = node;
        return (path, oldNode);
    }

    /// @notice Poseidon(left, right) computed by the generated hasher contract.
    function hash(address hasher, uint256 left, uint256 right) internal view returns (uint256 result) {
        bool ok;
        assembly ("memory-safe") {
            mstore(0x00, left)
            mstore(0x20, right)
            ok := staticcall(gas(), hasher, 0x00, 0x40, 0x00, 0x20)
            ok := and(ok, eq(returndatasize(), 0x20))
            result := mload(0x00)
        }
        if (!ok) revert HasherFailed();
    }
}
