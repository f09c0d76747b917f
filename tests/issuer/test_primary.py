"""Primary year transcripts (Circular 27/2020): spreadsheet, chain, PDF, verifier, rules."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from hocba.errors import ImportRowsError, InputError
from hocba.status import Status
from issuer.curriculum import load_curriculum
from issuer.issuance import credential_json_bytes
from issuer.pdf import render_transcript_pdf
from issuer.primary import load_primary_rules, year_result
from issuer.primary_batch import prepare_primary_batch
from issuer.primary_csv import read_primary_csv, write_primary_csv
from issuer.records import ClassRecords
from scripts.sample_data import PRIMARY_SCHOOL, generate_primary_class
from tests.issuer.record_flow import anchor_and_render, page_png, page_text, status_of_file
from verifier.pdf import extract_credential, extract_qr_url

PRIMARY = load_curriculum("tieu-hoc-2018")
RULES = load_primary_rules()


@pytest.fixture(scope="module")
def class4() -> ClassRecords:
    return generate_primary_class(3, size=4)


@pytest.fixture(scope="module")
def issued(class4: ClassRecords, tmp_path_factory: pytest.TempPathFactory) -> tuple:
    from hocba.chain import connect_embedded
    from tests.conftest import build_network  # the network fixture, built once for this module

    folder = tmp_path_factory.mktemp("primary")
    network = build_network(connect_embedded(), folder / "home")
    sheet = write_primary_csv(class4, folder / "4A1.csv", PRIMARY)
    classes = read_primary_csv(sheet, PRIMARY)
    signer = network.register(PRIMARY_SCHOOL.school_code, PRIMARY_SCHOOL.name)
    prepared = prepare_primary_batch(classes, signer, curriculum=PRIMARY)
    return network, anchor_and_render(network, signer, prepared, folder / "pdf")


def test_csv_round_trip(class4: ClassRecords, tmp_path: Path) -> None:
    sheet = write_primary_csv(class4, tmp_path / "4A1.csv", PRIMARY)
    assert read_primary_csv(sheet, PRIMARY) == class4


def test_decimal_test_score_rejected(class4: ClassRecords, tmp_path: Path) -> None:
    pupil = replace(class4.students[1], tests={**class4.students[1].tests, "TOAN": "8.5"})
    sheet = write_primary_csv(replace(class4, students=[class4.students[0], pupil]),
                              tmp_path / "4A1.csv", PRIMARY)
    with pytest.raises(ImportRowsError) as caught:
        read_primary_csv(sheet, PRIMARY)
    assert (caught.value.problems[0].row, caught.value.problems[0].code) == (
        3, "invalid_test_score")


def test_unknown_rating_rejected(class4: ClassRecords, tmp_path: Path) -> None:
    pupil = replace(class4.students[0], qualities={**class4.students[0].qualities,
                                                   "NHAN_AI": "Khá"})
    sheet = write_primary_csv(replace(class4, students=[pupil]), tmp_path / "4A1.csv", PRIMARY)
    with pytest.raises(ImportRowsError) as caught:
        read_primary_csv(sheet, PRIMARY)
    assert caught.value.problems[0].column == "Nhân ái"


def test_excellent_at_nine() -> None:
    assert year_result(["Hoàn thành tốt"], ["Tốt"], [9]) == "Hoàn thành xuất sắc"


def test_good_at_eight() -> None:
    assert year_result(["Hoàn thành tốt"], ["Tốt"], [8]) == "Hoàn thành tốt"


def test_complete_at_five() -> None:
    assert year_result(["Hoàn thành"], ["Đạt"], [5]) == "Hoàn thành"


def test_incomplete_at_four() -> None:
    assert year_result(["Hoàn thành tốt"], ["Tốt"], [4]) == "Chưa hoàn thành"


def test_incomplete_with_needs_effort() -> None:
    assert year_result(["Hoàn thành"], ["Cần cố gắng"], [10]) == "Chưa hoàn thành"


def test_rule_marked_unconfirmed() -> None:
    from issuer.curriculum import DATA_DIR

    raw = json.loads((DATA_DIR / "rules" / "tt27-2020.json").read_text(encoding="utf-8"))
    assert raw["unconfirmed"] is True


def test_grade4_has_science_test(class4: ClassRecords) -> None:
    assert "KHOA_HOC" in class4.students[0].tests


def test_issued_pdf_valid(issued: tuple) -> None:
    network, paths = issued
    assert status_of_file(network, paths[0]) is Status.VALID


def test_tampered_pdf(issued: tuple, tmp_path: Path) -> None:
    network, paths = issued
    data = paths[0].read_bytes()
    forged = json.loads(extract_credential(data))
    result = next(item for item in forged["credentialSubject"]["result"]
                  if item["resultDescription"] == "urn:hocba:result:year")
    result["value"] = "Hoàn thành xuất sắc" if result["value"] != "Hoàn thành xuất sắc" \
        else "Hoàn thành tốt"
    target = tmp_path / "forged.pdf"
    target.write_bytes(render_transcript_pdf(forged, credential_json_bytes(forged),
                                             qr_url=extract_qr_url(data) or "",
                                             issued_on=date(2026, 5, 30)))
    assert status_of_file(network, target) is Status.TAMPERED


def test_pdf_shows_quality(issued: tuple) -> None:
    assert "Trung thực" in page_text(issued[1][0])


def test_pdf_shows_year_result(issued: tuple) -> None:
    assert "Kết quả giáo dục cuối năm" in page_text(issued[1][0])


def test_page_png(issued: tuple) -> None:
    assert page_png(issued[1][0], "tieu-hoc-4a1").stat().st_size > 10_000


def test_builder_rejects_decimal(class4: ClassRecords) -> None:
    from datetime import UTC, datetime

    from issuer.primary import build_primary_credential
    from scripts.sample_data import sample_school_identity

    pupil = replace(class4.students[0], tests={**class4.students[0].tests, "TOAN": "7.5"})
    with pytest.raises(InputError):
        build_primary_credential(pupil, sample_school_identity("did:pkh:eip155:1:0x" + "1" * 40),
                                 credential_id="urn:uuid:00000000-0000-4000-8000-000000000000",
                                 valid_from=datetime(2026, 5, 30, tzinfo=UTC),
                                 curriculum=PRIMARY)
