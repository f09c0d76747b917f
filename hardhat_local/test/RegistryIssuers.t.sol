// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {ILearningRecordRegistry as IRegistry} from "../contracts/ILearningRecordRegistry.sol";
import {RegistryFixture} from "./RegistryFixture.sol";

/// @notice Accreditor functions (accredit, rename, withdraw, add key) and key revocation.
contract RegistryIssuersTest is RegistryFixture {
    address internal constant NEW_ISSUER = address(0x1552);
    bytes32 internal constant KEY2 = keccak256("issuer key 2");

    function test_accreditIssuer_records() public {
        vm.prank(ACCREDITOR);
        registry.accreditIssuer(NEW_ISSUER, "79000702", UNIT_CODE, unicode"THPT Lê Lợi");

        IRegistry.IssuerView memory view_ = registry.issuer(NEW_ISSUER);
        assertEq(view_.accreditor, ACCREDITOR, "accreditor");
        assertEq(view_.accreditedFrom, 20, "accreditedFrom");
        assertEq(keccak256(bytes(view_.name)), keccak256(bytes(unicode"THPT Lê Lợi")), "name");
    }

    function test_accreditIssuer_revertsForNonAccreditor() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotAccreditor.selector, STRANGER));
        vm.prank(STRANGER);
        registry.accreditIssuer(NEW_ISSUER, "79000702", UNIT_CODE, "x");
    }

    function test_accreditIssuer_revertsForRemovedAccreditor() public {
        registry.removeAccreditor(ACCREDITOR);

        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotAccreditor.selector, ACCREDITOR));
        vm.prank(ACCREDITOR);
        registry.accreditIssuer(NEW_ISSUER, "79000702", UNIT_CODE, "x");
    }

    function test_accreditIssuer_revertsOnRepeat() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryIssuerAlreadyAccredited.selector, ISSUER, uint64(10)));
        vm.prank(OTHER_ACCREDITOR);
        registry.accreditIssuer(ISSUER, "79000701", UNIT_CODE, "x");
    }

    function test_accreditIssuer_revertsOnEmptySchoolCode() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryEmptySchoolCode.selector));
        vm.prank(ACCREDITOR);
        registry.accreditIssuer(NEW_ISSUER, "", UNIT_CODE, "x");
    }

    function test_accreditIssuer_revertsOnZeroAddress() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryZeroAddress.selector));
        vm.prank(ACCREDITOR);
        registry.accreditIssuer(address(0), "79000702", UNIT_CODE, "x");
    }

    function test_renameIssuer_keepsHistory() public {
        vm.prank(ACCREDITOR);
        registry.renameIssuer(ISSUER, unicode"THPT chuyên Nguyễn Du");

        assertEq(registry.issuerNames(ISSUER).length, 2, "name history length");
        assertEq(registry.issuerNames(ISSUER)[1].fromBlock, 20, "fromBlock of new name");
    }

    function test_renameIssuer_revertsForOtherAccreditor() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotIssuerAccreditor.selector, ISSUER, OTHER_ACCREDITOR));
        vm.prank(OTHER_ACCREDITOR);
        registry.renameIssuer(ISSUER, "x");
    }

    function test_withdrawIssuer_blocksAnchoring() public {
        vm.prank(ACCREDITOR);
        registry.withdrawIssuer(ISSUER, 15);

        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryIssuerWithdrawn.selector, ISSUER, uint64(15)));
        _anchorAs(ISSUER, keccak256("root"));
    }

    function test_withdrawIssuer_byOwner() public {
        registry.withdrawIssuer(ISSUER, 20);

        assertEq(registry.issuer(ISSUER).withdrawnCutoff, 20, "withdrawnCutoff");
    }

    function test_withdrawIssuer_revertsOnFutureCutoff() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryCutoffInFuture.selector, uint64(21), uint64(20)));
        vm.prank(ACCREDITOR);
        registry.withdrawIssuer(ISSUER, 21);
    }

    function test_withdrawIssuer_revertsBeforeStart() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryCutoffBeforeStart.selector, uint64(9), uint64(10)));
        vm.prank(ACCREDITOR);
        registry.withdrawIssuer(ISSUER, 9);
    }

    function test_withdrawIssuer_onlyMovesEarlier() public {
        vm.prank(ACCREDITOR);
        registry.withdrawIssuer(ISSUER, 15);

        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryCutoffNotEarlier.selector, uint64(15), uint64(15)));
        vm.prank(ACCREDITOR);
        registry.withdrawIssuer(ISSUER, 15);
    }

    function test_withdrawIssuer_revertsForStranger() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotIssuerAccreditor.selector, ISSUER, STRANGER));
        vm.prank(STRANGER);
        registry.withdrawIssuer(ISSUER, 15);
    }

    function test_addIssuerKey_records() public {
        vm.prank(ACCREDITOR);
        registry.addIssuerKey(ISSUER, KEY2);

        assertEq(registry.issuerKey(ISSUER, KEY2).addedBlock, 20, "addedBlock");
    }

    function test_addIssuerKey_revertsOnZeroKey() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryZeroKey.selector));
        vm.prank(ACCREDITOR);
        registry.addIssuerKey(ISSUER, bytes32(0));
    }

    function test_addIssuerKey_revertsOnRepeat() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryKeyAlreadyAdded.selector, ISSUER, KEY, uint64(10)));
        vm.prank(ACCREDITOR);
        registry.addIssuerKey(ISSUER, KEY);
    }

    function test_addIssuerKey_revertsForIssuer() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotIssuerAccreditor.selector, ISSUER, ISSUER));
        vm.prank(ISSUER);
        registry.addIssuerKey(ISSUER, KEY2);
    }

    function test_revokeIssuerKey_byIssuer() public {
        vm.prank(ISSUER);
        registry.revokeIssuerKey(ISSUER, KEY, 12);

        assertEq(registry.issuerKey(ISSUER, KEY).cutoffBlock, 12, "cutoffBlock");
    }

    function test_revokeIssuerKey_revertsForStranger() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryNotIssuerOrAccreditor.selector, ISSUER, STRANGER));
        vm.prank(STRANGER);
        registry.revokeIssuerKey(ISSUER, KEY, 12);
    }

    function test_revokeIssuerKey_revertsOnUnknownKey() public {
        vm.expectRevert(abi.encodeWithSelector(IRegistry.RegistryUnknownKey.selector, ISSUER, KEY2));
        vm.prank(ACCREDITOR);
        registry.revokeIssuerKey(ISSUER, KEY2, 12);
    }

    function testFuzz_withdrawIssuer_cutoffWindow(uint64 cutoff) public {
        bool valid = cutoff >= 10 && cutoff <= 20;
        vm.assume(!valid);

        vm.prank(ACCREDITOR);
        (bool ok,) = address(registry).call(abi.encodeCall(registry.withdrawIssuer, (ISSUER, cutoff)));
        assertTrue(!ok, "cut-off outside [accreditedFrom, block.number] accepted");
    }
}
