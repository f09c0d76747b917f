"""Transfers between schools: sheet columns → credentials → chain → PDF → verifier → history."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from hocba.errors import ImportRowsError
from hocba.status import Status
from issuer.importer import read_class_csv, write_class_csv
from issuer.issuance import SchoolSigner, anchor_batch, prepare_batch, write_pdfs
from issuer.learner import learner_records
from issuer.transcript import read_transcript
from issuer.transfer import TRANSFER_COLUMNS
from scripts.sample_data import generate_school
from tests.network import Network
from tests.test_contexts import expand, mapped_key_count, property_count
from verifier.engine import VerifierContext
from verifier.inputs import verify_bytes
from verifier.pdf import extract_credential, visible_text

SENDING = "Trường THCS Phú Hòa Đông"
RECEIVING = "Trường THCS Tân An Hội"
LEARNER = "7926012345"


def base_rows(tmp_path: Path) -> list[list[str]]:
    """Return the header and three student rows of a grade 8 class of 2025-2026."""
    classes = next(item for item in generate_school(5, "2025-2026") if item.grade == 8)
    small = replace(classes, students=classes.students[:3])
    path = write_class_csv(small, tmp_path / "base.csv")
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    rows[0].extend(TRANSFER_COLUMNS)
    for row in rows[1:]:
        row.extend(["", "", ""])
    return rows


def mark(rows: list[list[str]], index: int, direction: str, moved_on: str, other: str,
         *, blank: tuple[str, ...]) -> None:
    """Make row ``index`` a transfer row and empty its result cells of the ``blank`` suffixes."""
    header = rows[0]
    row = rows[index]
    row[-3:] = [direction, moved_on, other]
    row[header.index("Mã học sinh")] = LEARNER
    for column, label in enumerate(header):
        if label.rsplit(" ", 1)[-1] in blank and label not in TRANSFER_COLUMNS:
            row[column] = ""
    if "CN" in blank:
        row[header.index("Danh hiệu")] = ""


def save(rows: list[list[str]], path: Path) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    return path


def out_sheet(tmp_path: Path, moved_on: str = "15/01/2026") -> Path:
    rows = base_rows(tmp_path)
    mark(rows, 1, "Chuyển đi", moved_on, RECEIVING, blank=("HKII", "CN"))
    return save(rows, tmp_path / "out.csv")


def in_sheet(tmp_path: Path) -> Path:
    rows = base_rows(tmp_path)
    mark(rows, 1, "Chuyển đến", "15/01/2026", SENDING, blank=("HKI",))
    return save(rows, tmp_path / "in.csv")


def problems_of(path: Path) -> list:
    with pytest.raises(ImportRowsError) as caught:
        read_class_csv(path)
    return caught.value.problems


def test_out_row_terms(tmp_path: Path) -> None:
    record = read_class_csv(out_sheet(tmp_path)).students[0]
    assert record.transfer is not None
    assert record.transfer.direction == "out"
    assert record.transfer.terms == ("hk1",)
    assert record.transfer.transfer_date == date(2026, 1, 15)


def test_in_row_terms(tmp_path: Path) -> None:
    record = read_class_csv(in_sheet(tmp_path)).students[0]
    assert record.transfer is not None
    assert record.transfer.terms == ("hk2", "cn")


def test_plain_rows_unchanged(tmp_path: Path) -> None:
    records = read_class_csv(out_sheet(tmp_path))
    assert records.students[1].transfer is None


def test_date_outside_year(tmp_path: Path) -> None:
    problem = problems_of(out_sheet(tmp_path, "15/07/2026"))[0]
    assert (problem.row, problem.column, problem.code) == (
        2, "Ngày chuyển", "transfer_date_outside_year")
    assert "nằm ngoài năm học" in problem.message_vi


def test_out_with_year_result(tmp_path: Path) -> None:
    rows = base_rows(tmp_path)
    mark(rows, 1, "Chuyển đi", "15/01/2026", RECEIVING, blank=("HKII",))
    codes = [problem.code for problem in problems_of(save(rows, tmp_path / "x.csv"))]
    assert "transfer_out_with_year_result" in codes


def test_in_with_hk1(tmp_path: Path) -> None:
    rows = base_rows(tmp_path)
    mark(rows, 1, "Chuyển đến", "15/01/2026", SENDING, blank=())
    codes = [problem.code for problem in problems_of(save(rows, tmp_path / "x.csv"))]
    assert "transfer_in_with_hk1" in codes


def test_bad_direction(tmp_path: Path) -> None:
    rows = base_rows(tmp_path)
    mark(rows, 1, "Nghỉ học", "15/01/2026", RECEIVING, blank=("HKII", "CN"))
    problems = problems_of(save(rows, tmp_path / "x.csv"))
    assert (problems[0].column, problems[0].code) == ("Chuyển trường",
                                                      "invalid_transfer_direction")
    assert len(problems) == 1


def test_bad_date_text(tmp_path: Path) -> None:
    problem = problems_of(out_sheet(tmp_path, "2026/01/15"))[0]
    assert problem.code == "invalid_transfer_date"


def test_partial_columns(tmp_path: Path) -> None:
    rows = [row[:-1] for row in base_rows(tmp_path)]
    problem = problems_of(save(rows, tmp_path / "x.csv"))[0]
    assert (problem.column, problem.code) == ("Trường đi/đến", "missing_column")


def test_transfer_in_context(tmp_path: Path, network: Network) -> None:
    prepared = prepare_batch(read_class_csv(out_sheet(tmp_path)), network.school)
    credential = prepared.credentials[0].credential
    expanded = expand(credential)
    assert property_count(expanded) == mapped_key_count(credential)


def issue(network: Network, signer: SchoolSigner, sheet: Path, out: Path) -> Path:
    prepared = prepare_batch(read_class_csv(sheet), signer)
    batch = anchor_batch(prepared, signer, registry=network.registry, engine=network.engine)
    return write_pdfs(batch, out, verify_base_url="http://127.0.0.1:8000",
                      issued_on=date(2026, 5, 30), engine=network.engine)[0]


@pytest.fixture
def both(network: Network, tmp_path: Path) -> tuple[Path, Path]:
    receiving = network.register("79785402", RECEIVING)
    sent = issue(network, network.school, out_sheet(tmp_path), tmp_path / "a")
    received = issue(network, receiving, in_sheet(tmp_path), tmp_path / "b")
    return sent, received


def context_for(network: Network) -> VerifierContext:
    return VerifierContext(network.settings, chains={network.chain.chain_id: network.chain})


def test_both_records_valid(network: Network, both: tuple[Path, Path]) -> None:
    for pdf in both:
        result = verify_bytes(pdf.read_bytes(), context_for(network), source=str(pdf))
        assert result.status is Status.VALID, pdf.name


def test_out_credential_fields(both: tuple[Path, Path]) -> None:
    credential = json.loads(extract_credential(both[0].read_bytes()))
    subject = credential["credentialSubject"]
    assert subject["transfer"] == {"type": ["TransferOut"], "transferDate": "2026-01-15",
                                   "otherSchoolName": RECEIVING, "termsStudied": ["hk1"]}
    assert subject["activityEndDate"] == "2026-01-15T00:00:00+07:00"
    assert not any(item["resultDescription"].endswith(":cn") for item in subject["result"])


def test_in_credential_view(both: tuple[Path, Path]) -> None:
    view = read_transcript(json.loads(extract_credential(both[1].read_bytes())))
    assert view.transfer is not None
    assert view.transfer.other_school == SENDING
    assert view.rows[0].hk1 == ""


def test_out_pdf_text(both: tuple[Path, Path]) -> None:
    text = visible_text(both[0].read_bytes())
    assert "chuyển đi ngày 15/01/2026" in text
    assert RECEIVING in text
    assert "\u2014" in text


def test_in_pdf_text(both: tuple[Path, Path]) -> None:
    text = visible_text(both[1].read_bytes())
    assert "chuyển đến ngày 15/01/2026" in text


def test_history_orders_schools(network: Network, both: tuple[Path, Path]) -> None:
    records = learner_records(network.engine, LEARNER)
    assert [record.school_name for record in records] == [SENDING, RECEIVING]
    assert [record.terms for record in records] == [("hk1",), ("hk2", "cn")]
    assert records[0].transfer is not None
    assert records[0].transfer.direction == "out"
    assert {record.status for record in records} == {"active"}


def test_history_for_one_school(network: Network, both: tuple[Path, Path]) -> None:
    records = learner_records(network.engine, LEARNER, school_code="79785402")
    assert [record.school_name for record in records] == [RECEIVING]


def test_out_with_award(tmp_path: Path) -> None:
    rows = base_rows(tmp_path)
    mark(rows, 1, "Chuyển đi", "15/01/2026", RECEIVING, blank=("HKII", "CN"))
    rows[1][rows[0].index("Danh hiệu")] = "Học sinh Giỏi"
    codes = [problem.code for problem in problems_of(save(rows, tmp_path / "x.csv"))]
    assert "transfer_out_with_award" in codes


def test_csv_round_trip(tmp_path: Path) -> None:
    records = read_class_csv(out_sheet(tmp_path))
    again = read_class_csv(write_class_csv(records, tmp_path / "again.csv"))
    assert again.students[0].transfer == records.students[0].transfer


def test_xlsx_date_cell(tmp_path: Path) -> None:
    import openpyxl

    from issuer.export_xlsx import write_class_xlsx
    from issuer.importer import read_class_xlsx

    records = read_class_csv(out_sheet(tmp_path))
    path = write_class_xlsx(records, tmp_path / "lop.xlsx")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("Ngày chuyển") + 1).value = date(2026, 2, 2)
    workbook.save(path)
    transfer = read_class_xlsx(path).students[0].transfer
    assert transfer is not None
    assert transfer.transfer_date == date(2026, 2, 2)
