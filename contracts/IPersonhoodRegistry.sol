// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title IPersonhoodRegistry
/// @notice What a proof verifier needs from the registry: is a root acceptable now, and for which depth.
interface IPersonhoodRegistry {
    /// @notice The proof depth for `root`; reverts UnknownRoot or RootExpired when it is not acceptable.
    function checkRoot(uint256 root) external view returns (uint256 depth);
}
