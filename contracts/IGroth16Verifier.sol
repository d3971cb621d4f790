// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IGroth16Verifier
/// @notice The interface of the verifier snarkjs exports (`zkey export solidityverifier`) for a circuit
///         with four public signals: [merkleTreeRoot, nullifier, hash(message), hash(scope)].
interface IGroth16Verifier {
    /// @notice True when the proof (A, B, C) is valid for the public signals. Returns false, not a revert,
    ///         on a bad proof AND when the pairing precompile ran out of gas: send it enough gas.
    function verifyProof(
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[4] calldata pubSignals
    ) external view returns (bool);
}
