// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @notice The Foundry-style cheatcodes these tests use, as Hardhat 3's EDR runtime serves them
/// at the fixed cheatcode address. Written here because forge-std comes from GitHub only.
interface Cheatcodes {
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function roll(uint256 blockNumber) external;
    function warp(uint256 timestamp) external;
    function assume(bool condition) external pure;
    function expectRevert(bytes calldata revertData) external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData) external;
    function readFile(string calldata path) external view returns (string memory);
    function parseJsonUint(string calldata json, string calldata key) external pure returns (uint256);
    function parseJsonBytes32(string calldata json, string calldata key) external pure returns (bytes32);
    function parseJsonBytes32Array(string calldata json, string calldata key)
        external
        pure
        returns (bytes32[] memory);
    function parseJsonKeys(string calldata json, string calldata key) external pure returns (string[] memory);
    function toString(uint256 value) external pure returns (string memory);
}

/// @notice Base contract with the cheatcode handle and small assertion helpers that revert
/// with a message naming the compared values.
abstract contract CheatcodeTest {
    Cheatcodes internal constant vm =
        Cheatcodes(address(uint160(uint256(keccak256("hevm cheat code")))));

    error AssertionFailed(string what, bytes32 actual, bytes32 expected);

    function assertEq(bytes32 actual, bytes32 expected, string memory what) internal pure {
        if (actual != expected) revert AssertionFailed(what, actual, expected);
    }

    function assertEq(uint256 actual, uint256 expected, string memory what) internal pure {
        if (actual != expected) revert AssertionFailed(what, bytes32(actual), bytes32(expected));
    }

    function assertEq(address actual, address expected, string memory what) internal pure {
        if (actual != expected) {
            revert AssertionFailed(what, bytes32(uint256(uint160(actual))), bytes32(uint256(uint160(expected))));
        }
    }

    function assertTrue(bool condition, string memory what) internal pure {
        if (!condition) revert AssertionFailed(what, bytes32(0), bytes32(uint256(1)));
    }
}
