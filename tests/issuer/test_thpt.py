"""Upper-secondary (THPT) year transcripts: spreadsheet to credential, chain, PDF and verifier."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from hocba.errors import ImportRowsError, InputError
from hocba.status import Status
from issuer.curriculum import curriculum_for, load_curriculum
from issuer.elective_csv import read_elective_class_csv, write_elective_class_csv
from issuer.issuance import prepare_batch
from issuer.records import ClassRecords
from issuer.transcript import read_transcript
from scripts.demo_documents import tampered_copy
from scripts.sample_data import THPT_SCHOOL, generate_thpt_school
from tests.issuer.record_flow import anchor_and_render, page_png, page_text, status_of_file
from tests.network import Network

THPT = load_curriculum("thpt-2018")


@pytest.fixture(scope="module")
def grade10() -> ClassRecords:
    first = generate_thpt_school(5, sizes=(4, 4))[0]
    return first


@pytest.fixture
def issued(network: Network, grade10: ClassRecords, tmp_path: Path) -> list[Path]:
    sheet = write_elective_class_csv(grade10, tmp_path / "10A1.csv", THPT)
    classes = read_elective_class_csv(sheet, THPT)
    signer = network.register(THPT_SCHOOL.school_code, THPT_SCHOOL.name)
    prepared = prepare_batch(classes, signer, curriculum=THPT)
    return anchor_and_render(network, signer, prepared, tmp_path / "pdf")


def test_compulsory_count() -> None:
    assert len([item for item in THPT.subjects if not item.elective]) == 8


def test_elective_count() -> None:
    assert len([item for item in THPT.subjects if item.elective]) == 9


def test_level_lookup() -> None:
    assert curriculum_for("THPT", 11).id == "thpt-2018"


def test_csv_round_trip(grade10: ClassRecords, tmp_path: Path) -> None:
    sheet = write_elective_class_csv(grade10, tmp_path / "10A1.csv", THPT)
    assert read_elective_class_csv(sheet, THPT) == grade10


def test_three_electives_rejected(grade10: ClassRecords, tmp_path: Path) -> None:
    sheet = write_elective_class_csv(grade10, tmp_path / "10A1.csv", THPT)
    text = sheet.read_text(encoding="utf-8-sig").replace("Tin học HKI", "Tin hoc HKI")
    sheet.write_text(text, encoding="utf-8-sig")
    with pytest.raises(ImportRowsError) as caught:
        read_elective_class_csv(sheet, THPT)
    assert caught.value.problems[0].code == "elective_count"


def test_bad_score_row_named(grade10: ClassRecords, tmp_path: Path) -> None:
    sheet = write_elective_class_csv(grade10, tmp_path / "10A1.csv", THPT)
    lines = sheet.read_bytes().decode("utf-8-sig").split("\r\n")
    cells = lines[2].split(",")
    cells[9] = "11"
    lines[2] = ",".join(cells)
    sheet.write_bytes("\r\n".join(lines).encode("utf-8-sig"))
    with pytest.raises(ImportRowsError) as caught:
        read_elective_class_csv(sheet, THPT)
    assert caught.value.problems[0].row == 3


def test_builder_rejects_five_electives(grade10: ClassRecords) -> None:
    with pytest.raises(InputError):
        THPT.for_subject_codes(["VAT_LI", "HOA_HOC", "SINH_HOC", "TIN_HOC", "DIA_LI"])


def test_issued_pdf_valid(network: Network, issued: list[Path]) -> None:
    assert status_of_file(network, issued[0]) is Status.VALID


def test_tampered_pdf(network: Network, issued: list[Path], tmp_path: Path) -> None:
    forged = tampered_copy(issued[0], tmp_path / "forged.pdf")
    assert status_of_file(network, forged) is Status.TAMPERED


def test_pdf_shows_level(issued: list[Path]) -> None:
    assert "Trung học phổ thông" in page_text(issued[0])


def test_pdf_shows_elective(issued: list[Path]) -> None:
    assert "Vật lí" in page_text(issued[0])


def test_pdf_omits_unchosen(issued: list[Path]) -> None:
    assert "Địa lí" not in page_text(issued[0])


def test_reader_rows(issued: list[Path]) -> None:
    from verifier.pdf import extract_credential

    credential = json.loads(extract_credential(issued[0].read_bytes()))
    assert len(read_transcript(credential).rows) == 12


def test_achievement_id(issued: list[Path]) -> None:
    from verifier.pdf import extract_credential

    credential = json.loads(extract_credential(issued[0].read_bytes()))
    achievement = credential["credentialSubject"]["achievement"]["id"]
    assert achievement == "urn:hocba:achievement:tt22-2021:thpt:grade-10"


def test_page_png(issued: list[Path]) -> None:
    assert page_png(issued[0], "thpt-10a1").stat().st_size > 10_000


def test_wrong_class_grade(grade10: ClassRecords) -> None:
    student = replace(grade10.students[0], grade=9)
    with pytest.raises(InputError):
        THPT.subjects_for_grade(student.grade)
