// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {LearningRecordRegistry} from "../contracts/LearningRecordRegistry.sol";
import {ILearningRecordRegistry as IRegistry} from "../contracts/ILearningRecordRegistry.sol";
import {CheatcodeTest} from "./Cheatcodes.sol";

/// @notice Drives the registry through random sequences of role-correct and role-wrong calls
/// and keeps a ghost copy of what must never change afterwards.
contract RegistryHandler is CheatcodeTest {
    uint256 internal constant ACCOUNT_COUNT = 4;

    LearningRecordRegistry public immutable registry;

    bytes32[] public roots;
    mapping(bytes32 root => address) public ghostIssuer;
    mapping(bytes32 root => uint64) public ghostBlock;
    mapping(bytes32 root => uint256) public ghostSeed;

    bytes32[] public revokedRoots;
    bytes32[] public revokedLeaves;
    mapping(bytes32 leaf => uint64) public ghostRevokedBlock;

    uint256 public anchorsWithoutAccreditation;
    address public ghostOwner;

    constructor() {
        registry = new LearningRecordRegistry(address(this));
        ghostOwner = address(this);
        registry.appointAccreditor(_accreditor(0), "A0", 1);
        registry.appointAccreditor(_accreditor(1), "A1", 2);
    }

    function _accreditor(uint256 seed) internal pure returns (address) {
        return address(uint160(0xA000 + seed % 2));
    }

    function _account(uint256 seed) internal pure returns (address) {
        return address(uint160(0xB000 + seed % ACCOUNT_COUNT));
    }

    function _leaf(uint256 seed, uint256 index) internal pure returns (bytes32) {
        return keccak256(abi.encode("leaf", seed, index));
    }

    /// Two-leaf tree per seed: root = keccak256 of the sorted pair.
    function _root(uint256 seed) internal pure returns (bytes32) {
        bytes32 a = _leaf(seed, 0);
        bytes32 b = _leaf(seed, 1);
        return a < b ? keccak256(abi.encodePacked(a, b)) : keccak256(abi.encodePacked(b, a));
    }

    function rootCount() external view returns (uint256) {
        return roots.length;
    }

    function revokedCount() external view returns (uint256) {
        return revokedLeaves.length;
    }

    function advanceBlocks(uint8 blocks) external {
        vm.roll(block.number + 1 + blocks % 8);
    }

    function accredit(uint256 accreditorSeed, uint256 accountSeed) external {
        vm.prank(_accreditor(accreditorSeed));
        try registry.accreditIssuer(_account(accountSeed), "79000701", 1, "School") {} catch {}
    }

    function withdraw(uint256 accountSeed, uint8 blocksBack) external {
        address account = _account(accountSeed);
        IRegistry.IssuerView memory status = registry.issuer(account);
        uint64 cutoff = uint64(block.number) - uint64(blocksBack % 4);
        vm.prank(status.accreditor);
        try registry.withdrawIssuer(account, cutoff) {} catch {}
    }

    function removeAccreditor(uint256 accreditorSeed) external {
        try registry.removeAccreditor(_accreditor(accreditorSeed)) {} catch {}
    }

    function anchor(uint256 accountSeed, uint256 rootSeed) external {
        address account = _account(accountSeed);
        uint256 seed = rootSeed % 16;
        bytes32 root = _root(seed);
        IRegistry.IssuerView memory status = registry.issuer(account);
        bool accredited = status.accreditor != address(0) && status.withdrawnCutoff == 0;

        vm.prank(account);
        try registry.anchor(root) {
            if (!accredited) anchorsWithoutAccreditation++;
            roots.push(root);
            ghostIssuer[root] = account;
            ghostBlock[root] = uint64(block.number);
            ghostSeed[root] = seed;
        } catch {}
    }

    /// Revokes a leaf of an anchored tree as its issuer, or as another account when
    /// `asStranger` is set (which must fail).
    function revokeCredential(uint256 pick, uint256 leafIndex, bool asStranger, uint256 strangerSeed) external {
        if (roots.length == 0) return;
        bytes32 root = roots[pick % roots.length];
        uint256 seed = ghostSeed[root];
        bytes32 leaf = _leaf(seed, leafIndex % 2);
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = _leaf(seed, 1 - leafIndex % 2);
        address caller = asStranger ? _account(strangerSeed) : ghostIssuer[root];

        vm.prank(caller);
        try registry.revokeCredential(root, leaf, proof, 1) {
            revokedRoots.push(root);
            revokedLeaves.push(leaf);
            ghostRevokedBlock[leaf] = uint64(block.number);
        } catch {}
    }

    function suspendOrReinstate(uint256 accountSeed, uint256 rootSeed, uint256 leafIndex, bool suspend) external {
        uint256 seed = rootSeed % 16;
        bytes32[] memory proof = new bytes32[](1);
        proof[0] = _leaf(seed, 1 - leafIndex % 2);

        vm.prank(_account(accountSeed));
        if (suspend) {
            try registry.suspendCredential(_root(seed), _leaf(seed, leafIndex % 2), proof) {} catch {}
        } else {
            try registry.reinstateCredential(_root(seed), _leaf(seed, leafIndex % 2), proof) {} catch {}
        }
    }

    function revokeBatch(uint256 accountSeed, uint256 rootSeed) external {
        vm.prank(_account(accountSeed));
        try registry.revokeBatch(_root(rootSeed % 16), 1) {} catch {}
    }

    function transferOwnership(uint256 accountSeed) external {
        vm.prank(ghostOwner);
        try registry.transferOwnership(_account(accountSeed)) {} catch {}
    }

    function acceptOwnership(uint256 accountSeed) external {
        address caller = _account(accountSeed);
        bool pending = registry.pendingOwner() == caller;

        vm.prank(caller);
        try registry.acceptOwnership() {
            if (pending) ghostOwner = caller;
        } catch {}
    }
}

/// @notice Invariants: an anchored root never disappears or changes issuer or block, a revoked
/// credential stays revoked, nothing is anchored without a valid accreditation, and ownership
/// moves only when the pending owner accepts.
contract RegistryInvariantsTest is CheatcodeTest {
    RegistryHandler internal handler;

    function setUp() public {
        vm.roll(10);
        handler = new RegistryHandler();
    }

    /// Read by the invariant fuzzer: only the handler's functions are called.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    function invariant_anchoredRootsAreStable() public view {
        LearningRecordRegistry registry = handler.registry();
        for (uint256 i = 0; i < handler.rootCount(); i++) {
            bytes32 root = handler.roots(i);
            IRegistry.BatchView memory record = registry.batch(root);
            assertEq(record.issuer, handler.ghostIssuer(root), "batch issuer");
            assertEq(record.anchoredBlock, handler.ghostBlock(root), "batch block");
        }
    }

    function invariant_revokedStaysRevoked() public view {
        LearningRecordRegistry registry = handler.registry();
        for (uint256 i = 0; i < handler.revokedCount(); i++) {
            bytes32 leaf = handler.revokedLeaves(i);
            IRegistry.CredentialView memory status = registry.credentialStatus(handler.revokedRoots(i), leaf);
            assertEq(status.revokedBlock, handler.ghostRevokedBlock(leaf), "revokedBlock");
        }
    }

    function invariant_noAnchorWithoutAccreditation() public view {
        LearningRecordRegistry registry = handler.registry();
        assertEq(handler.anchorsWithoutAccreditation(), 0, "anchors without accreditation");
        for (uint256 i = 0; i < handler.rootCount(); i++) {
            bytes32 root = handler.roots(i);
            IRegistry.IssuerView memory issuer = registry.issuer(handler.ghostIssuer(root));
            assertTrue(issuer.accreditedFrom != 0, "batch issuer never accredited");
            assertTrue(issuer.accreditedFrom <= handler.ghostBlock(root), "anchored before accreditation");
        }
    }

    function invariant_ownerMovesOnlyOnAccept() public view {
        assertEq(handler.registry().owner(), handler.ghostOwner(), "owner");
    }
}
