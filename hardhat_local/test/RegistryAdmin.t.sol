// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

import {ILearningRecordRegistry as IRegistry} from "../contracts/ILearningRecordRegistry.sol";
import {RegistryFixture} from "./RegistryFixture.sol";

/// @notice Owner-only functions: accreditor appointment and removal, issuer reassignment,
/// the two-step ownership transfer and the disabled renounce.
contract RegistryAdminTest is RegistryFixture {
    address internal constant NEW_ACCREDITOR = address(0xACC3);
    address internal constant NEW_OWNER = address(0x0E1);

    function test_appointAccreditor_records() public {
        registry.appointAccreditor(NEW_ACCREDITOR, unicode"UBND phường", 3);

        IRegistry.AccreditorView memory record = registry.accreditor(NEW_ACCREDITOR);
        assertEq(record.appointedBlock, 20, "appointedBlock");
        assertEq(record.adminUnitCode, 3, "adminUnitCode");
        assertTrue(registry.isAccreditor(NEW_ACCREDITOR), "isAccreditor");
    }

    function test_appointAccreditor_emits() public {
        vm.expectEmit(true, true, false, true);
        emit IRegistry.AccreditorAppointed(NEW_ACCREDITOR, 3, unicode"UBND phường");
        registry.appointAccreditor(NEW_ACCREDITOR, unicode"UBND phường", 3);
    }

    function test_appointAccreditor_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, STRANGER));
        vm.prank(STRANGER);
        registry.appointAccreditor(NEW_ACCREDITOR, "x", 3);
    }

    function test_appointAccreditor_revertsOnZeroAddress() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryZeroAddress.selector));
        registry.appointAccreditor(address(0), "x", 3);
    }

    function test_appointAccreditor_revertsOnEmptyName() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryEmptyName.selector));
        registry.appointAccreditor(NEW_ACCREDITOR, "", 3);
    }

    function test_appointAccreditor_revertsOnZeroUnitCode() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryInvalidAdminUnitCode.selector, uint32(0)));
        registry.appointAccreditor(NEW_ACCREDITOR, "x", 0);
    }

    function test_appointAccreditor_revertsOnRepeat() public {
        vm.expectRevert(
            abi.encodeWithSelector(IRegistry.RegistryAccreditorAlreadyAppointed.selector, ACCREDITOR, uint64(10))
        );
        registry.appointAccreditor(ACCREDITOR, "x", 3);
    }

    function test_removeAccreditor_isPermanent() public {
        registry.removeAccreditor(ACCREDITOR);

        assertTrue(!registry.isAccreditor(ACCREDITOR), "isAccreditor after removal");
        vm.expectRevert(
            abi.encodeWithSelector(IRegistry.RegistryAccreditorAlreadyAppointed.selector, ACCREDITOR, uint64(10))
        );
        registry.appointAccreditor(ACCREDITOR, "x", 3);
    }

    function test_removeAccreditor_revertsForUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotAccreditor.selector, STRANGER));
        registry.removeAccreditor(STRANGER);
    }

    function test_removeAccreditor_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, ACCREDITOR));
        vm.prank(ACCREDITOR);
        registry.removeAccreditor(OTHER_ACCREDITOR);
    }

    function test_reassignIssuer_movesSupervision() public {
        registry.reassignIssuer(ISSUER, OTHER_ACCREDITOR);

        assertEq(registry.issuer(ISSUER).accreditor, OTHER_ACCREDITOR, "accreditor");
        assertEq(registry.issuerAccreditors(ISSUER).length, 2, "supervision history length");
    }

    function test_reassignIssuer_revertsOnSameAccreditor() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryAlreadySupervising.selector, ISSUER, ACCREDITOR));
        registry.reassignIssuer(ISSUER, ACCREDITOR);
    }

    function test_reassignIssuer_revertsOnUnknownIssuer() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryUnknownIssuer.selector, STRANGER));
        registry.reassignIssuer(STRANGER, OTHER_ACCREDITOR);
    }

    function test_renounceOwnership_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryRenounceDisabled.selector));
        registry.renounceOwnership();
    }

    function test_transferOwnership_isTwoStep() public {
        registry.transferOwnership(NEW_OWNER);

        assertEq(registry.owner(), address(this), "owner before acceptance");
        assertEq(registry.pendingOwner(), NEW_OWNER, "pendingOwner");
        vm.prank(NEW_OWNER);
        registry.acceptOwnership();
        assertEq(registry.owner(), NEW_OWNER, "owner after acceptance");
    }

    function test_acceptOwnership_revertsForOthers() public {
        registry.transferOwnership(NEW_OWNER);

        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, STRANGER));
        vm.prank(STRANGER);
        registry.acceptOwnership();
    }
}
