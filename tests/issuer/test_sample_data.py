"""Sample school generator: sizes, determinism, names, score ranges, rule consistency."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from issuer.curriculum import load_curriculum
from issuer.importer import read_class_csv
from issuer.records import ClassRecords, StudentYearRecord
from issuer.rules import academic_results, award_title, year_average, year_conduct
from scripts.sample_data import generate_school, generate_withdrawn_school, main


@pytest.fixture(scope="module")
def school() -> list[ClassRecords]:
    return generate_school(11)


def students(classes: list[ClassRecords]) -> list[StudentYearRecord]:
    return [student for item in classes for student in item.students]


def test_four_classes(school: list[ClassRecords]) -> None:
    assert [item.class_name for item in school] == ["6A1", "7A1", "8A1", "9A1"]


def test_class_sizes(school: list[ClassRecords]) -> None:
    assert all(35 <= len(item.students) <= 45 for item in school)


def test_withdrawn_school_size() -> None:
    classes = generate_withdrawn_school(11)
    assert [len(item.students) for item in classes] in ([34], [35], [36])


def test_same_seed_same_school(school: list[ClassRecords]) -> None:
    assert generate_school(11) == school


def test_other_seed_other_school(school: list[ClassRecords]) -> None:
    assert generate_school(12) != school


def test_names_nfc(school: list[ClassRecords]) -> None:
    names = [student.full_name for student in students(school)]
    assert all(unicodedata.is_normalized("NFC", name) for name in names)


def test_names_have_diacritics(school: list[ClassRecords]) -> None:
    assert all(not student.full_name.isascii() for student in students(school))


def test_names_have_three_parts(school: list[ClassRecords]) -> None:
    assert all(len(student.full_name.split(" ")) >= 3 for student in students(school))


def test_scores_in_range(school: list[ClassRecords]) -> None:
    curriculum = load_curriculum()
    for student in students(school):
        for result in student.subjects:
            if not curriculum.subject(result.code).is_scored:
                continue
            for value in (result.hk1, result.hk2, result.cn):
                assert Decimal("0") <= Decimal(value) <= Decimal("10"), value


def test_year_average_rule(school: list[ClassRecords]) -> None:
    curriculum = load_curriculum()
    for student in students(school):
        for result in student.subjects:
            if curriculum.subject(result.code).is_scored:
                expected = year_average(Decimal(result.hk1), Decimal(result.hk2))
                assert Decimal(result.cn) == expected


def test_results_follow_rules(school: list[ClassRecords]) -> None:
    curriculum = load_curriculum()
    for student in students(school):
        assert student.academic == academic_results(student.subjects, curriculum)
        conduct = student.conduct
        assert conduct["cn"] == year_conduct(conduct["hk1"], conduct["hk2"])


def test_titles_follow_rules(school: list[ClassRecords]) -> None:
    curriculum = load_curriculum()
    for student in students(school):
        year_scores = [Decimal(r.cn) for r in student.subjects
                       if curriculum.subject(r.code).is_scored]
        expected = award_title(student.academic["cn"], student.conduct["cn"], year_scores)
        assert student.award_title == expected


def test_some_chua_dat(school: list[ClassRecords]) -> None:
    values = [r.cn for s in students(school) for r in s.subjects] + [
        s.academic["cn"] for s in students(school)
    ]
    assert "Chưa đạt" in values


def test_conduct_mostly_good(school: list[ClassRecords]) -> None:
    good = [s for s in students(school) if s.conduct["cn"] in ("Tốt", "Khá")]
    assert len(good) >= 0.8 * len(students(school))


def test_birth_years_fit_grade(school: list[ClassRecords]) -> None:
    for item in school:
        nominal = 2025 - (item.grade + 5)
        assert all(nominal - 2 <= s.birth_date.year <= nominal for s in item.students)


def test_student_ids_unique(school: list[ClassRecords]) -> None:
    ids = [s.student_id for s in students(school) if s.student_id]
    assert len(ids) == len(set(ids))


def test_cli_writes_importable_files(tmp_path: Path) -> None:
    assert main([str(tmp_path), "--seed", "3"]) == 0
    files = sorted(tmp_path.glob("*.csv"))
    assert len(files) == 5
    imported = [read_class_csv(path) for path in files]
    assert sum(len(item.students) for item in imported) >= 4 * 35 + 34
