"""The `hocba` command as a school, an accreditor and a verifier use it, each step a new process."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import free_port
from tests.test_node_flow import hocba

pytestmark = [pytest.mark.node, pytest.mark.slow]

SCHOOL = "79785402"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("cli-home")
    hocba(home, "chain", "up", "--port", str(free_port()))
    hocba(home, "admin", "appoint-accreditor", "--unit", "27011",
          "--name", "UBND xã Tân An Hội")
    hocba(home, "admin", "accredit-school", "--code", SCHOOL, "--name",
          "Trường THCS Tân An Hội", "--unit", "27011", "--accreditor", "27011",
          "--principal", "Phan Thị Mai")
    hocba(home, "sample", str(home / "csv"))
    try:
        yield home
    finally:
        hocba(home, "chain", "down", check=False)


@pytest.fixture(scope="module")
def issued(home: Path) -> list[Path]:
    csv_file = sorted((home / "csv").glob("*8A1*.csv"))[0]
    result = hocba(home, "school", "issue", str(csv_file), "--school", SCHOOL,
                   "--out", str(home / "pdf"))
    assert "8A1" in result.stdout
    return sorted((home / "pdf" / "8A1").glob("*.pdf"))


def test_issue_writes_one_pdf_per_row(home: Path, issued: list[Path]) -> None:
    csv_file = sorted((home / "csv").glob("*8A1*.csv"))[0]
    rows = csv_file.read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(issued) == len(rows) - 1


def test_verify_english_output(home: Path, issued: list[Path]) -> None:
    result = hocba(home, "verify", "--lang", "en", str(issued[0]))
    assert "Valid" in result.stdout
    assert "Trường THCS Tân An Hội" in result.stdout


def test_revoke_then_revoked(home: Path, issued: list[Path]) -> None:
    verdict = json.loads(hocba(home, "verify", "--json", str(issued[1])).stdout)
    hocba(home, "school", "revoke", verdict["credentialId"], "--reason", "Sửa điểm",
          "--reason-code", "superseded")
    after = hocba(home, "verify", "--json", str(issued[1]), check=False)
    assert after.returncode == 1
    assert json.loads(after.stdout)["status"] == "revoked"


def test_revoke_batch_revokes_all(home: Path) -> None:
    csv_file = sorted((home / "csv").glob("*6A1*.csv"))[0]
    hocba(home, "school", "issue", str(csv_file), "--school", SCHOOL, "--out",
          str(home / "pdf"))
    with sqlite3.connect(home / "hocba.db") as db:
        batch_id = db.execute("select id from batch where label like '6A1%'").fetchone()[0]
    hocba(home, "school", "revoke", "--batch", str(batch_id), "--reason", "Nhập sai lớp")
    pdfs = sorted((home / "pdf" / "6A1").glob("*.pdf"))[:3]
    verdicts = json.loads(hocba(home, "verify", "--json", *map(str, pdfs), check=False).stdout)
    assert {verdict["status"] for verdict in verdicts} == {"revoked"}


def test_bad_spreadsheet_issues_nothing(home: Path) -> None:
    good = sorted((home / "csv").glob("*9A1*.csv"))[0]
    lines = good.read_text(encoding="utf-8-sig").splitlines()
    cells = lines[2].split(",")
    cells[6] = "11,5" if cells[6] else "abc"
    lines[2] = ",".join(cells)
    bad = home / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with sqlite3.connect(home / "hocba.db") as db:
        before = db.execute("select count(*) from credential").fetchone()[0]

    result = hocba(home, "school", "issue", str(bad), "--school", SCHOOL, check=False)

    with sqlite3.connect(home / "hocba.db") as db:
        after = db.execute("select count(*) from credential").fetchone()[0]
    assert result.returncode == 2
    assert "chưa cấp" in result.stderr
    assert after == before


def test_verify_unknown_file_malformed(home: Path) -> None:
    junk = home / "junk.txt"
    junk.write_text("hello", encoding="utf-8")
    result = hocba(home, "verify", "--json", str(junk), check=False)
    assert result.returncode == 1
    assert json.loads(result.stdout)["status"] == "malformed"


def test_unknown_school_reported(home: Path) -> None:
    csv_file = sorted((home / "csv").glob("*7A1*.csv"))[0]
    result = hocba(home, "school", "issue", str(csv_file), "--school", "00000000", check=False)
    assert result.returncode == 2
    assert "chưa được đăng ký" in result.stderr


def test_same_class_twice_rejected(home: Path, issued: list[Path]) -> None:
    csv_file = sorted((home / "csv").glob("*8A1*.csv"))[0]
    result = hocba(home, "school", "issue", str(csv_file), "--school", SCHOOL, check=False)
    assert result.returncode == 2
    assert "đã được cấp" in result.stderr


def test_missing_file_usage_error(home: Path) -> None:
    result = hocba(home, "verify", str(home / "does-not-exist.pdf"), check=False)
    assert result.returncode == 2
