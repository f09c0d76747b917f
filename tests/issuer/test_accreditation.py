"""Accreditation steps on the in-process chain: rename, rotate and revoke keys, reassign,
withdraw, remove an accreditor, and the history read back from the registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from hocba.accounts import create_user
from hocba.db import AuditEvent, UserAccount
from hocba.errors import InputError, KeyStoreError, RegistryRevertError
from issuer.accreditation import (
    SchoolRegistration,
    appoint_accreditor_action,
    find_school,
    load_school_signer,
    reassign_school,
    register_school_action,
    remove_accreditor,
    rename_school,
    withdraw_school,
)
from issuer.accreditation_history import (
    block_for_time,
    list_accreditors,
    list_schools,
    read_school_history,
)
from issuer.accreditation_keys import parse_public_key, revoke_school_key, rotate_school_key
from issuer.accreditation_reverts import error_messages
from tests.network import COMMUNE, Network

SCHOOL = "79785401"
OTHER_COMMUNE = "27013"


def _actions(network: Network) -> list[str]:
    with Session(network.engine) as db:
        return [row.action for row in db.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_rename_keeps_old_names(network: Network) -> None:
    old_name = network.school.identity.name
    result = rename_school(network.keys, network.registry, network.engine, school_code=SCHOOL,
                           accreditor_unit_code=COMMUNE, new_name="Trường THCS Củ Chi Mới",
                           actor="xa-phu-hoa-dong", reason="sáp nhập")
    history = read_school_history(network.registry, network.school.account.address)
    assert [entry.name for entry in history.names] == [old_name, "Trường THCS Củ Chi Mới"]
    assert history.names[0].to_block == result.block_number
    assert history.names[1].to_block is None
    assert find_school(network.engine, SCHOOL).name == "Trường THCS Củ Chi Mới"
    assert _actions(network)[-1] == "rename"


def test_rotate_key_signs_with_new(network: Network) -> None:
    old_public = network.school.public_key
    action = rotate_school_key(network.keys, network.registry, network.engine,
                               school_code=SCHOOL, accreditor_unit_code=COMMUNE, reason="định kỳ")
    added, revoked = action.transactions
    signer = load_school_signer(network.keys, network.engine, SCHOOL)
    assert signer.public_key != old_public
    old_state = network.registry.issuer_key(signer.account.address, old_public)
    assert old_state["cutoffBlock"] == added.block_number
    assert revoked.block_number > added.block_number
    history = read_school_history(network.registry, signer.account.address)
    assert [entry.public_key for entry in history.keys] == [old_public.hex(),
                                                            signer.public_key.hex()]
    assert history.keys[1].cutoff_block == 0


def test_rotate_to_uploaded_key(network: Network) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    outside = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    rotate_school_key(network.keys, network.registry, network.engine, school_code=SCHOOL,
                      accreditor_unit_code=COMMUNE, public_key=outside)
    assert find_school(network.engine, SCHOOL).signing_key == outside.hex()
    with pytest.raises(KeyStoreError) as caught:
        load_school_signer(network.keys, network.engine, SCHOOL)
    assert caught.value.code == "signing_key_external"


def test_revoke_key_in_past(network: Network) -> None:
    account = network.school.account.address
    added = int(network.registry.issuer_key(account, network.school.public_key)["addedBlock"])
    revoke_school_key(network.keys, network.registry, network.engine, school_code=SCHOOL,
                      accreditor_unit_code=COMMUNE, public_key=network.school.public_key,
                      cutoff_block=added + 1, reason="lộ khóa")
    history = read_school_history(network.registry, account)
    assert history.keys[0].cutoff_block == added + 1
    assert history.keys[0].revoked_by == network.keys.account(f"accreditor:{COMMUNE}").address


def test_revoke_key_later_cutoff_rejected(network: Network) -> None:
    account = network.school.account.address
    added = int(network.registry.issuer_key(account, network.school.public_key)["addedBlock"])
    revoke_school_key(network.keys, network.registry, network.engine, school_code=SCHOOL,
                      accreditor_unit_code=COMMUNE, public_key=network.school.public_key,
                      cutoff_block=added + 1, reason="lộ khóa")
    with pytest.raises(RegistryRevertError) as caught:
        revoke_school_key(network.keys, network.registry, network.engine, school_code=SCHOOL,
                          accreditor_unit_code=COMMUNE, public_key=network.school.public_key,
                          cutoff_block=added + 2, reason="lần hai")
    vietnamese, english = error_messages(caught.value)
    assert caught.value.error_name == "RegistryCutoffNotEarlier"
    assert "chỉ được dời sớm hơn" in vietnamese
    assert f"block {added + 1}" in english


def test_withdraw_in_past(network: Network) -> None:
    account = network.school.account.address
    accredited_from = int(network.registry.issuer(account)["accreditedFrom"])
    result = withdraw_school(network.keys, network.registry, network.engine, school_code=SCHOOL,
                             accreditor_unit_code=COMMUNE, cutoff_block=accredited_from + 1,
                             reason="gian lận", actor="xa-phu-hoa-dong")
    history = read_school_history(network.registry, account)
    assert history.school.withdrawn_cutoff == accredited_from + 1
    assert history.withdrawals[0].block == result.block_number
    assert history.withdrawals[0].cutoff_block == accredited_from + 1


def test_rename_after_withdrawal_rejected(network: Network) -> None:
    withdraw_school(network.keys, network.registry, network.engine, school_code=SCHOOL,
                    accreditor_unit_code=COMMUNE, cutoff_block=network.chain.pinned_block()[0],
                    reason="giải thể")
    with pytest.raises(RegistryRevertError) as caught:
        rename_school(network.keys, network.registry, network.engine, school_code=SCHOOL,
                      accreditor_unit_code=COMMUNE, new_name="Tên khác")
    assert error_messages(caught.value)[0].startswith("Trường đã bị rút công nhận")


def test_reassign_moves_supervision(network: Network) -> None:
    appoint_accreditor_action(network.keys, network.registry, admin_unit_code=OTHER_COMMUNE,
                              name="UBND xã Củ Chi", engine=network.engine, actor="so-gd")
    reassign_school(network.keys, network.registry, network.engine, school_code=SCHOOL,
                    new_accreditor_unit_code=OTHER_COMMUNE, reason="điều chỉnh địa giới",
                    actor="so-gd")
    history = read_school_history(network.registry, network.school.account.address)
    assert [entry.unit_code for entry in history.supervisors] == [COMMUNE, OTHER_COMMUNE]
    assert history.supervisors[1].accreditor_name == "UBND xã Củ Chi"
    other = network.keys.account(f"accreditor:{OTHER_COMMUNE}").address
    assert [school.school_code for school in list_schools(network.registry,
                                                          accreditor=other)] == [SCHOOL]


def test_old_supervisor_cannot_rename(network: Network) -> None:
    appoint_accreditor_action(network.keys, network.registry, admin_unit_code=OTHER_COMMUNE,
                              name="UBND xã Củ Chi")
    reassign_school(network.keys, network.registry, network.engine, school_code=SCHOOL,
                    new_accreditor_unit_code=OTHER_COMMUNE, reason="chuyển")
    with pytest.raises(RegistryRevertError) as caught:
        rename_school(network.keys, network.registry, network.engine, school_code=SCHOOL,
                      accreditor_unit_code=COMMUNE, new_name="Tên khác")
    assert caught.value.error_name == "RegistryNotIssuerAccreditor"


def test_remove_accreditor_disables_login(network: Network) -> None:
    create_user(network.engine, login="xa-phu-hoa-dong", display_name="UBND xã Phú Hòa Đông",
                role="accreditor", password="mật khẩu thử nghiệm 2026", admin_unit_code=COMMUNE)
    remove_accreditor(network.keys, network.registry, network.engine, admin_unit_code=COMMUNE,
                      reason="thôi nhiệm vụ")
    [entry] = list_accreditors(network.registry)
    assert entry.removed_block > entry.appointed_block
    with Session(network.engine) as db:
        account = db.exec(select(UserAccount)).one()
    assert account.disabled


def test_register_with_uploaded_key(network: Network) -> None:
    public_hex = "11" * 32
    registration = SchoolRegistration("79785499", COMMUNE, "Trường Tiểu học Thái Mỹ", "")
    action = register_school_action(network.keys, network.registry, network.engine,
                                    registration, accreditor_unit_code=COMMUNE,
                                    public_key=parse_public_key(public_hex))
    history = read_school_history(network.registry, action.account)
    assert len(action.transactions) == 2
    assert history.keys[0].public_key == public_hex


def test_register_same_code_rejected(network: Network) -> None:
    registration = SchoolRegistration(SCHOOL, COMMUNE, "Trùng mã", "")
    with pytest.raises(InputError) as caught:
        register_school_action(network.keys, network.registry, network.engine, registration,
                               accreditor_unit_code=COMMUNE)
    assert caught.value.code == "school_code_taken"


@pytest.mark.parametrize("text", ["xyz", "11" * 31, "-----BEGIN PUBLIC KEY-----\nAAAA\n"])
def test_parse_public_key_invalid(text: str) -> None:
    with pytest.raises(InputError):
        parse_public_key(text)


def test_block_for_time(network: Network) -> None:
    latest, _ = network.chain.pinned_block()
    times = [network.chain.w3.eth.get_block(number)["timestamp"] for number in range(1, latest + 1)]
    now = datetime.now(UTC)
    expected = next((number for number, time in enumerate(times, start=1)
                     if time >= int(now.timestamp())), latest + 1)
    assert block_for_time(network.chain, now - timedelta(days=3650)) == 1
    assert block_for_time(network.chain, now) == expected
    with pytest.raises(InputError):
        block_for_time(network.chain, datetime.now(UTC) + timedelta(days=1))
