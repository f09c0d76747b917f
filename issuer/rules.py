"""Circular 22/2021/TT-BGDĐT assessment rules, driven by ``data/rules/tt22-2021.json``.

The thresholds live in the data file so that a new circular is a data change.
Scores are ``decimal.Decimal`` throughout and are formatted with a dot and one
decimal (``"8.5"``), the form the credential stores.

- Academic result per term and year (Article 9.2): the first level, from the
  highest, whose conditions hold; then Article 9.3 raises the result by one level
  when a single subject pulled it down two or more levels below Tốt or Khá.
- Year average (Article 9.1): ``(hk1 + 2 * hk2) / 3`` rounded half up to one decimal.
- Year result of a comment-only subject: the term II result.
- Year conduct (Article 8): a table indexed by term II and term I conduct.
- Award titles (Article 15): Học sinh Xuất sắc, then Học sinh Giỏi.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from hocba.errors import InputError
from issuer.curriculum import DATA_DIR, Curriculum

__all__ = [
    "TERMS",
    "AcademicLevel",
    "Award",
    "RuleSet",
    "academic_result",
    "academic_results",
    "award_title",
    "format_score",
    "load_rules",
    "parse_score",
    "year_average",
    "year_conduct",
    "year_pass_fail",
]

logger = logging.getLogger(__name__)

TERMS = ("hk1", "hk2", "cn")
_ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class AcademicLevel:
    """Conditions of one academic level (Article 9.2)."""

    level: str
    max_failed_comment_subjects: int
    min_every_score: Decimal
    min_count: int
    count_threshold: Decimal


@dataclass(frozen=True)
class Award:
    """Conditions of one award title (Article 15)."""

    title: str
    academic: str
    conduct: str
    min_count: int
    count_threshold: Decimal


@dataclass(frozen=True)
class RuleSet:
    """The assessment rules of one circular, as loaded from its data file."""

    id: str
    levels: tuple[str, ...]
    pass_value: str
    fail_value: str
    academic_levels: tuple[AcademicLevel, ...]
    fallback_level: str
    adjustment_enabled: bool
    adjustment_reference_levels: tuple[str, ...]
    adjustment_min_levels_dropped: int
    term1_weight: int
    term2_weight: int
    pass_fail_year_term: str
    conduct_year: dict[str, dict[str, str]]
    awards: tuple[Award, ...]

    def rank(self, level: str) -> int:
        """Return the position of ``level``, 0 being the highest."""
        if level not in self.levels:
            raise InputError(f"unknown level {level!r}; expected one of {self.levels}")
        return self.levels.index(level)


def _decimal(text: str) -> Decimal:
    return Decimal(str(text))


def _parse_rules(raw: dict) -> RuleSet:
    levels = tuple(raw["levels"])
    academic_levels = tuple(
        AcademicLevel(
            level=item["level"],
            max_failed_comment_subjects=int(item["maxFailedCommentSubjects"]),
            min_every_score=_decimal(item["minEveryScore"]),
            min_count=int(item["minCount"]),
            count_threshold=_decimal(item["countThreshold"]),
        )
        for item in raw["academicLevels"]
    )
    awards = tuple(
        Award(
            title=item["title"],
            academic=item["academic"],
            conduct=item["conduct"],
            min_count=int(item["minCount"]),
            count_threshold=_decimal(item["countThreshold"]),
        )
        for item in raw["awards"]
    )
    adjustment = raw["singleSubjectAdjustment"]
    conduct_year = {hk2: dict(by_hk1) for hk2, by_hk1 in raw["conductYear"].items()}
    for hk2 in levels:
        if set(conduct_year.get(hk2, {})) != set(levels):
            raise InputError(f"rules {raw['id']}: conductYear is incomplete for term II {hk2!r}")
    return RuleSet(
        id=raw["id"],
        levels=levels,
        pass_value=raw["passValue"],
        fail_value=raw["failValue"],
        academic_levels=academic_levels,
        fallback_level=raw["fallbackLevel"],
        adjustment_enabled=bool(adjustment["enabled"]),
        adjustment_reference_levels=tuple(adjustment["referenceLevels"]),
        adjustment_min_levels_dropped=int(adjustment["minLevelsDropped"]),
        term1_weight=int(raw["yearAverage"]["term1Weight"]),
        term2_weight=int(raw["yearAverage"]["term2Weight"]),
        pass_fail_year_term=raw["passFailYearFromTerm"],
        conduct_year=conduct_year,
        awards=awards,
    )


@lru_cache(maxsize=8)
def load_rules(name: str = "tt22-2021") -> RuleSet:
    """Load ``data/rules/<name>.json``; raise InputError when it is missing or invalid."""
    path = DATA_DIR / "rules" / f"{name}.json"
    if not path.is_file():
        raise InputError(f"rules file not found: {path}", code="rules_not_found")
    try:
        rules = _parse_rules(json.loads(path.read_text(encoding="utf-8")))
    except InputError:
        raise
    except (KeyError, TypeError, ValueError, InvalidOperation) as exc:
        raise InputError(f"invalid rules file {path}: {exc}", code="rules_invalid") from exc
    logger.debug("loaded assessment rules %s", rules.id)
    return rules


def parse_score(text: str) -> Decimal:
    """Parse a normalised score string (``"8.5"``) into a Decimal."""
    try:
        return Decimal(text)
    except InvalidOperation as exc:
        raise InputError(f"not a score: {text!r}", code="invalid_score") from exc


def format_score(value: Decimal) -> str:
    """Format a score with a dot and exactly one decimal, rounding half up."""
    return str(value.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP))


def year_average(hk1: Decimal, hk2: Decimal, rules: RuleSet | None = None) -> Decimal:
    """Return ĐTBmcn = (w1 * hk1 + w2 * hk2) / (w1 + w2), rounded half up to one decimal."""
    rules = rules or load_rules()
    total = rules.term1_weight * hk1 + rules.term2_weight * hk2
    average = total / (rules.term1_weight + rules.term2_weight)
    return average.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


def year_pass_fail(hk1: str, hk2: str, rules: RuleSet | None = None) -> str:
    """Return the year result of a comment-only subject (the term II result)."""
    rules = rules or load_rules()
    return {"hk1": hk1, "hk2": hk2}[rules.pass_fail_year_term]


def year_conduct(hk1: str, hk2: str, rules: RuleSet | None = None) -> str:
    """Return the year conduct result from the two term results (Article 8)."""
    rules = rules or load_rules()
    rules.rank(hk1)
    rules.rank(hk2)
    return rules.conduct_year[hk2][hk1]


def _level_by_thresholds(scores: Sequence[Decimal], failed_comments: int, rules: RuleSet) -> str:
    for level in rules.academic_levels:
        if failed_comments > level.max_failed_comment_subjects:
            continue
        if any(score < level.min_every_score for score in scores):
            continue
        if sum(1 for score in scores if score >= level.count_threshold) < level.min_count:
            continue
        return level.level
    return rules.fallback_level


def _reachable_with_one_subject(
    scores: Sequence[Decimal], comments: Sequence[str], target: AcademicLevel, rules: RuleSet
) -> bool:
    """Tell whether lifting a single subject to ``target``'s floor reaches ``target``.

    A score is lifted only to the level's per-subject minimum, never above, so the
    lifted subject cannot add to the count of high scores.

    NOTE: Article 9.3 does not say how to decide that one subject alone lowered
    the result; this floor-lifting test is hocba's reading of it.
    """
    failed = sum(1 for value in comments if value != rules.pass_value)
    for index, score in enumerate(scores):
        if score >= target.min_every_score:
            continue
        lifted = [*scores[:index], target.min_every_score, *scores[index + 1 :]]
        if rules.rank(_level_by_thresholds(lifted, failed, rules)) <= rules.rank(target.level):
            return True
    if failed >= 1:
        level = _level_by_thresholds(scores, failed - 1, rules)
        if rules.rank(level) <= rules.rank(target.level):
            return True
    return False


def academic_result(
    scores: Sequence[Decimal], comments: Sequence[str], rules: RuleSet | None = None
) -> str:
    """Return the academic result of one term or year (Article 9.2 and 9.3).

    ``scores`` are the averages of the scored subjects, ``comments`` the Đạt /
    Chưa đạt results of the comment-only subjects, both for the same period.
    """
    rules = rules or load_rules()
    for value in comments:
        if value not in (rules.pass_value, rules.fail_value):
            raise InputError(f"comment result must be Đạt or Chưa đạt, not {value!r}")
    failed = sum(1 for value in comments if value != rules.pass_value)
    level = _level_by_thresholds(scores, failed, rules)
    if not rules.adjustment_enabled:
        return level

    current = rules.rank(level)
    for reference in rules.adjustment_reference_levels:
        target = next(item for item in rules.academic_levels if item.level == reference)
        dropped = current - rules.rank(reference)
        if dropped < rules.adjustment_min_levels_dropped:
            continue
        if _reachable_with_one_subject(scores, comments, target, rules):
            return rules.levels[current - 1]
    return level


def academic_results(
    subjects: Sequence, curriculum: Curriculum, rules: RuleSet | None = None
) -> dict[str, str]:
    """Return the academic result per term (``hk1``, ``hk2``, ``cn``) of a student's subjects.

    ``subjects`` are ``SubjectResult`` objects whose codes are in ``curriculum``.
    """
    rules = rules or load_rules()
    results: dict[str, str] = {}
    for term in TERMS:
        scores: list[Decimal] = []
        comments: list[str] = []
        for result in subjects:
            value = getattr(result, term)
            if curriculum.subject(result.code).is_scored:
                scores.append(parse_score(value))
            else:
                comments.append(value)
        results[term] = academic_result(scores, comments, rules)
    return results


def award_title(
    academic_year: str,
    conduct_year: str,
    year_scores: Sequence[Decimal],
    rules: RuleSet | None = None,
) -> str | None:
    """Return the award title earned for the year (Article 15), or None."""
    rules = rules or load_rules()
    for award in rules.awards:
        if academic_year != award.academic or conduct_year != award.conduct:
            continue
        high = sum(1 for score in year_scores if score >= award.count_threshold)
        if high >= award.min_count:
            return award.title
    return None
