// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

import {ILearningRecordRegistry as IRegistry} from "../contracts/ILearningRecordRegistry.sol";
import {RegistryFixture} from "./RegistryFixture.sol";

/// @notice Checks the shared Merkle vectors (the same file the Python tests read) against
/// OpenZeppelin's MerkleProof and the registry's revokeCredential, and fuzzes leaf hashing.
contract MerkleVectorsTest is RegistryFixture {
    string internal constant VECTORS_PATH = "../tests/vectors/merkle/vectors.json";
    uint256 internal constant TREE_COUNT = 7;

    string internal json;

    function setUp() public override {
        super.setUp();
        json = vm.readFile(VECTORS_PATH);
    }

    function _leafHash(bytes32 leafSalt, bytes32 credentialDigest, bytes32 fieldsRoot) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(leafSalt, credentialDigest, fieldsRoot))));
    }

    function _treeKey(uint256 tree, string memory rest) internal pure returns (string memory) {
        return string.concat(".trees[", _decimal(tree), "]", rest);
    }

    function _itemKey(uint256 tree, string memory list, uint256 item, string memory field)
        internal
        pure
        returns (string memory)
    {
        return _treeKey(tree, string.concat(".", list, "[", _decimal(item), "].", field));
    }

    function _decimal(uint256 value) internal pure returns (string memory) {
        if (value < 10) return string(abi.encodePacked(bytes1(uint8(48 + value))));
        return string.concat(_decimal(value / 10), _decimal(value % 10));
    }

    function test_vectors_leafHashes() public view {
        for (uint256 t = 0; t < TREE_COUNT; t++) {
            uint256 size = vm.parseJsonUint(json, _treeKey(t, ".size"));
            for (uint256 i = 0; i < size; i++) {
                bytes32 leaf = _leafHash(
                    vm.parseJsonBytes32(json, _itemKey(t, "inputs", i, "leafSalt")),
                    vm.parseJsonBytes32(json, _itemKey(t, "inputs", i, "credentialDigest")),
                    vm.parseJsonBytes32(json, _itemKey(t, "inputs", i, "fieldsRoot"))
                );
                assertEq(leaf, vm.parseJsonBytes32(json, _itemKey(t, "inputs", i, "leaf")), "leaf hash");
            }
        }
    }

    function test_vectors_proofsVerify() public view {
        for (uint256 t = 0; t < TREE_COUNT; t++) {
            bytes32 treeRoot = vm.parseJsonBytes32(json, _treeKey(t, ".root"));
            uint256 size = vm.parseJsonUint(json, _treeKey(t, ".size"));
            for (uint256 i = 0; i < size; i++) {
                bytes32 leaf = vm.parseJsonBytes32(json, _itemKey(t, "proofs", i, "leaf"));
                bytes32[] memory proof = vm.parseJsonBytes32Array(json, _itemKey(t, "proofs", i, "proof"));
                assertTrue(MerkleProof.verify(proof, treeRoot, leaf), "vector proof rejected");
            }
        }
    }

    function test_vectors_revokeEveryLeaf() public {
        for (uint256 t = 0; t < TREE_COUNT; t++) {
            bytes32 treeRoot = vm.parseJsonBytes32(json, _treeKey(t, ".root"));
            uint256 size = vm.parseJsonUint(json, _treeKey(t, ".size"));
            _anchorAs(ISSUER, treeRoot);
            for (uint256 i = 0; i < size; i++) {
                bytes32 leaf = vm.parseJsonBytes32(json, _itemKey(t, "proofs", i, "leaf"));
                bytes32[] memory proof = vm.parseJsonBytes32Array(json, _itemKey(t, "proofs", i, "proof"));
                vm.prank(ISSUER);
                registry.revokeCredential(treeRoot, leaf, proof, 1);
                assertEq(registry.credentialStatus(treeRoot, leaf).revokedBlock, 20, "revokedBlock");
            }
        }
    }

    function test_vectors_wrongSiblingRejected() public {
        bytes32 treeRoot = vm.parseJsonBytes32(json, ".invalidProofs[0].root");
        bytes32 leaf = vm.parseJsonBytes32(json, ".invalidProofs[0].leaf");
        bytes32[] memory proof = vm.parseJsonBytes32Array(json, ".invalidProofs[0].proof");
        _anchorAs(ISSUER, treeRoot);

        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryInvalidProof.selector, treeRoot, leaf));
        vm.prank(ISSUER);
        registry.revokeCredential(treeRoot, leaf, proof, 1);
    }

    /// The registry accepts an inner node as a leaf (MerkleProof cannot tell them apart), which
    /// is why leaves are double-hashed: hashing the two children as a leaf gives another value.
    function test_vectors_secondPreimage() public view {
        bytes32 treeRoot = vm.parseJsonBytes32(json, ".invalidProofs[1].root");
        bytes32 inner = vm.parseJsonBytes32(json, ".invalidProofs[1].leaf");
        bytes32[] memory proof = vm.parseJsonBytes32Array(json, ".invalidProofs[1].proof");
        bytes32 leafOfChildren = vm.parseJsonBytes32(json, ".invalidProofs[1].leafHashOfChildren");

        assertTrue(MerkleProof.verify(proof, treeRoot, inner), "inner node accepted by MerkleProof");
        assertTrue(leafOfChildren != inner, "leaf hash of children differs from inner node");
    }

    function testFuzz_leafHash_differsFromInnerNode(bytes32 a, bytes32 b, bytes32 c) public pure {
        bytes32 leaf = _leafHash(a, b, c);
        bytes32 inner = a < b ? keccak256(abi.encodePacked(a, b)) : keccak256(abi.encodePacked(b, a));

        assertTrue(leaf != inner, "leaf hash collides with inner node");
    }

    function testFuzz_proof_rejectsTamperedSibling(uint256 tree, uint256 item, bytes32 tamper) public view {
        uint256 t = tree % TREE_COUNT;
        uint256 size = vm.parseJsonUint(json, _treeKey(t, ".size"));
        vm.assume(size > 1 && tamper != bytes32(0));
        uint256 i = item % size;
        bytes32 treeRoot = vm.parseJsonBytes32(json, _treeKey(t, ".root"));
        bytes32 leaf = vm.parseJsonBytes32(json, _itemKey(t, "proofs", i, "leaf"));
        bytes32[] memory proof = vm.parseJsonBytes32Array(json, _itemKey(t, "proofs", i, "proof"));

        proof[uint256(tamper) % proof.length] ^= tamper;

        assertTrue(!MerkleProof.verify(proof, treeRoot, leaf), "tampered proof accepted");
    }

    function testFuzz_proof_rejectsOtherLeaf(bytes32 leaf) public view {
        bytes32 treeRoot = vm.parseJsonBytes32(json, _treeKey(6, ".root"));
        bytes32[] memory proof = vm.parseJsonBytes32Array(json, _itemKey(6, "proofs", 0, "proof"));
        vm.assume(leaf != vm.parseJsonBytes32(json, _itemKey(6, "proofs", 0, "leaf")));

        assertTrue(!MerkleProof.verify(proof, treeRoot, leaf), "proof accepted for another leaf");
    }
}
