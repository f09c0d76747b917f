"""Completion confirmations: spreadsheet → credentials → chain → PDF → verifier."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from hocba.errors import ImportRowsError
from hocba.status import Status
from issuer.completion import (
    ACHIEVEMENT_TYPE,
    build_completion_credential,
    read_completion,
    read_completion_csv,
)
from issuer.issuance import anchor_batch, prepare_batch, write_pdfs
from scripts.sample_records import write_sample_records
from tests.network import Network
from verifier.engine import VerifierContext
from verifier.inputs import verify_bytes
from verifier.pdf import visible_text


@pytest.fixture
def sheet(tmp_path: Path) -> Path:
    return write_sample_records(tmp_path / "in", size=3)[1]


def context_for(network: Network) -> VerifierContext:
    return VerifierContext(network.settings, chains={network.chain.chain_id: network.chain})


def test_sheet_reads_dates(sheet: Path) -> None:
    record = read_completion_csv(sheet).students[0]
    assert record.issued_on == date(2026, 6, 15)


def test_bad_date_rejected_with_row(sheet: Path, tmp_path: Path) -> None:
    text = sheet.read_text(encoding="utf-8-sig").replace("15/06/2026", "31/02/2026", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ImportRowsError) as caught:
        read_completion_csv(bad)
    problem = caught.value.problems[0]
    assert (problem.row, problem.column, problem.code) == (2, "Ngày cấp", "invalid_date")
    assert "dd/mm/yyyy" in problem.message_vi


def test_grade_8_rejected(sheet: Path, tmp_path: Path) -> None:
    text = sheet.read_text(encoding="utf-8-sig").replace(",9A1,9,", ",8A1,8,", 1)
    bad = tmp_path / "grade8.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ImportRowsError) as caught:
        read_completion_csv(bad)
    assert caught.value.problems[0].column == "Khối"


def test_credential_fields(network: Network, sheet: Path) -> None:
    prepared = prepare_batch(read_completion_csv(sheet), network.school,
                             builder=build_completion_credential)
    subject = prepared.credentials[0].credential["credentialSubject"]
    assert subject["achievement"]["achievementType"] == ACHIEVEMENT_TYPE
    assert subject["issuedOn"] == "2026-06-15"
    assert subject["registerEntryNumber"] == "001/2026"
    assert subject["graduationDecisionNumber"] == "125/QĐ-UBND-2026"
    assert read_completion(prepared.credentials[0].credential).serial_number == "THCS2026-00001"


def test_issue_render_verify(network: Network, sheet: Path, tmp_path: Path) -> None:
    prepared = prepare_batch(read_completion_csv(sheet), network.school,
                             builder=build_completion_credential)
    batch = anchor_batch(prepared, network.school, registry=network.registry,
                         engine=network.engine)
    paths = write_pdfs(batch, tmp_path / "pdf", verify_base_url="http://127.0.0.1:8000",
                       issued_on=date(2026, 6, 15))
    pdf = paths[0].read_bytes()
    assert verify_bytes(pdf, context_for(network)).status is Status.VALID
    text = visible_text(pdf)
    assert "XÁC NHẬN HOÀN THÀNH CHƯƠNG TRÌNH TRUNG HỌC CƠ SỞ" in text
    assert "15/06/2026" in text
    assert "Số vào sổ gốc" in text

    forged = copy.deepcopy(batch.credentials[0].credential)
    forged["credentialSubject"]["serialNumber"] = "THCS2026-99999"
    data = json.dumps(forged, ensure_ascii=False).encode("utf-8")
    assert verify_bytes(data, context_for(network)).status is Status.TAMPERED


def test_every_key_defined(network: Network, sheet: Path) -> None:
    from tests.test_contexts import undefined_keys

    prepared = prepare_batch(read_completion_csv(sheet), network.school,
                             builder=build_completion_credential)
    assert undefined_keys(prepared.credentials[0].credential) == set()
