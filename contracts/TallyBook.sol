// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title TallyBook
/// @notice Packed proposal storage shared by the ballots: one header word per proposal holding the
///         voting window, option count, voice-credit budget and the first three tallies, then further
///         words of five tallies each. Tallies are 48-bit lanes (2.8e14, far above any electorate).
/// @dev Extra words get a sentinel bit when the proposal is created, so a vote always updates a non-zero
///      slot (2,900 + 2,100 gas) rather than paying 20,000 gas for the first write of a zero slot.
///      Header: start [0,40) | end [40,80) | options [80,88) | budget [88,112) | lanes [112,256).
library TallyBook {
    uint256 internal constant LANE_BITS = 48;
    uint256 internal constant LANE_MASK = (uint256(1) << LANE_BITS) - 1;
    uint256 internal constant HEAD_LANES = 3;
    uint256 internal constant HEAD_SHIFT = 112;
    uint256 internal constant WORD_LANES = 5;
    uint256 internal constant SENTINEL = uint256(1) << 255;
    uint256 internal constant MIN_OPTIONS = 2;
    uint256 internal constant MAX_OPTIONS = 32;
    uint256 internal constant MAX_BUDGET = (uint256(1) << 24) - 1;

    error BadProposal();
    error UnknownProposal(uint256 proposalId);
    error InvalidOption(uint256 option, uint256 options);
    error TallyOverflow(uint256 option);

    /// @notice Writes a new proposal's words; reverts BadProposal on an invalid window, option count or budget.
    function create(
        mapping(uint256 => uint256) storage words,
        uint256 start,
        uint256 end,
        uint256 options,
        uint256 budget
    ) internal {
        if (
            end <= start || end >= (uint256(1) << 40) || end <= block.timestamp || options < MIN_OPTIONS
                || options > MAX_OPTIONS || budget > MAX_BUDGET
        ) revert BadProposal();
        words[0] = start | (end << 40) | (options << 80) | (budget << 88);
        for (uint256 w = 1; w <= extraWords(options); ++w) {
            words[w] = SENTINEL;
        }
    }

    /// @notice Number of words after the header needed for `options` tallies.
    function extraWords(uint256 options) internal pure returns (uint256) {
        return options <= HEAD_LANES ? 0 : (options - HEAD_LANES + WORD_LANES - 1) / WORD_LANES;
    }

    /// @notice (start, end, options, budget) of a header word; reverts UnknownProposal for an empty one.
    function unpack(uint256 header, uint256 proposalId)
        internal
        pure
        returns (uint256 start, uint256 end, uint256 options, uint256 budget)
    {
        if (header == 0) revert UnknownProposal(proposalId);
        start = header & 0xffffffffff;
        end = (header >> 40) & 0xffffffffff;
        options = (header >> 80) & 0xff;
        budget = (header >> 88) & 0xffffff;
    }

    /// @notice Word index and bit offset of option `option`'s lane.
    function lane(uint256 option) internal pure returns (uint256 word, uint256 shift) {
        if (option < HEAD_LANES) return (0, HEAD_SHIFT + option * LANE_BITS);
        uint256 rest = option - HEAD_LANES;
        return (1 + rest / WORD_LANES, (rest % WORD_LANES) * LANE_BITS);
    }

    /// @notice `word` with `amount` added to the lane at `shift`; reverts TallyOverflow past 48 bits.
    function addToLane(uint256 word, uint256 shift, uint256 amount, uint256 option) internal pure returns (uint256) {
        if (((word >> shift) & LANE_MASK) + amount > LANE_MASK) revert TallyOverflow(option);
        return word + (amount << shift);
    }

    /// @notice Adds `amounts[i]` to option i's tally for every option, one read and write per word.
    function addAll(mapping(uint256 => uint256) storage words, uint256 header, uint256[] calldata amounts)
        internal
    {
        uint256 options = amounts.length;
        uint256 word = header;
        uint256 index = 0;
        bool dirty = false;
        for (uint256 option = 0; option < options; ++option) {
            (uint256 w, uint256 shift) = lane(option);
            if (w != index) {
                if (dirty) words[index] = word;
                index = w;
                word = words[w];
                dirty = false;
            }
            if (amounts[option] != 0) {
                word = addToLane(word, shift, amounts[option], option);
                dirty = true;
            }
        }
        if (dirty) words[index] = word;
    }

    /// @notice The tallies of a proposal with `options` options.
    function tallies(mapping(uint256 => uint256) storage words, uint256 options)
        internal
        view
        returns (uint256[] memory counts)
    {
        counts = new uint256[](options);
        for (uint256 option = 0; option < options; ++option) {
            (uint256 w, uint256 shift) = lane(option);
            counts[option] = (words[w] >> shift) & LANE_MASK;
        }
    }
}
