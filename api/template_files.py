"""Empty import templates served at ``/templates/{file}``, built from the record types' own headers.

Each header comes from ``issuer.record_types``, whose readers check uploads
against the same columns, so a template always matches what the importer
accepts. Every record type comes as CSV and as XLSX, one file per grade where
the columns depend on the grade. A CSV template is UTF-8 with a BOM, so Excel
opens the Vietnamese headers correctly. The upper-secondary and
continuing-education templates carry a sample choice of four elective subjects
(``TEMPLATE_ELECTIVES``); a school replaces those columns with its own electives.
"""

from __future__ import annotations

import csv
import functools
import io
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import Response
from openpyxl import Workbook
from openpyxl.styles import Font

from api.problems import ProblemError
from issuer.curriculum import load_curriculum
from issuer.export_xlsx import write_template_xlsx
from issuer.record_types import RECORD_TYPES, TEMPLATE_ELECTIVES, RecordType

__all__ = ["TEMPLATES", "TemplateFile", "template_bytes", "template_links", "template_router"]

logger = logging.getLogger(__name__)

_CSV = "text/csv; charset=utf-8"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# File name stem of each record type's templates; THCS and primary keep their first names.
_STEMS = {
    "transcript-thcs-tt22": "lop-thcs-tt22-khoi-{grade}",
    "transcript-tieu-hoc-tt27": "lop-tieu-hoc-khoi-{grade}",
    "transcript-thpt-tt22": "lop-thpt-tt22-khoi-{grade}",
    "transcript-gdtx-tt43": "lop-gdtx-tt43-khoi-{grade}",
    "completion-thcs": "xac-nhan-hoan-thanh-thcs",
    "competence-tt02-2025": "nang-luc-so-tt02-2025",
}


@dataclass(frozen=True)
class TemplateFile:
    """One downloadable template: its file name, labels and how to build its bytes."""

    name: str
    label_vi: str
    label_en: str
    media_type: str
    build: Callable[[], bytes]
    record_type: str = ""


def _csv(header: list[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow(header)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _transcript_xlsx(curriculum_id: str, grade: int) -> bytes:
    """Write the styled class template with drop-down lists of a year-transcript type."""
    curriculum = load_curriculum(curriculum_id)
    if curriculum.has_open_electives:
        curriculum = curriculum.with_electives(TEMPLATE_ELECTIVES)
    with tempfile.TemporaryDirectory(prefix="hocba-template-") as folder:
        path = write_template_xlsx(Path(folder) / "template.xlsx", curriculum, grade=grade)
        return path.read_bytes()


def _header_xlsx(header: list[str]) -> bytes:
    """Write a workbook whose first row is ``header``, in bold, with text-formatted cells."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    workbook.properties.creator = "hocba"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_builder(kind: RecordType, grade: int) -> Callable[[], bytes]:
    # The primary template's rating columns are words, so the THCS styling does not fit it.
    if kind.curriculum_id in ("thcs-2018", "thpt-2018", "gdtx-thpt"):
        return functools.partial(_transcript_xlsx, kind.curriculum_id, grade)
    return lambda: _header_xlsx(kind.columns(grade))


def _catalogue() -> list[TemplateFile]:
    files: list[TemplateFile] = []
    for code, kind in RECORD_TYPES.items():
        for grade in kind.grades or (0,):
            stem = _STEMS[code].format(grade=grade)
            grade_vi = f", khối {grade}" if len(kind.grades) > 1 else ""
            grade_en = f", grade {grade}" if len(kind.grades) > 1 else ""
            files.append(TemplateFile(
                f"{stem}.csv", f"{kind.name_vi}{grade_vi} (CSV)",
                f"{kind.name_en}{grade_en} (CSV)", _CSV,
                functools.partial(lambda k, g: _csv(k.columns(g)), kind, grade), code))
            files.append(TemplateFile(
                f"{stem}.xlsx", f"{kind.name_vi}{grade_vi} (XLSX)",
                f"{kind.name_en}{grade_en} (XLSX)", _XLSX, _xlsx_builder(kind, grade), code))
    return files


TEMPLATES: dict[str, TemplateFile] = {item.name: item for item in _catalogue()}


@functools.cache
def template_bytes(name: str) -> bytes:
    """Return the bytes of the template ``name``; raise KeyError for an unknown name."""
    return TEMPLATES[name].build()


def template_links(lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Return the templates in ``lang`` grouped by record type: (type name, [(path, label)])."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for item in TEMPLATES.values():
        kind = RECORD_TYPES[item.record_type]
        name = kind.name_vi if lang == "vi" else kind.name_en
        label = item.label_vi if lang == "vi" else item.label_en
        groups.setdefault(name, []).append((f"/templates/{item.name}", label))
    return list(groups.items())


def template_router() -> APIRouter:
    """Build the router of ``/templates/{file}`` (no login needed: templates hold no data)."""
    router = APIRouter(include_in_schema=False)

    @router.get("/templates/{file_name}")
    async def template(file_name: str) -> Response:
        item = TEMPLATES.get(file_name)
        if item is None:
            raise ProblemError(404, "template_not_found",
                               f"Không có tệp mẫu «{file_name[:80]}».",
                               f"No template named {file_name[:80]!r}.")
        return Response(template_bytes(file_name), media_type=item.media_type,
                        headers={"Content-Disposition": f'attachment; filename="{item.name}"',
                                 "Cache-Control": "public, max-age=3600"})

    return router
