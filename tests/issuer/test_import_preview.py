"""`hocba school preview`: every row with its status, exit codes and JSON output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hocba.cli import app
from issuer.export_xlsx import write_class_xlsx
from issuer.importer import class_rows, preview_class_file, write_class_csv
from issuer.records import ClassRecords
from scripts.sample_data import generate_school


@pytest.fixture(scope="module")
def grade8() -> ClassRecords:
    return generate_school(7)[2]


@pytest.fixture
def bad_csv(grade8: ClassRecords, tmp_path: Path) -> Path:
    rows = class_rows(grade8)
    rows[3][rows[0].index("Toán HKI")] = "11"
    path = tmp_path / "8A1.csv"
    path.write_text("\r\n".join(",".join(f'"{cell}"' for cell in row) for row in rows),
                    encoding="utf-8-sig")
    return path


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["school", "preview", *args], env={"COLUMNS": "300"})
    return result.exit_code, result.stdout


def test_good_xlsx_exits_zero(grade8: ClassRecords, tmp_path: Path) -> None:
    code, _ = run(str(write_class_xlsx(grade8, tmp_path / "8A1.xlsx")))
    assert code == 0


def test_good_file_lists_rows(grade8: ClassRecords, tmp_path: Path) -> None:
    _, output = run(str(write_class_csv(grade8, tmp_path / "8A1.csv")))
    assert output.count("OK") == len(grade8.students)


def test_bad_file_exits_one(bad_csv: Path) -> None:
    code, _ = run(str(bad_csv))
    assert code == 1


def test_bad_file_names_reason(bad_csv: Path) -> None:
    _, output = run(str(bad_csv))
    assert "điểm phải từ 0 đến 10" in output


def test_json_marks_bad_row(bad_csv: Path) -> None:
    _, output = run(str(bad_csv), "--json")
    payload = json.loads(output)
    flagged = [row["row"] for row in payload["rows"] if not row["ok"]]
    assert flagged == [4]


def test_json_can_issue_false(bad_csv: Path) -> None:
    _, output = run(str(bad_csv), "--json")
    assert json.loads(output)["canIssue"] is False


def test_json_problem_code(bad_csv: Path) -> None:
    _, output = run(str(bad_csv), "--json")
    row = next(row for row in json.loads(output)["rows"] if row["row"] == 4)
    assert [problem["code"] for problem in row["problems"]] == ["score_out_of_range"]


def test_json_good_file(grade8: ClassRecords, tmp_path: Path) -> None:
    _, output = run(str(write_class_xlsx(grade8, tmp_path / "8A1.xlsx")), "--json")
    payload = json.loads(output)
    assert (payload["canIssue"], payload["className"]) == (True, "8A1")


def test_file_problem_exits_one(tmp_path: Path) -> None:
    path = tmp_path / "8A1.csv"
    path.write_bytes("Họ và tên,Lê\r\n".encode("cp1252", errors="replace"))
    code, output = run(str(path), "--json")
    assert (code, json.loads(output)["fileProblems"][0]["code"]) == (1, "invalid_encoding")


def test_unsupported_type_exits_two(tmp_path: Path) -> None:
    path = tmp_path / "8A1.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    code, _ = run(str(path))
    assert code == 2


def test_preview_every_row_listed(grade8: ClassRecords, bad_csv: Path) -> None:
    preview = preview_class_file(bad_csv)
    assert len(preview.rows) == len(grade8.students)
