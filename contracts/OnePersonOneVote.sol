// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IPersonhoodVerifier} from "./IPersonhoodVerifier.sol";
import {TallyBook} from "./TallyBook.sol";

/// @title OnePersonOneVote
/// @notice Anonymous one-person-one-vote ballots over the personhood group. A vote is a Semaphore proof
///         whose scope is this ballot's proposal (bound to chain id and contract address) and whose message
///         is the chosen option; a nullifier counts once. Anyone may create proposals and relay votes.
contract OnePersonOneVote {
    IPersonhoodVerifier public immutable verifier;
    /// @notice Number of proposals created; ids are 0 .. proposalCount - 1.
    uint256 public proposalCount;
    mapping(uint256 proposalId => bytes32) public descriptionHash;
    /// @notice Nullifiers already counted. A nullifier is Poseidon(scope, secret) and the scope names the
    ///         proposal, so one set for all proposals is one set per proposal.
    mapping(uint256 nullifier => bool) public nullifierUsed;
    mapping(uint256 proposalId => mapping(uint256 => uint256)) internal _words;

    event ProposalCreated(
        uint256 indexed proposalId, address indexed proposer, bytes32 descriptionHash, uint256 options, uint256 start, uint256 end
    );
    event VoteCast(uint256 indexed proposalId, uint256 indexed nullifier, uint256 option);

    error VotingNotStarted(uint256 start);
    error VotingEnded(uint256 end);
    error VotingNotEnded(uint256 end);
    error NullifierAlreadyUsed(uint256 nullifier);

    constructor(IPersonhoodVerifier verifier_) {
        verifier = verifier_;
    }

    /// @notice Opens a proposal with `options` choices (2..32), votable from `start` to `end` inclusive.
    function createProposal(bytes32 description, uint256 options, uint256 start, uint256 end)
        external
        returns (uint256 proposalId)
    {
        proposalId = proposalCount++;
        TallyBook.create(_words[proposalId], start, end, options, 0);
        descriptionHash[proposalId] = description;
        emit ProposalCreated(proposalId, msg.sender, description, options, start, end);
    }

    /// @notice The Semaphore scope of a proposal: keccak256(chain id, this contract, proposal id) in the field.
    function scopeOf(uint256 proposalId) public view returns (uint256) {
        return uint256(keccak256(abi.encode(block.chainid, address(this), proposalId))) >> 8;
    }

    /// @notice Counts one vote for `option`. Reverts on an unknown proposal, outside the voting window, on an
    ///         invalid option, a used nullifier, or a proof the verifier refuses (its named errors).
    function castVote(uint256 proposalId, uint256 option, uint256 root, uint256 nullifier, uint256[8] calldata points)
        external
    {
        mapping(uint256 => uint256) storage words = _words[proposalId];
        uint256 header = words[0];
        (uint256 start, uint256 end, uint256 options,) = TallyBook.unpack(header, proposalId);
        if (block.timestamp < start) revert VotingNotStarted(start);
        if (block.timestamp > end) revert VotingEnded(end);
        if (option >= options) revert TallyBook.InvalidOption(option, options);
        if (nullifierUsed[nullifier]) revert NullifierAlreadyUsed(nullifier);
        verifier.verifyProofAtRoot(root, nullifier, option, scopeOf(proposalId), points);
        nullifierUsed[nullifier] = true;
        (uint256 w, uint256 shift) = TallyBook.lane(option);
        words[w] = TallyBook.addToLane(w == 0 ? header : words[w], shift, 1, option);
        emit VoteCast(proposalId, nullifier, option);
    }

    /// @notice (start, end, options) of a proposal.
    function proposal(uint256 proposalId) external view returns (uint256 start, uint256 end, uint256 options) {
        (start, end, options,) = TallyBook.unpack(_words[proposalId][0], proposalId);
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
}
