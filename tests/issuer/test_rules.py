"""Circular 22/2021 rules: academic levels at their boundaries, year average, conduct, titles."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from hocba.errors import InputError
from issuer.rules import (
    academic_result,
    award_title,
    format_score,
    load_rules,
    year_average,
    year_conduct,
    year_pass_fail,
)


def scores(*values: str) -> list[Decimal]:
    return [Decimal(value) for value in values]


VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "tt22-2021" / "academic.json"
ACADEMIC_CASES = json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", ACADEMIC_CASES, ids=[case["id"] for case in ACADEMIC_CASES])
def test_academic_level(case: dict) -> None:
    assert academic_result(scores(*case["scores"]), case["comments"]) == case["expected"]


def test_academic_vectors_cover_adjustment() -> None:
    assert sum(1 for case in ACADEMIC_CASES if case["id"].startswith("adjust-")) >= 4


def test_academic_rejects_unknown_comment() -> None:
    with pytest.raises(InputError):
        academic_result(scores(*["8.0"] * 8), ["Dat", "Đạt", "Đạt", "Đạt"])


@pytest.mark.parametrize(
    ("hk1", "hk2", "expected"),
    [
        ("7.5", "8.0", "7.8"),
        ("6.8", "7.2", "7.1"),
        ("6.5", "7.0", "6.8"),
        ("10.0", "10.0", "10.0"),
        ("0.0", "0.0", "0.0"),
        ("9.0", "9.2", "9.1"),
    ],
)
def test_year_average(hk1: str, hk2: str, expected: str) -> None:
    assert format_score(year_average(Decimal(hk1), Decimal(hk2))) == expected


def test_year_average_is_decimal() -> None:
    assert isinstance(year_average(Decimal("7.5"), Decimal("8.0")), Decimal)


def test_pass_fail_year_follows_term2() -> None:
    assert year_pass_fail("Chưa đạt", "Đạt") == "Đạt"


@pytest.mark.parametrize(
    ("hk1", "hk2", "expected"),
    [
        ("Khá", "Tốt", "Tốt"),
        ("Đạt", "Tốt", "Khá"),
        ("Tốt", "Đạt", "Khá"),
        ("Chưa đạt", "Khá", "Đạt"),
        ("Tốt", "Chưa đạt", "Chưa đạt"),
    ],
)
def test_year_conduct(hk1: str, hk2: str, expected: str) -> None:
    assert year_conduct(hk1, hk2) == expected


@pytest.mark.parametrize(
    ("academic", "conduct", "values", "expected"),
    [
        ("Tốt", "Tốt", scores(*["9.0"] * 6, "8.0", "8.0"), "Học sinh Xuất sắc"),
        ("Tốt", "Tốt", scores(*["9.0"] * 5, "8.9", "8.0", "8.0"), "Học sinh Giỏi"),
        ("Tốt", "Khá", scores(*["9.5"] * 8), None),
        ("Khá", "Tốt", scores(*["9.5"] * 8), None),
    ],
    ids=["xuat-sac-six-9.0", "gioi-five-9.0", "conduct-kha", "academic-kha"],
)
def test_award_title(academic: str, conduct: str, values: list[Decimal], expected: str | None):
    assert award_title(academic, conduct, values) == expected


def test_rules_table_id() -> None:
    assert load_rules().id == "tt22-2021"
