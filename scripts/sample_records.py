"""Write sample spreadsheets of the digital-competence certificate and the completion confirmation.

The students are the fictional ones of ``scripts.sample_data`` (same seed, same
names), so the sample files match the sample transcripts. Levels are drawn around
the level the framework data expects for the grade, which is marked unconfirmed.

    python -m scripts.sample_records OUT_DIR [--seed N] [--size N]
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import random
from datetime import date
from pathlib import Path

from issuer.competence import competence_columns
from issuer.competence_framework import CompetenceFramework, load_framework
from issuer.completion import COMPLETION_COLUMNS
from issuer.records import ClassRecords, StudentYearRecord
from scripts.sample_data import generate_school

__all__ = ["competence_rows", "completion_rows", "main", "write_csv", "write_sample_records"]

logger = logging.getLogger(__name__)


def _student_cells(index: int, student: StudentYearRecord) -> list[str]:
    return [str(index), student.full_name, student.birth_date.strftime("%d/%m/%Y"),
            student.gender, student.student_id, student.class_name, str(student.grade),
            student.school_year, student.homeroom_teacher]


def competence_rows(class_records: ClassRecords, seed: int,
                    framework: CompetenceFramework | None = None) -> list[list[str]]:
    """Return the header and one row of levels per student of ``class_records``."""
    framework = framework or load_framework()
    rng = random.Random(f"competence:{seed}:{class_records.class_name}")  # noqa: S311 - sample data
    expected = framework.expected_level(class_records.grade) or framework.levels[0]
    rows = [competence_columns(framework)]
    for index, student in enumerate(class_records.students, start=1):
        levels = [min(max(expected + rng.choice((-1, 0, 0, 0, 1)), framework.levels[0]),
                      framework.levels[-1]) for _ in framework.components]
        rows.append([*_student_cells(index, student), *(str(level) for level in levels)])
    return rows


def completion_rows(class_records: ClassRecords, *, issued_on: date,
                    decision_number: str) -> list[list[str]]:
    """Return the header and one confirmation row per grade 9 student who completed the year."""
    rows = [list(COMPLETION_COLUMNS)]
    year = class_records.school_year.split("-")[1]
    number = 0
    for student in class_records.students:
        if "Chưa đạt" in (student.academic["cn"], student.conduct["cn"]):
            continue
        number += 1
        rows.append([*_student_cells(number, student), student.academic["cn"],
                     student.conduct["cn"], student.award_title or "",
                     f"THCS{year}-{number:05d}", f"{number:03d}/{year}",
                     issued_on.strftime("%d/%m/%Y"), decision_number])
    return rows


def write_csv(rows: list[list[str]], path: Path) -> Path:
    """Write ``rows`` as CSV UTF-8 with BOM and CRLF, the form Excel saves."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\ufeff" + buffer.getvalue()).encode("utf-8"))
    return path


def write_sample_records(out_dir: Path, *, seed: int = 7, size: int | None = None,
                         school_year: str = "2025-2026") -> tuple[Path, Path]:
    """Write the grade 8 competence and grade 9 completion spreadsheets; return their paths."""
    classes = {item.grade: item for item in generate_school(seed, school_year)}
    grade8, grade9 = classes[8], classes[9]
    if size is not None:
        grade8 = ClassRecords(grade8.class_name, 8, school_year, grade8.homeroom_teacher,
                              grade8.students[:size])
        grade9 = ClassRecords(grade9.class_name, 9, school_year, grade9.homeroom_teacher,
                              grade9.students[:size])
    end_year = int(school_year.split("-")[1])
    competence = write_csv(competence_rows(grade8, seed),
                           out_dir / f"nang-luc-so-{grade8.class_name}-{school_year}.csv")
    completion = write_csv(
        completion_rows(grade9, issued_on=date(end_year, 6, 15),
                        decision_number=f"125/QĐ-UBND-{end_year}"),
        out_dir / f"xac-nhan-hoan-thanh-thcs-{grade9.class_name}-{school_year}.csv")
    logger.info("wrote sample record spreadsheets to %s", out_dir)
    return competence, completion


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write sample record spreadsheets.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--size", type=int, default=None, help="students per class (default all)")
    args = parser.parse_args(argv)
    for path in write_sample_records(args.out_dir, seed=args.seed, size=args.size):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
