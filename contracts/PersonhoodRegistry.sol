// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {LeanIMT} from "./LeanIMT.sol";

/// @title PersonhoodRegistry
/// @notice The group of enrolled humans: a lean incremental Merkle tree of Semaphore identity commitments.
///         An owner (a Safe multisig in production) authorizes and revokes enrollment devices; a leaf is
///         added only with an EIP-712 `Enrollment` attestation signed by an authorized device, and anyone
///         may relay it. Roots stay valid for `rootWindow` seconds after they are SUPERSEDED, and the
///         current root never expires, so a fresh proof is never refused because the group grew or idled.
///         Window changes: a superseded root keeps the smaller of the window in force when it was
///         superseded and the current one. So widening the window never revives or extends a root that
///         was already superseded (it may hold members revoked since), while narrowing it takes effect
///         at once (an emergency: retire old roots now).
/// @dev Replay: an attestation names its commitment, and a commitment can be enrolled once ever (a revoked
///      leaf stays marked), so no nonce storage is needed; the domain binds chain id and this contract;
///      `deadline` bounds how long an unused attestation stays usable; high-s signatures are refused.
contract PersonhoodRegistry {
    /// @notice BN254's scalar field order r: commitments and roots are elements of this field.
    uint256 internal constant SNARK_SCALAR_FIELD =
        21888242871839275222246405745257275088548364400416034343698204186575808495617;
    /// @notice secp256k1's group order n / 2: larger s values are the malleable twin signatures (EIP-2).
    uint256 internal constant SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    /// @notice EIP-712 type of the attestation an enrollment device signs.
    bytes32 public constant ENROLLMENT_TYPEHASH = keccak256("Enrollment(uint256 commitment,uint256 deadline)");
    bytes32 internal constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 internal constant NAME_HASH = keccak256("PersonhoodRegistry");
    bytes32 internal constant VERSION_HASH = keccak256("1");
    uint256 internal constant REVOKED_FLAG = uint256(1) << 255;

    enum DeviceStatus {
        Unknown,
        Active,
        Revoked
    }

    /// @notice The Poseidon(2) contract the tree hashes with.
    address public immutable hasher;
    uint256 private immutable _deployChainId;
    bytes32 private immutable _deployDomainSeparator;

    /// @notice May authorize and revoke devices, revoke members and set the root window.
    address public owner;
    /// @notice Seconds a root stays valid after it is superseded.
    uint64 public rootWindow;
    /// @notice The tree's current root (0 while the group is empty).
    uint256 public currentRoot;
    mapping(address device => DeviceStatus) public deviceStatus;
    LeanIMT.Tree internal _tree;
    /// @dev superseded root => (supersededAt << 72) | (rootWindow then << 8) | proof depth
    mapping(uint256 root => uint256) internal _pastRoots;
    /// @dev commitment => revoked flag (bit 255) | (leaf index + 1) << 160 | enrolling device
    mapping(uint256 commitment => uint256) internal _members;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event RootWindowChanged(uint256 window);
    event DeviceAuthorized(address indexed device);
    event DeviceRevoked(address indexed device);
    /// @notice A leaf was appended; replaying these (and MemberRevoked) rebuilds the tree.
    event MemberEnrolled(uint256 indexed commitment, uint256 index, address indexed device, uint256 root);
    /// @notice The leaf at `index` was set to zero.
    event MemberRevoked(uint256 indexed commitment, uint256 index, address indexed by, uint256 root);

    error NotOwner(address caller);
    error ZeroAddress();
    error DeviceAlreadyKnown(address device);
    error DeviceNotActive(address device);
    error InvalidSignature();
    error AttestationExpired(uint256 deadline);
    error InvalidCommitment(uint256 commitment);
    error AlreadyEnrolled(uint256 commitment);
    error NotEnrolled(uint256 commitment);
    error AlreadyRevoked(uint256 commitment);
    error NotAllowedToRevoke(address caller);
    error UnknownRoot(uint256 root);
    error RootExpired(uint256 root, uint256 supersededAt);

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @param initialOwner the owner (any address; a Safe in production).
    /// @param poseidon the Poseidon(2) hasher contract.
    /// @param window seconds a superseded root stays valid (3,600 by default in the deploy script).
    constructor(address initialOwner, address poseidon, uint64 window) {
        if (initialOwner == address(0) || poseidon == address(0)) revert ZeroAddress();
        owner = initialOwner;
        rootWindow = window;
        hasher = poseidon;
        _deployChainId = block.chainid;
        _deployDomainSeparator = _domainSeparator();
        emit OwnershipTransferred(address(0), initialOwner);
        emit RootWindowChanged(window);
    }

    // ----- administration -----

    /// @notice Hands the registry to `newOwner`.
    function transferOwnership(address newOwner) external onlyOwner {
        if (newOwner == address(0)) revert ZeroAddress();
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }

    /// @notice Sets how long roots superseded from now on stay valid. Roots already superseded keep
    ///         min(their window, this one): a wider window never extends them, a narrower one cuts them.
    function setRootWindow(uint64 window) external onlyOwner {
        rootWindow = window;
        emit RootWindowChanged(window);
    }

    /// @notice Lets `device` sign enrollments. A revoked device can never be authorized again.
    function authorizeDevice(address device) external onlyOwner {
        if (device == address(0)) revert ZeroAddress();
        if (deviceStatus[device] != DeviceStatus.Unknown) revert DeviceAlreadyKnown(device);
        deviceStatus[device] = DeviceStatus.Active;
        emit DeviceAuthorized(device);
    }

    /// @notice Stops `device` from signing enrollments (for good). Members it enrolled stay.
    function revokeDevice(address device) external onlyOwner {
        if (deviceStatus[device] != DeviceStatus.Active) revert DeviceNotActive(device);
        deviceStatus[device] = DeviceStatus.Revoked;
        emit DeviceRevoked(device);
    }

    // ----- membership -----

    /// @notice Adds `commitment` to the group, attested by an active device's EIP-712 signature.
    /// @param deadline the attestation's expiry (unix seconds), part of the signed struct.
    /// @param signature 65 bytes r || s || v over the `Enrollment(commitment, deadline)` digest.
    function enroll(uint256 commitment, uint256 deadline, bytes calldata signature) external {
        if (commitment == 0 || commitment >= SNARK_SCALAR_FIELD) revert InvalidCommitment(commitment);
        if (block.timestamp > deadline) revert AttestationExpired(deadline);
        bytes32 digest = keccak256(
            abi.encodePacked(
                "\x19\x01", domainSeparator(), keccak256(abi.encode(ENROLLMENT_TYPEHASH, commitment, deadline))
            )
        );
        address device = _recover(digest, signature);
        if (deviceStatus[device] != DeviceStatus.Active) revert DeviceNotActive(device);
        if (_members[commitment] != 0) revert AlreadyEnrolled(commitment);
        uint256 previousDepth = _tree.depth;
        (uint256 root, uint256 index) = LeanIMT.insert(_tree, hasher, commitment);
        _members[commitment] = ((index + 1) << 160) | uint160(device);
        _setRoot(root, previousDepth);
        emit MemberEnrolled(commitment, index, device, root);
    }

    /// @notice Zeroes the leaf of `commitment` (fraud, or the person's request). The owner or the
    ///         still-active device that enrolled it may call. The commitment can never be enrolled again.
    /// @param siblingNodes the leaf's existing Merkle siblings, bottom up (an indexer rebuilds them from events).
    function revoke(uint256 commitment, uint256[] calldata siblingNodes) external {
        uint256 record = _members[commitment];
        if (record == 0) revert NotEnrolled(commitment);
        if (record & REVOKED_FLAG != 0) revert AlreadyRevoked(commitment);
        address device = address(uint160(record));
        if (msg.sender != owner && !(msg.sender == device && deviceStatus[device] == DeviceStatus.Active)) {
            revert NotAllowedToRevoke(msg.sender);
        }
        uint256 index = ((record >> 160) & type(uint40).max) - 1;
        uint256 root = LeanIMT.update(_tree, hasher, index, commitment, 0, siblingNodes, currentRoot);
        _members[commitment] = record | REVOKED_FLAG;
        _setRoot(root, _tree.depth);
        emit MemberRevoked(commitment, index, msg.sender, root);
    }

    // ----- reads -----

    /// @notice The depth a proof against `root` must be made for (the tree's depth then, at least 1).
    ///         Reverts UnknownRoot for a root never seen, RootExpired once its window has passed.
    function checkRoot(uint256 root) external view returns (uint256 depth) {
        if (root == currentRoot) {
            if (root == 0) revert UnknownRoot(root);
            depth = _tree.depth;
            return depth == 0 ? 1 : depth;
        }
        uint256 record = _pastRoots[root];
        if (record == 0) revert UnknownRoot(root);
        uint256 supersededAt = record >> 72;
        uint256 windowThen = (record >> 8) & type(uint64).max;
        uint256 window = windowThen < rootWindow ? windowThen : rootWindow;
        if (block.timestamp > supersededAt + window) revert RootExpired(root, supersededAt);
        return record & 0xff;
    }

    /// @notice Number of leaves (revoked leaves included: they stay as zeros).
    function size() external view returns (uint256) {
        return _tree.size;
    }

    /// @notice The tree's depth (ceil(log2(size)); 0 for zero or one leaf).
    function depth() external view returns (uint256) {
        return _tree.depth;
    }

    /// @notice (enrolled, revoked, leaf index, enrolling device) of `commitment`.
    function member(uint256 commitment) external view returns (bool, bool, uint256, address) {
        uint256 record = _members[commitment];
        if (record == 0) return (false, false, 0, address(0));
        return (true, record & REVOKED_FLAG != 0, ((record >> 160) & type(uint40).max) - 1, address(uint160(record)));
    }

    /// @notice The EIP-712 domain separator (recomputed if the chain id changed, e.g. after a fork).
    function domainSeparator() public view returns (bytes32) {
        return block.chainid == _deployChainId ? _deployDomainSeparator : _domainSeparator();
    }

    // ----- internals -----

    function _domainSeparator() private view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    /// @dev The old root is remembered with the time it stopped being current, the window then in force
    ///      and its proof depth.
    function _setRoot(uint256 root, uint256 previousDepth) private {
        uint256 previous = currentRoot;
        if (previous != 0) {
            _pastRoots[previous] =
                (block.timestamp << 72) | (uint256(rootWindow) << 8) | (previousDepth == 0 ? 1 : previousDepth);
        }
        currentRoot = root;
    }

    function _recover(bytes32 digest, bytes calldata signature) private pure returns (address signer) {
        if (signature.length != 65) revert InvalidSignature();
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (uint256(s) > SECP256K1_HALF_N || (v != 27 && v != 28)) revert InvalidSignature();
        signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) revert InvalidSignature();
    }
}
