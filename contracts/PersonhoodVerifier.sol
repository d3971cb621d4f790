// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGroth16Verifier} from "./IGroth16Verifier.sol";
import {IPersonhoodRegistry} from "./IPersonhoodRegistry.sol";
import {IPersonhoodVerifier} from "./IPersonhoodVerifier.sol";

/// @title PersonhoodVerifier
/// @notice The one call a dapp needs: is this a valid Semaphore-v4 proof of membership in the personhood
///         group, at an acceptable root, for this message and scope? Nullifier bookkeeping stays with
///         the dapp (a nullifier is unique per identity and scope).
/// @dev Groth16 verifiers are registered per tree depth: the official Semaphore ceremony has one key per
///      depth, while a single own circuit registers the same verifier for every depth it covers.
///      Registration is append-only, so the owner can follow a growing tree but never swap a key.
contract PersonhoodVerifier is IPersonhoodVerifier {
    /// @notice BN254's scalar field order r (public signals live in this field).
    uint256 internal constant SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice BN254's base field order q (proof point coordinates live in this field).
    uint256 internal constant BASE_FIELD =
        21888242871839275222246405745257275088696311157297823662689037894645226208583;
    uint256 public constant MAX_DEPTH = 32;

    IPersonhoodRegistry public immutable registry;
    address public owner;
    mapping(uint256 depth => IGroth16Verifier) public verifiers;

    event VerifierRegistered(uint256 indexed depth, address verifier);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    error NotOwner(address caller);
    error ZeroAddress();
    error NotInField(uint256 value);
    error PointNotInField(uint256 index, uint256 value);
    error WrongDepth(uint256 expected, uint256 given);
    error NoVerifierForDepth(uint256 depth);
    error VerifierAlreadySet(uint256 depth);
    error InvalidProof();

    constructor(IPersonhoodRegistry registry_, address initialOwner) {
        if (address(registry_) == address(0) || initialOwner == address(0)) revert ZeroAddress();
        registry = registry_;
        owner = initialOwner;
        emit OwnershipTransferred(address(0), initialOwner);
    }

    /// @notice Registers the Groth16 verifier for proofs of tree depth `depth` (1..32), once.
    function setVerifier(uint256 depth, IGroth16Verifier verifier) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (address(verifier) == address(0)) revert ZeroAddress();
        if (depth == 0 || depth > MAX_DEPTH) revert NoVerifierForDepth(depth);
        if (address(verifiers[depth]) != address(0)) revert VerifierAlreadySet(depth);
        verifiers[depth] = verifier;
        emit VerifierRegistered(depth, address(verifier));
    }

    /// @notice Hands the verifier registrations to `newOwner`.
    function transferOwnership(address newOwner) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    /// @notice Reverts unless `points` prove membership at `root` (a proof of depth `depth`) for this
    ///         nullifier, message and scope. Errors: NotInField, PointNotInField, UnknownRoot / RootExpired
    ///         (from the registry), WrongDepth, NoVerifierForDepth, InvalidProof.
    /// @dev Send it with an explicit gas limit (>= 300,000): short of gas the pairing fails as InvalidProof.
    function verifyProof(
        uint256 root,
        uint256 nullifier,
        uint256 message,
        uint256 scope,
        uint256 depth,
        uint256[8] calldata points
    ) external view {
        _checkRanges(root, nullifier, points);
        uint256 expected = registry.checkRoot(root);
        if (depth != expected) revert WrongDepth(expected, depth);
        _verify(root, nullifier, message, scope, depth, points);
    }

    /// @notice As verifyProof, with the depth the registry recorded for `root` (what ballots use).
    function verifyProofAtRoot(
        uint256 root,
        uint256 nullifier,
        uint256 message,
        uint256 scope,
        uint256[8] calldata points
    ) external view {
        _checkRanges(root, nullifier, points);
        _verify(root, nullifier, message, scope, registry.checkRoot(root), points);
    }

    /// @notice Semaphore's hash of a message or scope: keccak256 of the 32-byte word >> 8.
    function hashToField(uint256 value) public pure returns (uint256 result) {
        assembly ("memory-safe") {
            mstore(0x00, value)
            result := shr(8, keccak256(0x00, 0x20))
        }
    }

    function _checkRanges(uint256 root, uint256 nullifier, uint256[8] calldata points) private pure {
        if (root >= SNARK_SCALAR_FIELD) revert NotInField(root);
        if (nullifier >= SNARK_SCALAR_FIELD) revert NotInField(nullifier);
        for (uint256 i = 0; i < 8; ++i) {
            if (points[i] >= BASE_FIELD) revert PointNotInField(i, points[i]);
        }
    }

    function _verify(
        uint256 root,
        uint256 nullifier,
        uint256 message,
        uint256 scope,
        uint256 depth,
        uint256[8] calldata points
    ) private view {
        IGroth16Verifier verifier = verifiers[depth];
        if (address(verifier) == address(0)) revert NoVerifierForDepth(depth);
        uint256 messageHash = hashToField(message);
        uint256 scopeHash = hashToField(scope);
        bytes4 selector = IGroth16Verifier.verifyProof.selector;
        bool ok;
        // verifyProof(uint256[2] pA, uint256[2][2] pB, uint256[2] pC, uint256[4] pubSignals): all static, so
        // the arguments are 12 consecutive words: the 8 points in Solidity order, then the public signals.
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, selector)
            calldatacopy(add(m, 0x04), points, 0x100)
            mstore(add(m, 0x104), root)
            mstore(add(m, 0x124), nullifier)
            mstore(add(m, 0x144), messageHash)
            mstore(add(m, 0x164), scopeHash)
            let success := staticcall(gas(), verifier, m, 0x184, m, 0x20)
            ok := and(success, and(eq(returndatasize(), 0x20), eq(mload(m), 1)))
        }
        if (!ok) revert InvalidProof();
    }
}
