"""Root admin: two-step ownership transfer, appointing and removing accreditors."""

from __future__ import annotations

from hocba.artifact import load_artifact
from tests.contracts.registry_env import ADMIN_UNIT, Chain

ZERO_ADDRESS = "0x" + "00" * 20


def test_deployer_is_owner(chain: Chain) -> None:
    assert chain.registry.functions.owner().call() == chain.roles.admin


def test_transfer_needs_acceptance(chain: Chain) -> None:
    fn = chain.registry.functions
    receipt = chain.send(fn.transferOwnership(chain.roles.fresh), chain.roles.admin)

    assert chain.events(receipt, "OwnershipTransferStarted") == [
        {"previousOwner": chain.roles.admin, "newOwner": chain.roles.fresh}
    ]
    assert fn.owner().call() == chain.roles.admin
    assert fn.pendingOwner().call() == chain.roles.fresh


def test_transfer_accepted(chain: Chain) -> None:
    fn = chain.registry.functions
    chain.send(fn.transferOwnership(chain.roles.fresh), chain.roles.admin)
    receipt = chain.send(fn.acceptOwnership(), chain.roles.fresh)

    assert chain.events(receipt, "OwnershipTransferred") == [
        {"previousOwner": chain.roles.admin, "newOwner": chain.roles.fresh}
    ]
    assert fn.owner().call() == chain.roles.fresh
    assert fn.pendingOwner().call() == ZERO_ADDRESS


def test_new_owner_appoints(chain: Chain) -> None:
    fn = chain.registry.functions
    chain.send(fn.transferOwnership(chain.roles.fresh), chain.roles.admin)
    chain.send(fn.acceptOwnership(), chain.roles.fresh)

    chain.send(fn.appointAccreditor(chain.roles.stranger, "UBND xã Mới", 26751), chain.roles.fresh)
    name, arguments = chain.revert_of(
        fn.appointAccreditor(chain.roles.stranger, "UBND xã Mới", 26751), chain.roles.admin
    )

    assert fn.isAccreditor(chain.roles.stranger).call() is True
    assert name == "OwnableUnauthorizedAccount"
    assert arguments == {"account": chain.roles.admin}


def test_pending_owner_has_no_power(chain: Chain) -> None:
    fn = chain.registry.functions
    chain.send(fn.transferOwnership(chain.roles.fresh), chain.roles.admin)

    name, arguments = chain.revert_of(
        fn.removeAccreditor(chain.roles.accreditor), chain.roles.fresh
    )

    assert name == "OwnableUnauthorizedAccount"
    assert arguments == {"account": chain.roles.fresh}


def test_appoint_records_accreditor(chain: Chain) -> None:
    fn = chain.registry.functions
    receipt = chain.send(
        fn.appointAccreditor(chain.roles.fresh, "UBND xã Tân Nhựt", 26752), chain.roles.admin
    )

    assert chain.events(receipt, "AccreditorAppointed") == [
        {"account": chain.roles.fresh, "adminUnitCode": 26752, "name": "UBND xã Tân Nhựt"}
    ]
    assert chain.view("accreditor", chain.roles.fresh) == {
        "name": "UBND xã Tân Nhựt",
        "adminUnitCode": 26752,
        "appointedBlock": receipt["blockNumber"],
        "removedBlock": 0,
    }
    assert fn.isAccreditor(chain.roles.fresh).call() is True


def test_appoint_zero_address(chain: Chain) -> None:
    call = chain.registry.functions.appointAccreditor(ZERO_ADDRESS, "UBND", 1)
    assert chain.revert_of(call, chain.roles.admin) == ("RegistryZeroAddress", {})


def test_appoint_empty_name(chain: Chain) -> None:
    call = chain.registry.functions.appointAccreditor(chain.roles.fresh, "", 1)
    assert chain.revert_of(call, chain.roles.admin) == ("RegistryEmptyName", {})


def test_appoint_zero_unit(chain: Chain) -> None:
    call = chain.registry.functions.appointAccreditor(chain.roles.fresh, "UBND", 0)
    assert chain.revert_of(call, chain.roles.admin) == (
        "RegistryInvalidAdminUnitCode",
        {"adminUnitCode": 0},
    )


def test_appoint_twice(chain: Chain) -> None:
    appointed = chain.view("accreditor", chain.roles.accreditor)["appointedBlock"]
    call = chain.registry.functions.appointAccreditor(chain.roles.accreditor, "UBND", ADMIN_UNIT)

    assert chain.revert_of(call, chain.roles.admin) == (
        "RegistryAccreditorAlreadyAppointed",
        {"account": chain.roles.accreditor, "appointedBlock": appointed},
    )


def test_reappoint_removed(chain: Chain) -> None:
    account = chain.roles.removed_accreditor
    appointed = chain.view("accreditor", account)["appointedBlock"]
    call = chain.registry.functions.appointAccreditor(account, "UBND", ADMIN_UNIT)

    assert chain.revert_of(call, chain.roles.admin) == (
        "RegistryAccreditorAlreadyAppointed",
        {"account": account, "appointedBlock": appointed},
    )


def test_remove_records_block(chain: Chain) -> None:
    fn = chain.registry.functions
    receipt = chain.send(fn.removeAccreditor(chain.roles.accreditor), chain.roles.admin)

    assert chain.events(receipt, "AccreditorRemoved") == [{"account": chain.roles.accreditor}]
    assert (
        chain.view("accreditor", chain.roles.accreditor)["removedBlock"] == receipt["blockNumber"]
    )
    assert fn.isAccreditor(chain.roles.accreditor).call() is False


def test_remove_keeps_issuers(chain: Chain) -> None:
    fn = chain.registry.functions
    chain.send(fn.removeAccreditor(chain.roles.accreditor), chain.roles.admin)

    receipt = chain.send(fn.anchor(b"\x77" * 32), chain.roles.issuer)

    assert receipt["status"] == 1
    assert chain.view("issuer", chain.roles.issuer)["accreditor"] == chain.roles.accreditor


def test_remove_unknown(chain: Chain) -> None:
    call = chain.registry.functions.removeAccreditor(chain.roles.stranger)
    assert chain.revert_of(call, chain.roles.admin) == (
        "RegistryNotAccreditor",
        {"account": chain.roles.stranger},
    )


def test_remove_twice(chain: Chain) -> None:
    call = chain.registry.functions.removeAccreditor(chain.roles.removed_accreditor)
    assert chain.revert_of(call, chain.roles.admin) == (
        "RegistryNotAccreditor",
        {"account": chain.roles.removed_accreditor},
    )


def test_unknown_accreditor_zeros(chain: Chain) -> None:
    assert chain.view("accreditor", chain.roles.stranger) == {
        "name": "",
        "adminUnitCode": 0,
        "appointedBlock": 0,
        "removedBlock": 0,
    }
    assert chain.registry.functions.isAccreditor(chain.roles.stranger).call() is False


def test_deploy_zero_owner(chain: Chain) -> None:
    factory = chain.w3.eth.contract(abi=chain.abi, bytecode=load_artifact()["bytecode"])
    name, arguments = chain.revert_of(factory.constructor(ZERO_ADDRESS), chain.roles.admin)

    assert name == "OwnableInvalidOwner"
    assert arguments == {"owner": ZERO_ADDRESS}


def test_transfer_cancelled(chain: Chain) -> None:
    fn = chain.registry.functions
    chain.send(fn.transferOwnership(chain.roles.fresh), chain.roles.admin)
    chain.send(fn.transferOwnership(ZERO_ADDRESS), chain.roles.admin)

    name, _ = chain.revert_of(fn.acceptOwnership(), chain.roles.fresh)

    assert name == "OwnableUnauthorizedAccount"
    assert fn.owner().call() == chain.roles.admin
