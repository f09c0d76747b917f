// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {LearningRecordRegistry} from "../contracts/LearningRecordRegistry.sol";
import {CheatcodeTest} from "./Cheatcodes.sol";

/// @notice Deploys a registry owned by the test contract with one accreditor and one
/// accredited issuer, at block 10 so that cut-off blocks below the current block exist.
abstract contract RegistryFixture is CheatcodeTest {
    uint32 internal constant UNIT_CODE = 1;
    address internal constant ACCREDITOR = address(0xACC1);
    address internal constant OTHER_ACCREDITOR = address(0xACC2);
    address internal constant ISSUER = address(0x1551);
    address internal constant STRANGER = address(0x5757);
    bytes32 internal constant KEY = keccak256("issuer key 1");

    LearningRecordRegistry internal registry;

    function setUp() public virtual {
        vm.roll(10);
        registry = new LearningRecordRegistry(address(this));
        registry.appointAccreditor(ACCREDITOR, unicode"Sở GD&ĐT", UNIT_CODE);
        registry.appointAccreditor(OTHER_ACCREDITOR, unicode"UBND xã", 2);
        vm.prank(ACCREDITOR);
        registry.accreditIssuer(ISSUER, "79000701", UNIT_CODE, unicode"THPT Nguyễn Du");
        vm.prank(ACCREDITOR);
        registry.addIssuerKey(ISSUER, KEY);
        vm.roll(20);
    }

    function _anchorAs(address account, bytes32 root) internal {
        vm.prank(account);
        registry.anchor(root);
    }
}
