// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {Ballot} from "./Ballot.sol";
import {IPersonhoodVerifier} from "./IPersonhoodVerifier.sol";
import {TallyBook} from "./TallyBook.sol";

/// @title OnePersonOneVote
/// @notice Anonymous one-person-one-vote ballots over the personhood group. A vote is a Semaphore proof
///         whose scope is this ballot's proposal (bound to chain id and contract address) and whose message
///         is the chosen option; a nullifier counts once. Anyone may create proposals and relay votes.
contract OnePersonOneVote is Ballot {
    event ProposalCreated(
        uint256 indexed proposalId, address indexed proposer, bytes32 descriptionHash, uint256 options, uint256 start, uint256 end
    );
    event VoteCast(uint256 indexed proposalId, uint256 indexed nullifier, uint256 option);

    constructor(IPersonhoodVerifier verifier_) Ballot(verifier_) {}

    /// @notice Opens a proposal with `options` choices (2..32), votable from `start` to `end` inclusive.
    function createProposal(bytes32 description, uint256 options, uint256 start, uint256 end)
        external
        returns (uint256 proposalId)
    {
        proposalId = _openProposal(description, options, start, end, 0);
        emit ProposalCreated(proposalId, msg.sender, description, options, start, end);
    }

    /// @notice Counts one vote for `option`. Reverts on an unknown proposal, outside the voting window, on an
    ///         invalid option, a used nullifier, or a proof the verifier refuses (its named errors).
    function castVote(uint256 proposalId, uint256 option, uint256 root, uint256 nullifier, uint256[8] calldata points)
        external
    {
        mapping(uint256 => uint256) storage words = _words[proposalId];
        uint256 header = words[0];
        (uint256 start, uint256 end, uint256 options,) = TallyBook.unpack(header, proposalId);
        _requireOpen(start, end);
        if (option >= options) revert TallyBook.InvalidOption(option, options);
        _spend(proposalId, option, root, nullifier, points);
        (uint256 w, uint256 shift) = TallyBook.lane(option);
        words[w] = TallyBook.addToLane(w == 0 ? header : words[w], shift, 1, option);
        emit VoteCast(proposalId, nullifier, option);
    }

    /// @notice (start, end, options) of a proposal.
    function proposal(uint256 proposalId) external view returns (uint256 start, uint256 end, uint256 options) {
        (start, end, options,) = TallyBook.unpack(_words[proposalId][0], proposalId);
    }
}
