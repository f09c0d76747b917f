"""Read a primary transcript credential and lay out its PDF page (Circular 27/2020).

``read_primary`` turns the credential into a ``PrimaryView`` or raises
``CredentialError``; ``primary_story`` builds the reportlab flowables that
``issuer.pdf`` renders with the shared header, QR block, footer and attachment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from hocba.errors import CredentialError
from issuer.curriculum import load_curriculum
from issuer.fonts import FONT_BOLD, FONT_REGULAR, FONT_SEMIBOLD
from issuer.primary import load_primary_rules, primary_traits

# The identity readers are shared with the THCS reader on purpose: one strict parser.
from issuer.transcript_view import _birth_date, _identifiers, _object, _text

__all__ = ["PrimaryView", "primary_story", "read_primary"]

_PREFIX = "urn:hocba:result:"


@dataclass(frozen=True)
class PrimaryView:
    """Display model of a primary transcript page; attribute names match ``TranscriptView``."""

    credential_id: str
    school_name: str
    school_code: str
    title: str
    student_name: str
    birth_date: date
    student_id: str
    gender: str
    class_name: str
    grade: int
    school_year: str
    subjects: tuple[tuple[str, str, str], ...]
    qualities: tuple[tuple[str, str], ...]
    competences: tuple[tuple[str, str], ...]
    year_result: str
    remark: str
    homeroom_teacher: str
    principal: str
    level_name: str = "Tiểu học"
    learner_term: str = "học sinh"
    head_title: str = "Hiệu trưởng"


def _fail(detail: str) -> CredentialError:
    return CredentialError(f"primary transcript credential: {detail}", code="malformed",
                           message_vi=f"Học bạ tiểu học không hợp lệ: {detail}")


def _values(subject: dict[str, Any]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in subject.get("result") or []:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise _fail("a result is not an object with a text value")
        key = item.get("resultDescription")
        if not isinstance(key, str) or not key.startswith(_PREFIX) or key in values:
            raise _fail(f"result id {key!r} is invalid or repeated")
        values[key] = item["value"]
    return values


def _take(values: dict[str, str], key: str, allowed: tuple[str, ...]) -> str:
    value = values.pop(f"{_PREFIX}{key}", None)
    if value is None or value not in allowed:
        raise _fail(f"result {key} is missing or has an invalid value {value!r}")
    return value


def read_primary(credential: dict[str, Any]) -> PrimaryView:
    """Return the display model of a primary transcript credential, or raise CredentialError."""
    # The common parts (identity, class, signers) are read as for THCS, minus the results.
    subject = credential.get("credentialSubject") if isinstance(credential, dict) else None
    if not isinstance(subject, dict) or not isinstance(subject.get("grade"), int):
        raise _fail("credentialSubject or grade is missing")
    curriculum = load_curriculum("tieu-hoc-2018")
    rules = load_primary_rules(curriculum.rules_id)
    grade = subject["grade"]
    if grade not in curriculum.grades:
        raise _fail(f"grade {grade!r} is not a primary grade")
    values = _values(subject)
    tests = tuple(str(number) for number in range(rules.test_min, rules.test_max + 1))
    rows = []
    for item in curriculum.subjects_for_grade(grade):
        rating = _take(values, f"{item.id_segment}:rating", rules.subject_ratings)
        test = values.pop(f"{_PREFIX}{item.id_segment}:test", "")
        if test and test not in tests:
            raise _fail(f"periodic test of {item.code} is not a whole number 1 to 10")
        rows.append((item.name, rating, test))
    traits = primary_traits(curriculum.id)
    qualities = tuple((trait.name, _take(values, f"quality:{trait.id_segment}",
                                         rules.trait_ratings)) for trait in traits["quality"])
    competences = tuple((trait.name, _take(values, f"competence:{trait.id_segment}",
                                           rules.trait_ratings))
                        for trait in traits["competence"])
    year = _take(values, "year", rules.all_results)
    if values:
        raise _fail(f"unexpected results {sorted(values)}")
    issuer = _object(credential, "issuer")
    identifiers = _identifiers(subject)
    if "name" not in identifiers or "ext:birthDate" not in identifiers:
        raise _fail("the name or birth date identifier is missing")
    return PrimaryView(
        credential_id=_text(credential, "id"), school_name=_text(issuer, "name"),
        school_code=_text(issuer, "schoolCode"), title=_text(credential, "name"),
        student_name=identifiers["name"], birth_date=_birth_date(identifiers["ext:birthDate"]),
        student_id=identifiers.get("studentId", ""), gender=_text(subject, "gender"),
        class_name=_text(subject, "className"), grade=grade,
        school_year=_text(subject, "schoolYear"), subjects=tuple(rows), qualities=qualities,
        competences=competences, year_result=year, remark=_text(subject, "remark", optional=True),
        homeroom_teacher=_text(subject, "homeroomTeacher"),
        principal=_text(subject, "principal"), level_name=curriculum.education_level_name,
    )


def _grid(rows: list[list[object]], widths: list[float], header_rows: int = 1) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=header_rows)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
        ("ALIGN", (1, 0), (-1, -1), "CENTER"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.5, "#5b6470"),
        ("BACKGROUND", (0, 0), (-1, 0), "#e8edf3"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.6),
    ]))
    return table


def primary_story(view: PrimaryView, styles: dict[str, Any]) -> list[Flowable]:
    """Return the result tables of a primary transcript page."""
    subjects = _grid(
        [["Môn học và hoạt động giáo dục", "Mức đạt được", "Điểm KTĐK cuối năm"]]
        + [[Paragraph(name, styles["base"]), rating, test or "—"]
           for name, rating, test in view.subjects],
        [84 * mm, 52 * mm, 44 * mm],
    )
    pairs = max(len(view.qualities), len(view.competences))
    traits: list[list[object]] = [["Phẩm chất", "Mức đạt được", "Năng lực", "Mức đạt được"]]
    for index in range(pairs):
        quality = view.qualities[index] if index < len(view.qualities) else ("", "")
        competence = view.competences[index] if index < len(view.competences) else ("", "")
        traits.append([quality[0], quality[1], Paragraph(competence[0], styles["base"]),
                       competence[1]])
    trait_table = _grid(traits, [40 * mm, 30 * mm, 70 * mm, 40 * mm])
    return [
        subjects,
        Spacer(1, 3 * mm),
        trait_table,
        Spacer(1, 3 * mm),
        Paragraph(f"<font name='{FONT_SEMIBOLD}'>Kết quả giáo dục cuối năm:</font> "
                  f"{view.year_result}", styles["base"]),
    ]
