"""The digital competence framework for learners (Circular 02/2025/TT-BGDĐT), loaded from data.

The domains, components, bands and the grade-to-level table live in
``data/frameworks/digital-competence-tt02-2025.json`` so that a new circular is a
data change. The grade-to-level table is marked unconfirmed there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hocba.errors import InputError
from issuer.curriculum import DATA_DIR

__all__ = [
    "FRAMEWORK_FILE",
    "Band",
    "CompetenceFramework",
    "Component",
    "load_framework",
]

FRAMEWORK_FILE = DATA_DIR / "frameworks" / "digital-competence-tt02-2025.json"


@dataclass(frozen=True)
class Band:
    """A band (trình độ) of two levels, e.g. Cơ bản = levels 1 and 2."""

    code: str
    name: str
    name_en: str
    levels: tuple[int, ...]


@dataclass(frozen=True)
class Component:
    """A component competence (năng lực thành phần) such as 1.1, with its domain."""

    code: str
    name: str
    name_en: str
    domain_code: str
    domain_name: str

    @property
    def result_id(self) -> str:
        return f"urn:hocba:result:competence:{self.code}"


@dataclass(frozen=True)
class CompetenceFramework:
    """One competence framework: its components in order, its bands and levels."""

    id: str
    name: str
    circular: str
    target_type: str
    target_url_prefix: str
    components: tuple[Component, ...]
    bands: tuple[Band, ...]
    grade_levels: dict[int, int]

    @property
    def levels(self) -> tuple[int, ...]:
        return tuple(level for band in self.bands for level in band.levels)

    @property
    def domains(self) -> tuple[tuple[str, str], ...]:
        """Return (code, name) of every domain in order."""
        seen: dict[str, str] = {}
        for component in self.components:
            seen.setdefault(component.domain_code, component.domain_name)
        return tuple(seen.items())

    def band_of(self, level: int) -> Band:
        for band in self.bands:
            if level in band.levels:
                return band
        raise InputError(f"level {level} is not a level of {self.id}", code="invalid_level",
                         message_vi=f"Bậc {level} không có trong khung năng lực số.")

    def expected_level(self, grade: int) -> int | None:
        """Return the level expected at the end of ``grade`` (unconfirmed data), or None."""
        return self.grade_levels.get(grade)

    def level_label(self, level: int) -> str:
        return f"Bậc {level}"


def _parse(document: dict, source: Path) -> CompetenceFramework:
    try:
        components = tuple(
            Component(item["code"], item["name"], item["nameEn"], domain["code"], domain["name"])
            for domain in document["domains"] for item in domain["components"]
        )
        bands = tuple(Band(band["code"], band["name"], band["nameEn"], tuple(band["levels"]))
                      for band in document["bands"])
        grade_levels = {int(grade): int(level)
                        for grade, level in document["gradeLevels"]["levels"].items()}
        return CompetenceFramework(
            document["id"], document["name"], document["circular"], document["targetType"],
            document["targetUrlPrefix"], components, bands, grade_levels,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"framework file {source.name} is invalid: {exc!r}",
                         code="invalid_framework",
                         message_vi=f"Tệp khung năng lực {source.name} không hợp lệ.") from exc


@lru_cache(maxsize=4)
def load_framework(path: Path = FRAMEWORK_FILE) -> CompetenceFramework:
    """Load and check a competence framework file (24 unique components expected for TT02)."""
    framework = _parse(json.loads(path.read_text(encoding="utf-8")), path)
    codes = [component.code for component in framework.components]
    if len(set(codes)) != len(codes) or len(set(framework.levels)) != len(framework.levels):
        raise InputError(f"framework file {path.name} repeats a component or level",
                         code="invalid_framework",
                         message_vi=f"Tệp khung năng lực {path.name} có mã bị lặp.")
    return framework
