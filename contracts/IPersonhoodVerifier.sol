// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IPersonhoodVerifier
/// @notice Checks a Semaphore-v4 membership proof against the personhood registry. Both functions return
///         nothing and revert with a named error when the proof is not acceptable.
interface IPersonhoodVerifier {
    function verifyProof(
        uint256 root,
        uint256 nullifier,
        uint256 message,
        uint256 scope,
        uint256 depth,
        uint256[8] calldata points
    ) external view;

    function verifyProofAtRoot(
        uint256 root,
        uint256 nullifier,
        uint256 message,
        uint256 scope,
        uint256[8] calldata points
    ) external view;
}
