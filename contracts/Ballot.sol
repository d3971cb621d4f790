// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPersonhoodVerifier} from "./IPersonhoodVerifier.sol";
import {TallyBook} from "./TallyBook.sol";

/// @title Ballot
/// @notice What every anonymous ballot over the personhood group shares: proposals in packed TallyBook
///         storage, a Semaphore scope per proposal bound to chain id and contract address, the voting
///         window, one nullifier per person and proposal, and the tallies. A concrete ballot says how a
///         proposal is opened and what a vote is (one option, or a quadratic vector).
abstract contract Ballot {
    IPersonhoodVerifier public immutable verifier;
    /// @notice Number of proposals created; ids are 0 .. proposalCount - 1.
    uint256 public proposalCount;
    mapping(uint256 proposalId => bytes32) public descriptionHash;
    /// @notice Nullifiers already counted. A nullifier is Poseidon(scope, secret) and the scope names the
    ///         proposal, so one set for all proposals is one set per proposal.
    mapping(uint256 nullifier => bool) public nullifierUsed;
    mapping(uint256 proposalId => mapping(uint256 => uint256)) internal _words;

    error VotingNotStarted(uint256 start);
    error VotingEnded(uint256 end);
    error VotingNotEnded(uint256 end);
    error NullifierAlreadyUsed(uint256 nullifier);

    constructor(IPersonhoodVerifier verifier_) {
        verifier = verifier_;
    }

    /// @notice The Semaphore scope of a proposal: keccak256(chain id, this contract, proposal id) in the field.
    function scopeOf(uint256 proposalId) public view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), proposalId))) >> 8;
    }

    /// @notice The live tallies, one count per option.
    function tallies(uint256 proposalId) public view returns (uint256[] memory) {
        (,, uint256 options,) = TallyBook.unpack(_words[proposalId][0], proposalId);
        return TallyBook.tallies(_words[proposalId], options);
    }

    /// @notice The final tallies; reverts VotingNotEnded until the window has closed.
    function results(uint256 proposalId) external view returns (uint256[] memory) {
        (, uint256 end,,) = TallyBook.unpack(_words[proposalId][0], proposalId);
        if (block.timestamp <= end) revert VotingNotEnded(end);
        return tallies(proposalId);
    }

    /// @dev Writes a new proposal and returns its id (TallyBook.create validates the window and sizes).
    function _openProposal(bytes32 description, uint256 options, uint256 start, uint256 end, uint256 budget)
        internal
        returns (uint256 proposalId)
    {
        proposalId = proposalCount++;
        TallyBook.create(_words[proposalId], start, end, options, budget);
        descriptionHash[proposalId] = description;
    }

    /// @dev Reverts unless voting on a proposal with this window is open now.
    function _requireOpen(uint256 start, uint256 end) internal view {
        if (block.timestamp < start) revert VotingNotStarted(start);
        if (block.timestamp > end) revert VotingEnded(end);
    }

    /// @dev Verifies the proof for (message, the proposal's scope) and spends its nullifier; reverts on a
    ///      used nullifier or a proof the verifier refuses (its named errors).
    function _spend(uint256 proposalId, uint256 message, uint256 root, uint256 nullifier, uint256[8] calldata points)
        internal
    {
        if (nullifierUsed[nullifier]) revert NullifierAlreadyUsed(nullifier);
        verifier.verifyProofAtRoot(root, nullifier, message, scopeOf(proposalId), points);
        nullifierUsed[nullifier] = true;
    }
}
