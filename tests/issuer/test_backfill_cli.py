"""`hocba school backfill` and `hocba learner history` as a school uses them, on a local node."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from issuer.importer import write_class_csv
from scripts.sample_data import generate_school
from tests.conftest import free_port
from tests.test_node_flow import hocba

pytestmark = [pytest.mark.node, pytest.mark.slow]

SCHOOL = "79785403"
OLD_NAME = "Trường THCS Nhuận Đức"
NEW_NAME = "Trường Trung học cơ sở Nhuận Đức"
LEARNER = "7919000001"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("backfill-home")
    hocba(home, "chain", "up", "--port", str(free_port()))
    try:
        hocba(home, "admin", "appoint-accreditor", "--unit", "27012",
              "--name", "UBND xã Nhuận Đức")
        hocba(home, "admin", "accredit-school", "--code", SCHOOL, "--name", OLD_NAME,
              "--unit", "27012", "--accreditor", "27012", "--principal", "Lê Văn Tâm")
        hocba(home, "admin", "rename-school", "--code", SCHOOL, "--accreditor", "27012",
              "--name", NEW_NAME)
        yield home
    finally:
        hocba(home, "chain", "down", check=False)


@pytest.fixture(scope="module")
def backfilled(home: Path) -> list[Path]:
    classes = generate_school(9, "2019-2020")[0]
    first = replace(classes.students[0], student_id=LEARNER)
    small = replace(classes, students=[first, *classes.students[1:3]])
    sheet = write_class_csv(small, home / "luu-tru-2019-2020.csv")
    result = hocba(home, "school", "backfill", str(sheet), "--school", SCHOOL,
                   "--out", str(home / "pdf"))
    assert OLD_NAME in result.stdout
    return sorted((home / "pdf").rglob("*.pdf"))


def test_backfill_writes_pdfs(backfilled: list[Path]) -> None:
    assert len(backfilled) == 3


def test_backfill_verifies_valid(home: Path, backfilled: list[Path]) -> None:
    result = hocba(home, "verify", "--json", str(backfilled[0]), check=False)
    body = json.loads(result.stdout)
    assert body["status"] == "valid"
    assert body["issuer"]["nameAtIssuance"] == OLD_NAME
    assert body["issuer"]["name"] == NEW_NAME


def test_unended_year_rejected(home: Path) -> None:
    classes = generate_school(9, "2099-2100")[0]
    sheet = write_class_csv(replace(classes, students=classes.students[:2]),
                            home / "dang-hoc.csv")
    result = hocba(home, "school", "backfill", str(sheet), "--school", SCHOOL, check=False)
    assert result.returncode == 2
    assert "chưa kết thúc" in result.stderr


def test_history_lists_backfill(home: Path, backfilled: list[Path]) -> None:
    result = hocba(home, "learner", "history", "--student-id", LEARNER, "--json")
    rows = json.loads(result.stdout)
    assert [(row["school_year"], row["backfilled"]) for row in rows] == [("2019-2020", True)]
