"""Consistency checks of one imported student row against the Circular 22 rules.

The spreadsheet carries the year averages, the academic and conduct results and
the award title as the school computed them. These checks recompute each of them
from the subject results and report every disagreement, so a school never issues
a record whose results contradict its own scores.
"""

from __future__ import annotations

from dataclasses import dataclass

from issuer.curriculum import Curriculum, Subject
from issuer.records import SubjectResult
from issuer.rules import (
    TERMS,
    RuleSet,
    academic_results,
    award_title,
    format_score,
    parse_score,
    year_average,
    year_conduct,
    year_pass_fail,
)

__all__ = ["RuleMismatch", "check_row_results", "term_suffix"]

_TERM_SUFFIX = {"hk1": "HKI", "hk2": "HKII", "cn": "CN"}
_TERM_VI = {"hk1": "học kỳ I", "hk2": "học kỳ II", "cn": "cả năm"}


def term_suffix(term: str) -> str:
    """Return the column suffix of ``term``: HKI, HKII or CN."""
    return _TERM_SUFFIX[term]


@dataclass(frozen=True)
class RuleMismatch:
    """A value in the row that differs from what the rules give."""

    column: str
    value: str
    expected: str
    code: str
    message_vi: str
    message_en: str


def _subject_year_mismatch(
    subject: Subject, result: SubjectResult, rules: RuleSet
) -> RuleMismatch | None:
    column = f"{subject.csv_label} {term_suffix('cn')}"
    if subject.is_scored:
        average = year_average(parse_score(result.hk1), parse_score(result.hk2), rules)
        expected = format_score(average)
        if result.cn == expected:
            return None
        return RuleMismatch(
            column,
            result.cn,
            expected,
            "year_average_mismatch",
            f"Điểm cả năm môn {subject.name} ghi {result.cn.replace('.', ',')} nhưng "
            f"(HKI + 2 x HKII) / 3 = {expected.replace('.', ',')}.",
            f"{subject.code} year average is {result.cn} but (hk1 + 2 * hk2) / 3 = {expected}",
        )
    expected = year_pass_fail(result.hk1, result.hk2, rules)
    if result.cn == expected:
        return None
    return RuleMismatch(
        column,
        result.cn,
        expected,
        "pass_fail_year_mismatch",
        f"Kết quả cả năm môn {subject.name} phải theo học kỳ II, tức là {expected!r}.",
        f"{subject.code} year result must equal the term II result {expected!r}",
    )


def check_row_results(
    subjects: list[SubjectResult],
    academic: dict[str, str],
    conduct: dict[str, str],
    award: str | None,
    curriculum: Curriculum,
    rules: RuleSet,
    *,
    check_award: bool = True,
) -> list[RuleMismatch]:
    """Return every result of the row that disagrees with the rules.

    ``academic`` and ``conduct`` may lack a term whose cell was invalid; that
    term is then not compared, and neither is the award title. The award title
    is compared only when ``check_award`` is true and every other result agrees.
    """
    mismatches: list[RuleMismatch] = []
    for result in subjects:
        mismatch = _subject_year_mismatch(curriculum.subject(result.code), result, rules)
        if mismatch is not None:
            mismatches.append(mismatch)

    expected_academic = academic_results(subjects, curriculum, rules)
    for term in TERMS:
        given = academic.get(term)
        if given is None or given == expected_academic[term]:
            continue
        mismatches.append(
            RuleMismatch(
                f"Kết quả học tập {term_suffix(term)}",
                given,
                expected_academic[term],
                "academic_mismatch",
                f"Kết quả học tập {_TERM_VI[term]} ghi {given!r} nhưng theo Thông tư 22/2021 "
                f"phải là {expected_academic[term]!r}.",
                f"academic result {term} is {given!r} "
                f"but the rules give {expected_academic[term]!r}",
            )
        )

    if "hk1" in conduct and "hk2" in conduct and "cn" in conduct:
        expected_conduct = year_conduct(conduct["hk1"], conduct["hk2"], rules)
        if conduct["cn"] != expected_conduct:
            mismatches.append(
                RuleMismatch(
                    "Kết quả rèn luyện CN",
                    conduct["cn"],
                    expected_conduct,
                    "conduct_mismatch",
                    f"Kết quả rèn luyện cả năm ghi {conduct['cn']!r} nhưng với học kỳ I "
                    f"{conduct['hk1']!r} và học kỳ II {conduct['hk2']!r} "
                    f"phải là {expected_conduct!r}.",
                    f"year conduct is {conduct['cn']!r} "
                    f"but the term results give {expected_conduct!r}",
                )
            )

    if check_award and "cn" in academic and "cn" in conduct and not mismatches:
        year_scores = [
            parse_score(result.cn)
            for result in subjects
            if curriculum.subject(result.code).is_scored
        ]
        expected_award = award_title(academic["cn"], conduct["cn"], year_scores, rules)
        if award != expected_award:
            mismatches.append(
                RuleMismatch(
                    "Danh hiệu",
                    award or "",
                    expected_award or "",
                    "award_mismatch",
                    f"Danh hiệu ghi {award or '(trống)'!r} nhưng theo kết quả cả năm "
                    f"phải là {expected_award or '(trống)'!r}.",
                    f"award title is {award!r} but the year results give {expected_award!r}",
                )
            )
    return mismatches
