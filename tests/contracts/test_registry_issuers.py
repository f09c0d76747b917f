"""Accreditors managing issuers: accreditation, renaming, reassignment and withdrawal."""

from __future__ import annotations

from tests.contracts.registry_env import ADMIN_UNIT, NEW_KEY, OTHER_ADMIN_UNIT, Chain

ZERO_ADDRESS = "0x" + "00" * 20


def _accredit(
    chain: Chain,
    account: str,
    school_code: str = "79000999",
    unit: int = 26734,
    name: str = "Trường Mới",
) -> object:
    return chain.registry.functions.accreditIssuer(account, school_code, unit, name)


def test_accredit_records_issuer(chain: Chain) -> None:
    receipt = chain.send(_accredit(chain, chain.roles.fresh), chain.roles.accreditor)
    block = receipt["blockNumber"]

    assert chain.events(receipt, "IssuerAccredited") == [
        {
            "issuer": chain.roles.fresh,
            "accreditor": chain.roles.accreditor,
            "adminUnitCode": 26734,
            "schoolCode": "79000999",
            "name": "Trường Mới",
        }
    ]
    assert chain.view("issuer", chain.roles.fresh) == {
        "accreditor": chain.roles.accreditor,
        "accreditedFrom": block,
        "withdrawnCutoff": 0,
        "name": "Trường Mới",
        "schoolCode": "79000999",
        "adminUnitCode": 26734,
    }
    assert chain.registry.functions.issuerNames(chain.roles.fresh).call() == [("Trường Mới", block)]
    assert chain.registry.functions.issuerAccreditors(chain.roles.fresh).call() == [
        (chain.roles.accreditor, block)
    ]


def test_accredit_zero_address(chain: Chain) -> None:
    call = _accredit(chain, ZERO_ADDRESS)
    assert chain.revert_of(call, chain.roles.accreditor) == ("RegistryZeroAddress", {})


def test_accredit_empty_school_code(chain: Chain) -> None:
    call = _accredit(chain, chain.roles.fresh, school_code="")
    assert chain.revert_of(call, chain.roles.accreditor) == ("RegistryEmptySchoolCode", {})


def test_accredit_empty_name(chain: Chain) -> None:
    call = _accredit(chain, chain.roles.fresh, name="")
    assert chain.revert_of(call, chain.roles.accreditor) == ("RegistryEmptyName", {})


def test_accredit_zero_unit(chain: Chain) -> None:
    call = _accredit(chain, chain.roles.fresh, unit=0)
    assert chain.revert_of(call, chain.roles.accreditor) == (
        "RegistryInvalidAdminUnitCode",
        {"adminUnitCode": 0},
    )


def test_accredit_twice(chain: Chain) -> None:
    start = chain.view("issuer", chain.roles.issuer)["accreditedFrom"]
    call = _accredit(chain, chain.roles.issuer)

    assert chain.revert_of(call, chain.roles.other_accreditor) == (
        "RegistryIssuerAlreadyAccredited",
        {"issuer": chain.roles.issuer, "accreditedFrom": start},
    )


def test_accredit_withdrawn_again(chain: Chain) -> None:
    start = chain.view("issuer", chain.roles.withdrawn_issuer)["accreditedFrom"]
    call = _accredit(chain, chain.roles.withdrawn_issuer)

    assert chain.revert_of(call, chain.roles.accreditor) == (
        "RegistryIssuerAlreadyAccredited",
        {"issuer": chain.roles.withdrawn_issuer, "accreditedFrom": start},
    )


def test_rename_keeps_history(chain: Chain) -> None:
    fn = chain.registry.functions
    first_block = chain.view("issuer", chain.roles.issuer)["accreditedFrom"]
    receipt = chain.send(
        fn.renameIssuer(chain.roles.issuer, "Trường THCS Văn Lang (phường Bến Thành)"),
        chain.roles.accreditor,
    )

    assert chain.events(receipt, "IssuerRenamed") == [
        {"issuer": chain.roles.issuer, "name": "Trường THCS Văn Lang (phường Bến Thành)"}
    ]
    assert fn.issuerNames(chain.roles.issuer).call() == [
        ("Trường THCS Văn Lang", first_block),
        ("Trường THCS Văn Lang (phường Bến Thành)", receipt["blockNumber"]),
    ]
    assert chain.view("issuer", chain.roles.issuer)["name"] == (
        "Trường THCS Văn Lang (phường Bến Thành)"
    )


def test_rename_empty(chain: Chain) -> None:
    call = chain.registry.functions.renameIssuer(chain.roles.issuer, "")
    assert chain.revert_of(call, chain.roles.accreditor) == ("RegistryEmptyName", {})


def test_rename_unknown_issuer(chain: Chain) -> None:
    call = chain.registry.functions.renameIssuer(chain.roles.fresh, "X")
    assert chain.revert_of(call, chain.roles.accreditor) == (
        "RegistryUnknownIssuer",
        {"issuer": chain.roles.fresh},
    )


def test_rename_withdrawn(chain: Chain) -> None:
    cutoff = chain.view("issuer", chain.roles.withdrawn_issuer)["withdrawnCutoff"]
    call = chain.registry.functions.renameIssuer(chain.roles.withdrawn_issuer, "X")

    assert chain.revert_of(call, chain.roles.accreditor) == (
        "RegistryIssuerWithdrawn",
        {"issuer": chain.roles.withdrawn_issuer, "cutoffBlock": cutoff},
    )


def test_reassign_moves_supervision(chain: Chain) -> None:
    fn = chain.registry.functions
    start = chain.view("issuer", chain.roles.issuer)["accreditedFrom"]
    receipt = chain.send(
        fn.reassignIssuer(chain.roles.issuer, chain.roles.other_accreditor), chain.roles.admin
    )

    assert chain.events(receipt, "IssuerReassigned") == [
        {
            "issuer": chain.roles.issuer,
            "previousAccreditor": chain.roles.accreditor,
            "newAccreditor": chain.roles.other_accreditor,
        }
    ]
    assert fn.issuerAccreditors(chain.roles.issuer).call() == [
        (chain.roles.accreditor, start),
        (chain.roles.other_accreditor, receipt["blockNumber"]),
    ]
    assert chain.view("issuer", chain.roles.issuer)["accreditor"] == chain.roles.other_accreditor


def test_reassign_hands_over_keys(chain: Chain) -> None:
    fn = chain.registry.functions
    chain.send(
        fn.reassignIssuer(chain.roles.issuer, chain.roles.other_accreditor), chain.roles.admin
    )

    chain.send(fn.addIssuerKey(chain.roles.issuer, NEW_KEY), chain.roles.other_accreditor)
    name, arguments = chain.revert_of(
        fn.renameIssuer(chain.roles.issuer, "X"), chain.roles.accreditor
    )

    assert chain.view("issuerKey", chain.roles.issuer, NEW_KEY)["addedBlock"] == chain.head()
    assert name == "RegistryNotIssuerAccreditor"
    assert arguments == {"issuer": chain.roles.issuer, "caller": chain.roles.accreditor}


def test_reassign_orphan(chain: Chain) -> None:
    fn = chain.registry.functions
    chain.send(
        fn.reassignIssuer(chain.roles.orphan_issuer, chain.roles.accreditor), chain.roles.admin
    )

    receipt = chain.send(
        fn.addIssuerKey(chain.roles.orphan_issuer, NEW_KEY), chain.roles.accreditor
    )

    assert receipt["status"] == 1


def test_reassign_withdrawn_allowed(chain: Chain) -> None:
    fn = chain.registry.functions
    receipt = chain.send(
        fn.reassignIssuer(chain.roles.withdrawn_issuer, chain.roles.other_accreditor),
        chain.roles.admin,
    )
    assert receipt["status"] == 1


def test_reassign_unknown_issuer(chain: Chain) -> None:
    call = chain.registry.functions.reassignIssuer(chain.roles.fresh, chain.roles.accreditor)
    assert chain.revert_of(call, chain.roles.admin) == (
        "RegistryUnknownIssuer",
        {"issuer": chain.roles.fresh},
    )


def test_reassign_to_removed(chain: Chain) -> None:
    call = chain.registry.functions.reassignIssuer(
        chain.roles.issuer, chain.roles.removed_accreditor
    )
    assert chain.revert_of(call, chain.roles.admin) == (
        "RegistryNotAccreditor",
        {"account": chain.roles.removed_accreditor},
    )


def test_reassign_to_same(chain: Chain) -> None:
    call = chain.registry.functions.reassignIssuer(chain.roles.issuer, chain.roles.accreditor)
    assert chain.revert_of(call, chain.roles.admin) == (
        "RegistryAlreadySupervising",
        {"issuer": chain.roles.issuer, "accreditor": chain.roles.accreditor},
    )


def test_issuer_unit_codes(chain: Chain) -> None:
    assert chain.view("issuer", chain.roles.issuer)["adminUnitCode"] == ADMIN_UNIT
    assert chain.view("issuer", chain.roles.other_issuer)["adminUnitCode"] == OTHER_ADMIN_UNIT


# ---------------------------------------------------------------- withdrawal cut-offs


def _withdraw(chain: Chain, cutoff: int, sender: str | None = None) -> tuple[str, dict]:
    call = chain.registry.functions.withdrawIssuer(chain.roles.issuer, cutoff)
    return chain.revert_of(call, sender or chain.roles.accreditor)


def _accredited_from(chain: Chain) -> int:
    return chain.view("issuer", chain.roles.issuer)["accreditedFrom"]


def test_withdraw_in_past(chain: Chain) -> None:
    cutoff = _accredited_from(chain) + 1
    receipt = chain.send(
        chain.registry.functions.withdrawIssuer(chain.roles.issuer, cutoff), chain.roles.accreditor
    )

    assert chain.events(receipt, "IssuerWithdrawn") == [
        {"issuer": chain.roles.issuer, "by": chain.roles.accreditor, "cutoffBlock": cutoff}
    ]
    assert chain.view("issuer", chain.roles.issuer)["withdrawnCutoff"] == cutoff


def test_withdraw_at_start(chain: Chain) -> None:
    start = _accredited_from(chain)
    chain.send(
        chain.registry.functions.withdrawIssuer(chain.roles.issuer, start), chain.roles.accreditor
    )
    assert chain.view("issuer", chain.roles.issuer)["withdrawnCutoff"] == start


def test_withdraw_in_current_block(chain: Chain) -> None:
    cutoff = chain.head() + 1
    receipt = chain.send(
        chain.registry.functions.withdrawIssuer(chain.roles.issuer, cutoff), chain.roles.admin
    )
    assert receipt["blockNumber"] == cutoff


def test_withdraw_before_start(chain: Chain) -> None:
    start = _accredited_from(chain)
    assert _withdraw(chain, start - 1) == (
        "RegistryCutoffBeforeStart",
        {"cutoff": start - 1, "start": start},
    )


def test_withdraw_in_future(chain: Chain) -> None:
    current = chain.head() + 1
    assert _withdraw(chain, current + 1) == (
        "RegistryCutoffInFuture",
        {"cutoff": current + 1, "current": current},
    )


def test_withdraw_moved_earlier(chain: Chain) -> None:
    fn = chain.registry.functions
    start = _accredited_from(chain)
    chain.send(fn.withdrawIssuer(chain.roles.issuer, start + 3), chain.roles.accreditor)

    chain.send(fn.withdrawIssuer(chain.roles.issuer, start + 1), chain.roles.admin)

    assert chain.view("issuer", chain.roles.issuer)["withdrawnCutoff"] == start + 1


def test_withdraw_moved_later(chain: Chain) -> None:
    fn = chain.registry.functions
    start = _accredited_from(chain)
    chain.send(fn.withdrawIssuer(chain.roles.issuer, start + 1), chain.roles.accreditor)

    assert _withdraw(chain, start + 2) == (
        "RegistryCutoffNotEarlier",
        {"cutoff": start + 2, "existing": start + 1},
    )


def test_withdraw_same_cutoff(chain: Chain) -> None:
    fn = chain.registry.functions
    start = _accredited_from(chain)
    chain.send(fn.withdrawIssuer(chain.roles.issuer, start + 1), chain.roles.accreditor)

    assert _withdraw(chain, start + 1, chain.roles.admin) == (
        "RegistryCutoffNotEarlier",
        {"cutoff": start + 1, "existing": start + 1},
    )


def test_withdraw_unknown_issuer(chain: Chain) -> None:
    call = chain.registry.functions.withdrawIssuer(chain.roles.fresh, chain.head())
    assert chain.revert_of(call, chain.roles.admin) == (
        "RegistryUnknownIssuer",
        {"issuer": chain.roles.fresh},
    )


def test_withdrawn_cannot_anchor(chain: Chain) -> None:
    fn = chain.registry.functions
    start = _accredited_from(chain)
    chain.send(fn.withdrawIssuer(chain.roles.issuer, start + 2), chain.roles.accreditor)

    assert chain.revert_of(fn.anchor(b"\x99" * 32), chain.roles.issuer) == (
        "RegistryIssuerWithdrawn",
        {"issuer": chain.roles.issuer, "cutoffBlock": start + 2},
    )


def test_withdrawn_cannot_add_key(chain: Chain) -> None:
    cutoff = chain.view("issuer", chain.roles.withdrawn_issuer)["withdrawnCutoff"]
    call = chain.registry.functions.addIssuerKey(chain.roles.withdrawn_issuer, NEW_KEY)

    assert chain.revert_of(call, chain.roles.accreditor) == (
        "RegistryIssuerWithdrawn",
        {"issuer": chain.roles.withdrawn_issuer, "cutoffBlock": cutoff},
    )
