"""Back-filling past years: archived spreadsheet → old school name → chain → PDF → verifier."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from hocba.contexts import BUNDLED_CONTEXTS
from hocba.errors import InputError
from hocba.status import Status
from issuer.accreditation import accreditor_key_name
from issuer.backfill import (
    backfill_builder,
    issuer_name_history,
    name_at_block,
    plan_backfill,
)
from issuer.importer import read_class_csv, write_class_csv
from issuer.issuance import anchor_batch, prepare_batch, write_pdfs
from scripts.sample_data import generate_school
from tests.network import COMMUNE, Network
from verifier.engine import VerifierContext
from verifier.inputs import verify_bytes
from verifier.pdf import extract_credential, visible_text

OLD_NAME = "Trường THCS Phú Hòa Đông"
NEW_NAME = "Trường Trung học cơ sở Phú Hòa Đông"
TODAY = date(2026, 12, 4)


def archived_sheet(folder: Path, school_year: str) -> Path:
    """Write a three-student class of ``school_year`` as the CSV template."""
    classes = generate_school(7, school_year)[0]
    small = replace(classes, students=classes.students[:3])
    folder.mkdir(parents=True, exist_ok=True)
    return write_class_csv(small, folder / f"{small.class_name}-{school_year}.csv")


def rename(network: Network, name: str) -> None:
    accreditor = network.keys.account(accreditor_key_name(COMMUNE))
    network.registry.rename_issuer(accreditor, network.school.account.address, name)


def context_for(network: Network) -> VerifierContext:
    return VerifierContext(network.settings, chains={network.chain.chain_id: network.chain})


def issue(network: Network, sheet: Path, *, backfill: bool, out: Path) -> list[Path]:
    records = read_class_csv(sheet)
    builder = None
    if backfill:
        plan = plan_backfill(network.registry, network.school.account.address,
                             records.school_year, today=TODAY)
        builder = backfill_builder(plan)
    prepared = prepare_batch(records, network.school, builder=builder)
    batch = anchor_batch(prepared, network.school, registry=network.registry,
                         engine=network.engine)
    return write_pdfs(batch, out, verify_base_url="http://127.0.0.1:8000", issued_on=TODAY)


def embedded(path: Path) -> dict:
    return json.loads(extract_credential(path.read_bytes()))


def test_history_lists_rename(network: Network) -> None:
    rename(network, NEW_NAME)
    history = issuer_name_history(network.registry, network.school.account.address)
    assert [entry.name for entry in history] == [OLD_NAME, NEW_NAME]


def test_name_at_block_before_rename(network: Network) -> None:
    before = network.chain.pinned_block()[0]
    rename(network, NEW_NAME)
    history = issuer_name_history(network.registry, network.school.account.address)
    assert name_at_block(history, before).name == OLD_NAME


def test_year_in_progress_rejected(network: Network) -> None:
    with pytest.raises(InputError) as caught:
        plan_backfill(network.registry, network.school.account.address, "2026-2027",
                      today=TODAY)
    assert caught.value.code == "backfill_year_not_ended"


def test_year_in_progress_message_vi(network: Network) -> None:
    with pytest.raises(InputError) as caught:
        plan_backfill(network.registry, network.school.account.address, "2026-2027",
                      today=TODAY)
    assert "chưa kết thúc" in caught.value.message_vi


def test_unaccredited_school_rejected(network: Network) -> None:
    with pytest.raises(InputError) as caught:
        plan_backfill(network.registry, network.keys.account("nobody", create=True).address,
                      "2019-2020", today=TODAY)
    assert caught.value.code == "backfill_not_accredited"


def test_rename_keeps_old_valid(network: Network, tmp_path: Path) -> None:
    sheet = archived_sheet(tmp_path / "in", "2025-2026")
    pdf = issue(network, sheet, backfill=False, out=tmp_path / "pdf")[0]
    rename(network, NEW_NAME)
    result = verify_bytes(pdf.read_bytes(), context_for(network), source=str(pdf))
    assert result.status is Status.VALID
    assert result.issuer is not None
    assert result.issuer["name"] == NEW_NAME
    assert result.issuer["nameAtIssuance"] == OLD_NAME


def test_backfill_after_rename(network: Network, tmp_path: Path) -> None:
    rename(network, NEW_NAME)
    sheet = archived_sheet(tmp_path / "in", "2019-2020")
    pdf = issue(network, sheet, backfill=True, out=tmp_path / "pdf")[0]
    credential = embedded(pdf)
    assert credential["issuer"]["name"] == OLD_NAME
    assert credential["validFrom"] == "2020-05-30T17:00:00Z"
    assert credential["awardedDate"] == credential["validFrom"]
    assert credential["credentialSubject"]["backfill"]["backfillDate"] == "2026-12-04"
    assert credential["credentialSubject"]["backfill"]["issuerNameAsOf"] == "2020-05-31"


def test_backfill_verifies_both_names(network: Network, tmp_path: Path) -> None:
    rename(network, NEW_NAME)
    sheet = archived_sheet(tmp_path / "in", "2019-2020")
    pdf = issue(network, sheet, backfill=True, out=tmp_path / "pdf")[0]
    result = verify_bytes(pdf.read_bytes(), context_for(network), source=str(pdf))
    assert result.status is Status.VALID
    assert result.issuer is not None
    assert result.issuer["nameAtIssuance"] == OLD_NAME
    assert result.issuer["name"] == NEW_NAME
    check = next(item for item in result.checks if item.code == "issuer.name")
    assert OLD_NAME in check.message_vi
    assert NEW_NAME in check.message_vi


def test_backfill_pdf_text(network: Network, tmp_path: Path) -> None:
    rename(network, NEW_NAME)
    sheet = archived_sheet(tmp_path / "in", "2019-2020")
    pdf = issue(network, sheet, backfill=True, out=tmp_path / "pdf")[0]
    text = visible_text(pdf.read_bytes())
    assert OLD_NAME.upper() in text.upper()
    assert "Năm học 2019-2020" in text
    assert "Nhập bổ sung" in text
    assert "04/12/2026" in text


def test_backfill_wrong_year_row(network: Network, tmp_path: Path) -> None:
    plan = plan_backfill(network.registry, network.school.account.address, "2019-2020",
                         today=TODAY)
    records = read_class_csv(archived_sheet(tmp_path / "in", "2020-2021"))
    with pytest.raises(InputError) as caught:
        prepare_batch(records, network.school, builder=backfill_builder(plan))
    assert caught.value.code == "backfill_wrong_year"


def test_backfill_in_context(network: Network, tmp_path: Path) -> None:
    from tests.test_contexts import expand, mapped_key_count, property_count

    plan = plan_backfill(network.registry, network.school.account.address, "2019-2020",
                         today=TODAY)
    records = read_class_csv(archived_sheet(tmp_path / "in", "2019-2020"))
    prepared = prepare_batch(records, network.school, builder=backfill_builder(plan))
    credential = prepared.credentials[0].credential
    assert property_count(expand(credential)) == mapped_key_count(credential)


def test_school_life_terms_new() -> None:
    from hocba.contexts import HOCBA_SCHOOL_LIFE_V1, load_context
    from tests.test_contexts import context_terms

    ours = set(context_terms(load_context(HOCBA_SCHOOL_LIFE_V1)["@context"]))
    others = set()
    for url in BUNDLED_CONTEXTS:
        if url != HOCBA_SCHOOL_LIFE_V1:
            others |= set(context_terms(load_context(url)["@context"]))
    assert ours & others == set()
