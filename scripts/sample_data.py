"""Generate fictional lower-secondary schools in Củ Chi for demos and tests.

All people, schools and codes here are fictional. The generator is deterministic
for a given seed. Scores follow a per-student ability plus per-subject noise,
kept in tenths (integers) and turned into Decimal, never float; year averages,
academic results, conduct and titles come from ``issuer.rules``.

    python -m scripts.sample_data OUTDIR [--seed 2026] [--school-year 2025-2026]
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from issuer.curriculum import Curriculum, Subject, load_curriculum
from issuer.importer import write_class_csv
from issuer.records import ClassRecords, SchoolIdentity, StudentYearRecord, SubjectResult
from issuer.rules import (
    RuleSet,
    academic_results,
    award_title,
    format_score,
    load_rules,
    parse_score,
    year_average,
    year_conduct,
    year_pass_fail,
)
from scripts.sample_names import draw_full_name

__all__ = [
    "MAIN_SCHOOL",
    "PRIMARY_SCHOOL",
    "THPT_ELECTIVES",
    "THPT_SCHOOL",
    "WITHDRAWN_SCHOOL",
    "SampleSchool",
    "generate_primary_class",
    "generate_school",
    "generate_thpt_school",
    "generate_withdrawn_school",
    "main",
    "sample_school_identity",
    "write_school",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SampleSchool:
    """A fictional school: name, codes, principal, and its (class name, homeroom teacher) pairs."""

    slug: str
    name: str
    school_code: str
    admin_unit_code: str
    principal: str
    classes: tuple[tuple[str, str], ...]


# Fictional schools. The codes reuse the shape of real codes but identify nothing.
MAIN_SCHOOL = SampleSchool(
    slug="thcs-phu-hoa-dong",
    name="Trường THCS Phú Hòa Đông",
    school_code="79785401",
    admin_unit_code="27010",
    principal="Lê Thị Hồng",
    classes=(("6A1", "Phạm Thị Thu Hà"), ("7A1", "Nguyễn Văn Tâm"),
             ("8A1", "Trần Văn Bình"), ("9A1", "Võ Thị Kim Loan")),
)
WITHDRAWN_SCHOOL = SampleSchool(
    slug="thcs-thai-my",
    name="Trường THCS Thái Mỹ",
    school_code="79785499",
    admin_unit_code="27013",
    principal="Đỗ Minh Quang",
    classes=(("8A1", "Huỳnh Thị Mỹ Duyên"),),
)

_CONDUCT_LEVELS = ("Tốt", "Khá", "Đạt", "Chưa đạt")
_CONDUCT_WEIGHTS = (78, 17, 4, 1)
_REMARKS = {
    "Tốt": ("Học tập chăm chỉ, kết quả tốt; cần phát huy.",
            "Có ý thức tự học cao, tích cực xây dựng bài."),
    "Khá": ("Chăm ngoan, tích cực tham gia hoạt động của lớp.",
            "Có tiến bộ; cần cố gắng hơn ở một số môn."),
    "Đạt": ("Cần cố gắng hơn trong học tập, chú ý ôn luyện các môn còn yếu.",),
    "Chưa đạt": ("Cần ôn tập trong hè và kiểm tra lại các môn chưa đạt.",),
}


def _tenths(rng: random.Random, mean: float, spread: float) -> Decimal:
    value = round(rng.gauss(mean, spread) * 10)
    return Decimal(min(100, max(0, value))) / 10


def _birth_date(rng: random.Random, grade: int, start_year: int) -> date:
    nominal = start_year - (grade + 5)
    year = rng.choices((nominal, nominal - 1, nominal - 2), weights=(93, 5, 2))[0]
    return date(year, 1, 1) + timedelta(days=rng.randrange(365))


def _subject_result(rng: random.Random, subject: Subject, ability: float,
                    rules: RuleSet) -> SubjectResult:
    if subject.is_scored:
        aptitude = ability + rng.gauss(0, 0.45)
        hk1 = _tenths(rng, aptitude, 0.45)
        hk2 = _tenths(rng, aptitude + 0.15, 0.45)
        cn = year_average(hk1, hk2, rules)
        return SubjectResult(subject.code, format_score(hk1), format_score(hk2), format_score(cn))
    fail_chance = 0.01 + (0.08 if ability < 4.5 else 0.0)
    terms = [rules.fail_value if rng.random() < fail_chance else rules.pass_value
             for _ in range(2)]
    return SubjectResult(subject.code, terms[0], terms[1], year_pass_fail(*terms, rules))


def _conduct(rng: random.Random, rules: RuleSet) -> dict[str, str]:
    hk1 = rng.choices(_CONDUCT_LEVELS, weights=_CONDUCT_WEIGHTS)[0]
    index = _CONDUCT_LEVELS.index(hk1)
    shift = rng.choices((0, -1, 1), weights=(80, 12, 8))[0]
    hk2 = _CONDUCT_LEVELS[min(3, max(0, index + shift))]
    return {"hk1": hk1, "hk2": hk2, "cn": year_conduct(hk1, hk2, rules)}


def _student(rng: random.Random, row: int, classes: ClassRecords, name: str, gender: str,
             student_id: str, curriculum: Curriculum, rules: RuleSet) -> StudentYearRecord:
    start_year = int(classes.school_year[:4])
    ability = min(9.8, max(2.5, rng.gauss(7.6, 1.05)))
    subjects = [_subject_result(rng, subject, ability, rules)
                for subject in curriculum.subjects_for_grade(classes.grade)]
    academic = academic_results(subjects, curriculum, rules)
    conduct = _conduct(rng, rules)
    year_scores = [parse_score(result.cn) for result in subjects
                   if curriculum.subject(result.code).is_scored]
    return StudentYearRecord(
        row_number=row, full_name=name, birth_date=_birth_date(rng, classes.grade, start_year),
        gender=gender, student_id=student_id, class_name=classes.class_name,
        grade=classes.grade, school_year=classes.school_year,
        homeroom_teacher=classes.homeroom_teacher, subjects=subjects, academic=academic,
        conduct=conduct, award_title=award_title(academic["cn"], conduct["cn"], year_scores, rules),
        remark=rng.choice(_REMARKS[academic["cn"]]),
    )


def _generate_class(rng: random.Random, class_name: str, teacher: str, school_year: str,
                    size: int, used_ids: set[str], curriculum: Curriculum,
                    rules: RuleSet) -> ClassRecords:
    shell = ClassRecords(class_name, int(class_name[0]), school_year, teacher, [])
    names: set[str] = set()
    for index in range(size):
        gender = rng.choice(("Nam", "Nữ"))
        name = draw_full_name(rng, gender)
        while name in names:
            name = draw_full_name(rng, gender)
        names.add(name)
        student_id = ""
        if rng.random() >= 0.08:
            student_id = f"79{rng.randrange(10**8):08d}"
            while student_id in used_ids:
                student_id = f"79{rng.randrange(10**8):08d}"
            used_ids.add(student_id)
        shell.students.append(
            _student(rng, index + 2, shell, name, gender, student_id, curriculum, rules)
        )
    shell.students.sort(key=lambda item: _list_order(item.full_name))
    students = [_renumber(student, index + 2) for index, student in enumerate(shell.students)]
    return ClassRecords(class_name, shell.grade, school_year, teacher, students)


def _list_order(full_name: str) -> tuple[str, str]:
    """Sort key of a class list: given name first, then the full name, ignoring diacritics."""
    plain = unicodedata.normalize("NFD", full_name.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(char for char in plain if not unicodedata.combining(char)).casefold()
    return plain.split(" ")[-1], plain


def _renumber(student: StudentYearRecord, row: int) -> StudentYearRecord:
    values = dict(student.__dict__)
    values["row_number"] = row
    return StudentYearRecord(**values)


def _generate(school: SampleSchool, seed: int, school_year: str, sizes: tuple[int, int],
              curriculum: Curriculum | None, rules: RuleSet | None) -> list[ClassRecords]:
    curriculum = curriculum or load_curriculum()
    rules = rules or load_rules()
    rng = random.Random(f"{school.slug}:{seed}:{school_year}")  # noqa: S311 - not for security
    used_ids: set[str] = set()
    return [
        _generate_class(rng, class_name, teacher, school_year, rng.randint(*sizes),
                        used_ids, curriculum, rules)
        for class_name, teacher in school.classes
    ]


def generate_school(seed: int, school_year: str = "2025-2026", *,
                    curriculum: Curriculum | None = None,
                    rules: RuleSet | None = None) -> list[ClassRecords]:
    """Generate the four classes (6A1, 7A1, 8A1, 9A1) of the fictional main school."""
    return _generate(MAIN_SCHOOL, seed, school_year, (35, 45), curriculum, rules)


def generate_withdrawn_school(seed: int, school_year: str = "2025-2026", *,
                              curriculum: Curriculum | None = None,
                              rules: RuleSet | None = None) -> list[ClassRecords]:
    """Generate the one class (8A1, 34 to 36 students) of the fictional withdrawn school."""
    return _generate(WITHDRAWN_SCHOOL, seed, school_year, (34, 36), curriculum, rules)


def sample_school_identity(issuer_did: str, school: SampleSchool = MAIN_SCHOOL) -> SchoolIdentity:
    """Return the credential identity of a sample school signing as ``issuer_did``."""
    return SchoolIdentity(issuer_did, school.name, school.school_code,
                          school.admin_unit_code, school.principal)


def write_school(school: SampleSchool, classes: list[ClassRecords], outdir: Path) -> list[Path]:
    """Write one CSV per class into ``outdir``, named ``<school slug>-<class>-<year>.csv``."""
    outdir.mkdir(parents=True, exist_ok=True)
    return [
        write_class_csv(item, outdir / f"{school.slug}-{item.class_name}-{item.school_year}.csv")
        for item in classes
    ]


THPT_SCHOOL = SampleSchool(
    slug="thpt-phu-hoa",
    name="Trường THPT Phú Hòa",
    school_code="79785601",
    admin_unit_code="79",
    principal="Trần Quốc Việt",
    classes=(("10A1", "Lâm Thị Ngọc Bích"), ("11A1", "Đặng Văn Hùng"),
             ("12A1", "Phan Thị Thanh Thúy")),
)
THPT_ELECTIVES = ("VAT_LI", "HOA_HOC", "SINH_HOC", "TIN_HOC")


def _generate_graded(school: SampleSchool, seed: int, school_year: str, sizes: tuple[int, int],
                     curriculum: Curriculum, rules: RuleSet) -> list[ClassRecords]:
    """Generate ``school``'s classes; the grade is the leading number of the class name."""
    rng = random.Random(f"{school.slug}:{seed}:{school_year}")  # noqa: S311 - not for security
    used_ids: set[str] = set()
    classes = []
    for class_name, teacher in school.classes:
        grade = int(class_name[: len(class_name) - len(class_name.lstrip("0123456789"))])
        shell = ClassRecords(class_name, grade, school_year, teacher, [])
        size = rng.randint(*sizes)
        names: set[str] = set()
        for index in range(size):
            gender = rng.choice(("Nam", "Nữ"))
            name = draw_full_name(rng, gender)
            while name in names:
                name = draw_full_name(rng, gender)
            names.add(name)
            student_id = f"79{rng.randrange(10**8):08d}"
            while student_id in used_ids:
                student_id = f"79{rng.randrange(10**8):08d}"
            used_ids.add(student_id)
            shell.students.append(
                _student(rng, index + 2, shell, name, gender, student_id, curriculum, rules))
        shell.students.sort(key=lambda item: _list_order(item.full_name))
        students = [_renumber(student, index + 2) for index, student in enumerate(shell.students)]
        classes.append(ClassRecords(class_name, grade, school_year, teacher, students))
    return classes


def generate_thpt_school(seed: int, school_year: str = "2025-2026", *,
                         electives: tuple[str, ...] = THPT_ELECTIVES,
                         sizes: tuple[int, int] = (35, 45)) -> list[ClassRecords]:
    """Generate the classes 10A1, 11A1 and 12A1 of the fictional upper-secondary school."""
    curriculum = load_curriculum("thpt-2018").with_electives(electives)
    return _generate_graded(THPT_SCHOOL, seed, school_year, sizes, curriculum,
                            load_rules(curriculum.rules_id))


PRIMARY_SCHOOL = SampleSchool(
    slug="th-phu-hoa-dong",
    name="Trường Tiểu học Phú Hòa Đông",
    school_code="79785301",
    admin_unit_code="27010",
    principal="Ngô Thị Bảo Trâm",
    classes=(("4A1", "Trương Thị Mai"),),
)


def generate_primary_class(seed: int, school_year: str = "2025-2026",
                           size: int = 30) -> ClassRecords:
    """Generate class 4A1 of the fictional primary school (issuer.primary records)."""
    from issuer.primary import PrimaryRecord, load_primary_rules, primary_traits, test_subjects
    from issuer.primary import year_result as primary_year_result

    curriculum = load_curriculum("tieu-hoc-2018")
    rules = load_primary_rules(curriculum.rules_id)
    rng = random.Random(f"{PRIMARY_SCHOOL.slug}:{seed}:{school_year}")  # noqa: S311
    class_name, teacher = PRIMARY_SCHOOL.classes[0]
    grade = int(class_name[0])
    traits = primary_traits(curriculum.id)
    pupils = []
    for index in range(size):
        gender = rng.choice(("Nam", "Nữ"))
        ability = min(1.0, max(0.0, rng.gauss(0.75, 0.2)))
        ratings = {subject.code: rules.subject_ratings[0 if rng.random() < ability else
                                                       (1 if rng.random() > 0.03 else 2)]
                   for subject in curriculum.subjects_for_grade(grade)}
        tests = {code: str(min(10, max(1, round(rng.gauss(5 + 5 * ability, 1.0)))))
                 for code in ratings if code in test_subjects(curriculum.id)}
        graded = {kind: {trait.code: rules.trait_ratings[0 if rng.random() < ability + 0.1
                                                         else 1] for trait in traits[kind]}
                  for kind in traits}
        result = primary_year_result(
            list(ratings.values()), [*graded["quality"].values(), *graded["competence"].values()],
            [int(value) for value in tests.values()], rules)
        pupils.append(PrimaryRecord(
            row_number=index + 2, full_name=draw_full_name(rng, gender),
            birth_date=_birth_date(rng, grade, int(school_year[:4])), gender=gender,
            student_id=f"79{rng.randrange(10**8):08d}", class_name=class_name, grade=grade,
            school_year=school_year, homeroom_teacher=teacher, ratings=ratings, tests=tests,
            qualities=graded["quality"], competences=graded["competence"], year_result=result,
            remark="Chăm ngoan, biết giúp đỡ bạn bè." if ability > 0.6 else
            "Cần luyện đọc và làm toán thêm ở nhà.",
        ))
    return ClassRecords(class_name, grade, school_year, teacher, pupils)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    """Write the sample schools' class CSV files; return the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m scripts.sample_data",
        description="Tạo dữ liệu mẫu hư cấu (Generate fictional sample class CSV files).",
    )
    parser.add_argument("outdir", type=Path, help="thư mục ghi tệp CSV (output folder)")
    parser.add_argument("--seed", type=int, default=2026, help="hạt sinh số ngẫu nhiên (seed)")
    parser.add_argument("--school-year", default="2025-2026", help="năm học, ví dụ 2025-2026")
    args = parser.parse_args(argv)

    written = write_school(MAIN_SCHOOL, generate_school(args.seed, args.school_year), args.outdir)
    written += write_school(
        WITHDRAWN_SCHOOL, generate_withdrawn_school(args.seed, args.school_year), args.outdir
    )
    for path in written:
        print(f"Đã ghi {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
