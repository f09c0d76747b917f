// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ILearningRecordRegistry as IRegistry} from "../contracts/ILearningRecordRegistry.sol";
import {RegistryFixture} from "./RegistryFixture.sol";

/// @notice Anchoring, batch revocation and credential revocation, suspension and reinstatement,
/// using a two-leaf tree built here (inner node = keccak256 of the sorted pair).
contract RegistryBatchesTest is RegistryFixture {
    bytes32 internal constant LEAF_A = keccak256("leaf a");
    bytes32 internal constant LEAF_B = keccak256("leaf b");

    bytes32 internal root;

    function setUp() public override {
        super.setUp();
        root = _pairHash(LEAF_A, LEAF_B);
        vm.warp(1_750_000_000);
        _anchorAs(ISSUER, root);
    }

    function _pairHash(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encodePacked(a, b)) : keccak256(abi.encodePacked(b, a));
    }

    function _proofFor(bytes32 sibling) internal pure returns (bytes32[] memory proof) {
        proof = new bytes32[](1);
        proof[0] = sibling;
    }

    function test_anchor_recordsIssuerBlockTime() public view {
        IRegistry.BatchView memory record = registry.batch(root);

        assertEq(record.issuer, ISSUER, "issuer");
        assertEq(record.anchoredBlock, 20, "anchoredBlock");
        assertEq(record.anchoredAt, 1_750_000_000, "anchoredAt");
    }

    function test_anchor_emits() public {
        bytes32 next = keccak256("next root");

        vm.expectEmit(true, true, false, true);
        emit IRegistry.BatchAnchored(next, ISSUER);
        _anchorAs(ISSUER, next);
    }

    function test_anchor_revertsOnRepeat() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryRootAlreadyAnchored.selector, root, ISSUER));
        _anchorAs(ISSUER, root);
    }

    function test_anchor_revertsOnZeroRoot() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryZeroRoot.selector));
        _anchorAs(ISSUER, bytes32(0));
    }

    function test_anchor_revertsForUnknownIssuer() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryUnknownIssuer.selector, STRANGER));
        _anchorAs(STRANGER, keccak256("other"));
    }

    function test_anchor_revertsForAccreditor() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryUnknownIssuer.selector, ACCREDITOR));
        _anchorAs(ACCREDITOR, keccak256("other"));
    }

    function test_revokeBatch_records() public {
        vm.prank(ISSUER);
        registry.revokeBatch(root, 3);

        assertEq(registry.batch(root).revokedBlock, 20, "revokedBlock");
        assertEq(registry.batch(root).revokedReason, 3, "revokedReason");
    }

    function test_revokeBatch_revertsOnRepeat() public {
        vm.prank(ISSUER);
        registry.revokeBatch(root, 3);

        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryBatchAlreadyRevoked.selector, root, uint64(20)));
        vm.prank(ISSUER);
        registry.revokeBatch(root, 3);
    }

    function test_revokeBatch_revertsForOtherAccount() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotBatchIssuer.selector, root, ACCREDITOR));
        vm.prank(ACCREDITOR);
        registry.revokeBatch(root, 3);
    }

    function test_revokeBatch_revertsOnUnknownRoot() public {
        bytes32 unknown = keccak256("unknown");

        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryUnknownRoot.selector, unknown));
        vm.prank(ISSUER);
        registry.revokeBatch(unknown, 3);
    }

    function test_revokeCredential_records() public {
        vm.prank(ISSUER);
        registry.revokeCredential(root, LEAF_A, _proofFor(LEAF_B), 2);

        assertEq(registry.credentialStatus(root, LEAF_A).revokedBlock, 20, "revokedBlock");
        assertEq(registry.credentialStatus(root, LEAF_B).revokedBlock, 0, "sibling revokedBlock");
    }

    function test_revokeCredential_revertsOnBadProof() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryInvalidProof.selector, root, LEAF_A));
        vm.prank(ISSUER);
        registry.revokeCredential(root, LEAF_A, _proofFor(LEAF_A), 2);
    }

    function test_revokeCredential_revertsOnRepeat() public {
        vm.prank(ISSUER);
        registry.revokeCredential(root, LEAF_A, _proofFor(LEAF_B), 2);

        vm.expectRevert(
            abi.encodeWithSelector(IRegistry.RegistryCredentialAlreadyRevoked.selector, root, LEAF_A, uint64(20))
        );
        vm.prank(ISSUER);
        registry.revokeCredential(root, LEAF_A, _proofFor(LEAF_B), 2);
    }

    function test_revokeCredential_revertsInRevokedBatch() public {
        vm.prank(ISSUER);
        registry.revokeBatch(root, 1);

        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryBatchAlreadyRevoked.selector, root, uint64(20)));
        vm.prank(ISSUER);
        registry.revokeCredential(root, LEAF_A, _proofFor(LEAF_B), 2);
    }

    function test_suspendCredential_thenReinstate() public {
        vm.prank(ISSUER);
        registry.suspendCredential(root, LEAF_A, _proofFor(LEAF_B));
        assertEq(registry.credentialStatus(root, LEAF_A).suspendedBlock, 20, "suspendedBlock");

        vm.prank(ISSUER);
        registry.reinstateCredential(root, LEAF_A, _proofFor(LEAF_B));
        assertEq(registry.credentialStatus(root, LEAF_A).suspendedBlock, 0, "suspendedBlock after reinstate");
    }

    function test_suspendCredential_revertsOnRepeat() public {
        vm.prank(ISSUER);
        registry.suspendCredential(root, LEAF_A, _proofFor(LEAF_B));

        vm.expectRevert(
            abi.encodeWithSelector(IRegistry.RegistryCredentialAlreadySuspended.selector, root, LEAF_A, uint64(20))
        );
        vm.prank(ISSUER);
        registry.suspendCredential(root, LEAF_A, _proofFor(LEAF_B));
    }

    function test_reinstateCredential_revertsWhenNotSuspended() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryCredentialNotSuspended.selector, root, LEAF_A));
        vm.prank(ISSUER);
        registry.reinstateCredential(root, LEAF_A, _proofFor(LEAF_B));
    }

    function test_revokeCredential_clearsSuspension() public {
        vm.prank(ISSUER);
        registry.suspendCredential(root, LEAF_A, _proofFor(LEAF_B));
        vm.prank(ISSUER);
        registry.revokeCredential(root, LEAF_A, _proofFor(LEAF_B), 2);

        assertEq(registry.credentialStatus(root, LEAF_A).suspendedBlock, 0, "suspendedBlock");
    }

    function test_verificationState_combinesRecords() public view {
        IRegistry.VerificationState memory state = registry.verificationState(root, LEAF_A, ISSUER, KEY);

        assertEq(state.batchIssuer, ISSUER, "batchIssuer");
        assertEq(state.issuerAccreditor, ACCREDITOR, "issuerAccreditor");
        assertEq(state.keyAddedBlock, 10, "keyAddedBlock");
    }

    function testFuzz_anchor_anyNonZeroRoot(bytes32 fuzzRoot) public {
        vm.assume(fuzzRoot != bytes32(0) && fuzzRoot != root);

        _anchorAs(ISSUER, fuzzRoot);

        assertEq(registry.batch(fuzzRoot).issuer, ISSUER, "issuer");
    }

    function testFuzz_revokeCredential_rejectsForeignLeaf(bytes32 leaf, bytes32 sibling) public {
        vm.assume(_pairHash(leaf, sibling) != root);

        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryInvalidProof.selector, root, leaf));
        vm.prank(ISSUER);
        registry.revokeCredential(root, leaf, _proofFor(sibling), 2);
    }
}
