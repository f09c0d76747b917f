"""Circular 22/2021 rules: academic levels at their boundaries, year average, conduct, titles."""

from __future__ import annotations

from decimal import Decimal

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

PASS = ["Đạt", "Đạt", "Đạt", "Đạt"]
ONE_FAIL = ["Chưa đạt", "Đạt", "Đạt", "Đạt"]
TWO_FAIL = ["Chưa đạt", "Chưa đạt", "Đạt", "Đạt"]


def scores(*values: str) -> list[Decimal]:
    return [Decimal(value) for value in values]


ACADEMIC_CASES = [
    # (case id, scores, comment results, expected level)
    ("tot-at-boundary", scores(*["8.0"] * 6, "6.5", "6.5"), PASS, "Tốt"),
    ("tot-one-6.4", scores(*["8.0"] * 6, "6.5", "6.4"), PASS, "Khá"),
    ("tot-only-five-8.0", scores(*["8.0"] * 5, "7.9", "7.0", "7.0"), PASS, "Khá"),
    ("tot-exactly-six-8.0", scores(*["8.0"] * 6, "7.9", "7.9"), PASS, "Tốt"),
    ("kha-at-boundary", scores(*["6.5"] * 6, "5.0", "5.0"), PASS, "Khá"),
    ("kha-one-4.9", scores(*["6.5"] * 6, "5.0", "4.9"), PASS, "Đạt"),
    ("kha-only-five-6.5", scores(*["6.5"] * 5, "6.4", "6.4", "6.4"), PASS, "Đạt"),
    ("dat-at-boundary", scores(*["5.0"] * 6, "3.5", "3.5"), PASS, "Đạt"),
    ("dat-one-3.4-two-weak", scores(*["5.0"] * 6, "3.4", "4.0"), PASS, "Chưa đạt"),
    ("dat-only-five-5.0", scores(*["5.0"] * 5, "4.9", "4.9", "4.9"), PASS, "Chưa đạt"),
    ("kha-scores-one-comment-fail", scores(*["7.0"] * 8), ONE_FAIL, "Đạt"),
    ("two-comment-fails", scores(*["9.0"] * 8), TWO_FAIL, "Chưa đạt"),
    # Article 9.3: one subject pulled the level two or more below Tốt/Khá.
    ("adjust-tot-comment-fail", scores(*["8.0"] * 6, "7.0", "7.0"), ONE_FAIL, "Khá"),
    ("adjust-tot-one-4.0", scores(*["9.0"] * 7, "4.0"), PASS, "Khá"),
    ("adjust-tot-one-3.0", scores(*["9.0"] * 7, "3.0"), PASS, "Đạt"),
    ("adjust-kha-one-3.0", scores(*["7.0"] * 7, "3.0"), PASS, "Đạt"),
    ("no-adjust-kha-one-4.0", scores(*["7.0"] * 7, "4.0"), PASS, "Đạt"),
    ("no-adjust-two-weak", scores(*["9.0"] * 6, "4.0", "4.0"), PASS, "Đạt"),
    ("no-adjust-weak-and-fail", scores(*["9.0"] * 7, "4.0"), ONE_FAIL, "Đạt"),
]


@pytest.mark.parametrize(
    ("values", "comments", "expected"),
    [case[1:] for case in ACADEMIC_CASES],
    ids=[case[0] for case in ACADEMIC_CASES],
)
def test_academic_level(values: list[Decimal], comments: list[str], expected: str) -> None:
    assert academic_result(values, comments) == expected


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
