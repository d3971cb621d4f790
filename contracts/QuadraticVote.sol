// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ballot} from "./Ballot.sol";
import {IPersonhoodVerifier} from "./IPersonhoodVerifier.sol";
import {TallyBook} from "./TallyBook.sol";

/// @title QuadraticVote
/// @notice Anonymous quadratic ballots over the personhood group. Each person casts one ballot per proposal
///         (one nullifier): a vector of non-negative votes, one per option, whose squares sum to at most the
///         proposal's voice-credit budget. The proof's message is the field hash of the ABI-encoded vector
///         (keccak256(abi.encodePacked(votes)) >> 8), so a relayer cannot alter the ballot.
contract QuadraticVote is Ballot {
    event ProposalCreated(
        uint256 indexed proposalId,
        address indexed proposer,
        bytes32 descriptionHash,
        uint256 options,
        uint256 start,
        uint256 end,
        uint256 budget
    );
    event BallotCast(uint256 indexed proposalId, uint256 indexed nullifier, uint256[] votes);

    error WrongVoteCount(uint256 expected, uint256 given);
    error OverBudget(uint256 cost, uint256 budget);

    constructor(IPersonhoodVerifier verifier_) Ballot(verifier_) {}

    /// @notice Opens a proposal with `options` choices (2..32) and `budget` voice credits (1..2^24-1) per person.
    function createProposal(bytes32 description, uint256 options, uint256 start, uint256 end, uint256 budget)
        external
        returns (uint256 proposalId)
    {
        if (budget == 0) revert TallyBook.BadProposal();
        proposalId = _openProposal(description, options, start, end, budget);
        emit ProposalCreated(proposalId, msg.sender, description, options, start, end, budget);
    }

    /// @notice The proof message for a vote vector: keccak256(abi.encodePacked(votes)) >> 8.
    function messageOf(uint256[] calldata votes) public pure returns (uint256) {
        return uint256(keccak256(abi.encodePacked(votes))) >> 8;
    }

    /// @notice Counts one ballot. Reverts outside the window, on a wrong vector length, over budget, on a used
    ///         nullifier, or a proof the verifier refuses (its named errors).
    function castVote(
        uint256 proposalId,
        uint256[] calldata votes,
        uint256 root,
        uint256 nullifier,
        uint256[8] calldata points
    ) external {
        mapping(uint256 => uint256) storage words = _words[proposalId];
        uint256 header = words[0];
        _checkBallot(header, proposalId, votes);
        _spend(proposalId, messageOf(votes), root, nullifier, points);
        TallyBook.addAll(words, header, votes);
        emit BallotCast(proposalId, nullifier, votes);
    }

    /// @dev Reverts unless the proposal is open and `votes` is a vector of its length within budget.
    function _checkBallot(uint256 header, uint256 proposalId, uint256[] calldata votes) private view {
        (uint256 start, uint256 end, uint256 options, uint256 budget) = TallyBook.unpack(header, proposalId);
        _requireOpen(start, end);
        if (votes.length != options) revert WrongVoteCount(options, votes.length);
        uint256 cost = 0;
        for (uint256 i = 0; i < options; ++i) {
            uint256 v = votes[i];
            if (v > budget) revert OverBudget(type(uint256).max, budget); // and v * v cannot overflow
            cost += v * v;
        }
        if (cost > budget) revert OverBudget(cost, budget);
    }

    /// @notice (start, end, options, budget) of a proposal.
    function proposal(uint256 proposalId)
        external
        view
        returns (uint256 start, uint256 end, uint256 options, uint256 budget)
    {
        return TallyBook.unpack(_words[proposalId][0], proposalId);
    }
}
